from django.apps import AppConfig


class ClinicConfig(AppConfig):
    """The physiotherapist's view of their caseload: the dashboard and patient summary of
    the API (and, in wave 2, the clinic web portal). It sits on top of the layers so that
    it can compose figures from every app (docs/architecture.md)."""

    name = "apps.clinic"
    label = "clinic"
    verbose_name = "Clinic"
