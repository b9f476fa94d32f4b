"""The project's hooks: how a lower layer tells a higher one that something happened.

Apps are layered (docs/architecture.md): a lower app never imports a higher one. When a
lower app must let higher ones react, it sends one of these signals and the higher apps
subscribe in their `AppConfig.ready()`. Signals are sent synchronously, inside the sender's
transaction, with `send()` (not `send_robust()`): a receiver that fails rolls the whole
change back, so a log never exists without the alert it should have raised.

Every hook of the project is declared here, so this file is the list to read.
"""

from enum import StrEnum

from django.dispatch import Signal


class LogKind(StrEnum):
    SYMPTOM = "symptom"
    EXERCISE = "exercise"
    OUTCOME = "outcome"


#: New logs were stored (not re-sent copies). Sent by symptoms (LogKind.SYMPTOM), plans
#: (LogKind.EXERCISE) and outcomes (LogKind.OUTCOME) inside the storing transaction.
#: Arguments: patient_id, kind, logs (the new model instances).
#: Subscriber: alerts (red-flag alerts for urgent/emergency symptom logs in the same
#: transaction; the debounced worsening check).
logs_recorded = Signal()

#: A patient's reminders must be planned again: their time zone, quiet hours or reminder
#: settings changed. Sent by accounts and notifications. Arguments: user, now.
#: Subscribers: every reminder source (notifications' check-ins, plans, outcomes).
reminders_replan = Signal()

#: Hourly: each reminder source tops up a week of reminder rows. Sent by notifications'
#: plan-ahead task. Arguments: now. Receivers return how many sources they synced.
reminders_plan_ahead = Signal()

#: A care-team link ended (by the patient or the physio): the physio's access is gone.
#: Sent by accounts (`care_link_end`) inside its transaction. Arguments: link (ended_at and
#: ended_by set). Subscriber: outcomes (that physio's schedules for that patient stop).
care_link_ended = Signal()

#: Which exercises written by physiotherapists (content's `Exercise.owner` set; never the
#: library's) a user may read. Sent by content's `exercises_for` (a read, not an event).
#: Arguments: user (signed in). Receivers return a Q over content's Exercise, or None;
#: content serves the library plus what any receiver allows. Receivers: accounts (the
#: author; the patients they care for now), plans (exercises in the patient's own plans).
#: docs/decisions/own-exercises-visibility.md
exercise_audience = Signal()

#: What a clinic's admin sees counted per staff member (a read, not an event). Sent by
#: clinics' `staff_of`. Arguments: physio_ids. Receivers return {count name: {physio id:
#: count}} in a fixed number of queries, counts only (no patient named). Receiver: alerts
#: (`open_alerts`: unresolved alerts of the patients linked to each physio).
staff_counts = Signal()

#: A physio leaves: what they lead changes hands, in the deactivation's transaction. Sent
#: by clinics' `staff_deactivate`. Arguments: physio (leaving), successor, now. Receivers:
#: episodes (active episodes), plans (active plans), outcomes (running schedules); a
#: receiver that cannot move its rows raises, and nothing moves.
physio_handover = Signal()

#: `manage.py bootstrap`: each app loads or updates the data it needs (content fixtures,
#: editors' permissions, demo accounts, outcome instruments). Arguments: options (the
#: command's options: demo, overwrite_edited). Receivers return lines to print.
bootstrap = Signal()
