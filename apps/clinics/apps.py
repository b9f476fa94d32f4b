from django.apps import AppConfig

from backend import hooks


class ClinicsConfig(AppConfig):
    name = "apps.clinics"
    label = "clinics"
    verbose_name = "Clinics and staff"

    def ready(self) -> None:
        from . import services

        # After accounts' receiver (apps are connected in INSTALLED_APPS order): the demo
        # physio exists by then and joins the demo clinic.
        hooks.bootstrap.connect(services.on_bootstrap, dispatch_uid="clinics")
