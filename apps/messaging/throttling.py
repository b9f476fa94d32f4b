"""The message rate: how many new messages a sender may send a minute, whichever way they
arrive (POST care-team/{id}/messages/ or an offline sync)."""

from rest_framework.throttling import UserRateThrottle

from apps.accounts.models import User

from . import selectors


class MessagePostThrottle(UserRateThrottle):
    """A stuck client re-sending in a loop, or a burst, must not flood the other side's
    phone. 30 a minute is far above anyone typing.

    A retry of a message already stored (its client_id from the same sender) is neither
    counted nor refused: it notifies no one and answers the stored message, which an
    offline app must get even after a burst (one query to tell).

    The rate lives here rather than in settings.DEFAULT_THROTTLE_RATES so that it travels
    with the view (and a test can lower it)."""

    scope = "messages_post"
    rate = "30/minute"

    def get_rate(self) -> str:
        return self.rate

    def allow_request(self, request, view) -> bool:
        data = request.data
        client_id = data.get("client_id") if isinstance(data, dict) else None
        if client_id is not None and selectors.message_already_sent(
            sender=request.user, client_id=client_id
        ):
            return True
        return super().allow_request(request, view)

    def allow_for(self, user: User) -> bool:
        """The same rate, counted in the same history, for a new message that does not
        come through MessageListView: an item of an offline sync (POST sync/). Takes one
        from the sender's budget when it allows."""
        allowed, seconds = self.parse_rate(self.get_rate())
        if allowed is None or seconds is None:  # no rate set: nothing to count
            return True
        self.key = self.cache_format % {"scope": self.scope, "ident": user.pk}
        self.history = self.cache.get(self.key, [])
        self.now = self.timer()
        while self.history and self.history[-1] <= self.now - seconds:
            self.history.pop()
        if len(self.history) >= allowed:
            return False
        return self.throttle_success()
