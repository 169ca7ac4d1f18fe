"""Training sessions for owners: see the open sessions, sign up with one tap, cancel (/batalkan),
confirm attendance, and hear when a seat frees up, a session moves or it is cancelled.

Only eligible owners sign up; everyone else is told what is missing and how to fix it. Messages
to owners other than the one talking go through the outbox and the one sender, and are rendered
when they are sent, from the database, in the reader's language.
"""

from __future__ import annotations

import logging
from datetime import datetime

from bot import notices
from bot.channel import Button, Reply
from bot.core import Context, Core, Router, esc
from bot.i18n import N_, Translator
from bot.session_rules import ACTIVE, can_choose
from bot.storage import to_db
from bot.storage.outbox import Item
from bot.storage.owners import Owner
from bot.storage.registrations import Registration, Seats
from bot.storage.sessions import Session
from bot.views import attendance_buttons, session_lines, unmet_lines

log = logging.getLogger(__name__)


def register(router: Router) -> None:
    """Wire /jadwal, /batalkan, the sign-up and attendance buttons, hooks and notices."""
    router.command(("jadwal", "schedule"), on_schedule,
                   N_("See the training sessions and sign up"))
    router.command(("batalkan", "withdraw"), on_withdraw, N_("Cancel a training sign-up"))
    router.button("sess", on_session_button)
    router.button("att", on_attendance_button)
    router.menu_entry(menu_buttons)
    router.result_buttons.append(result_buttons)
    router.data_sections.append(data_lines)
    router.before_delete.append(free_seats)
    router.renderer("seat", render_seat)
    router.renderer("session_moved", render_moved)
    router.renderer("session_cancelled", render_cancelled)


# ---------------------------------------------------------------- shared pieces


def _session_id(rest: str) -> int | None:
    return int(rest) if rest.isdigit() and len(rest) < 10 else None


def _split(rest: str) -> tuple[str, int | None]:
    action, _sep, value = rest.partition(":")
    return action, _session_id(value)


# ---------------------------------------------------------------- who may sign up


async def other_offers(ctx: Context) -> list[list[Button]]:
    """What other features offer under a result (e.g. the interest list), one per row."""
    rows = []
    for entry in ctx.core.router.result_buttons:
        if entry is not result_buttons:
            rows += [[button] for button in await entry(ctx)]
    return rows


async def barrier(ctx: Context) -> bool:
    """Tell the owner why they cannot sign up yet and what to do; False when they can."""
    _ = ctx.tr.gettext
    owner = ctx.owner
    if owner is None or not owner.consented:
        ctx.reply(_("To sign up, first check whether your business meets the requirements. "
                    "It takes about two minutes."),
                  [[Button(_("📝 Check whether I qualify"), "m:lanjut")]])
        return True
    if owner.finished_at is None:
        ctx.reply(_("To sign up, first finish the eligibility questions."),
                  [[Button(_("📝 Continue the questionnaire"), "m:lanjut")]])
        return True
    if owner.eligible:
        return False
    answers = await ctx.db.owners.answers(owner.id)
    lines = [_("You cannot sign up yet: your business does not meet every requirement of the "
               "training. What is missing, and how to fix it:"), ""]
    lines += unmet_lines(ctx.tr, (owner.result or {}).get("unmet", []), answers,
                         ctx.config.questionnaire)
    lines += ["", _("When something changes, change your answer and submit again; then you "
                    "can sign up.")]
    ctx.reply("\n".join(lines),
              [[Button(_("✏️ Change my answers"), "m:ubah")], *await other_offers(ctx)])
    return True


# ---------------------------------------------------------------- /jadwal


def _seats_line(tr: Translator, session: Session, seats: Seats,
                mine: Registration | None) -> str:
    _ = tr.gettext
    if mine is not None and mine.status == "registered":
        if mine.attendance == "confirmed":
            return _("✅ You are registered and have confirmed that you will come.")
        return _("✅ You are registered.")
    if mine is not None and mine.status == "waiting":
        return _("⏳ You are number {position} on the waiting list.").format(
            position=tr.number(mine.position or 0))
    free = max(0, session.capacity - seats.registered)
    if free and not seats.waiting:
        return _("{free} of {capacity} seats free").format(
            free=tr.number(free), capacity=tr.number(session.capacity))
    if not seats.waiting:
        return _("Full. Sign up to be first on the waiting list.")
    return tr.ngettext("Full: {count} person on the waiting list",
                       "Full: {count} people on the waiting list", seats.waiting).format(
        count=tr.number(seats.waiting))


async def show_schedule(ctx: Context) -> None:
    """The open sessions with dates in the owner's language, with a sign-up button each."""
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
    seats = await ctx.db.registrations.seats([s.id for s in sessions])
    can_sign_up = owner_can_sign_up(owner)
    lines = [_("<b>Export training sessions</b>")]
    rows: list[list[Button]] = []
    for session in sessions:
        lines += ["", *session_lines(ctx.tr, session),
                  _seats_line(ctx.tr, session, seats[session.id], mine.get(session.id))]
        date = ctx.tr.date(session.starts_at)
        if session.id in mine:
            rows.append([Button(_("❌ Cancel: {date}").format(date=date),
                                f"sess:drop:{session.id}")])
        elif can_sign_up and session.status == "full":
            rows.append([Button(_("⏳ Waiting list: {date}").format(date=date),
                                f"sess:join:{session.id}")])
        elif can_sign_up and session.status == "open":
            rows.append([Button(_("✍️ Sign up: {date}").format(date=date),
                                f"sess:join:{session.id}")])
    ctx.reply("\n".join(lines), rows)
    if not can_sign_up:
        await barrier(ctx)


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
            _("I will remind you before it starts. If you cannot come, send /batalkan so "
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
        ctx.reply(_("You have no sign-ups to cancel. To see the sessions, send /jadwal."))
        return
    if len(pairs) == 1:
        await ask_withdraw(ctx, pairs[0][0], pairs[0][1])
        return
    ctx.reply(_("Which sign-up do you want to cancel?"), [
        [Button(f"{s.title[:20]} · {ctx.tr.date(s.starts_at)}", f"sess:drop:{s.id}")]
        for s, _r in pairs])


async def ask_withdraw(ctx: Context, session: Session, registration: Registration) -> None:
    """Ask before giving up a seat or a waiting-list place."""
    _ = ctx.tr.gettext
    if registration.status == "registered":
        question = _("Cancel your seat? The next person on the waiting list gets it, and you "
                     "may not get it back.")
        yes = _("Yes, cancel my seat")
    else:
        question = _("Leave the waiting list? You are number {position} now.").format(
            position=ctx.tr.number(registration.position or 0))
        yes = _("Yes, leave the waiting list")
    ctx.reply("\n".join([*session_lines(ctx.tr, session), "", question]), [
        [Button(yes, f"sess:dropok:{session.id}")],
        [Button(_("No, keep it"), f"sess:keep:{session.id}")],
    ])


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
                "To sign up again, send /jadwal.").format(title=esc(session.title)))


async def on_session_button(ctx: Context, rest: str) -> None:
    """sess:join|drop|dropok|keep:<session>."""
    _ = ctx.tr.gettext
    action, session_id = _split(rest)
    if session_id is None or action not in ("join", "drop", "dropok", "keep"):
        ctx.notice(_("This button no longer works."))
        ctx.tidy()
        return
    if action == "join":
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


async def on_attendance_button(ctx: Context, rest: str) -> None:
    """att:yes|no:<session>, under reminders and seat notices."""
    _ = ctx.tr.gettext
    action, session_id = _split(rest)
    owner = ctx.owner
    if session_id is None or action not in ("yes", "no") or owner is None:
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
    if action == "no":
        ctx.tidy()
        await ask_withdraw(ctx, session, registration)
        return
    if registration.attendance != "confirmed":
        await ctx.db.registrations.attend(session_id, owner.id, "confirmed", ctx.now)
        log.info("owner %d confirmed attendance of session %d", owner.id, session_id)
    ctx.notice(_("Thank you! Your attendance is confirmed."))
    ctx.tidy(attendance_buttons(ctx.tr, session_id, confirmed=True))
    ctx.reply(_("✅ Thank you! We expect you on {date}.").format(
        date=ctx.tr.datetime(session.starts_at)))


# ---------------------------------------------------------------- hooks


async def menu_buttons(ctx: Context) -> list[Button]:
    """The sessions entry of the main menu."""
    return [Button(ctx.tr.gettext("📅 Training sessions"), "m:jadwal")]


async def result_buttons(ctx: Context) -> list[Button]:
    """Under an eligible result: the way to a seat."""
    owner = ctx.owner
    if owner is None or not owner.eligible:
        return []
    return [Button(ctx.tr.gettext("📅 Sign up for a training session"), "m:jadwal")]


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


async def free_seats(ctx: Context) -> None:
    """Before an owner is erased, give their seats to the waiting lists."""
    owner = ctx.owner
    if owner is None:
        return
    for session, _registration in await ctx.db.registrations.of_owner(owner.id,
                                                                 ("registered", "waiting")):
        freed = await ctx.db.registrations.withdraw(session.id, owner.id, ctx.now)
        await notices.notify_promoted(ctx.core, session.id, freed.promoted, ctx.now)


# ---------------------------------------------------------------- notices to other owners


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
        _("See the other sessions with /jadwal. New sessions are announced here."),
    ]), ((Button(_("📅 Training sessions"), "m:jadwal"),),))


def owner_can_sign_up(owner: Owner | None) -> bool:
    """True for a consenting owner whose submitted answers meet every requirement."""
    return bool(owner and owner.consented and owner.finished_at is not None and owner.eligible)
