"""The contract between the conversation core and a channel (Telegram, WhatsApp, the terminal).

A channel turns whatever its messenger delivers into an `Inbound` and hands it to the core with
`Core.converse`; the core answers with complete messages (`Reply`), and the channel turns them into
its messenger's calls within the limits it declares (`Capabilities`). The core never counts on an
edit or a pop-up to deliver content: `Reply.replace` only *allows* a channel that can edit to put
the message in place of the pressed one, `Tidy` is cosmetic, and a `Notice` becomes text where
there are no pop-ups. Reply text is a small subset of HTML (<b>, <i>, <a href>, <code>) with every
piece of user text escaped; each channel converts it (`plain_text` for channels without markup).
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol


class InboundKind(StrEnum):
    """What the person sent."""

    TEXT = "text"
    COMMAND = "command"
    BUTTON = "button"
    CONTACT = "contact"
    LOCATION = "location"
    MEDIA = "media"  # photo, sticker, voice, video, document, reaction, …
    EDITED = "edited"  # an earlier message was edited
    BLOCKED = "blocked"  # the person blocked the bot
    UNBLOCKED = "unblocked"


@dataclass(frozen=True)
class Inbound:
    """One thing a person did, as the core sees it."""

    channel: str
    user_id: str  # stable id of the person on the channel
    chat_id: str  # where replies go
    kind: InboundKind
    text: str = ""  # the text, or the whole command line ("/start poster-batik")
    html: str = ""  # the same text with its formatting (bold, italic, links) as reply HTML
    data: str = ""  # button data
    phone: str = ""  # a shared contact's number
    own_contact: bool = True  # the shared contact is the sender's own
    media: str = ""  # which kind of media ("photo", "sticker", …)
    file_ref: str = ""  # the channel's id of an attached photo or document, to send it on
    language_code: str | None = None
    private: bool = True
    message_id: str | None = None  # the message a pressed button belongs to
    # The person's public address where the channel knows it (WhatsApp: the phone number).
    # It names staff ("whatsapp:<number>") and answers the phone question; never logged.
    address: str = ""


@dataclass(frozen=True)
class Button:
    """A button: pressing it sends `data` back; a `url` button opens a link.

    `label` is at most 20 characters (WhatsApp's limit); `description` is a longer meaning that a
    channel may show beside it (WhatsApp's list rows).
    """

    label: str
    data: str = ""
    url: str = ""
    description: str = ""


Buttons = tuple[tuple[Button, ...], ...]


@dataclass(frozen=True)
class Attachment:
    """A file sent with a reply.

    `media_id` names a file stored once in the database (an upload from the staff web page):
    the edge sends it through `bot.media.Uploads`, which uploads it on the first message and
    sends this channel's own id of it (`ref`) to everyone after.
    """

    filename: str
    content: bytes = b""
    kind: str = "document"  # or "photo"
    ref: str = ""  # a file the channel already has (sent again by reference, not uploaded)
    media_id: int = 0  # a stored file (db.media), 0 when none
    mime: str = ""  # the content's type, where known ("image/jpeg")


@dataclass(frozen=True)
class Reply:
    """A complete message to the person's chat.

    `replace`: it may take the place of the message whose button was pressed (a channel that can
    edit edits it, and sends it new if the edit is refused; others send it new).
    """

    text: str
    buttons: Buttons = ()
    ask_contact: str = ""  # label of a "share my phone number" key, where the channel has one
    remove_keyboard: bool = False  # take away an earlier share-my-number key
    attachment: Attachment | None = None
    replace: bool = False


@dataclass(frozen=True)
class Tidy:
    """A cosmetic change of the pressed message (new or no buttons); never content.

    Channels that cannot edit ignore it, so nothing may depend on it being seen.
    """

    buttons: Buttons = ()


@dataclass(frozen=True)
class Notice:
    """A short answer to a button press: a pop-up where the channel has them, else a text line."""

    text: str
    alert: bool = False


Outbound = Reply | Tidy | Notice


def esc(value: object) -> str:
    """Escape any owner- or staff-provided text before it goes into reply HTML."""
    return html.escape(str(value), quote=False)


def rows(buttons: Sequence[Sequence[Button]]) -> Buttons:
    """Buttons as the immutable rows a message carries."""
    return tuple(tuple(row) for row in buttons)


@dataclass(frozen=True)
class Capabilities:
    """What a channel can show, so its edge (and the contract tests) keep within it."""

    edit: bool  # can change a message already sent
    popups: bool  # answers a button press with a pop-up
    reply_buttons: int  # buttons shown as buttons under one message
    list_rows: int  # rows of one list message (0: no lists)
    label_chars: int  # a button label's limit
    text_chars: int  # one message's limit
    markup: str  # "html", "whatsapp" or "plain"
    knows_phone: bool  # the channel tells the person's phone number
    contact_button: bool  # has a share-my-number key


class Channel(Protocol):
    """A messenger's edge, as the core and the sender use it."""

    name: str
    capabilities: Capabilities

    async def send_replies(self, inbound: Inbound, replies: list[Outbound]) -> None:
        """Answer one inbound with the core's replies. Raises DeliveryError."""

    async def deliver(self, chat_id: str, reply: Reply) -> str | None:
        """Send one message on the bot's own initiative; return its id. Raises DeliveryError."""

    async def edit(self, chat_id: str, message_id: str, text: str, buttons: Buttons = ()) -> None:
        """Change a message sent earlier (only where `capabilities.edit`). Raises DeliveryError."""

    def start_link(self, payload: str) -> str | None:
        """A link that opens a chat with the bot carrying `payload` (a deep link), if any."""


_TAG = re.compile(r"<a\s+href=\"([^\"]*)\">(.*?)</a>|<[^>]+>", re.DOTALL)


def plain_text(text: str) -> str:
    """Turn reply HTML into plain text: tags dropped, links shown with their address."""

    def replace(match: re.Match[str]) -> str:
        if match.group(1) is not None:
            label, url = match.group(2), html.unescape(match.group(1))
            return label if html.unescape(label) == url else f"{label} ({url})"
        return ""

    return html.unescape(_TAG.sub(replace, text))


_TOKEN = re.compile(r"<(/?)([a-zA-Z]+)[^>]*>|&[#a-zA-Z0-9]+;|[^<&]+|[<&]")


def _split_line(line: str, limit: int) -> list[str]:
    """Cut one over-long line of reply HTML; tags open at a cut are closed and reopened."""
    pieces: list[str] = []
    current = ""
    stack: list[tuple[str, str]] = []  # (name, opening tag) of the elements open at `current`

    def closing() -> str:
        return "".join(f"</{name}>" for name, _ in reversed(stack))

    def flush() -> None:
        nonlocal current
        pieces.append(current + closing())
        current = "".join(tag for _, tag in stack)

    for match in _TOKEN.finditer(line):
        token = match.group(0)
        if match.group(2):  # a tag: kept whole
            if len(current) + len(token) + len(closing()) > limit:
                flush()
            current += token
            if match.group(1):
                if stack and stack[-1][0] == match.group(2).lower():
                    stack.pop()
            else:
                stack.append((match.group(2).lower(), token))
            continue
        atomic = token.startswith("&")
        while token:
            room = limit - len(current) - len(closing())
            if len(token) <= room:
                current += token
                break
            if atomic or room <= 0:
                flush()
                if atomic:
                    current += token
                    break
                continue
            cut = token.rfind(" ", 0, room) + 1 or room  # prefer a space
            current += token[:cut]
            token = token[cut:]
            flush()
    if current:
        pieces.append(current + closing())
    return pieces


def split_text(text: str, limit: int = 4096) -> list[str]:
    """Split reply text into pieces of at most `limit` characters, at line ends when possible.

    A line longer than the limit is cut at a space; any tag open at the cut is closed there and
    opened again in the next piece, so every piece is valid HTML on its own.
    """
    if len(text) <= limit:
        return [text]
    pieces: list[str] = []
    current = ""
    for line in text.split("\n"):
        if len(line) > limit:
            if current:
                pieces.append(current)
                current = ""
            *whole, line = _split_line(line, limit)
            pieces += whole
        candidate = f"{current}\n{line}" if current else line
        if len(candidate) > limit:
            pieces.append(current)
            current = line
        else:
            current = candidate
    if current or not pieces:
        pieces.append(current)
    return pieces
