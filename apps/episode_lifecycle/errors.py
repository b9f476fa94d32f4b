"""Error codes the episode_lifecycle app answers with (clients may rely on them; docs/api.md).
Episode codes (`episode_discharged`, `active_episode_exists`, ...) are
apps.episodes.errors.EpisodeError."""

from enum import StrEnum


class GoalError(StrEnum):
    UNKNOWN_INSTRUMENT = "unknown_instrument"  # 400 on `instrument`: no such enabled instrument
    TARGET_OUT_OF_RANGE = "out_of_range"  # 400 on `target`: outside the instrument's scores
