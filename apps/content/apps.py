from django.apps import AppConfig


class ContentConfig(AppConfig):
    name = "apps.content"
    label = "content"
    verbose_name = "Medical content"

    def ready(self) -> None:
        from backend import hooks

        from . import services

        hooks.bootstrap.connect(services.on_bootstrap, dispatch_uid="content")
