from django.apps import AppConfig

from backend import hooks


class ContentConfig(AppConfig):
    name = "apps.content"
    label = "content"
    verbose_name = "Medical content"

    def ready(self) -> None:
        # Here, not at the top: these modules import models, which Django loads only
        # once every app's config is read (the app registry is not ready before ready()).
        from . import services

        hooks.bootstrap.connect(services.on_bootstrap, dispatch_uid="content")
