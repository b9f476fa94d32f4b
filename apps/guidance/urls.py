from django.urls import path

from . import views

urlpatterns = [
    path(
        "plans/<uuid:plan_id>/load-guidance/",
        views.PlanLoadGuidanceView.as_view(),
        name="plan-load-guidance",
    ),
    path(
        "plans/<uuid:plan_id>/items/<uuid:item_id>/apply-guidance/",
        views.ApplyGuidanceView.as_view(),
        name="plan-item-apply-guidance",
    ),
]
