"""Existing outcome schedules without an episode join one episode per patient and physiotherapist
(active, starting on the day the earliest of them was made). The plans migration does
the same for plans: whichever runs second joins the episode the first one opened and
moves its start earlier when it has to."""

from django.db import migrations


def into_episodes(apps, schema_editor):
    Episode = apps.get_model("episodes", "Episode")
    Model = apps.get_model("outcomes", "OutcomeSchedule")
    pairs: dict = {}
    for row in Model.objects.filter(episode__isnull=True).values(
        "pk", "patient_id", "physio_id", "created_at"
    ):
        key = (row["patient_id"], row["physio_id"])
        entry = pairs.setdefault(key, {"first": row["created_at"].date(), "rows": []})
        entry["first"] = min(entry["first"], row["created_at"].date())
        entry["rows"].append(row["pk"])
    for (patient_id, physio_id), entry in pairs.items():
        episode = Episode.objects.filter(
            patient_id=patient_id, physio_id=physio_id, status="active"
        ).first()
        if episode is None:
            episode = Episode.objects.create(
                patient_id=patient_id,
                physio_id=physio_id,
                title="Episode of care",
                started_on=entry["first"],
                status="active",
            )
        elif entry["first"] < episode.started_on:
            episode.started_on = entry["first"]
            episode.save(update_fields=["started_on"])
        Model.objects.filter(pk__in=entry["rows"]).update(episode=episode)


class Migration(migrations.Migration):
    dependencies = [
        ("episodes", "0001_initial"),
        ("outcomes", "0002_schedule_episode"),
    ]

    operations = [migrations.RunPython(into_episodes, migrations.RunPython.noop)]
