from django.urls import path
from rest_framework.routers import SimpleRouter

from . import views

router = SimpleRouter()
router.register("conditions", views.ConditionViewSet, basename="condition")
router.register("protocols", views.ProtocolViewSet, basename="protocol")
router.register("exercises", views.ExerciseViewSet, basename="exercise")

urlpatterns = [
    path(
        "exercises/<slug:slug>/media/",
        views.ExerciseMediaView.as_view(),
        name="exercise-media",
    ),
    path(
        "exercises/<slug:slug>/media/<uuid:media_id>/",
        views.ExerciseMediaDetailView.as_view(),
        name="exercise-media-item",
    ),
    *router.urls,
]
