from django.apps import AppConfig


class ContentConfig(AppConfig):
    name = "apps.content"
    label = "content"
    verbose_name = "Medical content"

    def ready(self) -> None:
        from backend import hooks

        from . import services

        hooks.bootstrap.connect(services.on_bootstrap, dispatch_uid="content")

        # Pillow's own guard against decompression bombs at our limit (media.py turns its
        # warning into an error): every Image.open in the process, not only uploads.
        from PIL import Image

        from .media import MAX_PIXELS

        Image.MAX_IMAGE_PIXELS = MAX_PIXELS
