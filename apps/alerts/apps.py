from django.apps import AppConfig


class AlertsConfig(AppConfig):
    name = "apps.alerts"
    label = "alerts"
    verbose_name = "Alerts"

    def ready(self) -> None:
        from backend import hooks

        from . import outcomes, services

        hooks.logs_recorded.connect(services.on_logs_recorded, dispatch_uid="alerts")
        hooks.logs_recorded.connect(
            outcomes.on_outcome_responses_recorded, dispatch_uid="alerts.outcomes"
        )
