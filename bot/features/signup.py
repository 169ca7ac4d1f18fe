"""Training sessions for owners: see the open sessions, sign up with one tap, cancel
(/batalikut).

Only eligible owners sign up; everyone else is told what is missing and how to fix it. What an
owner holding a seat is told later (a seat became theirs, the session moved, it was cancelled)
and their "I will come" are `seat_notices`; seats given up when answers no longer qualify,
`seat_release`.
"""

from __future__ import annotations

import logging

from bot import advice, notices
from bot.channel import Button
from bot.core import Context, Router, esc
from bot.i18n import N_
from bot.owner_buttons import Menu, SignUp
from bot.session_rules import ACTIVE
from bot.storage.registrations import Registration
from bot.storage.sessions import Session
from bot.views import seats_line, session_button, session_lines, shorten, withdraw_question

log = logging.getLogger(__name__)


def register(router: Router) -> None:
    """Wire /jadwal, /batalkan, the sign-up buttons and the hooks."""
    router.command(("jadwal", "schedule"), on_schedule,
                   N_("Training sessions, sign up"))
    router.command(("batalikut", "withdraw"), on_withdraw, N_("Cancel your sign-up"))
    # The old name, close to /batal: it only asks which sign-up to cancel, so it stays.
    router.command(("batalkan",), on_withdraw, "", listed=False)
    router.button(SignUp, on_session_button)
    router.menu_entry(menu_buttons)
    router.result_buttons.append(result_buttons)
    router.data_sections.append(data_lines)


# ---------------------------------------------------------------- who may sign up


async def other_offers(ctx: Context) -> list[list[Button]]:
    """What other features offer under a result (e.g. the interest list), one per row."""
    rows = []
    for entry in ctx.core.router.result_buttons:
        if entry is not result_buttons:
            rows += [[button] for button in await entry(ctx)]
    return rows


async def barrier_message(ctx: Context) -> tuple[list[str], list[list[Button]]] | None:
    """Why the owner cannot sign up yet and what to do (lines and buttons); None when they can."""
    _ = ctx.tr.gettext
    owner = ctx.owner
    if owner is None or not owner.consented:
        return [_("To sign up, first check whether your business meets the requirements. It "
                  "takes about four minutes.")], \
            [[Button(_("📝 Can I join?"), Menu("lanjut").pack())]]
    if owner.finished_at is None:
        return [_("To sign up, first finish the eligibility questions.")], \
            [[Button(_("📝 Continue"), Menu("lanjut").pack())]]
    if owner.eligible:
        return None
    answers = await ctx.db.owners.answers(owner.id)
    unmet = [c for c in (owner.result or {}).get("unmet", [])]
    lines = [_("You cannot sign up yet: your business does not meet every requirement. What is "
               "missing:"),
             *advice.missing_lines(ctx.tr, ctx.core.rules, unmet, answers,
                                   ctx.config.questionnaire),
             _("When something changes, change your answer and submit again; then you can sign "
               "up."),
             *advice.office_lines(ctx.tr, ctx.config.office, full=False)]
    return lines, [[Button(_("📋 My result"), Menu("lanjut").pack())],
                   [Button(_("✏️ Change answers"), Menu("ubah").pack())],
                   [advice.office_button(ctx.tr)],
                   *await other_offers(ctx)]


async def barrier(ctx: Context) -> bool:
    """Tell the owner why they cannot sign up yet and what to do; False when they can."""
    found = await barrier_message(ctx)
    if found is None:
        return False
    ctx.reply("\n".join(found[0]), found[1])
    return True


# ---------------------------------------------------------------- /jadwal


SESSIONS_SHOWN = 3  # sessions listed in one message (12 lines)


async def show_schedule(ctx: Context) -> None:
    """The open sessions with dates in the owner's language, with a sign-up button each; for an
    owner who cannot sign up yet, the sessions in short and what is missing, in one message."""
    _ = ctx.tr.gettext
    owner = ctx.owner
    sessions = await ctx.db.sessions.open_for_sign_up(ctx.now)
    own = await ctx.db.registrations.of_owner(owner.id, ("registered", "waiting")) if owner else []
    mine = {registration.session_id: registration for _s, registration in own}
    listed = {session.id for session in sessions}
    # The owner's own sessions are shown even after staff closed their sign-up.
    sessions += [s for s, _r in own if s.id not in listed and s.status in ACTIVE
                 and s.starts_at > ctx.now]
    sessions.sort(key=lambda session: (session.starts_at, session.id))
    if not sessions:
        ctx.reply(_("There are no training sessions open for sign-up right now. New sessions "
                    "are announced here."), await other_offers(ctx))
        return
    blocked = await barrier_message(ctx)
    lines = [_("<b>Export training sessions</b>")]
    if blocked is not None and not mine:
        lines += [f"📅 {esc(ctx.tr.date(s.starts_at))}: {esc(shorten(s.title, 40))}"
                  for s in sessions[:SESSIONS_SHOWN]]
        if len(sessions) > SESSIONS_SHOWN:
            lines.append(_("… and {count} more").format(
                count=ctx.tr.number(len(sessions) - SESSIONS_SHOWN)))
        ctx.reply("\n".join([*lines, "", *blocked[0]]), blocked[1])
        return
    seats = await ctx.db.registrations.seats([s.id for s in sessions])
    rows: list[list[Button]] = []
    joinable = False
    for session in sessions:
        place = f"📍 {esc(session.place)} · " if session.place else ""
        lines += ["", f"<b>{esc(session.title)}</b> · 📅 {ctx.tr.datetime(session.starts_at)}",
                  place + seats_line(ctx.tr, session, seats[session.id],
                                      mine.get(session.id))]
        if session.id in mine:
            rows.append([session_button("❌", "drop", session, ctx.tr)])
        elif blocked is None and session.status in ("full", "open"):
            full = session.status == "full"
            rows.append([session_button("⏳" if full else "✍️", "wait" if full else "join",
                                        session, ctx.tr)])
            joinable = True
    if joinable:
        lines += ["", _("Press a date to sign up. When there are more applicants than seats, "
                        "we choose the most ready.")]
    if blocked is not None:
        lines += ["", *blocked[0]]
        rows += blocked[1]
    ctx.reply("\n".join(lines), rows[:10])


async def on_schedule(ctx: Context, _args: str) -> None:
    """/jadwal: the sessions open for sign-up."""
    await show_schedule(ctx)


async def join(ctx: Context, session_id: int) -> None:
    """Sign the owner up for a session: a seat, or a place on the waiting list."""
    _ = ctx.tr.gettext
    if await barrier(ctx):
        ctx.tidy()
        return
    owner = ctx.owner
    assert owner is not None
    result = await ctx.db.registrations.register(session_id, owner.id, ctx.now)
    session = await ctx.db.sessions.get(session_id)
    if result.outcome == "missing" or session is None:
        ctx.notice(_("This button no longer works."))
        ctx.tidy()
        return
    if result.outcome == "closed":
        ctx.notice(_("Sign-up for this session is closed."))
        ctx.tidy()
        await show_schedule(ctx)
        return
    registration = result.registration
    assert registration is not None
    if result.outcome == "already":
        if registration.status == "registered":
            ctx.notice(_("You are already registered for this session."))
        else:
            ctx.notice(_("You are already on the waiting list, number {position}.").format(
                position=ctx.tr.number(registration.position or 0)))
        return
    ctx.tidy()
    if result.outcome == "registered":
        log.info("owner %d registered for session %d", owner.id, session_id)
        ctx.reply("\n".join([
            _("🎉 You are registered!"), "", *session_lines(ctx.tr, session), "",
            _("I will remind you before it starts. If you cannot come, send /withdraw so "
              "someone else can take your seat."),
        ]))
        return
    log.info("owner %d is waiting for session %d", owner.id, session_id)
    ctx.reply("\n".join([
        _("All seats are taken, so you are on the waiting list: number {position}.").format(
            position=ctx.tr.number(registration.position or 0)), "",
        *session_lines(ctx.tr, session), "",
        _("When a seat becomes free, the first on the waiting list gets it automatically, and "
          "I will tell you."),
    ]))


# ---------------------------------------------------------------- cancelling


async def on_withdraw(ctx: Context, _args: str) -> None:
    """/batalkan: choose which sign-up to cancel."""
    _ = ctx.tr.gettext
    owner = ctx.owner
    pairs = [(s, r) for s, r in await ctx.db.registrations.of_owner(
        owner.id, ("registered", "waiting")) if s.status in ACTIVE] if owner else []
    if not pairs:
        ctx.reply(_("You have no sign-ups to cancel. To see the sessions, send /schedule."))
        return
    if len(pairs) == 1:
        await ask_withdraw(ctx, pairs[0][0], pairs[0][1])
        return
    ctx.reply(_("Which sign-up do you want to cancel?"), [
        [session_button("❌", "drop", s, ctx.tr)] for s, _r in pairs[:10]])


async def ask_withdraw(ctx: Context, session: Session, registration: Registration) -> None:
    """Ask before giving up a seat or a waiting-list place."""
    ctx.reply(*withdraw_question(ctx.tr, session, registration))


async def withdraw(ctx: Context, session_id: int) -> None:
    """Give up the owner's seat or waiting-list place; the waiting list moves up."""
    _ = ctx.tr.gettext
    owner = ctx.owner
    ctx.tidy()
    session = await ctx.db.sessions.get(session_id)
    if owner is None or session is None:
        ctx.notice(_("This button no longer works."))
        return
    freed = await ctx.db.registrations.withdraw(session_id, owner.id, ctx.now)
    if freed.was is None:
        ctx.notice(_("You are not signed up for this session."))
        return
    log.info("owner %d withdrew from session %d", owner.id, session_id)
    await notices.notify_promoted(ctx.core, session_id, freed.promoted, ctx.now)
    ctx.reply(_("Your sign-up for <b>{title}</b> is cancelled. Thank you for letting us know. "
                "To sign up again, send /schedule.").format(title=esc(session.title)))


async def on_session_button(ctx: Context, press: SignUp) -> None:
    """Join (or the waiting list), cancel (asked, then done), or keep a sign-up."""
    _ = ctx.tr.gettext
    action, session_id = press.action, press.session
    if action in ("join", "wait"):
        await join(ctx, session_id)
        return
    if action == "dropok":
        await withdraw(ctx, session_id)
        return
    ctx.tidy()
    owner = ctx.owner
    registration = await ctx.db.registrations.get(session_id, owner.id) if owner else None
    session = await ctx.db.sessions.get(session_id)
    if registration is None or session is None or registration.status == "cancelled":
        ctx.notice(_("You are not signed up for this session."))
        return
    if action == "keep":
        ctx.notice(_("Good, your sign-up is kept."))
        return
    await ask_withdraw(ctx, session, registration)


# ---------------------------------------------------------------- hooks


async def menu_buttons(ctx: Context) -> list[Button]:
    """The sessions entry of the main menu."""
    return [Button(ctx.tr.gettext("📅 Training sessions"), Menu("jadwal").pack())]


async def result_buttons(ctx: Context) -> list[Button]:
    """Under an eligible result: the way to a seat."""
    owner = ctx.owner
    if owner is None or not owner.eligible:
        return []
    return [Button(ctx.tr.gettext("📅 Sign up"), Menu("jadwal").pack(),
                   description=ctx.tr.gettext("Sign up for a training session"))]


async def data_lines(ctx: Context) -> list[str]:
    """The owner's sign-ups, for /datasaya."""
    _ = ctx.tr.gettext
    owner = ctx.owner
    if owner is None:
        return []
    pairs = await ctx.db.registrations.of_owner(owner.id)
    if not pairs:
        return []
    lines = [_("<b>Your training sign-ups</b>")]
    for session, registration in pairs:
        if registration.status == "registered" and registration.present is not None:
            state = _("registered, came") if registration.present else \
                _("registered, did not come")
        elif registration.status == "registered":
            state = _("registered, attendance confirmed") \
                if registration.attendance == "confirmed" else _("registered")
        elif registration.status == "waiting":
            state = _("waiting list, number {position}").format(
                position=ctx.tr.number(registration.position or 0))
        else:
            state = _("cancelled")
        lines.append(_("• {title}, {date}: {state}").format(
            title=esc(session.title), date=ctx.tr.date(session.starts_at), state=state))
    return lines
