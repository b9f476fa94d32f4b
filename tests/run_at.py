"""Run the suite as if the real clock read another time, to find tests that pass or fail
depending on when they run (just after local midnight, on a clock-change night, at a
month's or a year's end, years from now):

    .venv/bin/python -m pytest -p tests.run_at --run-at=2026-10-25T00:02:00+01:00 \\
        --ignore=tests/integration --ignore=tests/e2e --deselect tests/test_deployment.py

The clock moves before collection and ticks on. Tests that start worker, beat or server
processes are left out: those processes keep the machine's clock. Tests that use
`frozen_now` still run at tests.clock.FROZEN_NOW.
"""

import datetime as dt

import pytest
import time_machine

_travel: time_machine.travel | None = None


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--run-at",
        metavar="ISO-8601",
        help="run as if the real clock read this time (an offset is required)",
    )


def pytest_configure(config: pytest.Config) -> None:
    global _travel
    value = config.getoption("--run-at")
    if not value:
        return
    when = dt.datetime.fromisoformat(value)
    if when.tzinfo is None:
        raise pytest.UsageError("--run-at needs a time with an offset, such as +01:00")
    _travel = time_machine.travel(when, tick=True)
    _travel.start()


def pytest_unconfigure(config: pytest.Config) -> None:
    if _travel is not None:
        _travel.stop()
