"""On the day, staff mark who came: one press per registrant, ✅ came or ❌ did not come.

The funnel (/rekap) and the export count it. Every button carries the ids it acts on and is
checked again when pressed; the buttons answer staff only.
"""

from __future__ import annotations

from bot.actions import attendance
from bot.channel import Button
from bot.core import Context, Router, esc
from bot.session_rules import can_mark
from bot.storage.sessions import Session
from bot.views import page_of, pager, person_label

PREFIX = "stcame"


def register(router: Router) -> None:
    """Wire the attendance buttons (reached from a session's staff view)."""
    router.button(PREFIX, on_button, staff=True)


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
                    f"{PREFIX}:here:{session.id}:{p.owner_id}:{0 if p.present else 1}:{page}")]
            for p in shown]
    paging = pager(tr, len(seated), page, f"{PREFIX}:mark:{session.id}")
    rows += [paging] if paging else []
    if len(seated) > came + absent:
        rows.append([Button(_("❌ The rest: absent"), f"{PREFIX}:rest:{session.id}")])
    rows.append([Button(_("⬅️ Back"), f"stses:show:{session.id}")])
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


async def on_button(ctx: Context, rest: str) -> None:
    """stcame:mark:<session>[:<page>], stcame:here:<session>:<owner>:<present>:<page>,
    stcame:rest:<session>."""
    _ = ctx.tr.gettext
    action, *parts = rest.split(":")
    numbers = [int(p) for p in parts] if all(p.isdigit() and len(p) < 10 for p in parts) \
        else []
    session = await ctx.db.sessions.get(numbers[0]) \
        if numbers and action in ("mark", "here", "rest") else None
    if session is None:
        ctx.stale_button()
        return
    args = numbers[1:]
    if not can_mark(session.status, session.starts_at, ctx.now):
        ctx.notice(_("Attendance can be marked from the day before the session."), alert=True)
    elif action == "mark":
        text, rows = await attendance_view(ctx, session, args[0] if args else 0)
        ctx.reply(text, rows)
    elif action == "rest":
        await mark_rest(ctx, session)
    elif len(args) == 3 and args[1] in (0, 1):
        await mark(ctx, session, args[0], bool(args[1]), args[2])
    else:
        ctx.notice(_("This button no longer works."))
