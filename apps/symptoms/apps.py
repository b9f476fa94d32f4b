from django.apps import AppConfig


class SymptomsConfig(AppConfig):
    name = "apps.symptoms"
    label = "symptoms"
    verbose_name = "Symptom logs"
