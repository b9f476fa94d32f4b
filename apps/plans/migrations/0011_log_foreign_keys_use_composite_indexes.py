"""The exercise log's foreign keys lose their single-column indexes: (patient, performed_at),
(patient, client_id) and (plan_item, performed_at) start with the same columns, and a spare
index on patient_id let PostgreSQL AND it with the time BRIN for a sweep chunk's windows
(lossy block ranges) instead of reading the composite index.

Only the indexes are dropped (concurrently on PostgreSQL, so logging goes on meanwhile);
Django's AlterField would also drop and re-validate the foreign keys over the whole table."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

INDEXES = {
    "plans_exerciselog_patient_id_7d1b924c": "patient_id",
    "plans_exerciselog_plan_item_id_c8153a9f": "plan_item_id",
}


def _concurrently(schema_editor) -> str:
    return "CONCURRENTLY " if schema_editor.connection.vendor == "postgresql" else ""


def drop(apps, schema_editor):
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX {_concurrently(schema_editor)}IF EXISTS {name}")


def create(apps, schema_editor):
    for name, column in INDEXES.items():
        schema_editor.execute(
            f"CREATE INDEX {_concurrently(schema_editor)}IF NOT EXISTS {name} "
            f"ON plans_exerciselog ({column})"
        )


class Migration(migrations.Migration):
    atomic = False  # DROP INDEX CONCURRENTLY runs outside a transaction

    dependencies = [
        ("plans", "0010_plan_pauses"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="exerciselog",
                    name="patient",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="exercise_logs",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                migrations.AlterField(
                    model_name="exerciselog",
                    name="plan_item",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="logs",
                        to="plans.planitem",
                    ),
                ),
            ],
            database_operations=[migrations.RunPython(drop, create, elidable=False)],
        )
    ]
