"""A patient's records as a FHIR Bundle (docs/api.md, Physiotherapist views).

Every resource is a fhir.resources model: FHIR's structure, data types and cardinalities
are checked as each one is built, and the response is the library's own JSON. The models
are FHIR R4B (4.3.0), the release nearest to R4 (4.0.1) that fhir.resources ships on
pydantic 2; Patient, Observation, CarePlan, Flag and Bundle (and Questionnaire,
QuestionnaireResponse, EpisodeOfCare and Goal) have the same elements in both.
Episodes of care are EpisodeOfCare resources and their goals Goal resources.

Pain scores are Observations coded LOINC 72514-3 (pain severity, 0-10 numeric rating,
reported); plans are CarePlans; active alerts are Flags.

A resource that fails validation is a bug here or data the database should never hold:
the whole export fails with FhirExportError (a 500), never a partial bundle. Its message
names the resource and the failing elements, never their values (health data).

Adding a resource type: one builder `def <kind>(row, subject: Reference) -> <Model>`
decorated with @builder, and one line in `patient_bundle`.
"""

from __future__ import annotations

import functools
import uuid
from collections.abc import Callable, Iterable
from typing import ParamSpec, TypeVar

import pydantic
from django.utils import timezone
from fhir.resources.R4B.annotation import Annotation
from fhir.resources.R4B.bundle import Bundle, BundleEntry
from fhir.resources.R4B.careplan import CarePlan, CarePlanActivity, CarePlanActivityDetail
from fhir.resources.R4B.codeableconcept import CodeableConcept
from fhir.resources.R4B.coding import Coding
from fhir.resources.R4B.contactpoint import ContactPoint
from fhir.resources.R4B.episodeofcare import EpisodeOfCare
from fhir.resources.R4B.flag import Flag
from fhir.resources.R4B.goal import Goal, GoalTarget
from fhir.resources.R4B.identifier import Identifier
from fhir.resources.R4B.observation import Observation, ObservationComponent
from fhir.resources.R4B.patient import Patient
from fhir.resources.R4B.period import Period
from fhir.resources.R4B.quantity import Quantity
from fhir.resources.R4B.questionnaire import (
    Questionnaire,
    QuestionnaireItem,
    QuestionnaireItemAnswerOption,
)
from fhir.resources.R4B.questionnaireresponse import (
    QuestionnaireResponse,
    QuestionnaireResponseItem,
    QuestionnaireResponseItemAnswer,
)
from fhir.resources.R4B.reference import Reference
from fhir.resources.R4B.resource import Resource

from apps.accounts.models import User
from apps.outcomes.selectors import instrument_canonical

LOINC = "http://loinc.org"
PAIN_CODE = "72514-3"
PAIN_DISPLAY = "Pain severity - 0-10 verbal numeric rating [Score] - Reported"
APP_SYSTEM = "urn:knee-calf-selfcare"
UCUM = "http://unitsofmeasure.org"
ADHERENCE_TEXT = "Exercise sessions done, last 7 days"
OBSERVATION_CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"
FLAG_CATEGORY = "http://terminology.hl7.org/CodeSystem/flag-category"
GOAL_ACHIEVEMENT = "http://terminology.hl7.org/CodeSystem/goal-achievement"
# A goal's computed status (docs/domain.md) as FHIR's goal-achievement code.
ACHIEVEMENT = {
    "met": ("achieved", "Achieved"),
    "progressing": ("in-progress", "In Progress"),
    "off_track": ("worsening", "Worsening"),
    "not_met": ("not-achieved", "Not Achieved"),
}

P = ParamSpec("P")
M = TypeVar("M", bound=pydantic.BaseModel)


class FhirExportError(Exception):
    """A resource broke FHIR's rules. The message holds element paths and error kinds
    only: pydantic's own message quotes the offending values."""

    @classmethod
    def from_validation(cls, builder_name: str, exc: pydantic.ValidationError) -> FhirExportError:
        problems = "; ".join(
            f"{'.'.join(str(part) for part in error['loc']) or '(element)'}: {error['type']}"
            for error in exc.errors(include_url=False, include_context=False, include_input=False)
        )
        return cls(f"{builder_name}: {exc.title} is not valid FHIR ({problems})")


def builder(build: Callable[P, M]) -> Callable[P, M]:
    """Turn a validation failure inside `build` into FhirExportError, raised outside the
    except block so no traceback or error tracker sees pydantic's message as its cause."""

    @functools.wraps(build)
    def validated(*args: P.args, **kwargs: P.kwargs) -> M:
        try:
            return build(*args, **kwargs)
        except pydantic.ValidationError as exc:
            error = FhirExportError.from_validation(build.__name__, exc)
        raise error

    return validated


def urn(resource: Resource) -> str:
    return f"urn:uuid:{resource.id}"


@builder
def patient_resource(patient: User) -> Patient:
    return Patient(
        id=str(patient.id),
        identifier=[Identifier(system=f"{APP_SYSTEM}/patient", value=str(patient.id))],
        telecom=[ContactPoint(system="email", value=patient.email)],
    )


@builder
def pain_observation(log, subject: Reference) -> Observation:
    return Observation(
        id=str(log.id),
        identifier=[Identifier(system=f"{APP_SYSTEM}/symptom-log", value=str(log.client_id))],
        status="final",
        category=[
            CodeableConcept(
                coding=[Coding(system=OBSERVATION_CATEGORY, code="survey", display="Survey")]
            )
        ],
        code=CodeableConcept(
            coding=[Coding(system=LOINC, code=PAIN_CODE, display=PAIN_DISPLAY)],
            text="Pain score",
        ),
        subject=subject,
        effectiveDateTime=log.recorded_at,
        valueInteger=log.pain_score,
        bodySite=(
            CodeableConcept(
                text=", ".join(location.replace("_", " ") for location in log.locations)
            )
            if log.locations
            else None
        ),
        note=[Annotation(text=log.note)] if log.note else None,
    )


@builder
def care_plan(plan, subject: Reference) -> CarePlan:
    active = plan.status == "active"
    activities = [
        CarePlanActivity(
            detail=CarePlanActivityDetail(
                status="in-progress" if active else "completed",
                code=CodeableConcept(text=item.exercise.name),
                description=dosage(item),
            )
        )
        for item in plan.items.all()
        if item.retired_at is None
    ]
    return CarePlan(
        id=str(plan.id),
        status="active" if active else "completed",
        intent="plan",
        title=plan.title,
        subject=subject,
        period=Period(start=plan.start_date, end=plan.end_date),
        activity=activities or None,
    )


def dosage(item) -> str:
    parts = [f"{item.sets} sets"]
    if item.reps:
        parts.append(f"{item.reps} reps")
    if item.hold_seconds:
        parts.append(f"hold {item.hold_seconds} s")
    days = "every day" if len(item.days_of_week) == 7 else f"{len(item.days_of_week)} days a week"
    parts.append(f"{item.times_per_day}× a day, {days}; stop above pain {item.max_pain}/10")
    return ", ".join(parts)


@builder
def flag(alert, subject: Reference) -> Flag:
    return Flag(
        id=str(alert.id),
        status="active" if alert.status != "resolved" else "inactive",
        category=[
            CodeableConcept(
                coding=[Coding(system=FLAG_CATEGORY, code="clinical", display="Clinical")]
            )
        ],
        code=CodeableConcept(text=f"{alert.kind} ({alert.level}): {', '.join(alert.codes)}"),
        subject=subject,
        period=Period(start=alert.created_at),
    )


@builder
def episode_of_care(episode, subject: Reference) -> EpisodeOfCare:
    """One course of care: `finished` once discharged, its period from start to
    discharge. The condition it treats is content (education), not a diagnosis of this
    patient, so it is named in `type`, never as a FHIR Condition."""
    ended = (
        episode.discharged_at.astimezone(episode.patient.zone).date()
        if episode.discharged_at
        else None
    )
    kinds = [CodeableConcept(text=episode.title)]
    if episode.condition is not None:
        kinds.append(
            CodeableConcept(
                coding=[Coding(system=f"{APP_SYSTEM}/condition", code=episode.condition.slug)],
                text=episode.condition.name,
            )
        )
    return EpisodeOfCare(
        id=str(episode.id),
        identifier=[Identifier(system=f"{APP_SYSTEM}/episode", value=str(episode.id))],
        status="active" if episode.status == "active" else "finished",
        type=kinds,
        patient=subject,
        period=Period(start=episode.started_on, end=ended),
    )


@builder
def goal(row, subject: Reference) -> Goal:
    """An episode's goal (a GoalRow: the goal, its computed status and the latest score):
    a target score on an outcome instrument by a date."""
    item = row.goal
    code, display = ACHIEVEMENT[row.status]
    return Goal(
        id=str(item.id),
        identifier=[
            Identifier(system=f"{APP_SYSTEM}/goal", value=str(item.id)),
            Identifier(system=f"{APP_SYSTEM}/episode", value=str(item.episode_id)),
        ],
        lifecycleStatus="active" if item.episode.status == "active" else "completed",
        achievementStatus=CodeableConcept(
            coding=[Coding(system=GOAL_ACHIEVEMENT, code=code, display=display)]
        ),
        description=CodeableConcept(text=item.description),
        subject=subject,
        startDate=item.created_at.date(),
        target=[
            GoalTarget(
                measure=CodeableConcept(
                    coding=[
                        Coding(
                            system=f"{APP_SYSTEM}/outcome-score",
                            code=item.instrument,
                            display=row.instrument_name or None,
                        )
                    ]
                ),
                detailQuantity=Quantity(value=item.target, unit="score"),
                dueDate=item.due_on,
            )
        ],
    )


def _answer_coding(version, value: int) -> Coding:
    labels = {answer["value"]: answer["label"] for answer in version.answers or []}
    return Coding(
        system=f"{instrument_canonical(version)}#answers",
        code=str(value),
        display=labels.get(value),
    )


@builder
def questionnaire(version) -> Questionnaire:
    """An outcome instrument's version as a Questionnaire, with its canonical URL and
    version: the wording the patient answered, never edited once answered."""
    named = version.named_by_patient
    return Questionnaire(
        # A stable UUID per canonical version, so the entry's urn:uuid fullUrl is valid.
        id=str(uuid.uuid5(uuid.NAMESPACE_URL, instrument_canonical(version))),
        url=version.instrument.url,
        version=version.version,
        name=version.instrument_id.upper().replace("_", ""),
        title=version.title,
        status="active" if version.enabled else "retired",
        description=version.question,
        copyright=version.licence,
        item=[
            QuestionnaireItem(
                linkId=str(item["id"]),
                text=item["text"],
                type="choice",
                # A patient-specific scale: the patient names each activity, so it may be
                # left out (between the instrument's least and most activities).
                required=not named,
                answerOption=[
                    QuestionnaireItemAnswerOption(valueCoding=_answer_coding(version, a["value"]))
                    for a in version.answers
                ],
            )
            for item in version.items
        ],
    )


@builder
def questionnaire_response(response, subject: Reference) -> QuestionnaireResponse:
    version = response.version
    texts = {str(item["id"]): item["text"] for item in version.items}
    return QuestionnaireResponse(
        id=str(response.id),
        identifier=Identifier(
            system=f"{APP_SYSTEM}/outcome-response", value=str(response.client_id)
        ),
        questionnaire=instrument_canonical(version),
        status="completed",
        subject=subject,
        authored=response.completed_at,
        item=[
            QuestionnaireResponseItem(
                linkId=str(answer["item"]),
                # The activity a patient named (PSFS), else the item's own wording.
                text=answer.get("label") or texts.get(str(answer["item"])),
                answer=[
                    QuestionnaireResponseItemAnswer(
                        valueCoding=_answer_coding(version, answer["value"])
                    )
                ],
            )
            for answer in response.answers
        ],
    )


@builder
def outcome_observation(response, subject: Reference, derived_from: str) -> Observation:
    """The server's score of one response, derived from the QuestionnaireResponse."""
    version = response.version
    return Observation(
        id=str(uuid.uuid5(response.id, "score")),
        status="final",
        category=[
            CodeableConcept(
                coding=[Coding(system=OBSERVATION_CATEGORY, code="survey", display="Survey")]
            )
        ],
        code=CodeableConcept(
            coding=[
                Coding(
                    system=f"{APP_SYSTEM}/outcome-score",
                    code=version.instrument_id,
                    display=f"{version.title} score",
                )
            ],
            text=f"{version.title} score",
        ),
        subject=subject,
        effectiveDateTime=response.completed_at,
        valueQuantity=Quantity(value=response.score, unit="score"),
        derivedFrom=[Reference(reference=derived_from)],
    )


@builder
def adherence_observation(figure, subject: Reference) -> Observation:
    """The active plan's 7-day adherence (apps.plans.adherence, the caseload's figure):
    sessions done / prescribed over the seven local days ending today, as a percentage,
    with the two counts as components."""
    return Observation(
        id=str(uuid.uuid5(figure.plan_id, f"adherence-{figure.date_to.isoformat()}")),
        status="final",
        category=[
            CodeableConcept(
                coding=[Coding(system=OBSERVATION_CATEGORY, code="activity", display="Activity")]
            )
        ],
        code=CodeableConcept(
            coding=[Coding(system=f"{APP_SYSTEM}/adherence", code="exercise-sessions-7d")],
            text=ADHERENCE_TEXT,
        ),
        subject=subject,
        effectivePeriod=Period(start=figure.date_from, end=figure.date_to),
        valueQuantity=Quantity(value=round(figure.ratio * 100), unit="%", system=UCUM, code="%"),
        component=[
            ObservationComponent(
                code=CodeableConcept(text=text),
                valueQuantity=Quantity(value=count, unit="sessions"),
            )
            for text, count in (
                ("Sessions done", figure.done),
                ("Sessions prescribed", figure.expected),
            )
        ],
    )


@builder
def collection(resources: Iterable[Resource]) -> Bundle:
    """A Bundle of type collection; each entry's fullUrl is the urn the others refer to."""
    return Bundle(
        type="collection",
        timestamp=timezone.now(),
        entry=[BundleEntry(fullUrl=urn(resource), resource=resource) for resource in resources],
    )


def patient_bundle(
    *,
    patient: User,
    logs,
    plans,
    alerts,
    instruments=(),
    responses=(),
    episodes=(),
    goals=(),
    adherence=None,
) -> Bundle:
    """The patient, then a pain Observation per log, a CarePlan per plan, a Flag per
    alert, a Questionnaire per instrument version answered, and per outcome response its
    QuestionnaireResponse and the Observation of its score, an EpisodeOfCare per
    episode, a Goal per goal row and the Observation of the 7-day adherence (when the
    active plan prescribed something in it), all referring to the patient by urn."""
    subject_resource = patient_resource(patient)
    subject = Reference(reference=urn(subject_resource))
    outcome_resources: list[Resource] = []
    for response in responses:
        answered = questionnaire_response(response, subject)
        outcome_resources += [answered, outcome_observation(response, subject, urn(answered))]
    return collection(
        [
            subject_resource,
            *(pain_observation(log, subject) for log in logs),
            *(care_plan(plan, subject) for plan in plans),
            *(
                [adherence_observation(adherence, subject)]
                if adherence is not None and adherence.ratio is not None
                else []
            ),
            *(flag(alert, subject) for alert in alerts),
            *(questionnaire(version) for version in instruments),
            *outcome_resources,
            *(episode_of_care(episode, subject) for episode in episodes),
            *(goal(row, subject) for row in goals),
        ]
    )


def bundle_json(bundle: Bundle) -> str:
    """The library's JSON: aliases as element names, absent elements left out."""
    return bundle.model_dump_json()
