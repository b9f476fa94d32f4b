"""Error codes the episodes app answers with (clients may rely on them; docs/api.md)."""

from enum import StrEnum


class EpisodeError(StrEnum):
    NOT_LINKED = "not_linked"  # 400 on `patient`: not a patient the physio is linked to
    ACTIVE_EPISODE_EXISTS = "active_episode_exists"  # 409: discharge the open episode first
    EPISODE_DISCHARGED = "episode_discharged"  # 409: a discharged episode takes nothing new
    UNKNOWN_EPISODE = "does_not_exist"  # 400 on `episode`: not an episode of this patient
    NOT_YOUR_EPISODE = "not_your_episode"  # 400 on `episode`: another physio's episode
    STARTS_IN_FUTURE = "in_future"  # 400 on `started_on`: after the patient's today
    STARTS_TOO_OLD = "too_old"  # 400 on `started_on`: more than two years ago
    STARTS_AFTER_WORK = "after_first_work"  # 400 on `started_on`: after a plan or schedule starts
    STARTS_AFTER_GOAL = "after_goal_due"  # 400 on `started_on`: after a goal's due date
    DUE_BEFORE_START = "before_start"  # 400 on `due_on`: before the episode started
    DUE_TOO_LATE = "too_far"  # 400 on `due_on`: more than two years after the start
    NO_CLINIC = "no_clinic"  # 409: the physio belongs to no clinic, so opens no episode
