"""The core's chat driver: talks to `Core.handle` the way a channel would, as one user.

It has the shape of every chat driver (`tests.support.harness.Chat` on Telegram): `do` one
step, `run` several (the steps of `tests.support.script`), `text` of the last answer.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from bot.channel import Inbound, InboundKind, Notice, Reply, plain_text
from bot.core import Core


class Owner:
    """One user of the core, remembering the core's last answer."""

    def __init__(self, core: Core, user_id: str = "1001", language_code: str | None = "id",
                 channel: str = "telegram", address: str = "") -> None:
        self.core = core
        self.user_id = user_id
        self.language_code = language_code
        self.channel = channel
        self.address = address  # the number a channel such as WhatsApp knows
        self.last: list = []

    async def send(self, kind: InboundKind, **fields) -> list:
        """Send one inbound; return the replies."""
        inbound = Inbound(channel=self.channel, user_id=self.user_id, chat_id=self.user_id,
                          kind=kind, language_code=self.language_code, address=self.address,
                          **fields)
        self.last = await self.core.handle(inbound)
        return self.last

    async def say(self, text: str) -> list:
        """Type a message or a command."""
        kind = InboundKind.COMMAND if text.startswith("/") else InboundKind.TEXT
        return await self.send(kind, text=text)

    async def press(self, data: str) -> list:
        """Press a button."""
        return await self.send(InboundKind.BUTTON, data=data, message_id="1")

    async def tap(self, label_part: str) -> list:
        """Press the button of the last replies whose label contains `label_part`."""
        return await self.press(button(self.last, label_part))

    async def contact(self, phone: str) -> list:
        """Share a phone number with the messenger's contact button."""
        return await self.send(InboundKind.CONTACT, phone=phone)

    async def do(self, action: str, value: str = "") -> list:
        """One step: say / cmd (type), tap (a label part), press (button data, as on an
        older message), contact (a phone number)."""
        if action in ("say", "cmd"):
            return await self.say(value)
        if action == "tap":
            return await self.tap(value)
        if action == "press":
            return await self.press(value)
        if action == "contact":
            return await self.contact(value)
        raise ValueError(f"the core driver cannot {action!r}")

    async def run(self, steps: Iterable[tuple[str, str]]) -> None:
        """Several steps in a row."""
        for action, value in steps:
            await self.do(action, value)

    def text(self) -> str:
        """All reply texts of the last turn, as plain text."""
        return texts(self.last)


async def start(owner: Owner) -> None:
    """From /start through consent to the first question (in English)."""
    await owner.say("/start")
    await owner.tap("I agree")


def texts(replies) -> str:
    """Plain text of every message and notice in `replies`."""
    out = []
    for r in replies:
        if isinstance(r, Reply):
            out.append(plain_text(r.text))
        elif isinstance(r, Notice) and r.text:
            out.append(r.text)
    return "\n".join(out)


def _labelled(message: Any) -> list[tuple[str, str]]:
    """(label, data) of a message's buttons: the core's `Button`s or a fake request's pairs."""
    pairs = []
    for row in getattr(message, "buttons", ()) or ():
        for b in row:
            pairs.append((b.label, b.data) if hasattr(b, "label") else (b[0], b[1]))
    return pairs


def button(messages, label_part: str) -> str:
    """The data of the newest button whose label contains `label_part` (any case).

    `messages` are the core's replies or the requests the fake Bot API received.
    """
    for message in reversed(list(messages)):
        for label, data in _labelled(message):
            if label_part.lower() in label.lower() and data:
                return data
    labels = [label for m in messages for label, _ in _labelled(m)]
    raise AssertionError(f"no button with {label_part!r} among {labels}")
