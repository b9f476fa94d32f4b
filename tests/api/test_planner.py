"""The empty-table planning trap (docs/decisions/empty-table-planning.md)."""

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
