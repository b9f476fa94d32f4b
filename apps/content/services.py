"""Writes for medical content: publishing, keeping `updated_at` honest, loading the seeds."""

import logging
import secrets
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, BinaryIO, TypeVar
from uuid import UUID

import yaml
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, models, transaction
from django.db.models import Max, QuerySet
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _
from modeltranslation.translator import translator

from backend.queue import enqueue_on_commit

from . import media as media_files
from .errors import ContentError
from .models import (
    Condition,
    ConditionExercise,
    ConditionProtocol,
    ContentItem,
    Exercise,
    ExerciseMedia,
    MediaKind,
    MediaRendition,
    Protocol,
    ProtocolStep,
    RedFlagTranslation,
    RegionTag,
    ReviewedCautions,
    Status,
    split_lines,
)
from .vocabulary import Region, Source

logger = logging.getLogger(__name__)

FIXTURE_DIR = Path(settings.BASE_DIR) / "fixtures" / "content"
FIXTURE_FILES = ("protocols.yaml", "exercises.yaml", "conditions.yaml")
# The Spanish of the seed items' texts (not the cautions'), one file a content type.
CONTENT_TRANSLATION_FILES = ("protocols.es.yaml", "exercises.es.yaml", "conditions.es.yaml")
# The red flags' texts in other languages, one file a language, loaded reviewed.
RED_FLAG_TRANSLATION_FILES = ("red_flags.es.yaml",)
# The cautions of the seed exercises and protocol steps, line by line, loaded reviewed.
CAUTION_TRANSLATION_FILES = ("cautions.es.yaml",)


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


def translated_fields(model: type[models.Model]) -> tuple[str, ...]:
    """The texts of `model` with a column per language (apps/content/translation.py)."""
    return tuple(translator.get_options_for_model(model).all_fields)


def english_columns(model: type[models.Model], fields: dict[str, Any]) -> dict[str, Any]:
    """The English fixtures' values, translated texts renamed to their `_en` columns: set
    through the plain name they would land in whatever language happens to be active."""
    translated = translated_fields(model)
    return {(f"{key}_en" if key in translated else key): value for key, value in fields.items()}


# The items a fixture loads by slug, each with its region tags.
Item = TypeVar("Item", Condition, Protocol, Exercise)


def _upsert_item(
    model: type[Item], fields: dict[str, Any], report: LoadReport, overwrite_edited: bool
) -> tuple[Item, bool]:
    """Create or update one item by slug. Returns (item, fixture_applied)."""
    fields = english_columns(model, fields)
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
        values = {
            key: value
            for key, value in english_columns(ProtocolStep, fields).items()
            if key != "protocol"
        }
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


# Safety texts of a content type: their translation carries a reviewed mark, and the
# fixture's mark comes with it (models.reviewed_text_served).
REVIEWED_TEXTS: dict[type[models.Model], tuple[str, ...]] = {Condition: ("when_to_seek_care",)}
TRANSLATION_MODELS: dict[str, type[Condition] | type[Protocol] | type[Exercise]] = {
    "content.condition": Condition,
    "content.protocol": Protocol,
    "content.exercise": Exercise,
}


def _spanish_values(
    model: type[models.Model], texts: dict[str, Any], mark: dict[str, Any], where: str
) -> dict[str, Any]:
    """A fixture entry's texts as the columns they fill: `name` → `name_es`; a reviewed
    text → `<field>_es` with the file's mark. An unknown key is an error, not a skip."""
    translated, reviewed = translated_fields(model), REVIEWED_TEXTS.get(model, ())
    unknown = sorted(set(texts) - set(translated) - set(reviewed))
    if unknown:
        raise ValueError(f"{where}: not translatable here: {', '.join(unknown)}")
    values: dict[str, Any] = {}
    for key, text in texts.items():
        values[f"{key}_es"] = text.strip()
        if key in reviewed:
            values |= {f"{key}_es_{name}": value for name, value in mark.items()}
    return values


def _translate_steps(
    protocol: Protocol, steps: dict[int, dict[str, Any]], mark: dict[str, Any]
) -> bool:
    by_position = {step.position: step for step in protocol.steps.all()}
    changed = False
    for position, texts in steps.items():
        step = by_position.get(int(position))
        if step is None:
            raise ValueError(f"{protocol.slug}: no step at position {position}")
        values = _spanish_values(ProtocolStep, texts, mark, f"{protocol.slug} step {position}")
        if _assign(step, values):
            step.full_clean()
            step.save()
            changed = True
    return changed


def _translate_item(
    item: Condition | Protocol | Exercise,
    entry: dict[str, Any],
    mark: dict[str, Any],
) -> bool:
    texts = dict(entry)
    steps = texts.pop("steps", None) or {}
    values = _spanish_values(type(item), texts, mark, item.slug)
    # An unchanged text keeps its mark (an editor's review, say, after overwrite_edited).
    for key in REVIEWED_TEXTS.get(type(item), ()):
        if getattr(item, f"{key}_es") == values.get(f"{key}_es"):
            values = {name: value for name, value in values.items() if not name.startswith(key)}
    changed = False
    if _assign(item, values):
        item.full_clean(exclude=["regions"])
        item.save()
        changed = True
    if isinstance(item, Protocol) and _translate_steps(item, steps, mark):
        protocol_touch(protocol=item)
        changed = True
    if changed:
        content_touch_dependants(item=item)
    return changed


def _seed_items(
    model: type[Condition] | type[Protocol] | type[Exercise], *, slugs: list[str]
) -> list[Condition | Protocol | Exercise]:
    if model is Exercise:  # the library's only: a physio's own exercise is never a seed
        return list(Exercise.objects.filter(slug__in=slugs, owner__isnull=True))
    return list(model.objects.filter(slug__in=slugs))


@transaction.atomic
def content_translations_load(
    *, paths: Iterable[Path] | None = None, overwrite_edited: bool = False
) -> LoadReport:
    """Give the seed conditions, protocols (and their steps) and library exercises their
    Spanish texts from `fixtures/content/*.es.yaml`; safe to run again.

    The Spanish translates the seed's English, so an item an editor changed in the admin
    is left alone (its English may no longer be the seed's) unless overwrite_edited. A
    safety text (`when_to_seek_care`) gets the file's reviewed mark with it."""
    report = LoadReport()
    for path in paths or [FIXTURE_DIR / name for name in CONTENT_TRANSLATION_FILES]:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
        if document["language"] != "es":
            raise ValueError(f"{path.name}: content translations are stored for es only")
        model = TRANSLATION_MODELS[document["model"]]
        mark = {
            "reviewed_by": document["reviewed_by"],
            "reviewed_at": datetime.fromisoformat(document["reviewed_at"]),
        }
        stored = {item.slug: item for item in _seed_items(model, slugs=list(document["items"]))}
        for slug, entry in document["items"].items():
            label = f"{model._meta.model_name}:{slug} (es)"
            item = stored.get(slug)
            if item is None:
                raise ValueError(f"{path.name}: {slug} is not a seed item")
            if item.edited_in_admin and not overwrite_edited:
                report.kept_edited.append(label)
            elif _translate_item(item, entry, mark):
                report.updated.append(label)
            else:
                report.unchanged.append(label)
    return report


def red_flag_translations_load(
    *, paths: Iterable[Path] | None = None, overwrite_edited: bool = False
) -> LoadReport:
    """Create the fixtures' red-flag translations with their reviewed mark; safe to run
    again. A translation already stored is an editor's to keep (their text, their review)
    unless overwrite_edited."""
    report = LoadReport()
    for path in paths or [FIXTURE_DIR / name for name in RED_FLAG_TRANSLATION_FILES]:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
        language = document["language"]
        reviewed = {
            "reviewed_by": document["reviewed_by"],
            "reviewed_at": datetime.fromisoformat(document["reviewed_at"]),
        }
        for flag in document["flags"]:
            label = f"red flag {flag['code']} ({language})"
            values = {"title": flag["title"], "advice": flag["advice"], **reviewed}
            stored = RedFlagTranslation.objects.filter(code=flag["code"], language=language).first()
            if stored is None:
                stored = RedFlagTranslation(code=flag["code"], language=language)
                _assign(stored, values)
                stored.full_clean()
                stored.save()
                report.created.append(label)
            elif not overwrite_edited:
                report.unchanged.append(label)
            elif _assign(stored, values):
                stored.full_clean()
                stored.save()
                report.updated.append(label)
            else:
                report.unchanged.append(label)
    return report


def _translated_cautions(english: str, lines: dict[str, str]) -> str | None:
    """The Spanish of every line of `english`, one a line; None if one is missing."""
    wanted = split_lines(english)
    if not wanted or any(line not in lines for line in wanted):
        return None
    return "\n".join(lines[line] for line in wanted)


def caution_translations_load(
    *, paths: Iterable[Path] | None = None, overwrite_edited: bool = False
) -> LoadReport:
    """Give each library exercise and protocol step the Spanish of its cautions, with the
    file's reviewed mark, where every line of them has a translation in the file. A
    translation already stored (an editor's) is kept unless overwrite_edited."""
    report = LoadReport()
    for path in paths or [FIXTURE_DIR / name for name in CAUTION_TRANSLATION_FILES]:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
        if document["language"] != "es":
            raise ValueError(f"{path.name}: cautions are stored for es only")
        reviewed_by = document["reviewed_by"]
        reviewed_at = datetime.fromisoformat(document["reviewed_at"])
        rows: list[Exercise | ProtocolStep] = [
            *Exercise.objects.filter(owner__isnull=True),
            *ProtocolStep.objects.select_related("protocol"),
        ]
        for row in rows:
            label = f"{row} (es cautions)"
            spanish = _translated_cautions(row.cautions, document["lines"])
            if spanish is None or row.cautions_es == spanish:
                report.unchanged.append(label)
                continue
            if row.cautions_es and not overwrite_edited:
                report.kept_edited.append(label)
                continue
            row.cautions_es = spanish
            row.cautions_es_reviewed_by = reviewed_by
            row.cautions_es_reviewed_at = reviewed_at
            row.save()
            if isinstance(row, ProtocolStep):
                protocol_touch(protocol=row.protocol)
            report.updated.append(label)
    return report


def on_bootstrap(sender: object, *, options: dict[str, Any], **kwargs: Any) -> list[str]:
    """`manage.py bootstrap`: load or update the content of docs/domain.md."""
    report = content_load_fixtures(overwrite_edited=options.get("overwrite_edited", False))
    spanish = content_translations_load(overwrite_edited=options.get("overwrite_edited", False))
    translations = red_flag_translations_load(
        overwrite_edited=options.get("overwrite_edited", False)
    )
    cautions = caution_translations_load(overwrite_edited=options.get("overwrite_edited", False))
    return [
        f"Content: {report.summary()}.",
        f"Content in Spanish: {spanish.summary()}.",
        f"Red-flag translations: {translations.summary()}.",
        f"Caution translations: {cautions.summary()}.",
        *(f"  kept the admin's version of {label}" for label in report.kept_edited),
    ]


# --- Exercises of a physiotherapist's own ------------------------------------------------------


def _own_slug(name: str) -> str:
    """A fresh slug: the name's, with a random suffix (slugs are global and public)."""
    base = slugify(name)[:60].strip("-") or "exercise"
    return f"{base}-{secrets.token_hex(3)}"


@transaction.atomic
def exercise_own_create(
    *,
    owner: Any,  # the user model: content sits below accounts and may not name it
    name: str,
    instructions: str,
    default_sets: int,
    summary: str = "",
    default_reps: int | None = None,
    default_hold_seconds: int | None = None,
    cautions: str = "",
    target_area: str = "",
) -> Exercise:
    """An exercise the physiotherapist wrote, published at once to them and the patients
    they care for (never to the library: `owner` keeps it out)."""
    if default_reps is None and default_hold_seconds is None:
        raise ValidationError(
            {
                "default_reps": ValidationError(
                    _("Give repetitions, a hold time, or both."), code="required"
                )
            }
        )
    exercise = Exercise(
        owner=owner,
        slug=_own_slug(name),
        status=Status.PUBLISHED,
        source=Source.CLINICIAN,
        name=name,
        summary=summary,
        instructions=instructions,
        target_area=target_area,
        default_sets=default_sets,
        default_reps=default_reps,
        default_hold_seconds=default_hold_seconds,
        cautions=cautions,
    )
    exercise.full_clean(exclude=["regions"])
    exercise.save()
    return exercise


# --- Pictures and videos of exercises ----------------------------------------------------------


def exercise_touch(*, exercise_id: int) -> None:
    """Its media changed: the exercise counts as updated (`?updated_since=`, ETags)."""
    Exercise.objects.filter(pk=exercise_id).update(updated_at=timezone.now())


def _store(name: str, content: "File[Any]") -> str:
    return default_storage.save(name, content)


def _delete_files(names: Iterable[str]) -> None:
    for name in names:
        if not name:
            continue
        try:
            default_storage.delete(name)
        except Exception:  # a file already gone, or the store briefly down: logged, not fatal
            logger.warning("could not delete a media file: %s", name)


def exercise_media_add(
    *,
    exercise: Exercise,
    file: BinaryIO,
    alt_text: str,
    by: Any = None,  # the user model, as for owner
    poster: BinaryIO | None = None,
) -> ExerciseMedia:
    """Store a picture or video of the exercise under a generated name.

    Checked from the bytes (media.py): anything but a JPEG, PNG or WebP picture (10 MB) or
    an MP4 or WebM video (200 MB) is refused before anything is stored. A picture is stored
    re-encoded, without metadata, and its renditions are made by the worker after commit.
    A video may bring a poster picture, cleaned the same way.

    No transaction is open while the files are checked and stored (a video may take a
    while to reach an S3 store; on SQLite a transaction would hold every writer): only the
    row's insert is one. A failed insert deletes the files it stored."""
    sniffed = media_files.check_upload(file, field="file")
    if sniffed.kind == MediaKind.IMAGE and poster is not None:
        raise ValidationError(
            {
                "poster": ValidationError(
                    _("Only a video takes a poster."), code=ContentError.POSTER_NOT_ACCEPTED
                )
            }
        )
    clean_poster = None
    if poster is not None:
        poster_type = media_files.check_upload(poster, field="poster")
        if poster_type.kind != MediaKind.IMAGE:
            raise media_files.unsupported("poster")
        clean_poster = media_files.clean_image(poster, field="poster")
    item = ExerciseMedia(
        exercise=exercise,
        kind=sniffed.kind,
        content_type=sniffed.content_type,
        alt_text=alt_text.strip(),
        uploaded_by=by,
    )
    if sniffed.kind == MediaKind.IMAGE:
        picture = media_files.clean_image(file, field="file")
        item.size_bytes, item.width, item.height = len(picture.data), picture.width, picture.height
        content: Any = ContentFile(picture.data)
    else:
        info = media_files.video_info(file, sniffed)
        item.size_bytes = media_files.file_size(file)
        item.width, item.height = info.width, info.height
        item.duration_seconds = info.duration_seconds
        file.seek(0)
        content = File(file)
    # Everything is checked before the first byte is stored.
    item.file.name = "pending"
    item.full_clean(exclude=["exercise", "uploaded_by", "poster"])
    stem = f"exercises/{secrets.token_hex(16)}"
    stored: list[str] = []
    try:
        stored.append(_store(f"{stem}.{sniffed.extension}", content))
        item.file.name = stored[0]
        if clean_poster is not None:
            stored.append(
                _store(f"{stem}-poster.{clean_poster.extension}", ContentFile(clean_poster.data))
            )
            item.poster.name = stored[1]
            item.poster_content_type = clean_poster.content_type
            item.poster_size_bytes = len(clean_poster.data)
        with transaction.atomic():
            last = exercise.media.aggregate(last=Max("position"))["last"]
            item.position = (last or 0) + 1
            item.save(force_insert=True)
            exercise_touch(exercise_id=exercise.pk)
            if item.kind == MediaKind.IMAGE:
                enqueue_on_commit("apps.content.tasks.make_renditions", str(item.pk))
    except BaseException:
        _delete_files(stored)
        raise
    return item


@transaction.atomic
def exercise_media_update(*, media: ExerciseMedia, alt_text: str) -> ExerciseMedia:
    media.alt_text = alt_text.strip()
    media.full_clean(exclude=["exercise", "uploaded_by"])
    media.save(update_fields=["alt_text"])
    exercise_touch(exercise_id=media.exercise_id)
    return media


@transaction.atomic
def exercise_media_delete(*, media: ExerciseMedia) -> None:
    """The row and its renditions go now; the files once the deletion is committed."""
    names = [
        media.file.name,
        media.poster.name,
        *media.renditions.values_list("file", flat=True),
    ]
    exercise_id = media.exercise_id
    media.delete()
    exercise_touch(exercise_id=exercise_id)
    transaction.on_commit(lambda: _delete_files(names))


def media_renditions_make(*, media_id: UUID | str) -> int:
    """Make the picture's missing renditions (320, 640 and 1280 wide, never wider than
    the picture), each stored and listed as soon as it is made; how many were made. Safe
    to run twice: a width made by another run is kept and this run's copy deleted."""
    item = ExerciseMedia.objects.filter(pk=media_id, kind=MediaKind.IMAGE).first()
    if item is None or item.renditions_done_at is not None:
        return 0
    with item.file.open("rb") as original:
        data = original.read()
    have = set(item.renditions.values_list("width", flat=True))
    stem = (item.file.name or "").rsplit(".", 1)[0]
    made = 0
    for width in media_files.rendition_widths(item.width):
        if width in have:
            continue
        copy = media_files.rendition(data, width)
        name = _store(f"{stem}-{width}.{copy.extension}", ContentFile(copy.data))
        try:
            with transaction.atomic():
                MediaRendition.objects.create(
                    media=item,
                    width=copy.width,
                    height=copy.height,
                    file=name,
                    content_type=copy.content_type,
                    size_bytes=len(copy.data),
                )
                exercise_touch(exercise_id=item.exercise_id)
        except IntegrityError:
            _delete_files([name])
            continue
        made += 1
    ExerciseMedia.objects.filter(pk=item.pk).update(renditions_done_at=timezone.now())
    return made


def media_renditions_due(*, older_than: datetime) -> list[str]:
    """Pictures whose renditions were never made (a broker message lost), uploaded
    before `older_than`: the sweep enqueues them again."""
    return [
        str(pk)
        for pk in ExerciseMedia.objects.filter(
            kind=MediaKind.IMAGE, renditions_done_at__isnull=True, created_at__lt=older_than
        )
        .order_by("created_at")
        .values_list("pk", flat=True)[:500]
    ]


# --- Safety texts in other languages -----------------------------------------------------------


def red_flag_translation_save(*, translation: RedFlagTranslation, changed: Iterable[str]) -> None:
    """Store an editor's change; a changed title or advice is no longer the text that was
    reviewed, so its mark goes (served in English until reviewed again)."""
    if {"title", "advice"} & set(changed):
        translation.reviewed_by = ""
        translation.reviewed_at = None
    translation.full_clean()
    translation.save()


def red_flag_translations_mark_reviewed(
    *, translations: QuerySet[RedFlagTranslation], reviewer: str
) -> int:
    """An editor's word that these translations say what the English says: served from now."""
    return translations.update(reviewed_by=reviewer, reviewed_at=timezone.now())


def red_flag_translations_unmark_reviewed(*, translations: QuerySet[RedFlagTranslation]) -> int:
    return translations.update(reviewed_by="", reviewed_at=None)


def reviewed_text_follow_edit(*, row: models.Model, field: str, changed: Iterable[str]) -> None:
    """Before an editor's change is stored: a new English or Spanish safety text (`field`,
    `<field>_es`) is no longer what was reviewed, so the mark goes until reviewed again."""
    if {field, f"{field}_es"} & set(changed):
        setattr(row, f"{field}_es_reviewed_by", "")
        setattr(row, f"{field}_es_reviewed_at", None)


def reviewed_text_mark_reviewed(*, rows: QuerySet[Any], field: str, reviewer: str) -> int:
    """An editor's word that the Spanish safety text (`field`) of `rows` says what the
    English says. Rows without a Spanish text are left alone."""
    now = timezone.now()
    changes: dict[str, Any] = {f"{field}_es_reviewed_by": reviewer, f"{field}_es_reviewed_at": now}
    if any(item.name == "updated_at" for item in rows.model._meta.fields):
        changes["updated_at"] = now  # the phones learn of it through ?updated_since=
    return rows.exclude(**{f"{field}_es": ""}).update(**changes)


def cautions_review_follow_edit(*, row: ReviewedCautions, changed: Iterable[str]) -> None:
    reviewed_text_follow_edit(row=row, field="cautions", changed=changed)


def cautions_mark_reviewed(*, rows: QuerySet[Any], reviewer: str) -> int:
    return reviewed_text_mark_reviewed(rows=rows, field="cautions", reviewer=reviewer)
