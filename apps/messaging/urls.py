from django.urls import path

from . import views

urlpatterns = [
    # accounts' care-team list, with unread counts: accounts must not import messaging.
    path("care-team/", views.CareTeamListView.as_view(), name="care-team"),
    path(
        "care-team/<uuid:link_id>/messages/",
        views.MessageListView.as_view(),
        name="care-team-messages",
    ),
    path(
        "care-team/<uuid:link_id>/messages/read/",
        views.MessageReadView.as_view(),
        name="care-team-messages-read",
    ),
]
