"""A recording transport: what the sender delivers and edits, with failures on demand."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from bot.channel import Reply
from bot.delivery import RetryLater
from bot.storage.outbox import Item


@dataclass(frozen=True)
class Delivery:
    """One message the sender delivered."""

    chat_id: str
    reply: Reply
    at: float  # time.monotonic() when it was delivered


class Recorder:
    """A channel's transport that records deliveries; `failures` makes chats fail in turn."""

    name = "telegram"

    def __init__(self) -> None:
        self.sent: list[Delivery] = []
        self.failures: dict[str, list[Exception]] = {}  # chat id -> raised by the next tries
        self.failed: list[tuple[str, Exception, float]] = []  # chat id, what was raised, when
        self.edits: list[tuple[str, str, str]] = []
        self.edit_buttons: list[tuple] = []
        self.busy: Callable[[], bool] | None = None  # while true: "retry in a minute"

    async def deliver(self, chat_id: str, reply: Reply) -> str | None:
        """Record the message (or raise the chat's next failure); return its id."""
        if self.busy is not None and self.busy():
            failure = RetryLater(60)
            self.failed.append((chat_id, failure, time.monotonic()))
            raise failure
        pending = self.failures.get(chat_id)
        if pending:
            failure = pending.pop(0)
            self.failed.append((chat_id, failure, time.monotonic()))
            raise failure
        self.sent.append(Delivery(chat_id, reply, time.monotonic()))
        return str(len(self.sent))

    async def edit(self, chat_id, message_id, text, buttons=()) -> None:
        """Record an edited message."""
        self.edits.append((chat_id, message_id, text))
        self.edit_buttons.append(buttons)

    def start_link(self, payload: str) -> str | None:
        """A deep link, as Telegram's would be."""
        return f"https://t.me/umkm_test_bot?start={payload}"

    def to(self, chat_id: str) -> list[Reply]:
        """The messages delivered to one chat, in order."""
        return [d.reply for d in self.sent if d.chat_id == chat_id]

    def chats(self) -> list[str]:
        """The chat of every delivery, in order."""
        return [d.chat_id for d in self.sent]

    def times(self) -> list[float]:
        """When each delivery happened, in order."""
        return [d.at for d in self.sent]


async def hello(item: Item) -> Reply:
    """A renderer for any outbox row: a short greeting to its chat."""
    return Reply(f"hello {item.chat_id}")
