"""A BRIN index on recorded_at, PostgreSQL only: the nightly sweeps read the logs of the
last days through it instead of the whole table (docs/decisions/sweep-indexes.md). SQLite,
the development default, has no BRIN and keeps its plain scans."""

from django.db import migrations

CREATE = (
    "CREATE INDEX IF NOT EXISTS symptoms_log_time_brin ON symptoms_symptomlog "
    "USING brin (recorded_at) WITH (autosummarize = on)"
)
DROP = "DROP INDEX IF EXISTS symptoms_log_time_brin"


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("symptoms", "0001_initial")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
