from django.apps import AppConfig

from backend import hooks


class NotificationsConfig(AppConfig):
    name = "apps.notifications"
    label = "notifications"
    verbose_name = "Reminders and notifications"

    def ready(self) -> None:
        # Here, not at the top: these modules import models, which Django loads only
        # once every app's config is read (the app registry is not ready before ready()).
        from . import reminders

        # The daily check-in is the engine's own reminder source.
        hooks.reminders_replan.connect(reminders.on_reminders_replan, dispatch_uid="checkins")
        hooks.reminders_plan_ahead.connect(
            reminders.on_reminders_plan_ahead, dispatch_uid="checkins"
        )
