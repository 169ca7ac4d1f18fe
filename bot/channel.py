"""The contract between the conversation core and a channel (Telegram, the terminal, WhatsApp).

A channel turns whatever its messenger delivers into an `Inbound`, hands it to the core, and
turns the core's replies (`Reply`, `Edit`, `Notice`) into its messenger's calls. Reply text is a
small subset of HTML (<b>, <i>, <a href>, <code>) with every piece of user text escaped; a
channel without HTML turns it into plain text with `plain_text`.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from enum import StrEnum


class Kind(StrEnum):
    """What the owner sent."""

    TEXT = "text"
    COMMAND = "command"
    BUTTON = "button"
    CONTACT = "contact"
    LOCATION = "location"
    MEDIA = "media"  # photo, sticker, voice, video, document, …
    EDITED = "edited"  # an earlier message was edited
    BLOCKED = "blocked"  # the owner blocked the bot
    UNBLOCKED = "unblocked"


@dataclass(frozen=True)
class Inbound:
    """One thing an owner did, as the core sees it."""

    channel: str
    user_id: str
    chat_id: str
    kind: Kind
    text: str = ""  # the text, or the whole command line ("/start poster-batik")
    html: str = ""  # the same text with its formatting (bold, italic, links) as reply HTML
    data: str = ""  # button data
    phone: str = ""  # a shared contact's number
    own_contact: bool = True  # the shared contact is the sender's own
    media: str = ""  # which kind of media ("photo", "sticker", …)
    file_ref: str = ""  # the channel's id of an attached photo or document, to send it on
    language_code: str | None = None
    private: bool = True
    message_id: int | None = None  # the message a pressed button belongs to


@dataclass(frozen=True)
class Button:
    """A button under a message: pressing it sends `data` back; a `url` button opens a link."""

    label: str
    data: str = ""
    url: str = ""


@dataclass(frozen=True)
class Attachment:
    """A file sent with a reply."""

    filename: str
    content: bytes = b""
    kind: str = "document"  # or "photo"
    ref: str = ""  # a file the channel already has (sent again by reference, not uploaded)


@dataclass(frozen=True)
class Reply:
    """A new message to the owner's chat."""

    text: str
    buttons: tuple[tuple[Button, ...], ...] = ()
    contact_button: str = ""  # label of a "share my phone number" keyboard button
    remove_keyboard: bool = False  # take away an earlier contact keyboard
    attachment: Attachment | None = None


@dataclass(frozen=True)
class Edit:
    """Change the message whose button was pressed: new text (or keep it), new buttons."""

    text: str | None = None
    buttons: tuple[tuple[Button, ...], ...] = ()


@dataclass(frozen=True)
class Notice:
    """A short pop-up answer to a button press."""

    text: str
    alert: bool = False


Outbound = Reply | Edit | Notice


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
