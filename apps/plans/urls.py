from django.urls import path

from . import views

urlpatterns = [
    path("plans/", views.PlanListView.as_view(), name="plans"),
    path("plans/<uuid:plan_id>/", views.PlanDetailView.as_view(), name="plan"),
    path("plans/<uuid:plan_id>/archive/", views.PlanArchiveView.as_view(), name="plan-archive"),
    path(
        "plans/<uuid:plan_id>/adherence/", views.PlanAdherenceView.as_view(), name="plan-adherence"
    ),
    path("today/", views.TodayView.as_view(), name="today"),
    path("exercise-logs/", views.ExerciseLogView.as_view(), name="exercise-logs"),
]
