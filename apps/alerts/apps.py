from django.apps import AppConfig

from backend import hooks


class AlertsConfig(AppConfig):
    name = "apps.alerts"
    label = "alerts"
    verbose_name = "Alerts"

    def ready(self) -> None:
        # Here, not at the top: these modules import models, which Django loads only
        # once every app's config is read (the app registry is not ready before ready()).
        from . import outcomes, selectors, services

        hooks.logs_recorded.connect(services.on_logs_recorded, dispatch_uid="alerts")
        hooks.staff_counts.connect(selectors.open_alerts_per_physio, dispatch_uid="alerts")
        hooks.logs_recorded.connect(
            outcomes.on_outcome_responses_recorded, dispatch_uid="alerts.outcomes"
        )
