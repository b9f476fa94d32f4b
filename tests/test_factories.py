"""Every model of the project has a factory in tests/factories, and every factory builds
a row that both Django's validation and the database's constraints accept."""

import inspect

import factory
import pytest
from django.apps import apps

import tests.factories as factories

PROJECT_MODELS = sorted(
    (
        model
        for config in apps.get_app_configs()
        if config.name.startswith("apps.")
        for model in config.get_models()
        # django-simple-history's shadow tables are written by the library, not by tests.
        if not model.__name__.startswith("Historical")
    ),
    key=lambda model: model._meta.label,
)

FACTORIES = sorted(
    (
        value
        for value in vars(factories).values()
        if inspect.isclass(value) and issubclass(value, factory.django.DjangoModelFactory)
    ),
    key=lambda value: value.__name__,
)


def test_every_model_has_a_factory():
    covered = {f._meta.model for f in FACTORIES}
    missing = [model._meta.label for model in PROJECT_MODELS if model not in covered]
    assert missing == []


@pytest.mark.django_db
@pytest.mark.parametrize("model_factory", FACTORIES, ids=lambda f: f.__name__)
def test_each_factory_makes_a_valid_row(model_factory):
    first, second = model_factory(), model_factory()

    for row in (first, second):
        row.refresh_from_db()
        row.full_clean()
    assert first.pk != second.pk


@pytest.mark.django_db
def test_the_factory_fixtures_make_rows_of_the_tests_patient(
    patient,
    symptom_log_factory,
    care_session_factory,
    alert_factory,
    reminder_factory,
    notification_factory,
    device_factory,
):
    alert = alert_factory()
    rows = [
        *symptom_log_factory.create_batch(2, pain_score=7),
        care_session_factory(),
        alert,
        alert.symptom_log,
    ]
    owned = [reminder_factory(), notification_factory(), device_factory()]

    assert {row.patient for row in rows} == {patient}
    assert {row.user for row in owned} == {patient}
