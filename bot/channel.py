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


def split_text(text: str, limit: int = 4096) -> list[str]:
    """Split reply text into pieces of at most `limit` characters, at line ends when possible.

    Replies keep every HTML tag within one line, so a cut at a line end never breaks a tag.
    """
    pieces: list[str] = []
    current = ""
    for line in text.split("\n"):
        while len(line) > limit:  # a single over-long line: cut it outside of tags
            cut = limit
            open_at = line.rfind("<", 0, cut)
            if open_at > line.rfind(">", 0, cut):
                cut = open_at or limit
            if current:
                pieces.append(current)
                current = ""
            pieces.append(line[:cut])
            line = line[cut:]
        candidate = f"{current}\n{line}" if current else line
        if len(candidate) > limit:
            pieces.append(current)
            current = line
        else:
            current = candidate
    if current or not pieces:
        pieces.append(current)
    return pieces
