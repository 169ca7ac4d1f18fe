"""A filled template (`bot.channel.TemplateMessage`) as the components of Meta's template
message: the header's file by its WhatsApp media id, the body's parameters in order, and each
quick reply's payload (what a press sends back, as the same button of the normal message would).
Pure; the edge (`handlers/whatsapp.py`) sends it with pywa.
"""

from __future__ import annotations

from typing import Any

from bot.channel import TemplateMessage


def components(message: TemplateMessage, header_ref: str = "") -> list[dict[str, Any]]:
    """The `components` of a template message; `header_ref` is the header file's media id."""
    out: list[dict[str, Any]] = []
    header = message.header
    if header is not None:
        kind = "image" if header.kind == "photo" else "document"
        media: dict[str, Any] = {"id": header_ref}
        if kind == "document":
            media["filename"] = header.filename
        out.append({"type": "header", "parameters": [{"type": kind, kind: media}]})
    if message.params:
        out.append({"type": "body", "parameters": [{"type": "text", "text": value}
                                                   for value in message.params]})
    for index, payload in enumerate(message.buttons):
        out.append({"type": "button", "sub_type": "quick_reply", "index": str(index),
                    "parameters": [{"type": "payload", "payload": payload}]})
    return out
