"""Every pause of a plan kept on the plan, so that adherence can leave paused days out
without another query; filled from the plan's paused/resumed events."""

from django.db import migrations, models


def pauses_from_events(apps, schema_editor):
    ExercisePlan = apps.get_model("plans", "ExercisePlan")
    PlanEvent = apps.get_model("plans", "PlanEvent")
    plan_ids = (
        PlanEvent.objects.filter(action__in=["paused", "resumed"])
        .values_list("plan_id", flat=True)
        .distinct()
    )
    for plan in ExercisePlan.objects.filter(pk__in=list(plan_ids)).iterator():
        pauses: list[dict] = []
        events = PlanEvent.objects.filter(plan=plan, action__in=["paused", "resumed"])
        for action, at in events.order_by("at", "id").values_list("action", "at"):
            if action == "paused" and (not pauses or pauses[-1]["to"]):
                pauses.append({"from": at.isoformat(), "to": None})
            elif action == "resumed" and pauses and not pauses[-1]["to"]:
                pauses[-1]["to"] = at.isoformat()
        if pauses and plan.paused_at is None and not pauses[-1]["to"]:
            pauses.pop()  # an event without its pair: trust the plan's own state
        if plan.paused_at is not None and (not pauses or pauses[-1]["to"]):
            pauses.append({"from": plan.paused_at.isoformat(), "to": None})
        plan.pauses = pauses
        plan.save(update_fields=["pauses"])


class Migration(migrations.Migration):
    dependencies = [("plans", "0009_plan_paused")]

    operations = [
        migrations.AddField(
            model_name="exerciseplan",
            name="pauses",
            field=models.JSONField(blank=True, default=list, editable=False),
        ),
        migrations.RunPython(pauses_from_events, migrations.RunPython.noop),
    ]
