"""An owner's seats follow their answers: when changed answers no longer qualify, the summary
says which seat (or place on a waiting list) sending them gives up, and once they are sent it
is given up; an owner who erases their data gives theirs up first. The waiting list moves up,
and whoever gets the seat is told (through the outbox).
"""

from __future__ import annotations

import logging

from bot import notices
from bot.core import Context, Router, esc
from bot.eligibility import Result
from bot.i18n import Translator
from bot.session_rules import ACTIVE
from bot.storage.registrations import Registration
from bot.storage.sessions import Session

log = logging.getLogger(__name__)


def register(router: Router) -> None:
    """Wire the hooks: before an erasure, in the summary, after a result."""
    router.before_delete.append(free_seats)
    router.summary_notes.append(seat_notes)
    router.after_result.append(release_seats)


async def free_seats(ctx: Context) -> list[tuple[Session, Registration]]:
    """Give the owner's seats and waiting-list places up (before they are erased, or when their
    answers no longer qualify); the waiting lists move up. Returns what was given up."""
    owner = ctx.owner
    if owner is None:
        return []
    given_up = []
    for session, registration in await ctx.db.registrations.of_owner(owner.id,
                                                                ("registered", "waiting")):
        freed = await ctx.db.registrations.withdraw(session.id, owner.id, ctx.now)
        await notices.notify_promoted(ctx.core, session.id, freed.promoted, ctx.now)
        if freed.was is not None:
            given_up.append((session, registration))
    return given_up


async def _held(ctx: Context) -> list[tuple[Session, Registration]]:
    owner = ctx.owner
    if owner is None:
        return []
    return [(s, r) for s, r in await ctx.db.registrations.of_owner(owner.id,
                                                                   ("registered", "waiting"))
            if s.status in ACTIVE and s.starts_at > ctx.now]


def _held_line(tr: Translator, session: Session, registration: Registration) -> str:
    if registration.status == "registered":
        return tr.gettext("your seat in <b>{title}</b>").format(title=esc(session.title))
    return tr.gettext("your place on the waiting list of <b>{title}</b>").format(
        title=esc(session.title))


async def seat_notes(ctx: Context, result: Result) -> list[str]:
    """Before answers that no longer qualify are sent: the seat (or waiting-list place) the
    owner would give up, said in the summary."""
    if result.eligible:
        return []
    held = await _held(ctx)
    if not held:
        return []
    _ = ctx.tr.gettext
    return [_("⚠️ With these answers your business no longer meets every requirement. If you "
              "submit them, {what} is given to the next person on the waiting list.").format(
        what=", ".join(_held_line(ctx.tr, s, r) for s, r in held))]


async def release_seats(ctx: Context, result: Result) -> list[str]:
    """After answers that do not qualify are sent: give up the owner's seats; say so."""
    if result.eligible or not await _held(ctx):
        return []
    given_up = await free_seats(ctx)
    log.info("owner %d no longer qualifies: %d sign-up(s) given up", ctx.owner.id if ctx.owner
             else 0, len(given_up))
    _ = ctx.tr.gettext
    return [_("Freed for the next person on the waiting list: {what}.").format(
        what=", ".join(_held_line(ctx.tr, s, r) for s, r in given_up))] if given_up else []
