from django.urls import path

from . import views

urlpatterns = [
    path("plans/", views.PlanListView.as_view(), name="plans"),
    path("plans/<uuid:plan_id>/", views.PlanDetailView.as_view(), name="plan"),
    path("plans/<uuid:plan_id>/archive/", views.PlanArchiveView.as_view(), name="plan-archive"),
    path("plans/<uuid:plan_id>/pause/", views.PlanPauseView.as_view(), name="plan-pause"),
    path("plans/<uuid:plan_id>/resume/", views.PlanResumeView.as_view(), name="plan-resume"),
    path(
        "plans/<uuid:plan_id>/adherence/", views.PlanAdherenceView.as_view(), name="plan-adherence"
    ),
    path("plan-templates/", views.PlanTemplateListView.as_view(), name="plan-templates"),
    path(
        "plan-templates/<uuid:template_id>/",
        views.PlanTemplateDetailView.as_view(),
        name="plan-template",
    ),
    path("today/", views.TodayView.as_view(), name="today"),
    path("exercise-logs/", views.ExerciseLogView.as_view(), name="exercise-logs"),
]
