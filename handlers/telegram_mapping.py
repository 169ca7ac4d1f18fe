"""What the Telegram edge translates: an update into an `Inbound`, the core's buttons into the
Bot API's keyboards, and Telegram's errors into the core's delivery errors (mapped here, once).

Part of the Telegram edge (with `handlers/telegram.py` and `handlers/telegram_publishing.py`,
the only modules that import `telegram`).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import httpx
from telegram import Message, Update
from telegram.constants import ChatMemberStatus
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError, TimedOut

from bot.channel import Button, Capabilities, Inbound, InboundKind, Reply
from bot.delivery import Rejected, RetryLater, Unavailable, UserGone

CHANNEL = "telegram"
CAPTION_LIMIT = 1024
JSONDict = dict[str, Any]
NO_PREVIEW: JSONDict = {"is_disabled": True}
CAPABILITIES = Capabilities(edit=True, popups=True, reply_buttons=100, list_rows=0,
                            label_chars=64, text_chars=4096, markup="html", knows_phone=False,
                            contact_button=True)


def retry_seconds(error: RetryAfter) -> float:
    """The wait Telegram asked for, in seconds."""
    value = error.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


@contextmanager
def mapped_errors() -> Iterator[None]:
    """Turn Telegram's errors into the core's delivery errors (the one place that does it)."""
    try:
        yield
    except RetryAfter as exc:
        raise RetryLater(retry_seconds(exc)) from exc
    except Forbidden as exc:
        raise UserGone(exc.message) from exc
    except BadRequest as exc:  # before NetworkError: BadRequest is a subclass of it
        if "chat not found" in exc.message.lower() or "user is deactivated" in exc.message.lower():
            raise UserGone(exc.message) from exc
        raise Rejected(exc.message) from exc
    except TimedOut as exc:  # before NetworkError, its base: the request may have got through
        sent = not isinstance(exc.__cause__, httpx.ConnectTimeout | httpx.PoolTimeout)
        raise Unavailable(exc.message, maybe_delivered=sent) from exc
    except NetworkError as exc:  # connection errors, 5xx
        raise Unavailable(exc.message) from exc
    except TelegramError as exc:
        raise Unavailable(exc.message) from exc


@dataclass(frozen=True)
class TelegramInbound(Inbound):
    """An `Inbound` with what only this edge needs back: the button press to answer."""

    query_id: str = ""
    pressed_message: int | None = None


def keyboard(rows: Sequence[Sequence[Button]]) -> JSONDict | None:
    """Core buttons as an inline keyboard, in the Bot API's JSON."""
    if not rows:
        return None
    return {"inline_keyboard": [
        [{"text": b.label, "url": b.url} if b.url else {"text": b.label, "callback_data": b.data}
         for b in row]
        for row in rows
    ]}


def reply_markup(reply: Reply) -> JSONDict | None:
    """The keyboard of a new message: inline buttons, a share-my-number key, or none."""
    if reply.ask_contact:
        return {"keyboard": [[{"text": reply.ask_contact, "request_contact": True}]],
                "resize_keyboard": True, "one_time_keyboard": True}
    markup = keyboard(reply.buttons)
    if markup is None and reply.remove_keyboard:
        return {"remove_keyboard": True}
    return markup


def _media_kind(message: Message) -> str:
    try:
        attachment = message.effective_attachment
    except AttributeError:  # pragma: no cover - older library versions
        attachment = None
    if attachment is None:
        return "other"
    if isinstance(attachment, list | tuple):
        return "photo"
    return type(attachment).__name__.lower()


def to_inbound(update: Update) -> TelegramInbound | None:
    """Translate an update into what the core understands (None: nothing to answer)."""
    user = update.effective_user
    chat = update.effective_chat
    if user is None or chat is None or user.is_bot:
        return None
    common = {
        "channel": CHANNEL,
        "user_id": str(user.id),
        "chat_id": str(chat.id),
        "language_code": user.language_code,
        "private": chat.type == chat.PRIVATE,
    }
    if update.callback_query is not None:
        query = update.callback_query
        message_id = query.message.message_id if query.message else None
        return TelegramInbound(kind=InboundKind.BUTTON, data=query.data or "",
                               message_id=None if message_id is None else str(message_id),
                               query_id=query.id, pressed_message=message_id, **common)
    if update.my_chat_member is not None:
        status = update.my_chat_member.new_chat_member.status
        if status in (ChatMemberStatus.BANNED, ChatMemberStatus.LEFT):
            return TelegramInbound(kind=InboundKind.BLOCKED, **common)
        return TelegramInbound(kind=InboundKind.UNBLOCKED, **common)
    if update.edited_message is not None:
        return TelegramInbound(kind=InboundKind.EDITED, text=update.edited_message.text or "",
                               **common)
    message = update.message
    if message is None:
        return None
    if message.text is not None:
        kind = InboundKind.COMMAND if message.text.startswith("/") else InboundKind.TEXT
        return TelegramInbound(kind=kind, text=message.text, html=message.text_html, **common)
    if message.contact is not None:
        return TelegramInbound(kind=InboundKind.CONTACT, phone=message.contact.phone_number,
                               own_contact=message.contact.user_id == user.id, **common)
    if message.location is not None or message.venue is not None:
        return TelegramInbound(kind=InboundKind.LOCATION, **common)
    file_ref = ""
    if message.photo:
        file_ref = message.photo[-1].file_id
    elif message.document is not None:
        file_ref = message.document.file_id
    return TelegramInbound(kind=InboundKind.MEDIA, media=_media_kind(message),
                           text=message.caption or "", html=message.caption_html or "",
                           file_ref=file_ref, **common)
