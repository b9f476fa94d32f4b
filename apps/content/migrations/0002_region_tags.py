from django.db import migrations

REGIONS = [
    "front_of_knee",
    "inner_knee",
    "outer_knee",
    "back_of_knee",
    "calf",
    "front_of_thigh",
    "back_of_thigh",
    "lower_back",
    "whole_leg",
]


def add_regions(apps, schema_editor):
    RegionTag = apps.get_model("content", "RegionTag")
    for code in REGIONS:
        RegionTag.objects.get_or_create(code=code)


class Migration(migrations.Migration):
    dependencies = [("content", "0001_initial")]

    operations = [migrations.RunPython(add_regions, migrations.RunPython.noop)]
