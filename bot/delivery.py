"""How sending can fail, as the core sees it (the channels themselves are `bot.channel.Channel`).

Each channel maps its messenger's errors onto these, once, at its edge (for Telegram: RetryAfter,
Forbidden, BadRequest, network errors), so the sender deals with four outcomes only.
"""

from __future__ import annotations


class DeliveryError(Exception):
    """A message could not be delivered."""


class RetryLater(DeliveryError):
    """The messenger asks to pause all sending for `seconds` (`per_chat`: only sending to this
    chat, as WhatsApp's pair limit does)."""

    def __init__(self, seconds: float, sent: int = 0, *, per_chat: bool = False) -> None:
        super().__init__(f"retry after {seconds:g} s")
        self.seconds = seconds
        self.sent = sent  # answering an inbound: how many of its replies had gone out
        self.per_chat = per_chat


class UserGone(DeliveryError):
    """The owner blocked the bot or no longer exists: never retry."""


class Rejected(DeliveryError):
    """The messenger refused this message; sending it again would not help."""


class OutsideWindow(Rejected):
    """A free-form message outside the messaging window (WhatsApp's 24 hours): only a template
    may go now."""


class StoppedMarketing(Rejected):
    """The owner stopped marketing messages in their messenger: no announcements to them."""


class Unavailable(DeliveryError):
    """A network error, a timeout or a server error: worth trying again later.

    `maybe_delivered` when the request may have reached the messenger before the answer was
    lost (a read timeout): trying again may then deliver the message twice.
    """

    def __init__(self, message: str = "", maybe_delivered: bool = False) -> None:
        super().__init__(message)
        self.maybe_delivered = maybe_delivered
