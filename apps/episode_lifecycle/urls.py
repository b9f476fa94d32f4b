from django.urls import path

from . import views

urlpatterns = [
    path(
        "patients/<uuid:patient_id>/episodes/",
        views.PatientEpisodeCreateView.as_view(),
        name="patient-episodes",
    ),
    path("episodes/", views.EpisodeListView.as_view(), name="episodes"),
    path("episodes/<uuid:episode_id>/", views.EpisodeDetailView.as_view(), name="episode"),
    path(
        "episodes/<uuid:episode_id>/goals/", views.EpisodeGoalView.as_view(), name="episode-goals"
    ),
    path(
        "episodes/<uuid:episode_id>/discharge/",
        views.EpisodeDischargeView.as_view(),
        name="episode-discharge",
    ),
]
