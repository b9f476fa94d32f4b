"""Bare baseline views for bench/floor.py: the essential work of each hot path and nothing
else, so the service can be measured as a ratio to the framework's floor.

Each one verifies the JWT (signature, expiry, type), reads the user (one query), parses and
range-checks the body by hand, runs the same pure triage (apps.symptoms.triage through the
service's own _assess) and writes the row with one plain insert. No DRF, no serializers.
Never served by backend/urls.py: only bench/floor_urls.py routes here.
"""

import json
import uuid
from datetime import datetime, timedelta

import jwt
from django.conf import settings
from django.db.models import Count, Q
from django.http import HttpResponse, JsonResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt

from apps.accounts.models import User
from apps.content.vocabulary import Region
from apps.plans.models import ExercisePlan, PlanItem
from apps.plans.selectors import local_day_bounds
from apps.symptoms import services
from apps.symptoms.models import SymptomLog
from apps.symptoms.serializers import BOOLEAN_FIELDS

REGIONS = frozenset(Region.values)
OLDEST = timedelta(days=730)
DRIFT = timedelta(minutes=5)


class Refused(Exception):
    def __init__(self, status: int):
        self.status = status


def _user(request, *columns: str) -> dict:
    header = request.META.get("HTTP_AUTHORIZATION", "")
    if not header.startswith("Bearer "):
        raise Refused(401)
    try:
        claims = jwt.decode(header[7:], settings.SECRET_KEY, algorithms=["HS256"])
    except jwt.PyJWTError:
        raise Refused(401) from None
    if claims.get("token_type") != "access":
        raise Refused(401)
    row = User.objects.filter(pk=claims["user_id"]).values("id", "is_active", "role", *columns)
    row = next(iter(row), None)
    if row is None or not row["is_active"]:
        raise Refused(401)
    return row


def _fields(data) -> dict:
    """Range checks of one log, by hand."""
    if not isinstance(data, dict):
        raise Refused(400)
    try:
        client_id = uuid.UUID(data["client_id"])
        recorded_at = datetime.fromisoformat(data["recorded_at"])
    except (KeyError, TypeError, ValueError):
        raise Refused(400) from None
    now = timezone.now()
    if recorded_at.tzinfo is None or not now - OLDEST <= recorded_at <= now + DRIFT:
        raise Refused(400)
    pain = data.get("pain_score")
    if type(pain) is not int or not 0 <= pain <= 10:
        raise Refused(400)
    locations = data.get("locations", [])
    if not isinstance(locations, list) or not set(locations) <= REGIONS:
        raise Refused(400)
    fields = {
        "client_id": client_id,
        "recorded_at": recorded_at,
        "pain_score": pain,
        "locations": locations,
        "qualities": list(data.get("qualities", [])),
        "triggers": list(data.get("triggers", [])),
        "side": data.get("side", ""),
        "swelling": data.get("swelling", "none"),
        "note": data.get("note", ""),
    }
    for name in BOOLEAN_FIELDS:
        value = data.get(name, name == "can_bear_weight")
        if type(value) is not bool:
            raise Refused(400)
        fields[name] = value
    return fields


def _refusing(view):
    def wrapped(request):
        try:
            return view(request)
        except Refused as refused:
            return HttpResponse(status=refused.status)
        except (ValueError, UnicodeDecodeError):
            return HttpResponse(status=400)

    return csrf_exempt(wrapped)


@_refusing
def bare_log(request):
    user = _user(request)
    fields = _fields(json.loads(request.body))
    history = SymptomLog.objects.filter(
        patient_id=user["id"],
        recorded_at__lt=fields["recorded_at"],
        recorded_at__gte=fields["recorded_at"] - services.HINT_WINDOW,
    ).order_by("-recorded_at")
    earlier = [services.facts_of(row) for row in history.values(*services.HISTORY_COLUMNS)[:200]]
    log = SymptomLog(
        patient_id=user["id"], **fields, **services._assess(fields, earlier).as_fields()
    )
    SymptomLog.objects.bulk_create([log])
    return JsonResponse(
        {"id": str(log.id), "triage_level": log.triage_level, "triage_codes": log.triage_codes},
        status=201,
    )


@_refusing
def bare_bulk(request):
    user = _user(request)
    payload = json.loads(request.body)
    if not isinstance(payload, list) or len(payload) > 500:
        raise Refused(400)
    logs = []
    for data in payload:
        fields = _fields(data)
        logs.append(
            SymptomLog(patient_id=user["id"], **fields, **services._assess(fields, []).as_fields())
        )
    SymptomLog.objects.bulk_create(logs)
    return JsonResponse({"results": [{"id": str(log.id)} for log in logs]})


@_refusing
def bare_today(request):
    user = _user(request, "timezone")
    zone = User(timezone=user["timezone"]).zone
    today = timezone.now().astimezone(zone).date()
    start, end = local_day_bounds(today, zone)
    plan = (
        ExercisePlan.objects.filter(patient_id=user["id"], status="active")
        .order_by("-created_at")
        .values("id", "title", "start_date", "end_date")
        .first()
    )
    body = {"date": today.isoformat(), "timezone": user["timezone"], "plan": None, "items": []}
    if plan and plan["start_date"] <= today <= plan["end_date"]:
        body["plan"] = {"id": str(plan["id"]), "title": plan["title"]}
        items = (
            PlanItem.objects.filter(plan_id=plan["id"], retired_at__isnull=True)
            .annotate(
                done=Count(
                    "logs", filter=Q(logs__performed_at__gte=start, logs__performed_at__lt=end)
                )
            )
            .order_by("position", "id")
            .values(
                "id",
                "days_of_week",
                "sets",
                "reps",
                "hold_seconds",
                "times_per_day",
                "max_pain",
                "notes",
                "exercise__slug",
                "exercise__name",
                "done",
            )
        )
        body["items"] = [
            {**item, "id": str(item["id"])}
            for item in items
            if today.weekday() in item["days_of_week"]
        ]
    return JsonResponse(body)
