"""Writes for medical content: publishing, keeping `updated_at` honest, loading the seeds."""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import yaml
from django.conf import settings
from django.db import models, transaction
from django.utils import timezone

from .models import (
    Condition,
    ConditionExercise,
    ConditionProtocol,
    ContentItem,
    Exercise,
    Protocol,
    ProtocolStep,
    RegionTag,
    Status,
)
from .vocabulary import Region

FIXTURE_DIR = Path(settings.BASE_DIR) / "fixtures" / "content"
FIXTURE_FILES = ("protocols.yaml", "exercises.yaml", "conditions.yaml")


def region_tags_ensure() -> None:
    """The region rows exist (a migration adds them; a flushed test database lacks them)."""
    RegionTag.objects.bulk_create(
        [RegionTag(code=code) for code in Region.values], ignore_conflicts=True
    )


# --- Publishing ------------------------------------------------------------------------


@transaction.atomic
def content_set_status(*, items: Iterable[ContentItem], status: str) -> int:
    """Publish or unpublish; saves each item (history row, fresh `updated_at`). An
    editor's decision: `bootstrap` keeps it rather than restoring the fixture's status."""
    changed = 0
    for item in items:
        if item.status != status:
            item.status = status
            item.edited_in_admin = True
            item.full_clean()
            item.save()
            content_touch_dependants(item=item)
            changed += 1
    return changed


def content_publish(*, items: Iterable[ContentItem]) -> int:
    return content_set_status(items=items, status=Status.PUBLISHED)


def content_unpublish(*, items: Iterable[ContentItem]) -> int:
    return content_set_status(items=items, status=Status.DRAFT)


def content_touch_dependants(*, item: ContentItem) -> None:
    """A condition's page shows its protocols' and exercises' names: when one of those
    changes, the condition counts as updated too (`?updated_since=`, ETags)."""
    now = timezone.now()
    if isinstance(item, Protocol):
        Condition.objects.filter(protocol_links__protocol=item).update(updated_at=now)
    elif isinstance(item, Exercise):
        Condition.objects.filter(exercise_links__exercise=item).update(updated_at=now)


def protocol_touch(*, protocol: Protocol) -> None:
    """A step changed: the protocol it belongs to changed."""
    Protocol.objects.filter(pk=protocol.pk).update(updated_at=timezone.now())
    content_touch_dependants(item=protocol)


# --- Loading the seed fixtures ---------------------------------------------------------


@dataclass
class LoadReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    kept_edited: list[str] = field(default_factory=list)

    def summary(self) -> str:
        return (
            f"{len(self.created)} created, {len(self.updated)} updated, "
            f"{len(self.unchanged)} unchanged, {len(self.kept_edited)} kept as edited in the admin"
        )


def _read_records(paths: Iterable[Path]) -> dict[str, list[dict[str, Any]]]:
    by_model: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for path in paths:
        for record in yaml.safe_load(path.read_text(encoding="utf-8")) or []:
            by_model[record["model"].lower()].append(dict(record["fields"]))
    return by_model


def _assign(obj: models.Model, values: dict[str, Any]) -> bool:
    changed = False
    for name, value in values.items():
        if getattr(obj, name) != value:
            setattr(obj, name, value)
            changed = True
    return changed


# The items a fixture loads by slug, each with its region tags.
Item = TypeVar("Item", Condition, Protocol, Exercise)


def _upsert_item(
    model: type[Item], fields: dict[str, Any], report: LoadReport, overwrite_edited: bool
) -> tuple[Item, bool]:
    """Create or update one item by slug. Returns (item, fixture_applied)."""
    fields = dict(fields)
    regions = fields.pop("regions", None)
    # The fixtures carry timestamps only so that plain `loaddata` works; here the
    # database keeps its own (created once, updated when something really changed).
    fields.pop("created_at", None)
    fields.pop("updated_at", None)
    label = f"{model._meta.model_name}:{fields['slug']}"
    item = model.objects.filter(slug=fields["slug"]).first()
    if item is not None and item.edited_in_admin and not overwrite_edited:
        report.kept_edited.append(label)
        return item, False
    created = item is None
    item = item or model()
    changed = _assign(item, fields) or item.edited_in_admin
    item.edited_in_admin = False
    if regions is not None and not created:
        changed |= set(item.regions.values_list("code", flat=True)) != set(regions)
    if created or changed:
        item.full_clean(exclude=["regions"])
        item.save()
        if regions is not None:
            item.regions.set(regions)
        (report.created if created else report.updated).append(label)
    else:
        report.unchanged.append(label)
    return item, True


def _sync_steps(protocol: Protocol, steps: list[dict[str, Any]], report: LoadReport) -> bool:
    existing = {step.position: step for step in protocol.steps.all()}
    changed = False
    for fields in steps:
        values = {key: value for key, value in fields.items() if key != "protocol"}
        step = existing.pop(values["position"], None) or ProtocolStep(protocol=protocol)
        is_new = step.pk is None
        if _assign(step, values) or is_new:
            step.full_clean()
            step.save()
            changed = True
    for stale in existing.values():
        stale.delete()
        changed = True
    if changed:
        report.updated.append(f"protocol-steps:{protocol.slug}")
    return changed


def _sync_links(
    condition: Condition,
    link_model: type[ConditionProtocol] | type[ConditionExercise],
    target_model: type[Protocol] | type[Exercise],
    target_field: str,
    links: list[dict[str, Any]],
) -> bool:
    wanted = {
        target_model.objects.get(slug=link[target_field][0]).pk: link.get("position", 0)
        for link in links
    }
    current = {
        getattr(link, f"{target_field}_id"): link
        for link in link_model.objects.filter(condition=condition)
    }
    changed = False
    for target_id, link in current.items():
        if target_id not in wanted:
            link.delete()
            changed = True
        elif link.position != wanted[target_id]:
            link.position = wanted[target_id]
            link.save(update_fields=["position"])
            changed = True
    for target_id, position in wanted.items():
        if target_id not in current:
            link_model.objects.create(
                condition=condition, position=position, **{f"{target_field}_id": target_id}
            )
            changed = True
    return changed


@transaction.atomic
def content_load_fixtures(
    *, paths: Iterable[Path] | None = None, overwrite_edited: bool = False
) -> LoadReport:
    """Create or update the seed content in place; safe to run again.

    Items an editor changed in the admin are kept unless overwrite_edited: a deploy
    that runs `bootstrap` must not undo an editor's work. Unchanged items are not saved,
    so their `updated_at` (and the app's sync) stays put.
    """
    records = _read_records(paths or [FIXTURE_DIR / name for name in FIXTURE_FILES])
    report = LoadReport()
    region_tags_ensure()

    steps_by_protocol: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for step in records["content.protocolstep"]:
        steps_by_protocol[step["protocol"][0]].append(step)
    for fields in records["content.protocol"]:
        protocol, applied = _upsert_item(Protocol, fields, report, overwrite_edited)
        if applied and _sync_steps(protocol, steps_by_protocol[protocol.slug], report):
            protocol_touch(protocol=protocol)

    for fields in records["content.exercise"]:
        _upsert_item(Exercise, fields, report, overwrite_edited)

    protocol_links: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for link in records["content.conditionprotocol"]:
        protocol_links[link["condition"][0]].append(link)
    exercise_links: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for link in records["content.conditionexercise"]:
        exercise_links[link["condition"][0]].append(link)
    for fields in records["content.condition"]:
        condition, applied = _upsert_item(Condition, fields, report, overwrite_edited)
        if not applied:
            continue
        links_changed = _sync_links(
            condition, ConditionProtocol, Protocol, "protocol", protocol_links[condition.slug]
        )
        links_changed |= _sync_links(
            condition, ConditionExercise, Exercise, "exercise", exercise_links[condition.slug]
        )
        if links_changed:
            Condition.objects.filter(pk=condition.pk).update(updated_at=timezone.now())
    return report


def on_bootstrap(sender: object, *, options: dict[str, Any], **kwargs: Any) -> list[str]:
    """`manage.py bootstrap`: load or update the content of docs/domain.md."""
    report = content_load_fixtures(overwrite_edited=options.get("overwrite_edited", False))
    return [
        f"Content: {report.summary()}.",
        *(f"  kept the admin's version of {label}" for label in report.kept_edited),
    ]
