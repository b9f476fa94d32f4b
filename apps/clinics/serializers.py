from rest_framework import serializers

from apps.accounts.serializers import (
    DisplayNameField,
    MeSerializer,
    PasswordField,
    PersonSerializer,
)
from backend.rest import (
    AwareDateTimeField,
    StrictCharField,
    StrictChoiceField,
    StrictSerializer,
    StrictUUIDField,
)

from .errors import ClinicError
from .models import StaffInvite, StaffMembership, StaffRole


class ClinicSerializer(serializers.ModelSerializer):
    """One of the caller's clinics, with their role there."""

    id = serializers.UUIDField(source="clinic.id", read_only=True)
    name = serializers.CharField(source="clinic.name", read_only=True)
    slug = serializers.SlugField(source="clinic.slug", read_only=True)
    timezone = serializers.CharField(source="clinic.timezone", read_only=True)
    role = serializers.ChoiceField(choices=StaffRole.choices, read_only=True)

    class Meta:
        model = StaffMembership
        fields = ["id", "name", "slug", "timezone", "role"]


class StaffSerializer(serializers.Serializer):
    """A member of a clinic's staff as its admin sees them: counts, never a patient."""

    id = serializers.UUIDField(help_text="The physiotherapist's account id.")
    display_name = serializers.CharField(help_text='"" while unset.')
    email = serializers.EmailField()
    role = serializers.ChoiceField(choices=StaffRole.choices)
    active = serializers.BooleanField(help_text="False once deactivated: cannot sign in.")
    active_patients = serializers.IntegerField(help_text="Patients with an active link.")
    open_alerts = serializers.IntegerField(
        help_text="Unresolved (open or acknowledged) alerts of those patients."
    )


class StaffDeactivateInputSerializer(StrictSerializer):
    transfer_to = StrictUUIDField(
        required=False,
        allow_null=True,
        help_text="The active colleague of this clinic who takes the patients over.",
    )


class HandoverSerializer(serializers.Serializer):
    physio = serializers.UUIDField(source="physio.id", help_text="The deactivated account.")
    transfer_to = serializers.UUIDField(source="transfer_to.id", allow_null=True, default=None)
    patients = serializers.IntegerField(help_text="How many patients changed hands.")


class StaffInviteInputSerializer(StrictSerializer):
    email = serializers.EmailField(max_length=254, help_text="Who is invited (a new account).")
    role = StrictChoiceField(
        choices=StaffRole.choices,
        required=False,
        help_text="Their role here; `clinician` when left out.",
    )


class StaffInviteSerializer(serializers.ModelSerializer):
    """An invitation as its clinic's admins see it: never the token."""

    invited_by = PersonSerializer(read_only=True)

    class Meta:
        model = StaffInvite
        fields = ["id", "email", "role", "invited_by", "created_at", "expires_at"]
        read_only_fields = fields


class StaffInviteAcceptSerializer(StrictSerializer):
    token = StrictCharField(
        max_length=128,
        help_text="The `token` of the link in the invitation e-mail.",
        error_messages={ClinicError.INVALID_TOKEN: "This invitation has expired or was used."},
    )
    password = PasswordField(help_text="Django's validators apply.")
    display_name = DisplayNameField(required=True)


class StaffInviteAcceptedSerializer(MeSerializer):
    """The new physiotherapist's account, its token pair (as registration answers) and the
    clinic they joined."""

    access = serializers.CharField(read_only=True)
    refresh = serializers.CharField(read_only=True)
    clinic = ClinicSerializer(read_only=True)

    class Meta(MeSerializer.Meta):
        fields = [*MeSerializer.Meta.fields, "access", "refresh", "clinic"]
        read_only_fields = MeSerializer.Meta.fields


class AuditQuerySerializer(StrictSerializer):
    """`GET clinics/{id}/audit/`'s filters, each optional."""

    staff = StrictUUIDField(required=False)
    patient = StrictUUIDField(required=False)
    since = AwareDateTimeField(required=False)
    until = AwareDateTimeField(required=False)

    def validate(self, attrs):
        if "since" in attrs and "until" in attrs and attrs["since"] > attrs["until"]:
            raise serializers.ValidationError({"until": "Must not be before since."})
        return attrs


class AuditStaffSerializer(serializers.Serializer):
    """Who read: a member of the clinic's staff, as the staff list names them."""

    id = serializers.UUIDField(help_text="The physiotherapist's account id.")
    display_name = serializers.CharField(help_text='"" while unset.')
    email = serializers.EmailField(help_text="As on the clinic's staff list.")


class AuditPatientSerializer(serializers.Serializer):
    """Whose records were read: enough to recognise the person in a review, nothing of
    their record or contact details."""

    id = serializers.UUIDField(help_text="The patient's account id (the `patient` filter).")
    display_name = serializers.CharField(help_text='"" while unset.')


class AuditEntrySerializer(serializers.Serializer):
    """One read: who, whose records, which kind of record and when. Never what they held."""

    id = serializers.IntegerField()
    at = serializers.DateTimeField()
    what = serializers.CharField(
        help_text='The kind of record read, such as "symptom_logs.list" or "portal.diary".'
    )
    staff = AuditStaffSerializer(source="physio")
    patient = AuditPatientSerializer()
