"""How one core reply becomes WhatsApp messages that Meta accepts (pure; no pywa, no I/O).

Meta's limits: at most 3 reply buttons with titles of 20 characters, or one list of at most 10
rows (row title 24, description 72) behind a button of 20; an interactive body of 1024, a text of
4096, header and footer 60; titles unique within a message. So:

- up to 3 choices whose labels fit 20 characters are reply buttons;
- otherwise up to 10 choices are a list: a label longer than a row title is shortened at a word
  and shown whole in the row's description (with the button's own description, if any);
- more than 10 are pages of a list: 9 rows and a "more" row whose later page is kept
  (`Page`) and sent when it is pressed;
- link buttons become "label: URL" lines of the text (WhatsApp shows no anchor text);
- a text over 4096 is split at lines; an interactive body over 1024 goes first as text and the
  choices follow with the last lines as their body.
"""

from __future__ import annotations

import html
import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from bot.channel import Attachment, Button, split_text
from bot.markup import to_whatsapp

TEXT_CHARS = 4096
BODY_CHARS = 1024
CAPTION_CHARS = 1024
BUTTON_CHARS = 20
ROW_CHARS = 24
DESCRIPTION_CHARS = 72
REPLY_BUTTONS = 3
LIST_ROWS = 10
MORE = "wa.more:"  # data of a "more" row (the edge's own, never the core's: no ":" prefix clash)
EMPTY_BODY = "⬇️"  # Meta refuses an interactive message without a body


@dataclass(frozen=True)
class Choice:
    """One reply button or list row: what it sends back, what it shows."""

    id: str
    title: str
    description: str = ""


@dataclass(frozen=True)
class Text:
    """A text message."""

    body: str


@dataclass(frozen=True)
class Buttons:
    """A message with up to 3 reply buttons."""

    body: str
    choices: tuple[Choice, ...]


@dataclass(frozen=True)
class ChoiceList:
    """A list message: a button that opens up to 10 rows."""

    body: str
    button: str
    choices: tuple[Choice, ...]


@dataclass(frozen=True)
class Media:
    """An image or a document, uploaded (content) or already on WhatsApp (ref: a media id)."""

    kind: str  # "image" | "document"
    filename: str
    content: bytes = b""
    ref: str = ""
    caption: str = ""


@dataclass(frozen=True)
class Page:
    """Choices of a later page of a long list, kept until its "more" row is pressed."""

    token: str
    body: str
    buttons: tuple[tuple[str, str, str], ...]  # (label, data, description)


Message = Text | Buttons | ChoiceList | Media


@dataclass(frozen=True)
class Wording:
    """The few words the edge adds itself, in the owner's language."""

    list_button: str = "Choose"
    more: str = "More choices"


def shorten(text: str, limit: int) -> str:
    """`text` within `limit` characters, cut at a word (never inside one) and marked "…"."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text.rfind(" ", 0, limit)
    if cut <= 0:  # a single word longer than the limit: nothing better than a cut
        return text[: limit - 1] + "…"
    return text[:cut].rstrip(" ,;:-–(/") + "…"


def unique(titles: Sequence[str], limit: int) -> list[str]:
    """Make equal titles differ ("Ya", "Ya 2"), still within `limit`."""
    seen: dict[str, int] = {}
    out = []
    for title in titles:
        key = title.casefold()
        if key not in seen:
            seen[key] = 1
            out.append(title)
            continue
        seen[key] += 1
        suffix = f" {seen[key]}"
        out.append(shorten(title, limit - len(suffix)) + suffix)
    return out


def _rows(buttons: Sequence[Button]) -> list[Choice]:
    titles = unique([shorten(b.label, ROW_CHARS) for b in buttons], ROW_CHARS)
    rows = []
    for button, title in zip(buttons, titles, strict=True):
        description = button.description
        label = " ".join(button.label.split())
        if title != label:  # shortened: the whole label is read in the description
            description = f"{label} — {description}" if description else label
        rows.append(Choice(button.data, title, shorten(description, DESCRIPTION_CHARS)))
    return rows


def _split_body(text: str) -> tuple[list[str], str]:
    """(texts to send first, body of the interactive message) for reply HTML `text`."""
    lines = text.split("\n")
    tail: list[str] = []
    while lines and len("\n".join([lines[-1], *tail])) <= BODY_CHARS:
        tail.insert(0, lines.pop())
    if not tail and lines:  # the last line alone is too long for a body
        *rest, last = split_text(lines.pop(), BODY_CHARS)
        lines += rest
        tail = [last]
    head = "\n".join(lines).strip("\n")
    return (split_text(head, TEXT_CHARS) if head else []), "\n".join(tail).strip("\n")


def _media(attachment: Attachment) -> Media:
    kind = "image" if attachment.kind == "photo" else "document"
    return Media(kind, attachment.filename, attachment.content, attachment.ref)


def choices_of(buttons: Sequence[Sequence[Button]]) -> list[Button]:
    """The buttons that send something back (reply buttons or list rows); links are text."""
    return [b for row in buttons for b in row if not b.url and b.data]


def plan(text: str, buttons: Sequence[Sequence[Button]] = (), *,
         attachment: Attachment | None = None, wording: Wording = Wording(),
         token: Callable[[], str] = lambda: secrets.token_urlsafe(9),
         ) -> tuple[list[Message], list[Page]]:
    """The WhatsApp messages for one reply (reply HTML and buttons), and any later pages."""
    flat = [b for row in buttons for b in row]
    choices = choices_of(buttons)
    links = [f"{html.escape(b.label, quote=False)}: {html.escape(b.url, quote=False)}"
             for b in flat if b.url]
    if links:
        text = "\n".join([text, *links]) if text else "\n".join(links)
    out: list[Message] = []
    pages: list[Page] = []
    if attachment is not None:
        media = _media(attachment)
        if not choices and text and len(to_whatsapp(text)) <= CAPTION_CHARS:
            return [Media(media.kind, media.filename, media.content, media.ref,
                          to_whatsapp(text))], []
        out.append(media)
    if not choices:
        out += [Text(to_whatsapp(piece)) for piece in split_text(text, TEXT_CHARS) if piece]
        return out, pages
    first, body = _split_body(text)
    out += [Text(to_whatsapp(piece)) for piece in first if piece.strip()]
    body = to_whatsapp(body) or EMPTY_BODY
    labels = [" ".join(b.label.split()) for b in choices]
    if len(choices) <= REPLY_BUTTONS and all(len(label) <= BUTTON_CHARS for label in labels):
        titles = unique(labels, BUTTON_CHARS)
        out.append(Buttons(body, tuple(Choice(b.data, t) for b, t in
                                       zip(choices, titles, strict=True))))
        return out, pages
    shown: Sequence[Button] = choices
    if len(choices) > LIST_ROWS:
        shown = choices[: LIST_ROWS - 1]
        page = Page(token(), shorten(body.split("\n")[-1], BODY_CHARS),
                    tuple((b.label, b.data, b.description)
                          for b in choices[LIST_ROWS - 1:]))
        pages.append(page)
    rows = _rows(shown)
    if pages:
        titles = unique([*(r.title for r in rows), shorten(wording.more, ROW_CHARS)], ROW_CHARS)
        rows.append(Choice(MORE + pages[0].token, titles[-1]))
    out.append(ChoiceList(body, shorten(wording.list_button, BUTTON_CHARS), tuple(rows)))
    return out, pages


def page_buttons(page: tuple[tuple[str, str, str], ...] | list[tuple[str, str, str]]
                 ) -> list[list[Button]]:
    """The kept choices of a page, as core buttons again (to plan the next page)."""
    return [[Button(label, data, description=description)] for label, data, description in page]
