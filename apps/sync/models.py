"""The change log the offline sync reads (docs/architecture.md, "Offline sync").

Rows are written only by database triggers (`triggers.py`), in the transaction of the
change itself: no code path can store a record and forget to log it."""

from django.db import models


class Change(models.Model):
    """One record a patient's app shows was created, changed or deleted.

    `kind` is the sync type (`plans`, `messages`...), `object_id` the id the app knows it
    by. `xid` is the writing transaction's id on PostgreSQL (0 on SQLite, where one writer
    at a time makes `id` order commit order): a pull reads only rows of transactions older
    than every one still running, so a late commit is never skipped."""

    id = models.BigAutoField(primary_key=True)
    xid = models.BigIntegerField(default=0)
    patient_id = models.UUIDField()
    kind = models.CharField(max_length=32)
    object_id = models.UUIDField()
    at = models.DateTimeField()

    class Meta:
        indexes = [
            models.Index(fields=["patient_id", "xid", "id"], name="sync_change_position"),
            models.Index(fields=["at"], name="sync_change_at"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.object_id}"


class PruneMark(models.Model):
    """One row: the highest log position pruned so far. A checkpoint below it may have
    missed a pruned change, so it is answered 410 (the app starts again)."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    xid = models.BigIntegerField(default=0)
    change_id = models.BigIntegerField(default=0)
    at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"pruned up to ({self.xid}, {self.change_id})"
