"""Staff run a session's whole life in a guided conversation: create, edit, move, close, reopen,
cancel — one question at a time, each ending with a confirmation — and see who signed up
(what they see is drawn by `bot/session_screens.py`).

The questions are questionnaires (`bot/staff_questions.py`) on the owners' engine, run in a
staff flow (`bot/staff_forms.py`): the answers are in the database, so the conversation
survives a restart, and `/batal` ends it. What each action does is `bot/actions/sessions.py`
(audit, owners told through the outbox, the reminders scheduled again).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from bot import session_screens, staff_forms
from bot.actions import sessions
from bot.channel import Button, InboundKind
from bot.core import Context, Router, esc
from bot.engine import Ask, Review, Text
from bot.i18n import N_
from bot.owner_buttons import Menu
from bot.questionnaire import Questionnaire
from bot.reminder_policy import plan
from bot.session_rules import ACTIVE, DEFAULT_CAPACITY
from bot.staff_buttons import NewSession, SessionAction, SessionField, SessionList, SessionReply
from bot.staff_questions import CREATE, EDIT, MOVE
from bot.storage.sessions import Session

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
    sessions = await ctx.db.sessions.recent(ctx.now - timedelta(days=60))
    seats = await ctx.db.registrations.seats([s.id for s in sessions])
    ctx.reply(*session_screens.session_list(ctx.tr, sessions, seats))


async def show_session(ctx: Context, session: Session) -> None:
    """One session: details, seats, the reminders still to go, and what staff can do."""
    seats = (await ctx.db.registrations.seats([session.id]))[session.id]
    ahead = [due.at for due in plan(session.starts_at, ctx.config.reminders.offsets,
                                    session.start_set_at, ctx.now).later] \
        if session.status in ACTIVE else []
    ctx.reply(*session_screens.session_view(ctx.tr, session, seats, ahead, ctx.now))


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


async def ask_confirmation(ctx: Context) -> None:
    """Everything is answered: show what will happen, with buttons to go ahead or stop."""
    _ = ctx.tr.gettext
    assert ctx.flow is not None
    action = ctx.flow.data["action"]
    session = await _session(ctx)
    if action != "create" and session is None:
        await ctx.end_flow()
        ctx.reply(_("That session no longer exists."))
        return
    members = 0
    if session is not None:
        seats = (await ctx.db.registrations.seats([session.id]))[session.id]
        members = seats.registered + seats.waiting
    text, yes = session_screens.change_preview(ctx.tr, action, staff_forms.answers(ctx),
                                               session, members, ctx.flow.data.get("field"))
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
            ctx.core, ctx.actor, ctx.now, title=values["title"],
            starts_at=session_screens.start_of(values), place=values["place"],
            capacity=values["capacity"])
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
                                     session_screens.start_of(values))
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
