"""Error codes the messaging app answers with (clients may rely on them; docs/api.md)."""

from enum import StrEnum


class MessageError(StrEnum):
    # 409 on POST care-team/{id}/messages/: the link has ended, so the thread is read-only
    # (only its patient still reaches it; the physio gets 404 for everything).
    THREAD_ENDED = "thread_ended"
    # 409: this client_id was already used by the same sender for a message in another
    # thread. A client_id names one message; a retry goes to the thread it was made for.
    CLIENT_ID_USED_ELSEWHERE = "client_id_used_elsewhere"
    # An item of POST sync/: a new message over the sender's message rate (the same
    # 30 a minute as POST care-team/{id}/messages/). Nothing stored; send it again later.
    THROTTLED = "throttled"
    # 400 on `body`: empty, or only whitespace.
    BLANK = "blank"
    # 400 on `up_to`: not a message of this thread.
    NOT_IN_THREAD = "does_not_exist"
