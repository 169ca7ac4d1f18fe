"""The terminal chat: the same core and database as the messengers, typed in a shell.

Buttons are shown as numbered choices ("[1] Yes"); typing the number presses the button.
Commands are typed as on Telegram. Input may be piped from a file, so a whole conversation can
be scripted; piped lines are echoed so the transcript reads like a chat. The terminal cannot
change what it printed, so every message is printed whole, as it comes.
"""

from __future__ import annotations

import asyncio
import threading
from typing import TextIO

from bot.channel import (
    Button,
    Buttons,
    Capabilities,
    Inbound,
    InboundKind,
    Notice,
    Outbound,
    Reply,
    plain_text,
)
from bot.core import TERMINAL_CHANNEL, Core

USER_ID = "local"
CAPABILITIES = Capabilities(edit=False, popups=False, reply_buttons=100, list_rows=0,
                            label_chars=64, text_chars=1_000_000, markup="plain",
                            knows_phone=False, contact_button=False)


class TerminalChat:
    """Reads lines, hands them to the core, prints the replies; the sender's way to its user."""

    name = TERMINAL_CHANNEL
    capabilities = CAPABILITIES

    def __init__(self, core: Core, stdin: TextIO, stdout: TextIO, *, echo: bool = False) -> None:
        self.core = core
        self.stdin = stdin
        self.stdout = stdout
        self.echo = echo
        self.buttons: list[Button] = []
        self.shown = 0  # messages the bot sent on its own, for their ids

    def write(self, text: str = "") -> None:
        """Print one block of output."""
        self.stdout.write(text + "\n")
        self.stdout.flush()

    def to_inbound(self, line: str) -> Inbound:
        """A typed line: a number presses a shown button, "/…" is a command, else text."""
        text = line.strip()
        common = {"channel": TERMINAL_CHANNEL, "user_id": USER_ID, "chat_id": USER_ID}
        if text.isdigit() and 1 <= int(text) <= len(self.buttons):
            button = self.buttons[int(text) - 1]
            return Inbound(kind=InboundKind.BUTTON, data=button.data, **common)
        kind = InboundKind.COMMAND if text.startswith("/") else InboundKind.TEXT
        return Inbound(kind=kind, text=text, **common)

    async def send_replies(self, inbound: Inbound, replies: list[Outbound]) -> None:
        """Print the core's answer to one typed line."""
        self.show(replies)

    async def deliver(self, chat_id: str, reply: Reply) -> str | None:
        """Show a message the bot sends on its own (a reminder, an announcement)."""
        if chat_id == USER_ID:
            self.show([reply])
        self.shown += 1
        return str(self.shown)

    async def edit(self, chat_id: str, message_id: str, text: str, buttons: Buttons = ()) -> None:
        """Show the new text of an updated message (a progress line) again."""
        if chat_id == USER_ID:
            self.show([Reply(text, buttons)])

    def start_link(self, payload: str) -> str | None:
        """The terminal has no links."""
        return None

    def show(self, replies: list[Outbound]) -> None:
        """Print the core's replies; a notice as a line in brackets, buttons as numbers."""
        for reply in replies:
            if isinstance(reply, Notice) and reply.text:
                self.write(f"({reply.text})")
            elif isinstance(reply, Reply):
                self.write(plain_text(reply.text))
                if reply.attachment is not None:
                    self.write(f"[{reply.attachment.filename}, "
                               f"{len(reply.attachment.content)} bytes]")
                buttons = [b for row in reply.buttons for b in row]
                if buttons:
                    self._show_buttons(buttons)
                self.write()

    def _show_buttons(self, buttons: list[Button]) -> None:
        self.buttons = [b for b in buttons if b.data]
        for number, button in enumerate(self.buttons, start=1):
            self.write(f"  [{number}] {button.label}")
        for button in buttons:
            if button.url:
                self.write(f"  {button.label}: {button.url}")

    async def run(self, stop: asyncio.Event | None = None) -> None:
        """Chat until end of input or until `stop` is set."""
        stop = stop or asyncio.Event()
        lines: asyncio.Queue[str | None] = asyncio.Queue()
        loop = asyncio.get_running_loop()

        def read() -> None:  # a daemon thread, so a blocked read never holds up the exit
            for line in self.stdin:
                loop.call_soon_threadsafe(lines.put_nowait, line)
            loop.call_soon_threadsafe(lines.put_nowait, None)

        threading.Thread(target=read, name="terminal-input", daemon=True).start()
        while not stop.is_set():
            getter = asyncio.ensure_future(lines.get())
            stopper = asyncio.ensure_future(stop.wait())
            done, _pending = await asyncio.wait({getter, stopper},
                                                return_when=asyncio.FIRST_COMPLETED)
            stopper.cancel()
            if getter not in done:
                getter.cancel()
                break
            line = getter.result()
            if line is None:
                break
            if not line.strip():
                continue
            if self.echo:
                self.write(f"> {line.rstrip()}")
            await self.core.converse(self, self.to_inbound(line))
