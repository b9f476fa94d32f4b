"""The database: SQLite by default, PostgreSQL from DATABASE_URL; connection options and
time limits chosen by the kind of process. `production.py` reuses `postgres_settings()`."""

from backend.postgres.timeouts import libpq_options, process_role, timeouts_for

from .environment import VAR_DIR, env

# SQLite by default so that a fresh clone runs with nothing installed; PostgreSQL when
# DATABASE_URL says so. Web, worker and beat share the SQLite file, hence WAL and
# IMMEDIATE transactions (writers queue instead of failing with "database is locked").
# A PostgreSQL that stops answering must not hold a process: every connection carries
# time limits chosen by the kind of process (web, worker, beat or a command; PROCESS_ROLE
# or the command line), through the backend of backend/postgres
# (docs/decisions/database-timeouts.md).
PROCESS_ROLE = process_role()
DATABASE_TIMEOUTS = timeouts_for(PROCESS_ROLE)


def postgres_options() -> dict:
    # plan_cache_mode: the foreign-key checks' cached plans are made again each time from
    # the table's current size, so a plan made while a table was empty (a seq scan) never
    # outlives its data (docs/decisions/empty-table-planning.md). jit: no query of the
    # service runs long enough for compiling it to pay; above the planner's cost threshold
    # (the sweeps' statements at some 20,000 patients) the compiling was pure added time
    # (docs/decisions/no-jit.md).
    return libpq_options(
        DATABASE_TIMEOUTS, server_settings=["plan_cache_mode=force_custom_plan", "jit=off"]
    )


def postgres_settings(url: str) -> dict:
    """DATABASE_URL's PostgreSQL with kept connections and this process's time limits."""
    database = env.db_url_config(url)
    database["ENGINE"] = "backend.postgres"
    database["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    database["CONN_HEALTH_CHECKS"] = True
    database.setdefault("OPTIONS", {}).update(postgres_options())
    return database


DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
else:
    DATABASES["default"] = postgres_settings(env("DATABASE_URL"))
