import uuid
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

# One source for the ice limits: the protocol steps editors write follow the same rule.
from apps.content.models import ICE_MAX_MINUTES, ICE_MIN_MINUTES
from apps.content.vocabulary import CareActivity

from .errors import CareError

MIN_MINUTES = 1
MAX_MINUTES = 240
ICE_DURATION_MESSAGE = f"An ice session lasts {ICE_MIN_MINUTES} to {ICE_MAX_MINUTES} minutes."


# The same vocabulary as protocol steps: a step of one of these kinds starts a session.
CareKind = CareActivity


class CareSession(models.Model):
    """One home-care session the patient started on the phone (maybe offline).

    `client_id` is made by the phone: the same one sent again is the same session, which
    the database guarantees (unique per patient). docs/domain.md: ice is 15–20 minutes, never
    longer, and the database refuses anything else whatever path writes it.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    patient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="care_sessions"
    )
    client_id = models.UUIDField()
    kind = models.CharField(max_length=16, choices=CareKind.choices)
    started_at = models.DateTimeField()
    planned_minutes = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(MIN_MINUTES), MaxValueValidator(MAX_MINUTES)]
    )
    finished_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-started_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["patient", "client_id"], name="care_session_unique_client_id"
            ),
            models.CheckConstraint(
                condition=~Q(kind=CareKind.ICE)
                | Q(planned_minutes__gte=ICE_MIN_MINUTES, planned_minutes__lte=ICE_MAX_MINUTES),
                name="care_session_ice_15_to_20_minutes",
                violation_error_message=ICE_DURATION_MESSAGE,
            ),
            models.CheckConstraint(
                condition=Q(planned_minutes__gte=MIN_MINUTES, planned_minutes__lte=MAX_MINUTES),
                name="care_session_planned_1_to_240_minutes",
            ),
        ]
        indexes = [
            models.Index(fields=["patient", "started_at"], name="care_session_patient_time"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} session {self.id}"

    @property
    def ends_at(self) -> datetime:
        return self.started_at + timedelta(minutes=self.planned_minutes)

    @property
    def reminder_source(self) -> str:
        return f"care_session:{self.id}"

    def clean(self) -> None:
        super().clean()
        # Named on the field, so the API's 400 says which input is wrong (the check
        # constraint alone would report a non-field error).
        if (
            self.kind == CareKind.ICE
            and self.planned_minutes is not None
            and not ICE_MIN_MINUTES <= self.planned_minutes <= ICE_MAX_MINUTES
        ):
            raise ValidationError(
                {
                    "planned_minutes": ValidationError(
                        ICE_DURATION_MESSAGE, code=CareError.ICE_DURATION
                    )
                }
            )
