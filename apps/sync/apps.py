from django.apps import AppConfig
from django.db.models.signals import post_migrate, pre_migrate


class SyncConfig(AppConfig):
    name = "apps.sync"
    label = "sync"
    verbose_name = "Offline sync"

    def ready(self) -> None:
        from .triggers import install_after_migrate, uninstall_before_migrate

        # After every `migrate` (and a test database's flush), so the triggers always
        # match the tables the other apps' migrations made (docs/decisions/sync-change-log.md).
        pre_migrate.connect(uninstall_before_migrate, dispatch_uid="sync-uninstall-triggers")
        post_migrate.connect(install_after_migrate, dispatch_uid="sync-install-triggers")
