"""Staff run a session's whole life in a guided conversation: create, edit, move, close, reopen,
cancel — one question at a time, each ending with a confirmation — and see who signed up.

The conversation is a staff flow (`router.flow`): its state is in the database, so it survives a
restart, and `/batal` ends it. It works the same in Telegram and in the terminal chat. Every
action is written to the audit log; owners affected by a move or a cancellation are told through
the outbox, and the session's reminders are scheduled again at once.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from bot.actions import sessions
from bot.channel import Button, InboundKind
from bot.core import Context, Router, esc
from bot.i18n import N_
from bot.reminder_policy import plan
from bot.sessions import (
    ACTIVE,
    DEFAULT_CAPACITY,
    STATUS_NAMES,
    can_mark,
    check_capacity,
    check_place,
    check_start,
    check_title,
)
from bot.storage import to_db
from bot.storage.sessions import Session
from bot.validators import Invalid, Outcome, yes_or_no
from bot.views import seat_lines, session_lines

FLOW = "session"
STEPS = {
    "create": ("title", "starts_at", "place", "capacity", "confirm"),
    "edit": ("value", "confirm"),
    "move": ("starts_at", "confirm"),
    "close": ("confirm",),
    "reopen": ("confirm",),
    "cancel": ("confirm",),
}
QUESTIONS = {
    "title": N_("What is the title of the session? For example: Pelatihan Ekspor Oktober 2027"),
    "starts_at": N_("When does it start? Type the date and time in WIB, for example "
                    "6/10/2027 09.00."),
    "place": N_("Where does it take place? Type the address owners should go to."),
    "capacity": N_("How many seats are there? Type a number, or press the button."),
}
EDIT_QUESTIONS = {
    "title": N_("Type the new title."),
    "place": N_("Type the new place."),
    "capacity": N_("Type the new number of seats. More seats move the waiting list up; fewer "
                   "seats take nobody's seat away."),
}
EDIT_LABELS = {"title": N_("Title"), "place": N_("Place"), "capacity": N_("Number of seats")}
EDIT_CONFIRMS = {
    "title": N_("Change the title of <b>{title}</b> to: {value}?"),
    "place": N_("Change the place of <b>{title}</b> to: {value}?"),
    "capacity": N_("Change the number of seats of <b>{title}</b> to {value}?"),
}


def register(router: Router) -> None:
    """Wire /sesi, the staff buttons, the conversation and the staff menu entry."""
    router.command(("sesi", "sessions"), on_sessions, N_("Manage the training sessions"),
                   staff=True)
    router.button("stses", on_button, staff=True)
    router.flow(FLOW, on_flow_input)
    router.staff_menu_entry(staff_menu_button)


async def staff_menu_button(ctx: Context) -> list[Button]:
    """The sessions entry of the staff menu."""
    return [Button(ctx.tr.gettext("📅 Manage sessions"), "m:sesi")]


# ---------------------------------------------------------------- views


async def show_list(ctx: Context) -> None:
    """Every session still to come and those of the last two months, with their seats."""
    _ = ctx.tr.gettext
    tr = ctx.tr
    sessions = await ctx.db.sessions.recent(ctx.now - timedelta(days=60))
    seats = await ctx.db.sessions.seats([s.id for s in sessions])
    lines = [_("<b>Training sessions</b>")]
    if not sessions:
        lines.append(_("There are no sessions yet."))
    for session in sessions:
        counts = seats[session.id]
        lines += ["", f"<b>{esc(session.title)}</b> · {esc(_(STATUS_NAMES[session.status]))}",
                  tr.datetime(session.starts_at),
                  _("{registered} of {capacity} registered · {confirmed} confirmed · "
                    "{cancelled} cancelled · {waiting} waiting").format(
                      registered=tr.number(counts.registered),
                      capacity=tr.number(session.capacity),
                      confirmed=tr.number(counts.confirmed),
                      cancelled=tr.number(counts.cancelled), waiting=tr.number(counts.waiting))]
    rows = [[Button(f"📅 {tr.short_date(session.starts_at)}", f"stses:show:{session.id}",
                    description=session.title[:72])] for session in sessions]
    rows.append([Button(_("➕ New session"), "stses:new")])
    ctx.reply("\n".join(lines), rows)


async def show_session(ctx: Context, session: Session) -> None:
    """One session: details, seats, the reminders still to go, and what staff can do."""
    _ = ctx.tr.gettext
    tr = ctx.tr
    seats = (await ctx.db.sessions.seats([session.id]))[session.id]
    lines = [*session_lines(tr, session),
             _("Status: {status}").format(status=esc(_(STATUS_NAMES[session.status]))), "",
             *seat_lines(tr, session, seats)]
    if session.status in ACTIVE:
        ahead = plan(session.starts_at, ctx.config.reminders.offsets, session.start_set_at,
                     ctx.now).later
        if ahead:
            lines += ["", _("Reminders still to send:")]
            lines += [f"• {tr.datetime(due.at)}" for due in ahead]
    rows = [[Button(_("👥 Who signed up"), f"stseat:people:{session.id}")]]
    if can_mark(session.status, session.starts_at, ctx.now) and seats.registered:
        rows.append([Button(_("📋 Mark who came"), f"stcame:mark:{session.id}")])
    if session.status in ACTIVE:
        rows += [[Button(_("✏️ Edit"), f"stses:edit:{session.id}"),
                  Button(_("🕒 Move"), f"stses:move:{session.id}")]]
        if session.status == "closed":
            rows.append([Button(_("🔓 Open sign-up again"), f"stses:reopen:{session.id}")])
        else:
            rows.append([Button(_("🔒 Close sign-up"), f"stses:close:{session.id}")])
        rows.append([Button(_("❌ Cancel the session"), f"stses:cancel:{session.id}")])
    rows.append([Button(_("⬅️ All sessions"), "stses:list")])
    ctx.reply("\n".join(lines), rows)


# ---------------------------------------------------------------- the conversation


async def start(ctx: Context, action: str, session: Session | None = None,
                **data: Any) -> None:
    """Begin a staff action: save where the conversation is, ask the first question."""
    flow = {"action": action, "session_id": session.id if session else None, "values": {},
            **data}
    step = STEPS[action][0]
    await ctx.save_flow(FLOW, step, flow)
    await ask(ctx, flow, step)


async def ask(ctx: Context, data: dict[str, Any], step: str) -> None:
    """Ask the question of `step` (or show the confirmation)."""
    _ = ctx.tr.gettext
    if step == "confirm":
        await ask_confirmation(ctx, data)
        return
    action = data["action"]
    lines = []
    if action == "create":
        lines.append("<i>" + _("New session · step {number} of {total}").format(
            number=ctx.tr.number(STEPS[action].index(step) + 1),
            total=ctx.tr.number(len(STEPS[action]) - 1)) + "</i>")
    session = await _session(ctx, data)
    buttons: list[list[Button]] = []
    if action == "edit" and session is not None:
        field = data["field"]
        current = getattr(session, field)
        lines.append(_("Now: {value}").format(
            value=ctx.tr.number(current) if field == "capacity" else esc(current)))
        lines.append(_(EDIT_QUESTIONS[field]))
    else:
        if action == "move" and session is not None:
            lines.append(_("Now: {value}").format(value=ctx.tr.datetime(session.starts_at)))
        lines.append(_(QUESTIONS[step]))
    if step == "capacity" or (action == "edit" and data.get("field") == "capacity"):
        buttons.append([Button(ctx.tr.number(DEFAULT_CAPACITY),
                               f"stses:flow:{DEFAULT_CAPACITY}")])
    lines.append("<i>" + _("(Send /cancel to stop.)") + "</i>")
    ctx.reply("\n".join(lines), buttons)


def _check(ctx: Context, step: str, data: dict[str, Any]) -> Callable[[str], Outcome]:
    if step == "starts_at":
        return lambda text: check_start(text, ctx.config.time_zone, ctx.now)
    field = data.get("field") if step == "value" else step
    return {"title": check_title, "place": check_place, "capacity": check_capacity}[field]


async def answer(ctx: Context, text: str) -> None:
    """Take the staff member's answer to the current step."""
    _ = ctx.tr.gettext
    flow = ctx.flow
    assert flow is not None
    data = dict(flow.data)
    if flow.step == "confirm":
        decision = yes_or_no(text)
        if decision is None:
            ctx.reply(_("Please press one of the buttons (or type ya or tidak)."))
            await ask_confirmation(ctx, data)
        elif decision:
            await carry_out(ctx, data)
        else:
            await ctx.end_flow()
            ctx.reply(_("Cancelled. Nothing was changed."))
        return
    outcome = _check(ctx, flow.step, data)(text)
    if isinstance(outcome, Invalid):
        params = {k: ctx.tr.number(v) if isinstance(v, int) else esc(v)
                  for k, v in outcome.params.items()}
        ctx.reply("⚠️ " + _(outcome.reason).format(**params))
        await ask(ctx, data, flow.step)
        return
    value = outcome.value
    key = data.get("field") if flow.step == "value" else flow.step
    data["values"] = {**data.get("values", {}),
                      key: to_db(value) if isinstance(value, datetime) else value}
    steps = STEPS[data["action"]]
    step = steps[steps.index(flow.step) + 1]
    await ctx.save_flow(FLOW, step, data)
    await ask(ctx, data, step)


async def on_flow_input(ctx: Context, _rest: str) -> None:
    """Typed input while a session conversation is in progress."""
    if ctx.inbound.kind != InboundKind.TEXT:
        ctx.reply(ctx.tr.gettext("Please type the answer as text, or send /cancel to stop."))
        assert ctx.flow is not None
        await ask(ctx, dict(ctx.flow.data), ctx.flow.step)
        return
    await answer(ctx, ctx.inbound.text)


async def _session(ctx: Context, data: dict[str, Any]) -> Session | None:
    session_id = data.get("session_id")
    return await ctx.db.sessions.get(session_id) if isinstance(session_id, int) else None


def _start_of(data: dict[str, Any]) -> datetime:
    return datetime.fromisoformat(data["values"]["starts_at"])


async def ask_confirmation(ctx: Context, data: dict[str, Any]) -> None:
    """Show what will happen, with buttons to go ahead or stop."""
    _ = ctx.tr.gettext
    tr = ctx.tr
    action = data["action"]
    values = data.get("values", {})
    session = await _session(ctx, data)
    members = 0
    if session is not None:
        seats = (await ctx.db.sessions.seats([session.id]))[session.id]
        members = seats.registered + seats.waiting
    if action == "create":
        text = "\n".join([
            _("<b>New session</b>"),
            _("Title: {title}").format(title=esc(values["title"])),
            _("Starts: {date}").format(date=tr.datetime(_start_of(data))),
            _("Place: {place}").format(place=esc(values["place"])),
            _("Seats: {count}").format(count=tr.number(values["capacity"])), "",
            _("Create it? Owners can sign up as soon as it exists.")])
        yes = _("✅ Create")
    elif session is None:
        await ctx.end_flow()
        ctx.reply(_("That session no longer exists."))
        return
    elif action == "edit":
        field = data["field"]
        new = values[field]
        shown = tr.number(new) if field == "capacity" else esc(new)
        text = _(EDIT_CONFIRMS[field]).format(title=esc(session.title), value=shown)
        yes = _("✅ Save")
    elif action == "move":
        text = "\n".join([
            _("Move <b>{title}</b>?").format(title=esc(session.title)),
            _("From: {date}").format(date=tr.datetime(session.starts_at)),
            _("To: {date}").format(date=tr.datetime(_start_of(data))), "",
            tr.ngettext("{count} owner (registered or waiting) will be told, and the reminders "
                        "will follow the new time.",
                        "{count} owners (registered or waiting) will be told, and the reminders "
                        "will follow the new time.", members).format(count=tr.number(members))])
        yes = _("✅ Move")
    elif action == "close":
        text = _("Close sign-up for <b>{title}</b>? The session still takes place: registered "
                 "owners keep their seats, and the waiting list still moves up when someone "
                 "cancels.").format(title=esc(session.title))
        yes = _("🔒 Close sign-up")
    elif action == "reopen":
        text = _("Open sign-up again for <b>{title}</b>?").format(title=esc(session.title))
        yes = _("🔓 Open sign-up")
    else:
        text = "\n".join([
            _("Cancel <b>{title}</b> on {date}?").format(title=esc(session.title),
                                                         date=tr.datetime(session.starts_at)),
            tr.ngettext("{count} owner (registered or waiting) will be told, and no reminder "
                        "will be sent. This cannot be undone.",
                        "{count} owners (registered or waiting) will be told, and no reminder "
                        "will be sent. This cannot be undone.", members).format(
                count=tr.number(members))])
        yes = _("❌ Cancel the session")
    ctx.reply(text, [[Button(yes, "stses:flow:yes")], [Button(_("✖ Stop"), "stses:flow:no")]])


async def carry_out(ctx: Context, data: dict[str, Any]) -> None:
    """Do the confirmed action (bot/actions/sessions.py) and show its result."""
    _ = ctx.tr.gettext
    action = data["action"]
    values = data.get("values", {})
    if action == "create":
        created = await sessions.create(
            ctx.core, ctx.actor, ctx.now, title=values["title"], starts_at=_start_of(data),
            place=values["place"], capacity=values["capacity"])
        if created.session is None:  # the moment passed while staff were confirming
            ctx.reply(_("That moment has passed. Please type a date in the future."))
            await ctx.save_flow(FLOW, "starts_at", data)
            await ask(ctx, data, "starts_at")
            return
        await ctx.end_flow()
        ctx.reply(_("✅ The session is created. Owners see it with /schedule."))
        await show_session(ctx, created.session)
        return
    await ctx.end_flow()
    session_id = data.get("session_id")
    if not isinstance(session_id, int):
        ctx.reply(_("This session can no longer be changed (it is cancelled or done)."))
        return
    if action == "edit":
        result = await sessions.edit(ctx.core, ctx.actor, ctx.now, session_id, data["field"],
                                     values[data["field"]])
    elif action == "move":
        result = await sessions.move(ctx.core, ctx.actor, ctx.now, session_id, _start_of(data))
    else:
        act = {"close": sessions.close, "reopen": sessions.reopen, "cancel": sessions.cancel}
        result = await act[action](ctx.core, ctx.actor, ctx.now, session_id)
    if result.outcome == "inactive":
        ctx.reply(_("This session can no longer be changed (it is cancelled or done)."))
        return
    if result.outcome == "passed":
        ctx.reply(_("The session was not moved: the new time has passed. Nothing was changed."))
        return
    told = result.told
    ctx.reply({
        "edit": _("✅ Saved."),
        "move": ctx.tr.ngettext("✅ Moved. {count} owner will be told.",
                                "✅ Moved. {count} owners will be told.", told),
        "close": _("✅ Sign-up is closed."),
        "reopen": _("✅ Sign-up is open again."),
        "cancel": ctx.tr.ngettext("✅ The session is cancelled. {count} owner will be told.",
                                  "✅ The session is cancelled. {count} owners will be told.",
                                  told),
    }[action].format(count=ctx.tr.number(told)))
    assert result.session is not None
    await show_session(ctx, result.session)


# ---------------------------------------------------------------- buttons


async def on_sessions(ctx: Context, _args: str) -> None:
    """/sesi: the sessions, for staff."""
    await show_list(ctx)


async def on_button(ctx: Context, rest: str) -> None:
    """stses:<action>[:<session>[:<field>]] and stses:flow:<answer>."""
    _ = ctx.tr.gettext
    action, _sep, arg = rest.partition(":")
    if action == "list":
        await show_list(ctx)
        return
    if action == "new":
        await start(ctx, "create")
        return
    if action == "flow":
        await ctx.flow_button(FLOW, arg, answer)
        return
    session_part, _sep, field = arg.partition(":")
    session = await ctx.db.sessions.get(int(session_part)) \
        if session_part.isdigit() and len(session_part) < 10 else None
    if session is None or action not in (
            "show", "edit", "field", "move", "close", "reopen", "cancel"):
        ctx.notice(_("This button no longer works."))
        ctx.tidy()
        return
    if action == "show":
        await show_session(ctx, session)
    elif session.status not in ACTIVE:
        ctx.notice(_("This session can no longer be changed (it is cancelled or done)."),
                   alert=True)
    elif action == "edit":
        ctx.reply(_("What do you want to change?"), [
            [Button(_(EDIT_LABELS[f]), f"stses:field:{session.id}:{f}")] for f in EDIT_LABELS])
    elif action == "field":
        if field not in EDIT_LABELS:
            ctx.notice(_("This button no longer works."))
            return
        await start(ctx, "edit", session, field=field)
    else:
        await start(ctx, action, session)
