from django.apps import AppConfig
from PIL import Image

from backend import hooks

from .media import MAX_PIXELS


class ContentConfig(AppConfig):
    name = "apps.content"
    label = "content"
    verbose_name = "Medical content"

    def ready(self) -> None:
        # Here, not at the top: these modules import models, which Django loads only
        # once every app's config is read (the app registry is not ready before ready()).
        from . import services

        hooks.bootstrap.connect(services.on_bootstrap, dispatch_uid="content")
        # Pillow's own guard against decompression bombs at our limit (media.py turns its
        # warning into an error): every Image.open in the process, not only uploads.
        Image.MAX_IMAGE_PIXELS = MAX_PIXELS
