from django.apps import AppConfig


class GuidanceConfig(AppConfig):
    name = "apps.guidance"
    label = "guidance"
    verbose_name = "Exercise load guidance"
