from enum import StrEnum


class SyncError(StrEnum):
    INVALID_CHECKPOINT = "invalid_checkpoint"
    CHECKPOINT_EXPIRED = "checkpoint_expired"
