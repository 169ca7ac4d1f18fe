"""Training sessions for owners: see the open sessions, sign up with one tap, cancel (/batalikut),
confirm attendance, and hear when a seat frees up, a session moves or it is cancelled.

Only eligible owners sign up; everyone else is told what is missing and how to fix it. An owner
whose changed answers no longer qualify is told, before sending them, that their seat (or place
on the waiting list) will be freed; once sent, it is, and the waiting list moves up. Messages
to owners other than the one talking go through the outbox and the one sender, and are rendered
when they are sent, from the database, in the reader's language.
"""

from __future__ import annotations

import logging
from datetime import datetime

from bot import advice, notices
from bot.channel import Button, Reply
from bot.core import Context, Core, Router, esc
from bot.eligibility import Result
from bot.i18n import N_, Translator
from bot.session_rules import ACTIVE, can_choose
from bot.storage import to_db
from bot.storage.outbox import Item
from bot.storage.owners import Owner
from bot.storage.registrations import Registration, Seats
from bot.storage.sessions import Session
from bot.views import attendance_buttons, session_lines

log = logging.getLogger(__name__)


def register(router: Router) -> None:
    """Wire /jadwal, /batalkan, the sign-up and attendance buttons, hooks and notices."""
    router.command(("jadwal", "schedule"), on_schedule,
                   N_("Training sessions, sign up"))
    router.command(("batalikut", "withdraw"), on_withdraw, N_("Cancel your sign-up"))
    # The old name, close to /batal: it only asks which sign-up to cancel, so it stays.
    router.command(("batalkan",), on_withdraw, "", listed=False)
    router.button("sess", on_session_button)
    router.button("att", on_attendance_button)
    router.menu_entry(menu_buttons)
    router.result_buttons.append(result_buttons)
    router.data_sections.append(data_lines)
    router.before_delete.append(free_seats)
    router.summary_notes.append(seat_notes)
    router.after_result.append(release_seats)
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


async def barrier_message(ctx: Context) -> tuple[list[str], list[list[Button]]] | None:
    """Why the owner cannot sign up yet and what to do (lines and buttons); None when they can."""
    _ = ctx.tr.gettext
    owner = ctx.owner
    if owner is None or not owner.consented:
        return [_("To sign up, first check whether your business meets the requirements. It "
                  "takes about four minutes.")], \
            [[Button(_("📝 Can I join?"), "m:lanjut")]]
    if owner.finished_at is None:
        return [_("To sign up, first finish the eligibility questions.")], \
            [[Button(_("📝 Continue"), "m:lanjut")]]
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
    return lines, [[Button(_("📋 My result"), "m:lanjut")],
                   [Button(_("✏️ Change answers"), "m:ubah")], [advice.office_button(ctx.tr)],
                   *await other_offers(ctx)]


async def barrier(ctx: Context) -> bool:
    """Tell the owner why they cannot sign up yet and what to do; False when they can."""
    found = await barrier_message(ctx)
    if found is None:
        return False
    ctx.reply("\n".join(found[0]), found[1])
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


def shorten(text: str, limit: int) -> str:
    """Cut a title at a word where it reads right ("Pelatihan Ekspor Maret…")."""
    if len(text) <= limit:
        return text
    cut = text[:limit - 1].rsplit(" ", 1)[0] if " " in text[:limit - 1] else text[:limit - 1]
    return cut.rstrip(" ,.-·") + "…"


BUTTON_MEANINGS = {"join": N_("Sign up: {title}"), "wait": N_("Waiting list: {title}"),
                   "drop": N_("Cancel my sign-up: {title}")}


def session_button(label: str, verb: str, session: Session, tr: Translator) -> Button:
    """A session's button: an icon and the whole date (at most 20 characters); the verb and
    the title, shortened where it reads right, go into its description."""
    meaning = tr.gettext(BUTTON_MEANINGS[verb]).format(title=session.title)
    return Button(f"{label} {tr.short_date(session.starts_at)}", f"sess:{verb}:{session.id}",
                  description=shorten(meaning, 72))


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
    for session in sessions:
        place = f"📍 {esc(session.place)} · " if session.place else ""
        lines += ["", f"<b>{esc(session.title)}</b> · 📅 {ctx.tr.datetime(session.starts_at)}",
                  place + _seats_line(ctx.tr, session, seats[session.id],
                                      mine.get(session.id))]
        if session.id in mine:
            rows.append([session_button("❌", "drop", session, ctx.tr)])
        elif blocked is None and session.status == "full":
            rows.append([session_button("⏳", "wait", session, ctx.tr)])
        elif blocked is None and session.status == "open":
            rows.append([session_button("✍️", "join", session, ctx.tr)])
    if any(b.data.startswith(("sess:join", "sess:wait")) for row in rows for b in row):
        lines += ["", _("Press a date to sign up for that session.")]
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
    _ = ctx.tr.gettext
    if registration.status == "registered":
        question = _("Cancel your seat? The next person on the waiting list gets it, and you "
                     "may not get it back.")
        yes = _("Yes, cancel my seat")
    else:
        question = _("Leave the waiting list? You are number {position} now.").format(
            position=ctx.tr.number(registration.position or 0))
        yes = _("Yes, leave the list")
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
                "To sign up again, send /schedule.").format(title=esc(session.title)))


async def on_session_button(ctx: Context, rest: str) -> None:
    """sess:join|drop|dropok|keep:<session>."""
    _ = ctx.tr.gettext
    action, session_id = _split(rest)
    if action == "wait":
        action = "join"
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
    return [Button(ctx.tr.gettext("📅 Sign up"), "m:jadwal",
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
        _("See the other sessions with /schedule. New sessions are announced here."),
    ]), ((Button(_("📅 Training sessions"), "m:jadwal"),),))


def owner_can_sign_up(owner: Owner | None) -> bool:
    """True for a consenting owner whose submitted answers meet every requirement."""
    return bool(owner and owner.consented and owner.finished_at is not None and owner.eligible)
