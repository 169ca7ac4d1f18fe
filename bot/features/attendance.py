"""On the day, staff mark who came: one press per registrant, ✅ came or ❌ did not come.

The funnel (/rekap) and the export count it. Every button carries the ids it acts on and is
checked again when pressed; the buttons answer staff only.
"""

from __future__ import annotations

from bot.actions import attendance
from bot.channel import Button
from bot.core import Context, Router, esc
from bot.session_rules import can_mark
from bot.staff_buttons import Roll, RollMark, RollRest, SessionAction
from bot.storage.sessions import Session
from bot.views import page_of, pager, person_label


def register(router: Router) -> None:
    """Wire the attendance buttons (reached from a session's staff view)."""
    router.button(Roll, on_roll, staff=True)
    router.button(RollMark, on_mark, staff=True)
    router.button(RollRest, on_rest, staff=True)


def _mark(present: bool | None) -> str:
    return "✅ " if present else "❌ " if present is False else "▫️ "


async def attendance_view(ctx: Context, session: Session,
                          page: int = 0) -> tuple[str, list[list[Button]]]:
    """The registrants by name, each a button that marks them present or absent."""
    _ = ctx.tr.gettext
    tr = ctx.tr
    seated = await attendance.seated(ctx.core, session.id)
    came = sum(1 for p in seated if p.present)
    absent = sum(1 for p in seated if p.present is False)
    lines = [_("<b>Attendance: {title}</b>").format(title=esc(session.title)),
             tr.datetime(session.starts_at), "",
             _("Press a name to mark whether they came: ✅ came, ❌ did not come, ▫️ not marked "
               "yet."),
             _("Came: {came} · did not come: {absent} · not marked: {rest} (of {count} "
               "registered)").format(came=tr.number(came), absent=tr.number(absent),
                                     rest=tr.number(len(seated) - came - absent),
                                     count=tr.number(len(seated)))]
    shown, page = page_of(seated, page)
    rows = [[Button(person_label(tr, p, _mark(p.present)),
                    RollMark(session.id, p.owner_id, not p.present, page).pack())]
            for p in shown]
    paging = pager(tr, len(seated), page, lambda to: Roll(session.id, to))
    rows += [paging] if paging else []
    if len(seated) > came + absent:
        rows.append([Button(_("❌ The rest: absent"), RollRest(session.id).pack())])
    rows.append([Button(_("⬅️ Back"), SessionAction("show", session.id).pack())])
    return "\n".join(lines), rows


async def mark(ctx: Context, session: Session, owner_id: int, present: bool, page: int) -> None:
    """Mark one registrant; the list updates in place."""
    _ = ctx.tr.gettext
    marked = await attendance.mark(ctx.core, ctx.actor, ctx.now, session.id, owner_id, present)
    if marked.outcome == "not_registered":
        ctx.notice(_("That owner no longer holds a seat."))
    text, rows = await attendance_view(ctx, session, page)
    ctx.reply(text, rows, replace=True)


async def mark_rest(ctx: Context, session: Session) -> None:
    """Everyone not marked yet did not come."""
    await attendance.mark_rest(ctx.core, ctx.actor, ctx.now, session.id)
    text, rows = await attendance_view(ctx, session)
    ctx.reply(text, rows, replace=True)


async def _markable(ctx: Context, session_id: int) -> Session | None:
    """The session, when its attendance can be marked now (else the press is answered)."""
    session = await ctx.db.sessions.get(session_id)
    if session is None:
        ctx.stale_button()
        return None
    if not can_mark(session.status, session.starts_at, ctx.now):
        ctx.notice(ctx.tr.gettext("Attendance can be marked from the day before the session."),
                   alert=True)
        return None
    return session


async def on_roll(ctx: Context, press: Roll) -> None:
    """The registrants to mark (a page of them)."""
    session = await _markable(ctx, press.session)
    if session is not None:
        text, rows = await attendance_view(ctx, session, press.page or 0)
        ctx.reply(text, rows)


async def on_mark(ctx: Context, press: RollMark) -> None:
    """One registrant came, or did not."""
    session = await _markable(ctx, press.session)
    if session is not None:
        await mark(ctx, session, press.owner, press.present, press.page)


async def on_rest(ctx: Context, press: RollRest) -> None:
    """Everyone not marked yet did not come."""
    session = await _markable(ctx, press.session)
    if session is not None:
        await mark_rest(ctx, session)
