from django.apps import AppConfig

from backend import hooks


class PlansConfig(AppConfig):
    name = "apps.plans"
    label = "plans"
    verbose_name = "Exercise plans"

    def ready(self) -> None:
        # Here, not at the top: these modules import models, which Django loads only
        # once every app's config is read (the app registry is not ready before ready()).
        from . import reminders, selectors, services

        hooks.reminders_replan.connect(reminders.on_reminders_replan, dispatch_uid="plans")
        hooks.reminders_plan_ahead.connect(reminders.on_reminders_plan_ahead, dispatch_uid="plans")
        hooks.exercise_audience.connect(selectors.exercises_in_own_plans, dispatch_uid="plans")
        hooks.physio_handover.connect(services.on_physio_handover, dispatch_uid="plans")
