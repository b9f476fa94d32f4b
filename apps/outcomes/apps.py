from django.apps import AppConfig

from backend import hooks


class OutcomesConfig(AppConfig):
    name = "apps.outcomes"
    label = "outcomes"
    verbose_name = "Outcome measures"

    def ready(self) -> None:
        # Here, not at the top: these modules import models, which Django loads only
        # once every app's config is read (the app registry is not ready before ready()).
        from . import reminders, services

        hooks.bootstrap.connect(services.on_bootstrap, dispatch_uid="outcomes")
        hooks.reminders_replan.connect(reminders.on_reminders_replan, dispatch_uid="outcomes")
        hooks.reminders_plan_ahead.connect(
            reminders.on_reminders_plan_ahead, dispatch_uid="outcomes"
        )
        hooks.care_link_ended.connect(services.on_care_link_ended, dispatch_uid="outcomes")
        hooks.physio_handover.connect(services.on_physio_handover, dispatch_uid="outcomes")
