"""What an owner holding a seat (or a place on the waiting list) is told, and their answer: a
seat became theirs, the session has a new date, it is cancelled; under each, "I will come" or
"I cannot come" (which asks before the seat is given up, as /batalikut does).

These go through the outbox and the one sender, and are rendered when they are sent, from the
database as it is then and in the reader's language: a notice no longer true is skipped.
"""

from __future__ import annotations

import logging
from datetime import datetime

from bot import notices
from bot.channel import Button, Reply
from bot.core import Context, Core, Router
from bot.i18n import Translator
from bot.owner_buttons import Attend, Menu
from bot.session_rules import ACTIVE, can_choose
from bot.storage import to_db
from bot.storage.outbox import Item
from bot.views import attendance_buttons, session_lines, withdraw_question

log = logging.getLogger(__name__)


def register(router: Router) -> None:
    """Wire the attendance buttons and the notices' renderers."""
    router.button(Attend, on_attend)
    router.renderer("seat", render_seat)
    router.renderer("session_moved", render_moved)
    router.renderer("session_cancelled", render_cancelled)


async def on_attend(ctx: Context, press: Attend) -> None:
    """"I will come" or "I cannot come", under reminders and seat notices; "cannot" asks
    before the seat is given up."""
    _ = ctx.tr.gettext
    session_id = press.session
    owner = ctx.owner
    if owner is None:
        ctx.notice(_("This button no longer works."))
        ctx.tidy()
        return
    session = await ctx.db.sessions.get(session_id)
    registration = await ctx.db.registrations.get(session_id, owner.id)
    if session is None or session.status not in ACTIVE or session.starts_at <= ctx.now:
        ctx.notice(_("This session is no longer open."))
        ctx.tidy()
        return
    if registration is None or registration.status != "registered":
        ctx.notice(_("You do not have a seat in this session."))
        ctx.tidy()
        return
    if press.answer == "no":
        ctx.tidy()
        ctx.reply(*withdraw_question(ctx.tr, session, registration))
        return
    if registration.attendance != "confirmed":
        await ctx.db.registrations.attend(session_id, owner.id, "confirmed", ctx.now)
        log.info("owner %d confirmed attendance of session %d", owner.id, session_id)
    ctx.notice(_("Thank you! Your attendance is confirmed."))
    ctx.tidy(attendance_buttons(ctx.tr, session_id, confirmed=True))
    ctx.reply(_("✅ Thank you! We expect you on {date}.").format(
        date=ctx.tr.datetime(session.starts_at)))


async def render_seat(core: Core, item: Item, tr: Translator) -> Reply | None:
    """"A seat is yours": sent to an owner who moved up from the waiting list."""
    _ = tr.gettext
    found = await notices.seat_of(core, item)
    if found is None:
        return None
    session, registration = found
    if registration.status != "registered" or not can_choose(session.status,
                                                               session.starts_at, core.clock()):
        return None
    return Reply("\n".join([
        _("🎉 Good news: the office has chosen you for a seat! You are now registered for:")
        if item.payload.get("chosen") else
        _("🎉 Good news: a seat became free, and it is yours! You are now registered for:"),
        "", *session_lines(tr, session), "", _("Will you come?"),
    ]), tuple(tuple(row) for row in attendance_buttons(tr, session.id)))


async def render_moved(core: Core, item: Item, tr: Translator) -> Reply | None:
    """"The session has a new date", to its registrants and waiting list."""
    _ = tr.gettext
    found = await notices.seat_of(core, item)
    if found is None:
        return None
    session, registration = found
    if (session.status not in ACTIVE or to_db(session.starts_at) != item.payload.get("new")
            or registration.status == "cancelled"):
        return None  # moved again (a newer notice says so), cancelled, or no longer signed up
    old = datetime.fromisoformat(str(item.payload.get("old")))
    lines = [_("📅 New date for a training session you signed up for:"), "",
             *session_lines(tr, session),
             _("(It was {date}.)").format(date=tr.datetime(old)), ""]
    buttons: list[list[Button]] = []
    if registration.status == "registered":
        lines.append(_("Your seat is kept. Can you come on the new date?"))
        buttons = attendance_buttons(tr, session.id)
    else:
        lines.append(_("You are still number {position} on the waiting list.").format(
            position=tr.number(registration.position or 0)))
    return Reply("\n".join(lines), tuple(tuple(row) for row in buttons))


async def render_cancelled(core: Core, item: Item, tr: Translator) -> Reply | None:
    """"The session is cancelled", to its registrants and waiting list."""
    _ = tr.gettext
    found = await notices.seat_of(core, item)
    if found is None or found[0].status != "cancelled":
        return None
    session = found[0]
    return Reply("\n".join([
        _("❌ We are sorry: this training session is cancelled."), "",
        *session_lines(tr, session), "",
        _("See the other sessions with /schedule. New sessions are announced here."),
    ]), ((Button(_("📅 Training sessions"), Menu("jadwal").pack()),),))
