"""What the core needs to know about sending: a channel's transport, and how sending can fail.

Each channel maps its messenger's errors onto these, once, at its edge (for Telegram: RetryAfter,
Forbidden, BadRequest, network errors), so the sender deals with four outcomes only.
"""

from __future__ import annotations

from typing import Protocol

from bot.channel import Button, Reply


class DeliveryError(Exception):
    """A message could not be delivered."""


class RetryLater(DeliveryError):
    """The messenger asks to pause all sending for `seconds`."""

    def __init__(self, seconds: float) -> None:
        super().__init__(f"retry after {seconds:g} s")
        self.seconds = seconds


class UserGone(DeliveryError):
    """The owner blocked the bot or no longer exists: never retry."""


class Rejected(DeliveryError):
    """The messenger refused this message; sending it again would not help."""


class Unavailable(DeliveryError):
    """A network error, a timeout or a server error: worth trying again later.

    `maybe_delivered` when the request may have reached the messenger before the answer was
    lost (a read timeout): trying again may then deliver the message twice.
    """

    def __init__(self, message: str = "", maybe_delivered: bool = False) -> None:
        super().__init__(message)
        self.maybe_delivered = maybe_delivered


class Transport(Protocol):
    """How the sender reaches the owners of one channel."""

    channel: str

    async def deliver(self, chat_id: str, reply: Reply) -> str | None:
        """Send a message; return its id when the messenger has one. Raises DeliveryError."""

    async def edit(self, chat_id: str, message_id: str, text: str,
                   buttons: tuple[tuple[Button, ...], ...] = ()) -> None:
        """Change a message sent earlier (e.g. a progress line). Raises DeliveryError."""

    def start_link(self, payload: str) -> str | None:
        """A link that opens a chat with the bot carrying `payload` (a deep link), if any."""
