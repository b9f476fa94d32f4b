"""Shapes of the interop answers, for the schema."""

from rest_framework import serializers

# `GET me/export/`: one key per kind of record the patient owns (apps.interop.export);
# rows are the stored columns, JSON-safe, times as ISO 8601 text.
EXPORT_ROWS = {
    "care_team": "Care-team links, active and ended.",
    "record_access": "Each time a physiotherapist read the patient's records.",
    "episodes": "Episodes of care.",
    "goals": "Their goals.",
    "symptom_logs": "Symptom logs.",
    "outcome_schedules": "Questionnaire schedules.",
    "outcome_responses": "Questionnaire answers with their scores.",
    "exercise_plans": "Exercise plans.",
    "plan_items": "Their items, retired ones too.",
    "exercise_logs": "Exercise logs.",
    "care_sessions": "Home-care sessions.",
    "messages": "Messages of every thread.",
    "alerts": "Alerts.",
    "reminders": "Reminders.",
    "notifications": "The inbox.",
    "devices": "Registered devices (never their tokens).",
}

ExportSerializer = type(
    "ExportSerializer",
    (serializers.Serializer,),
    {
        "__doc__": "Every record the patient owns, by kind.",
        "exported_at": serializers.DateTimeField(),
        "profile": serializers.DictField(help_text="The account: email, time zone, quiet hours."),
        "reminder_settings": serializers.DictField(
            allow_null=True, help_text="Null while the patient never changed the defaults."
        ),
        **{
            name: serializers.ListField(child=serializers.DictField(), help_text=text)
            for name, text in EXPORT_ROWS.items()
        },
    },
)
