"""Every physiotherapist made before clinics existed joins one clinic (slug `clinic`), as a
clinician; a superuser renames it and names its admins in the admin."""

from django.db import migrations

SLUG = "clinic"


def forwards(apps, schema_editor):
    User = apps.get_model("accounts", "User")
    Clinic = apps.get_model("clinics", "Clinic")
    StaffMembership = apps.get_model("clinics", "StaffMembership")
    physios = User.objects.filter(role="physio", clinic_memberships__isnull=True)
    if not physios.exists():
        return
    clinic, _ = Clinic.objects.get_or_create(slug=SLUG, defaults={"name": "Clinic"})
    StaffMembership.objects.bulk_create(
        [StaffMembership(clinic=clinic, user=physio, role="clinician") for physio in physios]
    )


class Migration(migrations.Migration):
    dependencies = [("clinics", "0001_initial")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
