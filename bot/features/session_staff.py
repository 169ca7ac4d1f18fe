"""Staff run a session's whole life in a guided conversation: create, edit, move, close, reopen,
cancel — one question at a time, each ending with a confirmation — and see who signed up.

The questions are questionnaires (`bot/staff_questions.py`) on the owners' engine, run in a
staff flow (`bot/staff_forms.py`): the answers are in the database, so the conversation
survives a restart, and `/batal` ends it. What each action does is `bot/actions/sessions.py`
(audit, owners told through the outbox, the reminders scheduled again).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from bot import staff_forms
from bot.actions import sessions
from bot.channel import Button, InboundKind
from bot.core import Context, Router, esc
from bot.engine import Ask, Review, Text
from bot.i18n import N_
from bot.owner_buttons import Menu
from bot.questionnaire import Questionnaire
from bot.reminder_policy import plan
from bot.session_rules import ACTIVE, DEFAULT_CAPACITY, STATUS_NAMES, can_mark
from bot.staff_buttons import (
    NewSession,
    Roll,
    Seats,
    SessionAction,
    SessionField,
    SessionList,
    SessionReply,
)
from bot.staff_questions import CREATE, EDIT, EDIT_CONFIRMS, MOVE
from bot.storage.sessions import Session
from bot.views import seat_lines, session_lines

FLOW = "session"


def register(router: Router) -> None:
    """Wire /sesi, the staff buttons, the conversation and the staff menu entry."""
    router.command(("sesi", "sessions"), on_sessions, N_("Manage the training sessions"),
                   staff=True)
    router.button(SessionList, on_list_button, staff=True)
    router.button(NewSession, on_new_button, staff=True)
    router.button(SessionAction, on_button, staff=True)
    router.button(SessionField, on_field_button, staff=True)
    router.button(SessionReply, on_reply_button, staff=True)
    router.flow(FLOW, on_flow_input)
    router.staff_menu_entry(staff_menu_button)


async def staff_menu_button(ctx: Context) -> list[Button]:
    """The sessions entry of the staff menu."""
    return [Button(ctx.tr.gettext("📅 Manage sessions"), Menu("sesi").pack())]


# ---------------------------------------------------------------- views


async def show_list(ctx: Context) -> None:
    """Every session still to come and those of the last two months, with their seats."""
    _ = ctx.tr.gettext
    tr = ctx.tr
    sessions = await ctx.db.sessions.recent(ctx.now - timedelta(days=60))
    seats = await ctx.db.registrations.seats([s.id for s in sessions])
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
    rows = [[Button(f"📅 {tr.short_date(session.starts_at)}",
                    SessionAction("show", session.id).pack(),
                    description=session.title[:72])] for session in sessions]
    rows.append([Button(_("➕ New session"), NewSession().pack())])
    ctx.reply("\n".join(lines), rows)


async def show_session(ctx: Context, session: Session) -> None:
    """One session: details, seats, the reminders still to go, and what staff can do."""
    _ = ctx.tr.gettext
    tr = ctx.tr
    seats = (await ctx.db.registrations.seats([session.id]))[session.id]
    lines = [*session_lines(tr, session),
             _("Status: {status}").format(status=esc(_(STATUS_NAMES[session.status]))), "",
             *seat_lines(tr, session, seats)]
    if session.status in ACTIVE:
        ahead = plan(session.starts_at, ctx.config.reminders.offsets, session.start_set_at,
                     ctx.now).later
        if ahead:
            lines += ["", _("Reminders still to send:")]
            lines += [f"• {tr.datetime(due.at)}" for due in ahead]
    rows = [[Button(_("👥 Who signed up"), Seats("people", session.id).pack())]]
    if can_mark(session.status, session.starts_at, ctx.now) and seats.registered:
        rows.append([Button(_("📋 Mark who came"), Roll(session.id).pack())])
    if session.status in ACTIVE:
        rows += [[Button(_("✏️ Edit"), SessionAction("edit", session.id).pack()),
                  Button(_("🕒 Move"), SessionAction("move", session.id).pack())]]
        if session.status == "closed":
            rows.append([Button(_("🔓 Open sign-up again"),
                                SessionAction("reopen", session.id).pack())])
        else:
            rows.append([Button(_("🔒 Close sign-up"), SessionAction("close", session.id).pack())])
        rows.append([Button(_("❌ Cancel the session"),
                            SessionAction("cancel", session.id).pack())])
    rows.append([Button(_("⬅️ All sessions"), SessionList().pack())])
    ctx.reply("\n".join(lines), rows)


# ---------------------------------------------------------------- the conversation


def _form(action: str, field: str | None = None) -> Questionnaire | None:
    """What a staff action asks (None: only a confirmation)."""
    if action == "edit":
        return EDIT.get(field or "")
    return {"create": CREATE, "move": MOVE}.get(action)


def _flow_form(ctx: Context) -> Questionnaire | None:
    assert ctx.flow is not None
    return _form(ctx.flow.data["action"], ctx.flow.data.get("field"))


async def start(ctx: Context, action: str, session: Session | None = None,
                **data: Any) -> None:
    """Begin a staff action: the flow keeps its answers; ask the first question."""
    await staff_forms.begin(ctx, FLOW, _form(action, data.get("field")), action=action,
                            session_id=session.id if session else None, **data)
    await show_step(ctx)


async def show_step(ctx: Context) -> None:
    """Ask the question being asked now (or show the confirmation)."""
    where = staff_forms.shown(ctx, _flow_form(ctx))
    if isinstance(where, Review):
        await ask_confirmation(ctx)
        return
    _ = ctx.tr.gettext
    assert ctx.flow is not None
    action = ctx.flow.data["action"]
    question = where.question
    lines = []
    if action == "create":
        lines.append("<i>" + _("New session · step {number} of {total}").format(
            number=ctx.tr.number(where.number), total=ctx.tr.number(where.total)) + "</i>")
    session = await _session(ctx)
    if session is not None and action in ("edit", "move"):
        now = getattr(session, question.id)
        lines.append(_("Now: {value}").format(
            value=ctx.tr.datetime(now) if question.id == "starts_at"
            else ctx.tr.number(now) if question.id == "capacity" else esc(now)))
    lines.append(staff_forms.label(ctx, question))
    buttons: list[list[Button]] = []
    if question.validator == "seats":
        buttons.append([Button(ctx.tr.number(DEFAULT_CAPACITY),
                               SessionReply(str(DEFAULT_CAPACITY)).pack())])
    lines.append("<i>" + _("(Send /cancel to stop.)") + "</i>")
    ctx.reply("\n".join(lines), buttons)


async def answer(ctx: Context, text: str) -> None:
    """Take the staff member's answer to the question asked, or to the confirmation."""
    _ = ctx.tr.gettext
    form = _flow_form(ctx)
    if form is None or isinstance(staff_forms.shown(ctx, form), Review):
        await staff_forms.confirm(ctx, text, ask_confirmation, carry_out)
        return
    step = await staff_forms.give(ctx, form, Text(text))
    if isinstance(step.next, Ask) and step.next.error is not None:
        ctx.reply("⚠️ " + staff_forms.reason(ctx, step.next.error))
    await show_step(ctx)


async def on_flow_input(ctx: Context, _rest: str) -> None:
    """Typed input while a session conversation is in progress."""
    if ctx.inbound.kind != InboundKind.TEXT:
        ctx.reply(ctx.tr.gettext("Please type the answer as text, or send /cancel to stop."))
        await show_step(ctx)
        return
    await answer(ctx, ctx.inbound.text)


async def _session(ctx: Context) -> Session | None:
    session_id = ctx.flow.data.get("session_id") if ctx.flow is not None else None
    return await ctx.db.sessions.get(session_id) if isinstance(session_id, int) else None


def _start_of(values: Mapping[str, Any]) -> datetime:
    return datetime.fromisoformat(values["starts_at"])


async def ask_confirmation(ctx: Context) -> None:
    """Everything is answered: show what will happen, with buttons to go ahead or stop."""
    _ = ctx.tr.gettext
    tr = ctx.tr
    assert ctx.flow is not None
    action = ctx.flow.data["action"]
    values = staff_forms.answers(ctx)
    session = await _session(ctx)
    members = 0
    if session is not None:
        seats = (await ctx.db.registrations.seats([session.id]))[session.id]
        members = seats.registered + seats.waiting
    if action == "create":
        text = "\n".join([
            _("<b>New session</b>"),
            _("Title: {title}").format(title=esc(values["title"])),
            _("Starts: {date}").format(date=tr.datetime(_start_of(values))),
            _("Place: {place}").format(place=esc(values["place"])),
            _("Seats: {count}").format(count=tr.number(values["capacity"])), "",
            _("Create it? Owners can sign up as soon as it exists.")])
        yes = _("✅ Create")
    elif session is None:
        await ctx.end_flow()
        ctx.reply(_("That session no longer exists."))
        return
    elif action == "edit":
        field = ctx.flow.data["field"]
        new = values[field]
        shown = tr.number(new) if field == "capacity" else esc(new)
        text = _(EDIT_CONFIRMS[field]).format(title=esc(session.title), value=shown)
        yes = _("✅ Save")
    elif action == "move":
        text = "\n".join([
            _("Move <b>{title}</b>?").format(title=esc(session.title)),
            _("From: {date}").format(date=tr.datetime(session.starts_at)),
            _("To: {date}").format(date=tr.datetime(_start_of(values))), "",
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
    ctx.reply(text, [[Button(yes, SessionReply("yes").pack())],
                     [Button(_("✖ Stop"), SessionReply("no").pack())]])


async def carry_out(ctx: Context) -> None:
    """Do the confirmed action (bot/actions/sessions.py) and show its result."""
    _ = ctx.tr.gettext
    assert ctx.flow is not None
    data = dict(ctx.flow.data)
    action = data["action"]
    values = staff_forms.answers(ctx)
    if action == "create":
        created = await sessions.create(
            ctx.core, ctx.actor, ctx.now, title=values["title"], starts_at=_start_of(values),
            place=values["place"], capacity=values["capacity"])
        if created.session is None:  # the moment passed while staff were confirming
            ctx.reply(_("That moment has passed. Please type a date in the future."))
            await staff_forms.forget(ctx, CREATE, "starts_at")
            await show_step(ctx)
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
        result = await sessions.move(ctx.core, ctx.actor, ctx.now, session_id,
                                     _start_of(values))
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


async def on_list_button(ctx: Context, _press: SessionList) -> None:
    """All sessions."""
    await show_list(ctx)


async def on_new_button(ctx: Context, _press: NewSession) -> None:
    """Begin creating a session."""
    await start(ctx, "create")


async def on_reply_button(ctx: Context, press: SessionReply) -> None:
    """An answer of the conversation given with a button (yes, no, the default seats)."""
    await ctx.flow_button(FLOW, press.text, answer)


async def _changeable(ctx: Context, session_id: int) -> Session | None:
    """The session, while staff may still change it (else the press is answered)."""
    _ = ctx.tr.gettext
    session = await ctx.db.sessions.get(session_id)
    if session is None:
        ctx.stale_button()
        return None
    if session.status not in ACTIVE:
        ctx.notice(_("This session can no longer be changed (it is cancelled or done)."),
                   alert=True)
        return None
    return session


async def on_button(ctx: Context, press: SessionAction) -> None:
    """Show a session, or begin a change of it: edit (which field?), move, close, reopen,
    cancel."""
    _ = ctx.tr.gettext
    if press.action == "show":
        session = await ctx.db.sessions.get(press.session)
        if session is None:
            ctx.stale_button()
        else:
            await show_session(ctx, session)
        return
    session = await _changeable(ctx, press.session)
    if session is None:
        return
    if press.action == "edit":
        ctx.reply(_("What do you want to change?"), [
            [Button(_(form.questions[0].short), SessionField(session.id, f).pack())]
            for f, form in EDIT.items()])
    else:
        await start(ctx, press.action, session)


async def on_field_button(ctx: Context, press: SessionField) -> None:
    """The field of a session to change, chosen."""
    session = await _changeable(ctx, press.session)
    if session is None:
        return
    if press.field not in EDIT:
        ctx.notice(ctx.tr.gettext("This button no longer works."))
        return
    await start(ctx, "edit", session, field=press.field)
