from django.apps import AppConfig

from backend import hooks


class AccountsConfig(AppConfig):
    name = "apps.accounts"
    label = "accounts"
    verbose_name = "Accounts"

    def ready(self) -> None:
        # Here, not at the top: these modules import models, which Django loads only
        # once every app's config is read (the app registry is not ready before ready()).
        from . import selectors, services

        hooks.bootstrap.connect(services.on_bootstrap, dispatch_uid="accounts")
        hooks.exercise_audience.connect(selectors.own_exercises_audience, dispatch_uid="accounts")
