from django.urls import path

from . import views

urlpatterns = [
    path("care-sessions/", views.CareSessionListView.as_view(), name="care-sessions"),
    path(
        "care-sessions/<uuid:session_id>/",
        views.CareSessionDetailView.as_view(),
        name="care-session",
    ),
    path(
        "care-sessions/<uuid:session_id>/finish/",
        views.CareSessionFinishView.as_view(),
        name="care-session-finish",
    ),
]
