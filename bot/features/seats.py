"""Staff choose who gets a seat, and mark on the day who came.

Demand is far above the seats, so first come, first served is only where it starts: from "Who
signed up", staff pick someone on the waiting list (most ready first) and, when the session is
full, whose seat they take; that owner goes to the head of the waiting list. Both are told
through the outbox. On the day, staff press each registrant's name to mark who came; the funnel
(/rekap) and the export count it.

Every button carries the ids it acts on and checks them again when pressed, so an old button
pressed twice changes nothing twice. The buttons answer staff only.
"""

from __future__ import annotations

import logging

from bot.channel import Button, Reply
from bot.core import Context, Core, Router, esc
from bot.features import session_staff, signup
from bot.features.session_staff import who
from bot.i18n import Translator
from bot.sessions import can_choose, can_mark
from bot.storage import to_db
from bot.storage.outbox import PRIORITY_NOTICE, Item
from bot.storage.sessions import Person, Session

log = logging.getLogger(__name__)

PREFIX = "stseat"
PAGE = 8  # people per page of buttons
_ACTIONS = ("choose", "pick", "swap", "seat", "best", "bestok", "mark", "here", "rest")


def register(router: Router) -> None:
    """Wire the staff buttons and the notice to an owner whose seat went to someone else."""
    router.button(PREFIX, on_button, staff=True)
    router.renderer("seat_lost", render_seat_lost)


def _label(tr: Translator, person: Person, mark: str = "") -> str:
    name = person.name or tr.gettext("(no name)")
    return f"{mark}{name[:28]} · {tr.number(person.readiness or 0)}"


def _page(items: list[Person], page: int) -> tuple[list[Person], int]:
    """The people of one page, and the page actually shown (clamped)."""
    last = max(0, (len(items) - 1) // PAGE)
    page = min(max(page, 0), last)
    return items[page * PAGE:(page + 1) * PAGE], page


def _pager(tr: Translator, count: int, page: int, data: str) -> list[Button]:
    """◀️ and ▶️ between pages; `data` gets the page number appended."""
    _ = tr.gettext
    buttons = []
    if page > 0:
        buttons.append(Button(_("◀️ Previous"), f"{data}:{page - 1}"))
    if (page + 1) * PAGE < count:
        buttons.append(Button(_("Next ▶️"), f"{data}:{page + 1}"))
    return buttons


async def _people(ctx: Context, session: Session) -> dict[int, Person]:
    return {p.owner_id: p for p in await ctx.db.sessions.people(session.id)}


# ---------------------------------------------------------------- choosing who gets a seat


async def tell_unseated(ctx: Context, session_id: int, owners: tuple[int, ...]) -> None:
    """Queue "your seat went to another business" for each owner and wake the sender."""
    ref = f"seat_lost:{session_id}:{to_db(ctx.now)}"
    for owner_id in owners:
        await ctx.db.outbox.enqueue(owner_id, "seat_lost", ref, {"session_id": session_id},
                                    ctx.now, priority=PRIORITY_NOTICE)
    if owners:
        ctx.core.wake_sender()


async def show_waiting(ctx: Context, session: Session, page: int = 0) -> None:
    """The waiting list, most ready first: whom to give a seat."""
    _ = ctx.tr.gettext
    waiting = sorted((p for p in (await _people(ctx, session)).values() if p.status == "waiting"),
                     key=lambda p: (-(p.readiness or 0), p.position or 0))
    if not waiting:
        ctx.reply(_("Nobody is on the waiting list of <b>{title}</b>.").format(
            title=esc(session.title)),
            [[Button(_("⬅️ Back"), f"stses:people:{session.id}")]])
        return
    shown, page = _page(waiting, page)
    lines = [f"<b>{esc(session.title)}</b>",
             _("Who should get a seat? The waiting list, most ready first:"), ""]
    lines += [f"{ctx.tr.number(page * PAGE + n)}. {who(ctx.tr, p)} · " + _(
        "waiting number {position}").format(position=ctx.tr.number(p.position or 0))
        for n, p in enumerate(shown, 1)]
    rows = [[Button(_label(ctx.tr, p), f"{PREFIX}:pick:{session.id}:{p.owner_id}")]
            for p in shown]
    pager = _pager(ctx.tr, len(waiting), page, f"{PREFIX}:choose:{session.id}")
    rows += [pager] if pager else []
    rows.append([Button(_("⬅️ Back"), f"stses:people:{session.id}")])
    ctx.reply("\n".join(lines), rows)


async def pick(ctx: Context, session: Session, chosen_id: int, page: int = 0) -> None:
    """Someone waiting was chosen: confirm, or first ask whose seat they take."""
    _ = ctx.tr.gettext
    people = await _people(ctx, session)
    chosen = people.get(chosen_id)
    if chosen is None or chosen.status != "waiting":
        ctx.notice(_("That owner is no longer on the waiting list."), alert=True)
        await show_waiting(ctx, session)
        return
    seated = [p for p in people.values() if p.status == "registered"]
    if len(seated) < session.capacity:
        ctx.reply(_("Give <b>{who}</b> a seat in <b>{title}</b>? They will be told.").format(
            who=who(ctx.tr, chosen), title=esc(session.title)), [
            [Button(_("✅ Give the seat"), f"{PREFIX}:seat:{session.id}:{chosen_id}:0")],
            [Button(_("✖ Stop"), f"stses:people:{session.id}")]])
        return
    seated.sort(key=lambda p: (p.readiness or 0, p.name.casefold()))
    shown, page = _page(seated, page)
    lines = [_("The session is full. Whose seat should <b>{who}</b> take?").format(
                 who=who(ctx.tr, chosen)),
             _("Registered owners, least ready first; ✅ = confirmed they will come. The one you "
               "choose goes to the top of the waiting list and is told.")]
    rows = [[Button(_label(ctx.tr, p, "✅ " if p.attendance == "confirmed" else ""),
                    f"{PREFIX}:swap:{session.id}:{chosen_id}:{p.owner_id}")] for p in shown]
    pager = _pager(ctx.tr, len(seated), page, f"{PREFIX}:pick:{session.id}:{chosen_id}")
    rows += [pager] if pager else []
    rows.append([Button(_("✖ Stop"), f"stses:people:{session.id}")])
    ctx.reply("\n".join(lines), rows)


async def confirm_swap(ctx: Context, session: Session, chosen_id: int, seated_id: int) -> None:
    """Show the exchange before it happens."""
    _ = ctx.tr.gettext
    people = await _people(ctx, session)
    chosen, seated = people.get(chosen_id), people.get(seated_id)
    if chosen is None or chosen.status != "waiting":
        ctx.notice(_("That owner is no longer on the waiting list."), alert=True)
        return
    if seated is None or seated.status != "registered":
        ctx.notice(_("That owner no longer holds a seat."), alert=True)
        return
    lines = [_("Give the seat of <b>{seated}</b> to <b>{chosen}</b>?").format(
                 seated=who(ctx.tr, seated), chosen=who(ctx.tr, chosen)),
             _("The first goes to number 1 on the waiting list. Both will be told.")]
    if seated.attendance == "confirmed":
        lines.append(_("⚠️ They have confirmed that they will come."))
    ctx.reply("\n".join(lines), [
        [Button(_("✅ Give the seat"), f"{PREFIX}:seat:{session.id}:{chosen_id}:{seated_id}")],
        [Button(_("✖ Stop"), f"stses:people:{session.id}")]])


async def give_seat(ctx: Context, session: Session, chosen_id: int, seated_id: int) -> None:
    """Carry out the choice (checked again), tell both owners, record it."""
    _ = ctx.tr.gettext
    ctx.tidy()
    result = await ctx.db.sessions.give_seat(session.id, chosen_id, seated_id or None, ctx.now)
    if result.outcome == "full":
        ctx.reply(_("Meanwhile the last seat was taken. Choose whose seat they take."))
        await pick(ctx, session, chosen_id)
        return
    if result.outcome not in ("seated", "swapped"):
        ctx.reply({
            "not_waiting": _("That owner is no longer on the waiting list. Nothing was changed."),
            "not_registered": _("That owner no longer holds a seat. Nothing was changed."),
        }.get(result.outcome, _("This session can no longer be changed (it is cancelled or "
                                 "done).")))
        return
    await signup.notify_promoted(ctx.core, session.id, (chosen_id,), ctx.now, chosen=True)
    if result.outcome == "swapped":
        await tell_unseated(ctx, session.id, (seated_id,))
    log.info("session %d: staff gave owner %d a seat%s", session.id, chosen_id,
             f" instead of owner {seated_id}" if seated_id else "")
    await ctx.audit("session.choose", audience=2 if seated_id else 1, session_id=session.id,
                    seated=chosen_id, moved_to_waiting=seated_id or None)
    if result.outcome == "swapped":
        ctx.reply(_("✅ Done. The chosen owner has the seat; the other is number {position} on "
                    "the waiting list. Both will be told.").format(
            position=ctx.tr.number(result.position or 1)))
    else:
        ctx.reply(_("✅ Done. The chosen owner has a seat and will be told."))
    await session_staff.show_people(ctx, session)


async def preview_best(ctx: Context, session: Session) -> None:
    """What seating the most ready would change, with a button to do it."""
    _ = ctx.tr.gettext
    tr = ctx.tr
    change = await ctx.db.sessions.most_ready(session.id, ctx.now)
    if change is None:
        ctx.reply(_("This session can no longer be changed (it is cancelled or done)."))
        return
    seat, unseat = change
    back = [Button(_("⬅️ Back"), f"stses:people:{session.id}")]
    if not seat and not unseat:
        ctx.reply(_("The seats of <b>{title}</b> are already held by the most ready owners. "
                    "Nothing to change.").format(title=esc(session.title)), [back])
        return
    people = await _people(ctx, session)
    lines = [_("Give the {count} seats of <b>{title}</b> to the most ready owners?").format(
                 count=tr.number(session.capacity), title=esc(session.title)), "",
             tr.ngettext("{count} owner from the waiting list gets a seat:",
                         "{count} owners from the waiting list get a seat:", len(seat)).format(
                 count=tr.number(len(seat)))]
    lines += [f"• {who(tr, people[o])}" for o in seat if o in people]
    if unseat:
        lines += ["", tr.ngettext(
            "{count} registered owner goes to the top of the waiting list:",
            "{count} registered owners go to the top of the waiting list:", len(unseat)).format(
            count=tr.number(len(unseat)))]
        lines += [f"• {who(tr, people[o])}" + (" · ✅" if people[o].attendance == "confirmed"
                                                else "") for o in unseat if o in people]
    lines += ["", _("Everyone concerned will be told.")]
    ctx.reply("\n".join(lines), [
        [Button(_("✅ Give the seats"),
                f"{PREFIX}:bestok:{session.id}:{len(seat)}:{len(unseat)}")], back])


async def give_best(ctx: Context, session: Session, expected: tuple[int, int]) -> None:
    """Seat the most ready, unless what it would change is no longer what staff saw."""
    _ = ctx.tr.gettext
    ctx.tidy()
    change = await ctx.db.sessions.most_ready(session.id, ctx.now, apply_if=expected)
    if change is None or (len(change[0]), len(change[1])) != expected:
        ctx.reply(_("The sign-ups changed meanwhile. Here is what it would change now."))
        await preview_best(ctx, session)
        return
    seat, unseat = change
    await signup.notify_promoted(ctx.core, session.id, seat, ctx.now, chosen=True)
    await tell_unseated(ctx, session.id, unseat)
    log.info("session %d: staff gave the seats to the most ready (%d in, %d out)", session.id,
             len(seat), len(unseat))
    await ctx.audit("session.choose_best", audience=len(seat) + len(unseat),
                    session_id=session.id, seated=list(seat), moved_to_waiting=list(unseat))
    ctx.reply(_("✅ Done. {seated} got a seat, {moved} went to the waiting list. Everyone "
                "concerned will be told.").format(seated=ctx.tr.number(len(seat)),
                                                  moved=ctx.tr.number(len(unseat))))
    await session_staff.show_people(ctx, session)


async def render_seat_lost(core: Core, item: Item, tr: Translator) -> Reply | None:
    """"Your seat went to another applicant": to the owner staff moved to the waiting list."""
    _ = tr.gettext
    found = await signup.seat_of(core, item)
    if found is None:
        return None
    session, registration = found
    if registration.status != "waiting" or not can_choose(session.status, session.starts_at,
                                                          core.clock()):
        return None  # seated again, cancelled, or the session is over: nothing to say
    return Reply("\n".join([
        _("The office has chosen the participants of this training, and your seat went to "
          "another business:"), "", *signup.session_lines(tr, session), "",
        _("You are now number {position} on the waiting list: if a seat becomes free, you are "
          "among the first to get it, and I will tell you. We are sorry, and thank you for "
          "your understanding.").format(position=tr.number(registration.position or 0)),
    ]), ((Button(_("📅 Training sessions"), "m:jadwal"),),))


# ---------------------------------------------------------------- who came


def _mark(present: bool | None) -> str:
    return "✅ " if present else "❌ " if present is False else "▫️ "


async def attendance_view(ctx: Context, session: Session,
                          page: int = 0) -> tuple[str, list[list[Button]]]:
    """The registrants by name, each a button that marks them present or absent."""
    _ = ctx.tr.gettext
    tr = ctx.tr
    seated = sorted((p for p in (await _people(ctx, session)).values()
                     if p.status == "registered"), key=lambda p: p.name.casefold())
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
    shown, page = _page(seated, page)
    rows = [[Button(_label(tr, p, _mark(p.present)),
                    f"{PREFIX}:here:{session.id}:{p.owner_id}:{0 if p.present else 1}:{page}")]
            for p in shown]
    pager = _pager(tr, len(seated), page, f"{PREFIX}:mark:{session.id}")
    rows += [pager] if pager else []
    if len(seated) > came + absent:
        rows.append([Button(_("❌ The rest did not come"), f"{PREFIX}:rest:{session.id}")])
    rows.append([Button(_("⬅️ Back"), f"stses:show:{session.id}")])
    return "\n".join(lines), rows


async def mark(ctx: Context, session: Session, owner_id: int, present: bool, page: int) -> None:
    """Mark one registrant; the list updates in place."""
    _ = ctx.tr.gettext
    if not await ctx.db.sessions.mark_present(session.id, owner_id, present, ctx.now):
        ctx.notice(_("That owner no longer holds a seat."))
    else:
        log.info("session %d: owner %d marked %s", session.id, owner_id,
                 "present" if present else "absent")
        await ctx.audit("session.present", audience=1, session_id=session.id, owner=owner_id,
                        present=present)
    text, rows = await attendance_view(ctx, session, page)
    ctx.reply(text, rows, replace=True)


async def mark_rest(ctx: Context, session: Session) -> None:
    """Everyone not marked yet did not come."""
    _ = ctx.tr.gettext
    rest = [p.owner_id for p in (await _people(ctx, session)).values()
            if p.status == "registered" and p.present is None]
    for owner_id in rest:
        await ctx.db.sessions.mark_present(session.id, owner_id, False, ctx.now)
    await ctx.audit("session.attendance", audience=len(rest) or None, session_id=session.id)
    text, rows = await attendance_view(ctx, session)
    ctx.reply(text, rows, replace=True)


# ---------------------------------------------------------------- buttons


def _numbers(parts: list[str]) -> list[int] | None:
    if not all(p.isdigit() and len(p) < 10 for p in parts):
        return None
    return [int(p) for p in parts]


async def on_button(ctx: Context, rest: str) -> None:
    """stseat:<action>:<session>[:<owner>[:<other>|<present>[:<page>]]]."""
    _ = ctx.tr.gettext
    action, *parts = rest.split(":")
    numbers = _numbers(parts)
    session = await ctx.db.sessions.get(numbers[0]) if numbers and action in _ACTIONS else None
    if session is None or numbers is None:
        ctx.notice(_("This button no longer works."))
        ctx.tidy()
        return
    args = numbers[1:]
    if action in ("mark", "here", "rest"):
        if not can_mark(session.status, session.starts_at, ctx.now):
            ctx.notice(_("Attendance can be marked from the day before the session."),
                       alert=True)
        elif action == "mark":
            text, rows = await attendance_view(ctx, session, args[0] if args else 0)
            ctx.reply(text, rows)
        elif action == "rest":
            await mark_rest(ctx, session)
        elif len(args) == 3 and args[1] in (0, 1):
            await mark(ctx, session, args[0], bool(args[1]), args[2])
        else:
            ctx.notice(_("This button no longer works."))
        return
    if not can_choose(session.status, session.starts_at, ctx.now):
        ctx.notice(_("This session can no longer be changed (it is cancelled or done)."),
                   alert=True)
        ctx.tidy()
    elif action == "choose":
        await show_waiting(ctx, session, args[0] if args else 0)
    elif action == "pick" and args:
        await pick(ctx, session, args[0], args[1] if len(args) > 1 else 0)
    elif action == "swap" and len(args) == 2:
        await confirm_swap(ctx, session, args[0], args[1])
    elif action == "seat" and len(args) == 2:
        await give_seat(ctx, session, args[0], args[1])
    elif action == "best":
        await preview_best(ctx, session)
    elif action == "bestok" and len(args) == 2:
        await give_best(ctx, session, (args[0], args[1]))
    else:
        ctx.notice(_("This button no longer works."))
