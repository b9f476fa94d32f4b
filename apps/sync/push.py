"""`POST sync/`: what a phone wrote offline, every kind in one request.

The HTTP side of the one bulk pipeline (docs/decisions/one-bulk-pipeline.md): the body's
lists are read and counted together (`bulk_payloads`), every item is validated alone by its
type's input serializer, then each type's own store runs with its share, one after
another (each in its own transaction: valid items of one type are stored even when
another type's are refused), and each type's results are rendered as its bulk endpoint
renders them."""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from rest_framework import serializers

from apps.accounts.models import User
from apps.care import selectors as care_selectors
from apps.care.models import CareSession
from apps.care.serializers import CareSessionInputSerializer, CareSessionSerializer
from apps.care.services import CareSessionFields, care_sessions_store
from apps.messaging.serializers import MessageSerializer
from apps.messaging.services import MessageFields, messages_store
from apps.messaging.throttling import MessagePostThrottle
from apps.outcomes.serializers import OutcomeResponseInputSerializer, OutcomeResponseSerializer
from apps.outcomes.services import ResponseFields, outcome_responses_store
from apps.plans.serializers import ExerciseLogInputSerializer, ExerciseLogSerializer
from apps.plans.services import ExerciseLogFields, exercise_logs_store
from apps.symptoms.serializers import SymptomLogInputSerializer, SymptomLogSerializer
from apps.symptoms.services import SymptomLogFields, symptom_logs_bulk_create
from backend.bulk import BulkItem, BulkResult
from backend.bulk_api import bulk_items, bulk_payloads, bulk_results

from .serializers import PUSH_RECORD_NAMES, SyncMessageInputSerializer


def _sessions(sessions: list[CareSession]) -> Any:
    reminders = care_selectors.care_session_reminders(sessions=sessions)
    return CareSessionSerializer(sessions, many=True, context={"reminders": reminders}).data


@dataclass(frozen=True)
class PushKind:
    """One type of record a push takes: how an item is validated, stored and rendered."""

    validator: serializers.Serializer
    fields: type
    store: Callable[[User, Sequence[BulkItem[Any]]], Sequence[BulkResult[Any]]]
    render: Callable[[list[Any]], Any]


# In the order they are stored: symptom logs first, so that a red flag written offline is
# triaged (and its alert raised) before anything else of the batch.
PUSH_KINDS: dict[str, PushKind] = {
    "symptom_logs": PushKind(
        SymptomLogInputSerializer(),
        SymptomLogFields,
        lambda patient, items: symptom_logs_bulk_create(patient=patient, items=items),
        lambda logs: SymptomLogSerializer(logs, many=True).data,
    ),
    "exercise_logs": PushKind(
        ExerciseLogInputSerializer(),
        ExerciseLogFields,
        lambda patient, items: exercise_logs_store(patient=patient, items=items),
        lambda logs: ExerciseLogSerializer(logs, many=True).data,
    ),
    "care_sessions": PushKind(
        CareSessionInputSerializer(),
        CareSessionFields,
        lambda patient, items: care_sessions_store(patient=patient, items=items),
        _sessions,
    ),
    "outcome_responses": PushKind(
        OutcomeResponseInputSerializer(),
        ResponseFields,
        lambda patient, items: outcome_responses_store(patient=patient, items=items),
        lambda responses: OutcomeResponseSerializer(responses, many=True).data,
    ),
    "messages": PushKind(
        SyncMessageInputSerializer(),
        MessageFields,
        lambda patient, items: messages_store(
            sender=patient, items=items, allow=lambda: MessagePostThrottle().allow_for(patient)
        ),
        lambda messages: MessageSerializer(messages, many=True).data,
    ),
}


def push(*, patient: User, data: Any) -> dict[str, list[dict[str, Any]]]:
    """Every item validated first (a malformed body is refused before anything is stored),
    then each type stored with its share: one result per item, in order, by type."""
    payloads = bulk_payloads(data, kinds=list(PUSH_KINDS))
    items: dict[str, list[BulkItem[Any]]] = {
        kind: bulk_items(payloads[kind], validator=spec.validator, fields=spec.fields)
        for kind, spec in PUSH_KINDS.items()
    }
    return {
        kind: bulk_results(
            spec.store(patient, items[kind]) if items[kind] else [],
            name=PUSH_RECORD_NAMES[kind],
            render=spec.render,
        )
        for kind, spec in PUSH_KINDS.items()
    }
