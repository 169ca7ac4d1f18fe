"""Staff actions: what staff do to sessions, seats, attendance, announcements and interest lists.

One function per action, called alike by the chat's staff tools (bot/features/) and the staff web
page (handlers/staff_web/). Each takes the core, the staff member acting (`Actor`) and `now`; it
checks the rule again, makes the change in storage, queues the notices to the owners concerned
(bot/notices.py), reschedules what follows from it (reminders, broadcast jobs), writes the audit
entry under the actor's identity, and returns a frozen result that the caller renders. Nothing
here renders text for people: the chat and the web page each say it their own way.

Actions import no feature and no channel edge; features and the web page import actions.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from bot.storage.web import StaffId

if TYPE_CHECKING:
    from bot.core import Core

# A staff member as the chat knows them (channel, user id, public address): who acted.
Actor = StaffId


async def audit(core: Core, actor: Actor, now: datetime, action: str,
                audience: int | None = None, **detail: Any) -> None:
    """Record a staff action in the one audit log: who, what, when, how many owners it reaches."""
    await core.db.staff.audit(actor.channel, actor.user_id, action, detail, audience, now)
