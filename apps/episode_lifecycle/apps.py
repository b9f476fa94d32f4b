from django.apps import AppConfig


class EpisodeLifecycleConfig(AppConfig):
    name = "apps.episode_lifecycle"
    label = "episode_lifecycle"
    verbose_name = "Episodes: the API, goals, discharge and the report"
