"""The limits docs/domain.md sets on home-care steps hold on every path: model validation
(admin, services, fixtures) and the database itself (raw writes)."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from apps.content.models import ProtocolStep, StepKind
from tests.factories import (
    ExerciseFactory,
    IceStepFactory,
    ProtocolFactory,
    ProtocolStepFactory,
)


def errors_of(step: ProtocolStep) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as caught:
        step.full_clean()
    return caught.value.message_dict


@pytest.mark.django_db
@pytest.mark.parametrize(("low", "high"), [(15, 20), (15, 15), (20, 20), (16, 18)])
def test_an_ice_step_of_15_to_20_minutes_is_valid(low, high):
    step = IceStepFactory.build(protocol=ProtocolFactory(), min_minutes=low, max_minutes=high)
    step.full_clean()
    step.save()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("low", "high", "field"),
    [
        (15, 25, "max_minutes"),
        (15, 21, "max_minutes"),
        (10, 20, "min_minutes"),
        (14, 20, "min_minutes"),
        (None, 20, "min_minutes"),
        (15, None, "max_minutes"),
    ],
)
def test_an_ice_step_outside_15_to_20_minutes_is_refused_by_validation(low, high, field):
    step = IceStepFactory.build(protocol=ProtocolFactory(), min_minutes=low, max_minutes=high)
    assert field in errors_of(step)


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(("low", "high"), [(15, 25), (10, 20), (None, None)])
def test_the_database_refuses_an_ice_step_outside_15_to_20_minutes(low, high):
    protocol = ProtocolFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        ProtocolStep.objects.create(
            protocol=protocol,
            kind=StepKind.ICE,
            title="Ice",
            instructions="x",
            min_minutes=low,
            max_minutes=high,
        )
    assert not ProtocolStep.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_the_database_refuses_an_update_that_stretches_ice_past_20_minutes():
    step = IceStepFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        ProtocolStep.objects.filter(pk=step.pk).update(max_minutes=25)
    step.refresh_from_db()
    assert step.max_minutes == 20


@pytest.mark.django_db
def test_minimum_above_maximum_is_refused():
    step = ProtocolStepFactory.build(
        protocol=ProtocolFactory(), kind=StepKind.ELEVATION, min_minutes=30, max_minutes=10
    )
    assert "max_minutes" in errors_of(step)
    with pytest.raises(IntegrityError), transaction.atomic():
        step.save()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "text",
    [
        "Take 400 mg of ibuprofen.",
        "Take 2 tablets.",
        "Take ibuprofen every 6 hours.",
        "Use it 3 times a day.",
        "5 ml of syrup",
    ],
)
def test_a_medication_step_never_carries_a_dose(text):
    step = ProtocolStepFactory.build(
        protocol=ProtocolFactory(),
        kind=StepKind.MEDICATION_INFO,
        title="Pain relief",
        instructions=text,
    )
    assert "instructions_en" in errors_of(step)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("field", "text"),
    [
        pytest.param("instructions_es", "Tome 400 mg de ibuprofeno.", id="mg"),
        pytest.param("instructions_es", "Tome 2 comprimidos.", id="comprimidos"),
        pytest.param("instructions_es", "Tómelo cada 8 horas.", id="cada_8_horas"),
        pytest.param("instructions_es", "Úselo 3 veces al día.", id="veces_al_dia"),
        pytest.param("title_es", "Ibuprofeno 600 miligramos", id="in_the_title"),
        pytest.param("cautions_es", "No pase de 2 pastillas.", id="in_the_cautions"),
    ],
)
def test_a_medication_steps_spanish_never_carries_a_dose_either(field, text):
    texts = {
        "instructions_es": "El ibuprofeno puede ayudar. Consulte antes a su farmacéutico o médico.",
        field: text,
    }
    step = ProtocolStepFactory.build(
        protocol=ProtocolFactory(),
        kind=StepKind.MEDICATION_INFO,
        title="Pain relief",
        instructions="Ibuprofen may help. Check with a pharmacist or doctor first.",
        **texts,
    )
    assert list(errors_of(step)) == ["instructions_es"]


@pytest.mark.django_db
def test_a_medication_step_without_a_dose_in_either_language_is_valid():
    step = ProtocolStepFactory.build(
        protocol=ProtocolFactory(),
        kind=StepKind.MEDICATION_INFO,
        title="Pain relief",
        title_es="Alivio del dolor",
        instructions="Ibuprofen may help. Check with a pharmacist or doctor first.",
        instructions_es="El ibuprofeno puede ayudar. Consulte antes a su farmacéutico o médico.",
    )
    step.full_clean()


@pytest.mark.django_db
def test_a_medication_step_has_no_schedule():
    step = ProtocolStepFactory.build(
        protocol=ProtocolFactory(),
        kind=StepKind.MEDICATION_INFO,
        title="Pain relief",
        instructions="Ibuprofen may help. Check with a pharmacist or doctor first.",
        times_per_day=3,
    )
    assert "times_per_day" in errors_of(step)
    with pytest.raises(IntegrityError), transaction.atomic():
        step.save()


@pytest.mark.django_db
def test_plain_medication_information_is_accepted():
    step = ProtocolStepFactory.build(
        protocol=ProtocolFactory(),
        kind=StepKind.MEDICATION_INFO,
        title="Pain relief",
        instructions="Over-the-counter anti-inflammatories such as ibuprofen may help. Check with a pharmacist or doctor first.",
    )
    step.full_clean()


@pytest.mark.django_db
def test_slugs_are_unique():
    ProtocolFactory(slug="ice-and-rest")
    with pytest.raises(IntegrityError), transaction.atomic():
        ProtocolFactory(slug="ice-and-rest")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("field", "value"),
    [("default_sets", 0), ("default_sets", 11), ("default_reps", 0), ("default_hold_seconds", 301)],
)
def test_exercise_dosage_limits_hold_in_the_database(field, value):
    exercise = ExerciseFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        type(exercise).objects.filter(pk=exercise.pk).update(**{field: value})


@pytest.mark.django_db
def test_unknown_red_flag_or_mechanism_codes_are_refused():
    from tests.factories import ConditionFactory

    condition = ConditionFactory.build(
        red_flag_codes=["possible_dvt", "dragon_bite"], mechanisms=["levitation"]
    )
    with pytest.raises(ValidationError) as caught:
        condition.full_clean()
    assert {"red_flag_codes", "mechanisms"} <= set(caught.value.message_dict)
