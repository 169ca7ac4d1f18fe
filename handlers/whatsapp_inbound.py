"""WhatsApp messages (as pywa parses them) into what the core understands.

pywa's types are read by their attributes only (its enums are strings), so this module needs no
import of pywa: the edge (`handlers/whatsapp.py`) stays the only one. A poster's wa.me link
prefills a text ending in "(kode: <source>)"; an owner who sends it starts with that source, as
"/start <source>" does on Telegram.
"""

from __future__ import annotations

import re
from typing import Any

from bot.channel import Inbound, InboundKind
from bot.markup import from_whatsapp

CHANNEL = "whatsapp"
POSTER_CODE = re.compile(r"\((?:kode|code)\s*:\s*([A-Za-z0-9_-]{1,64})\)\s*$", re.IGNORECASE)


def poster_source(text: str) -> str | None:
    """The source of a poster's prefilled text ("… (kode: poster-batik)"), if it is one."""
    match = POSTER_CODE.search(text)
    return match.group(1) if match else None


def digits(number: str | None) -> str:
    """Only the digits of a phone number."""
    return re.sub(r"\D", "", number or "")


_MEDIA_KINDS = {"image": "photo", "video": "video",
                "document": "document", "sticker": "sticker",
                "reaction": "reaction"}


def to_inbound(msg: Any) -> Inbound | None:
    """Translate a pywa message into what the core understands (None: nothing to answer)."""
    user = msg.from_user
    common: dict[str, Any] = {"channel": CHANNEL, "user_id": user.bsuid, "chat_id": user.bsuid,
                              "address": user.wa_id or "", "language_code": None,
                              "private": msg.chat.type != "GROUP"}
    if msg.type == "text":
        text = msg.text or ""
        source = poster_source(text)
        if source is not None:
            return Inbound(kind=InboundKind.COMMAND, text=f"/start {source}", **common)
        kind = InboundKind.COMMAND if text.lstrip().startswith("/") else InboundKind.TEXT
        return Inbound(kind=kind, text=text.strip() if kind == InboundKind.COMMAND else text,
                       html=from_whatsapp(text), **common)
    if msg.type == "location":
        return Inbound(kind=InboundKind.LOCATION, **common)
    if msg.type == "contacts" and msg.contacts:
        phones = [p for c in msg.contacts for p in (c.phones or ())]
        phone = digits(phones[0].wa_id or phones[0].phone) if phones else ""
        return Inbound(kind=InboundKind.CONTACT, phone=phone,
                       own_contact=bool(phone) and phone == digits(user.wa_id), **common)
    if msg.type == "reaction" and msg.reaction is not None and msg.reaction.is_removed:
        return None  # taking a reaction back says nothing
    media = _MEDIA_KINDS.get(msg.type, "unsupported")
    if msg.type == "audio":
        media = "voice" if msg.voice is not None else "audio"
    file_ref = msg.media.id if msg.media is not None and media in ("photo", "document") else ""
    caption = msg.caption or ""
    return Inbound(kind=InboundKind.MEDIA, media=media, text=caption,
                   html=from_whatsapp(caption), file_ref=file_ref, **common)


def press_inbound(update: Any) -> Inbound:
    """A reply button or list row pressed, for the core."""
    user = update.from_user
    context = update.reply_to_message
    return Inbound(channel=CHANNEL, user_id=user.bsuid, chat_id=user.bsuid,
                   address=user.wa_id or "", kind=InboundKind.BUTTON, data=str(update.data),
                   message_id=context.id if context else None, language_code=None)
