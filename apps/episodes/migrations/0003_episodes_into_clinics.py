"""Every existing episode belongs to the clinic of the physio who leads it (their first);
an episode without a physio, or whose physio has no clinic, to the migration's clinic."""

from django.db import migrations

SLUG = "clinic"


def forwards(apps, schema_editor):
    Episode = apps.get_model("episodes", "Episode")
    Clinic = apps.get_model("clinics", "Clinic")
    StaffMembership = apps.get_model("clinics", "StaffMembership")
    first_clinic: dict = {}
    for membership in StaffMembership.objects.order_by("-created_at", "-id"):
        first_clinic[membership.user_id] = membership.clinic_id  # the oldest wins
    for physio_id, clinic_id in first_clinic.items():
        Episode.objects.filter(physio_id=physio_id, clinic__isnull=True).update(
            clinic_id=clinic_id
        )
    rest = Episode.objects.filter(clinic__isnull=True)
    if rest.exists():
        fallback, _ = Clinic.objects.get_or_create(slug=SLUG, defaults={"name": "Clinic"})
        rest.update(clinic=fallback)

class Migration(migrations.Migration):
    dependencies = [("episodes", "0002_episode_clinic")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
