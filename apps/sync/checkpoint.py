"""The opaque checkpoint a pull hands the app: where in the change log it stands.

Signed (Django's signing, with its own salt) and bound to the patient, so a checkpoint
that was edited, truncated or made for another account is refused (400) rather than read
at a wrong place. It holds a log position, never a time."""

import uuid
from dataclasses import dataclass

from django.core import signing

from .selectors import Position

SALT = "apps.sync.checkpoint"
VERSION = 1


class CheckpointInvalid(Exception):
    pass


@dataclass(frozen=True)
class Initial:
    """A first pull (no checkpoint) walks everything current, type by type in id order:
    `kind` is the index of the type it is in, `after` the last id it gave of it."""

    kind: int
    after: uuid.UUID | None


@dataclass(frozen=True)
class Checkpoint:
    #: The log position: everything at or below it was given (or, during a first pull,
    #: the log position the walk started from: changes after it are read next).
    position: Position
    initial: Initial | None = None


def encode(checkpoint: Checkpoint, *, patient_id: uuid.UUID) -> str:
    payload: dict[str, object] = {
        "v": VERSION,
        "p": patient_id.hex,
        "x": checkpoint.position[0],
        "i": checkpoint.position[1],
    }
    if checkpoint.initial is not None:
        payload["k"] = checkpoint.initial.kind
        payload["a"] = checkpoint.initial.after.hex if checkpoint.initial.after else ""
    return signing.dumps(payload, salt=SALT, compress=False)


def decode(token: str, *, patient_id: uuid.UUID) -> Checkpoint:
    try:
        payload = signing.loads(token, salt=SALT)
        if not isinstance(payload, dict) or payload.get("v") != VERSION:
            raise CheckpointInvalid
        if payload.get("p") != patient_id.hex:
            raise CheckpointInvalid
        xid, change_id = payload["x"], payload["i"]
        if not all(
            isinstance(n, int) and not isinstance(n, bool) and n >= 0 for n in (xid, change_id)
        ):
            raise CheckpointInvalid
        initial = None
        if "k" in payload:
            kind, after = payload["k"], payload["a"]
            if not isinstance(kind, int) or isinstance(kind, bool) or kind < 0:
                raise CheckpointInvalid
            initial = Initial(kind=kind, after=uuid.UUID(hex=after) if after else None)
        return Checkpoint(position=(xid, change_id), initial=initial)
    except (signing.BadSignature, KeyError, TypeError, ValueError) as error:
        raise CheckpointInvalid from error
