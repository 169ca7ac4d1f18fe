"""A thin, temporary bridge to the channel contract being landed on main (CONTRACT.md).

The WhatsApp edge is written against the contract's names (`InboundKind`, `Capabilities`,
`Inbound.address`, `core.converse`); until they are on this branch, this module supplies them
from today's `bot.channel` and `Core.handle`. Once the contract is merged, each name here is the
contract's own and this module can go (import from bot.channel / bot.core instead).
"""

from __future__ import annotations

import dataclasses
import logging
from typing import Any

import bot.core as core_module
from bot.channel import Inbound, Reply
from bot.delivery import DeliveryError, UserGone

try:
    from bot.channel import InboundKind  # type: ignore[attr-defined]
except ImportError:  # before the contract
    from bot.channel import Kind as InboundKind

try:
    from bot.channel import Capabilities  # type: ignore[attr-defined]
except ImportError:  # before the contract

    @dataclasses.dataclass(frozen=True)
    class Capabilities:  # type: ignore[no-redef]
        """What a channel can do (the contract's fields)."""

        edit: bool
        popups: bool
        reply_buttons: int
        list_rows: int
        label_chars: int
        text_chars: int
        markup: str
        knows_phone: bool
        contact_button: bool


log = logging.getLogger(__name__)
CAPABILITIES_WHATSAPP = Capabilities(edit=False, popups=False, reply_buttons=3, list_rows=10,
                                     label_chars=20, text_chars=4096, markup="whatsapp",
                                     knows_phone=True, contact_button=False)
_FIELDS = {f.name for f in dataclasses.fields(Inbound)}
__all__ = ["CAPABILITIES_WHATSAPP", "Capabilities", "InboundKind", "converse", "inbound"]


def inbound(**values: Any) -> Inbound:
    """An Inbound from the contract's fields (those today's Inbound lacks are left out)."""
    return Inbound(**{k: v for k, v in values.items() if k in _FIELDS})


async def converse(core: Any, channel: Any, received: Inbound, apology: str) -> None:
    """The core answers one inbound through `channel` (the contract's `core.converse`)."""
    function = getattr(core_module, "converse", None)
    if function is not None:
        await function(channel, received)
        return
    method = getattr(core, "converse", None)
    if method is not None:
        await method(channel, received)
        return
    try:
        replies = await core.handle(received)
        await channel.send_replies(received, replies)
    except UserGone:
        await core.user_gone(received.channel, received.user_id)
    except Exception:
        log.exception("answering a %s inbound failed", received.kind)
        owner = await core.db.owners.find(received.channel, received.user_id)
        tr = core.catalogs.get(owner.language if owner and owner.language
                               else core.config.default_language)
        try:
            await channel.deliver(received.chat_id, Reply(tr.gettext(apology)))
        except DeliveryError:
            log.warning("could not tell the owner about the failure")
