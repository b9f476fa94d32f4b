from django.urls import path

from . import views

urlpatterns = [
    path("alerts/", views.AlertListView.as_view(), name="alerts"),
    path(
        "alerts/<uuid:alert_id>/acknowledge/",
        views.AlertAcknowledgeView.as_view(),
        name="alert-acknowledge",
    ),
    path("alerts/<uuid:alert_id>/resolve/", views.AlertResolveView.as_view(), name="alert-resolve"),
]
