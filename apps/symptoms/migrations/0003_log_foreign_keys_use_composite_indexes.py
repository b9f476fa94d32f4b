"""The symptom log's patient key loses its single-column index: (patient, recorded_at) and
(patient, client_id) start with it, and the spare index let PostgreSQL AND it with the time
BRIN for a sweep chunk's windows, reading whole lossy block ranges (22 ms where the
composite index takes 6 ms on the floor bench's data).

Only the index is dropped (concurrently on PostgreSQL, so logging goes on meanwhile);
Django's AlterField would also drop and re-validate the foreign key over the whole table."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

INDEX = "symptoms_symptomlog_patient_id_5317ac4d"


def _concurrently(schema_editor) -> str:
    return "CONCURRENTLY " if schema_editor.connection.vendor == "postgresql" else ""


def drop(apps, schema_editor):
    schema_editor.execute(f"DROP INDEX {_concurrently(schema_editor)}IF EXISTS {INDEX}")


def create(apps, schema_editor):
    schema_editor.execute(
        f"CREATE INDEX {_concurrently(schema_editor)}IF NOT EXISTS {INDEX} "
        "ON symptoms_symptomlog (patient_id)"
    )


class Migration(migrations.Migration):
    atomic = False  # DROP INDEX CONCURRENTLY runs outside a transaction

    dependencies = [
        ("symptoms", "0002_symptom_log_time_brin"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="symptomlog",
                    name="patient",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="symptom_logs",
                        to=settings.AUTH_USER_MODEL,
                    ),
                )
            ],
            database_operations=[migrations.RunPython(drop, create, elidable=False)],
        )
    ]
