from tests.plans.conftest import exercise, linked, make_plan, other_exercise  # noqa: F401
