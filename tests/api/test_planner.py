"""What every PostgreSQL session of the service asks of the planner: no plan kept from an
empty table (docs/decisions/empty-table-planning.md), no JIT (docs/decisions/no-jit.md)."""

import pytest
from django.db import connection


@pytest.mark.django_db
def test_postgresql_sessions_plan_each_execution_for_the_current_table_size():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL")
    with connection.cursor() as cursor:
        cursor.execute("SHOW plan_cache_mode")
        assert cursor.fetchone()[0] == "force_custom_plan"


def test_production_settings_ask_for_it_too():
    from backend.settings.database import postgres_options

    assert "plan_cache_mode=force_custom_plan" in postgres_options()["options"]


@pytest.mark.django_db
def test_postgresql_sessions_never_compile_queries_with_jit():
    """No JIT section even with the cost threshold at 0 (with jit on, this plan has one):
    the compiling cost the worsening sweep's candidates some 100 ms at 20,000 patients
    (docs/decisions/no-jit.md)."""
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL")
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone()[0] == "off"
        cursor.execute("SET LOCAL jit_above_cost = 0")
        cursor.execute(
            "EXPLAIN (ANALYZE) "  # COSTS OFF would hide the JIT section
            "SELECT count(*) FILTER (WHERE n % 7 = 0) FROM generate_series(1, 1000) AS n"
        )
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "JIT:" not in plan


def test_production_settings_turn_jit_off_too():
    from backend.settings.database import postgres_options

    assert "-c jit=off" in postgres_options()["options"]
