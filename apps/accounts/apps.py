from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "apps.accounts"
    label = "accounts"
    verbose_name = "Accounts"

    def ready(self) -> None:
        from backend import hooks

        from . import selectors, services

        hooks.bootstrap.connect(services.on_bootstrap, dispatch_uid="accounts")
        hooks.exercise_audience.connect(selectors.own_exercises_audience, dispatch_uid="accounts")
