from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from apps.alerts.models import AlertStatus
from apps.alerts.serializers import AlertSerializer
from apps.content.vocabulary import Side
from apps.outcomes.serializers import InstrumentOutcomeSummarySerializer
from apps.plans.serializers import PlanSerializer
from apps.symptoms.serializers import HintSerializer, TrendDaySerializer
from apps.symptoms.vocabulary import Level
from backend.rest import StrictSerializer

from .selectors import DASHBOARD_ORDERINGS


class LatestOutcomeSerializer(serializers.Serializer):
    instrument = serializers.CharField()
    instrument_name = serializers.CharField(
        help_text="The instrument as people read it (its title), never the code."
    )
    change = serializers.FloatField(
        allow_null=True, help_text="Against the schedule's first response; null for it."
    )
    responder = serializers.ChoiceField(
        choices=["improved", "no_change", "worsened"], allow_null=True
    )
    completed_at = serializers.DateTimeField()


class MostUrgentAlertSerializer(serializers.Serializer):
    level = serializers.ChoiceField(choices=Level.choices)
    status = serializers.ChoiceField(choices=[AlertStatus.OPEN, AlertStatus.ACKNOWLEDGED])


class PatientOverviewSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    email = serializers.EmailField()
    display_name = serializers.CharField(
        source="shown_name", help_text="The patient's display name, or the e-mail when unset."
    )
    latest_pain = serializers.IntegerField(allow_null=True)
    pain_change_7d = serializers.SerializerMethodField()
    adherence_7d = serializers.SerializerMethodField()
    open_alerts = serializers.IntegerField(help_text="Alerts with status `open`.")
    unresolved_alerts = serializers.IntegerField(
        help_text="Alerts not yet resolved: open or acknowledged."
    )
    most_urgent_alert = serializers.SerializerMethodField(
        help_text="The most severe unresolved alert's level and status (an acknowledged "
        "alert keeps its level until resolved), or null without one."
    )
    last_log_at = serializers.DateTimeField(allow_null=True)
    unread_count = serializers.IntegerField(help_text="Messages from the patient not yet read.")
    reduce_suggestions = serializers.IntegerField(
        help_text="Exercises of the active plan whose load guidance suggests `reduce`."
    )
    latest_outcome = serializers.SerializerMethodField(
        help_text="The patient's latest outcome questionnaire against its baseline, or null."
    )

    @extend_schema_field(LatestOutcomeSerializer(allow_null=True))
    def get_latest_outcome(self, patient) -> dict | None:
        if patient.outcome_instrument is None:
            return None
        return LatestOutcomeSerializer(
            {
                "instrument": patient.outcome_instrument,
                "instrument_name": patient.outcome_instrument_name,
                "change": patient.outcome_change,
                "responder": patient.outcome_responder or None,
                "completed_at": patient.outcome_completed_at,
            }
        ).data

    @extend_schema_field(MostUrgentAlertSerializer(allow_null=True))
    def get_most_urgent_alert(self, patient) -> dict | None:
        if patient.most_urgent_alert_level is None:
            return None
        return {
            "level": patient.most_urgent_alert_level,
            "status": patient.most_urgent_alert_status,
        }

    @extend_schema_field(serializers.FloatField(allow_null=True))
    def get_pain_change_7d(self, patient) -> float | None:
        value = patient.pain_change_7d
        return None if value is None else round(value, 1)

    @extend_schema_field(serializers.FloatField(allow_null=True))
    def get_adherence_7d(self, patient) -> float | None:
        value = patient.adherence_7d
        return None if value is None else round(value, 2)


class PatientOverviewQuerySerializer(StrictSerializer):
    ordering = serializers.ChoiceField(
        choices=list(DASHBOARD_ORDERINGS),
        required=False,
        default="email",
    )


class PatientSummarySerializer(PatientOverviewSerializer):
    timezone = serializers.CharField()
    affected_side = serializers.ChoiceField(choices=Side.choices, allow_blank=True)
    trend = TrendDaySerializer(many=True, help_text="Daily pain of the last 14 days.")
    active_plan = PlanSerializer(allow_null=True)
    alerts = AlertSerializer(many=True, help_text="Open and acknowledged alerts.")
    hints = HintSerializer(many=True, help_text="The referred-pain hint, when it shows.")
    outcomes = InstrumentOutcomeSummarySerializer(
        many=True, help_text="Per instrument answered: baseline, latest, change, MCID."
    )
