"""The yearly interest lists: open, close, and invite last year's interested owners and those
not yet eligible, through the one rate-limited sender; and how the invitations went."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from bot.actions import Actor, audit
from bot.storage.outbox import PRIORITY_BULK

if TYPE_CHECKING:
    from bot.core import Core

KIND = "invitation"  # the outbox kind of the invitations


def invitation_ref(year: int) -> str:
    """The outbox ref of a year's invitations (one per owner, ever)."""
    return f"invite:{year}"


@dataclass(frozen=True)
class Invited:
    """What inviting did: `outcome` "queued" (`count` new invitations) or "not_open"."""

    outcome: str
    count: int = 0


@dataclass(frozen=True)
class Invitations:
    """How a year's invitations went."""

    sent: int = 0
    waiting: int = 0  # still to send
    unreached: int = 0  # blocked the bot, or failed
    skipped: int = 0  # joined meanwhile, or the list closed before it went

    @property
    def total(self) -> int:
        """Every invitation queued for the year."""
        return self.sent + self.waiting + self.unreached + self.skipped


async def open_list(core: Core, actor: Actor, now: datetime, year: int) -> bool:
    """Open a year's list (again); False when it was open already."""
    changed = await core.db.interest.open(year, now)
    if changed:
        await audit(core, actor, now, "interest.open", year=year)
    return changed


async def close_list(core: Core, actor: Actor, now: datetime, year: int) -> bool:
    """Close a year's list: its members stay, nobody new joins; False when it was not open."""
    changed = await core.db.interest.close(year, now)
    if changed:
        await audit(core, actor, now, "interest.close", year=year)
    return changed


async def invitable(core: Core, year: int) -> int:
    """How many owners an invitation to `year`'s list would reach now."""
    return await core.db.interest.count_to_invite(year)


async def invite(core: Core, actor: Actor, now: datetime, year: int) -> Invited:
    """Invite last year's interested and the not yet eligible (nobody twice) to an open list."""
    found = await core.db.interest.get(year)
    if found is None or not found.is_open:
        return Invited("not_open")
    sql, params = core.db.interest.invited_sql(year)
    queued = await core.db.outbox.enqueue_owners(KIND, invitation_ref(year), {"year": year},
                                                 sql, params, now, priority=PRIORITY_BULK)
    core.wake_sender()
    await audit(core, actor, now, "interest.invite", audience=queued, year=year)
    return Invited("queued", queued)


async def invitations(core: Core, year: int) -> Invitations:
    """How the invitations to `year`'s list went so far."""
    counts = await core.db.outbox.counts(KIND, invitation_ref(year))
    return Invitations(
        sent=counts.get("sent", 0),
        waiting=counts.get("queued", 0) + counts.get("sending", 0),
        unreached=counts.get("blocked", 0) + counts.get("failed", 0),
        skipped=counts.get("skipped", 0) + counts.get("cancelled", 0))
