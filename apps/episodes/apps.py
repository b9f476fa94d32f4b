from django.apps import AppConfig

from backend import hooks


class EpisodesConfig(AppConfig):
    name = "apps.episodes"
    label = "episodes"
    verbose_name = "Episodes of care"

    def ready(self) -> None:
        from . import services

        hooks.physio_handover.connect(services.on_physio_handover, dispatch_uid="episodes")
