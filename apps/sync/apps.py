from django.apps import AppConfig
from django.db.models.signals import post_migrate


class SyncConfig(AppConfig):
    name = "apps.sync"
    label = "sync"
    verbose_name = "Offline sync"

    def ready(self) -> None:
        from .triggers import install_after_migrate

        # After every `migrate` (and a test database's flush), so the triggers always
        # match the tables the other apps' migrations made (docs/decisions/sync-change-log.md).
        post_migrate.connect(install_after_migrate, dispatch_uid="sync-install-triggers")
