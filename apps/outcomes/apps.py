from django.apps import AppConfig


class OutcomesConfig(AppConfig):
    name = "apps.outcomes"
    label = "outcomes"
    verbose_name = "Outcome measures"

    def ready(self) -> None:
        from backend import hooks

        from . import reminders, services

        hooks.bootstrap.connect(services.on_bootstrap, dispatch_uid="outcomes")
        hooks.reminders_replan.connect(reminders.on_reminders_replan, dispatch_uid="outcomes")
        hooks.reminders_plan_ahead.connect(
            reminders.on_reminders_plan_ahead, dispatch_uid="outcomes"
        )
        hooks.care_link_ended.connect(services.on_care_link_ended, dispatch_uid="outcomes")
