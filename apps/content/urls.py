from rest_framework.routers import SimpleRouter

from . import views

router = SimpleRouter()
router.register("conditions", views.ConditionViewSet, basename="condition")
router.register("protocols", views.ProtocolViewSet, basename="protocol")
router.register("exercises", views.ExerciseViewSet, basename="exercise")

urlpatterns = router.urls
