"""Staff see who signed up and choose who gets a seat.

Demand is far above the seats, so first come, first served is only where it starts: from "Who
signed up", staff pick someone on the waiting list (most ready first) and, when the session is
full, whose seat they take; that owner goes to the head of the waiting list. Both are told
through the outbox. On the day, staff press each registrant's name to mark who came; the funnel
(/rekap) and the export count it.

Every button carries the ids it acts on and checks them again when pressed, so an old button
pressed twice changes nothing twice. The buttons answer staff only.
"""

from __future__ import annotations

from bot import notices
from bot.actions import seats
from bot.channel import Button, Reply
from bot.core import Context, Core, Router, esc
from bot.i18n import Translator
from bot.owner_buttons import Menu
from bot.session_rules import can_choose
from bot.staff_buttons import SeatBest, SeatGive, SeatPick, Seats, SeatSwap, SessionAction
from bot.storage.outbox import Item
from bot.storage.registrations import Person
from bot.storage.sessions import Session
from bot.views import PAGE, page_of, pager, person_label, session_lines, who


def register(router: Router) -> None:
    """Wire the staff buttons and the notice to an owner whose seat went to someone else."""
    router.button(Seats, on_seats, staff=True)
    router.button(SeatPick, on_pick, staff=True)
    router.button(SeatSwap, on_swap, staff=True)
    router.button(SeatGive, on_give, staff=True)
    router.button(SeatBest, on_best, staff=True)
    router.renderer("seat_lost", render_seat_lost)


async def _people(ctx: Context, session: Session) -> dict[int, Person]:
    return {p.owner_id: p for p in await seats.people(ctx.core, session.id)}


# ---------------------------------------------------------------- who signed up, who gets a seat


async def show_people(ctx: Context, session: Session) -> None:
    """Who signed up: registrants by readiness, the waiting list in order, the cancellations."""
    _ = ctx.tr.gettext
    tr = ctx.tr
    people = await seats.people(ctx.core, session.id)
    groups: dict[str, list[str]] = {"registered": [], "waiting": [], "cancelled": []}
    for person in people:
        mark = " · ✅" if person.attendance == "confirmed" else ""
        if person.status == "registered" and person.present is not None:
            mark += " · " + (_("came") if person.present else _("did not come"))
        number = person.position if person.status == "waiting" else \
            len(groups[person.status]) + 1
        groups[person.status].append(f"{tr.number(number)}. {who(tr, person)}{mark}")
    titles = {
        "registered": _("<b>Registered ({count})</b>, by readiness; ✅ = confirmed"),
        "waiting": _("<b>Waiting list ({count})</b>"),
        "cancelled": _("<b>Cancelled ({count})</b>"),
    }
    lines = [f"<b>{esc(session.title)}</b> · {tr.datetime(session.starts_at)}"]
    for status, entries in groups.items():
        lines += ["", titles[status].format(count=tr.number(len(entries)))]
        lines += entries or ["—"]
    rows = []
    if groups["waiting"] and can_choose(session.status, session.starts_at, ctx.now):
        rows.append([Button(_("⭐ Most ready first"), Seats("best", session.id).pack())])
        rows.append([Button(_("🎯 Give a seat"), Seats("choose", session.id).pack())])
    rows.append([Button(_("⬅️ Back"), SessionAction("show", session.id).pack())])
    ctx.reply("\n".join(lines), rows)




async def show_waiting(ctx: Context, session: Session, page: int = 0) -> None:
    """The waiting list, most ready first: whom to give a seat."""
    _ = ctx.tr.gettext
    waiting = sorted((p for p in (await _people(ctx, session)).values() if p.status == "waiting"),
                     key=lambda p: (-(p.readiness or 0), p.position or 0))
    if not waiting:
        ctx.reply(_("Nobody is on the waiting list of <b>{title}</b>.").format(
            title=esc(session.title)),
            [[_back(ctx, session)]])
        return
    shown, page = page_of(waiting, page)
    lines = [f"<b>{esc(session.title)}</b>",
             _("Who should get a seat? The waiting list, most ready first:"), ""]
    lines += [f"{ctx.tr.number(page * PAGE + n)}. {who(ctx.tr, p)} · " + _(
        "waiting number {position}").format(position=ctx.tr.number(p.position or 0))
        for n, p in enumerate(shown, 1)]
    rows = [[Button(person_label(ctx.tr, p), SeatPick(session.id, p.owner_id).pack())]
            for p in shown]
    paging = pager(ctx.tr, len(waiting), page, lambda to: Seats("choose", session.id, to))
    rows += [paging] if paging else []
    rows.append([_back(ctx, session)])
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
            [Button(_("✅ Give the seat"), SeatGive(session.id, chosen_id).pack())],
            [_stop(ctx, session)]])
        return
    seated.sort(key=lambda p: (p.readiness or 0, p.name.casefold()))
    shown, page = page_of(seated, page)
    lines = [_("The session is full. Whose seat should <b>{who}</b> take?").format(
                 who=who(ctx.tr, chosen)),
             _("Registered owners, least ready first; ✅ = confirmed they will come. The one you "
               "choose goes to the top of the waiting list and is told.")]
    rows = [[Button(person_label(ctx.tr, p, "✅ " if p.attendance == "confirmed" else ""),
                    SeatSwap(session.id, chosen_id, p.owner_id).pack())] for p in shown]
    paging = pager(ctx.tr, len(seated), page, lambda to: SeatPick(session.id, chosen_id, to))
    rows += [paging] if paging else []
    rows.append([_stop(ctx, session)])
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
        [Button(_("✅ Give the seat"), SeatGive(session.id, chosen_id, seated_id).pack())],
        [_stop(ctx, session)]])


async def give_seat(ctx: Context, session: Session, chosen_id: int,
                    seated_id: int | None) -> None:
    """Carry out the choice (checked again by the action) and say how it went."""
    _ = ctx.tr.gettext
    ctx.tidy()
    result = await seats.give_seat(ctx.core, ctx.actor, ctx.now, session.id, chosen_id,
                                   seated_id)
    if result.outcome == "full":
        ctx.reply(_("Meanwhile the last seat was taken. Choose whose seat they take."))
        await pick(ctx, session, chosen_id)
        return
    if not result.done:
        ctx.reply({
            "not_waiting": _("That owner is no longer on the waiting list. Nothing was changed."),
            "not_registered": _("That owner no longer holds a seat. Nothing was changed."),
        }.get(result.outcome, _("This session can no longer be changed (it is cancelled or "
                                 "done).")))
        return
    if result.outcome == "swapped":
        ctx.reply(_("✅ Done. The chosen owner has the seat; the other is number {position} on "
                    "the waiting list. Both will be told.").format(
            position=ctx.tr.number(result.position or 1)))
    else:
        ctx.reply(_("✅ Done. The chosen owner has a seat and will be told."))
    await show_people(ctx, session)


async def preview_best(ctx: Context, session: Session) -> None:
    """What seating the most ready would change, with a button to do it."""
    _ = ctx.tr.gettext
    tr = ctx.tr
    change = await seats.preview_best(ctx.core, ctx.now, session.id)
    if change is None:
        ctx.reply(_("This session can no longer be changed (it is cancelled or done)."))
        return
    back = [_back(ctx, session)]
    if change.nothing:
        ctx.reply(_("The seats of <b>{title}</b> are already held by the most ready owners. "
                    "Nothing to change.").format(title=esc(session.title)), [back])
        return
    seat, unseat = change.seat, change.unseat
    people = await _people(ctx, session)
    lines = [tr.ngettext("Give the {count} seat of <b>{title}</b> to the most ready owner?",
                         "Give the {count} seats of <b>{title}</b> to the most ready owners?",
                         session.capacity).format(
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
        [Button(_("✅ Give the seats"), SeatBest(session.id, change.fingerprint).pack())],
        back])


async def give_best(ctx: Context, session: Session, fingerprint: str) -> None:
    """Seat the most ready, unless what it would change is no longer what staff saw."""
    _ = ctx.tr.gettext
    ctx.tidy()
    result = await seats.give_best(ctx.core, ctx.actor, ctx.now, session.id, fingerprint)
    if result.outcome != "done" or result.seats is None:
        ctx.reply(_("The sign-ups changed meanwhile. Here is what it would change now."))
        await preview_best(ctx, session)
        return
    ctx.reply(_("✅ Done. {seated} got a seat, {moved} went to the waiting list. Everyone "
                "concerned will be told.").format(seated=ctx.tr.number(len(result.seats.seat)),
                                                  moved=ctx.tr.number(len(result.seats.unseat))))
    await show_people(ctx, session)


async def render_seat_lost(core: Core, item: Item, tr: Translator) -> Reply | None:
    """"Your seat went to another applicant": to the owner staff moved to the waiting list."""
    _ = tr.gettext
    found = await notices.seat_of(core, item)
    if found is None:
        return None
    session, registration = found
    if registration.status != "waiting" or not can_choose(session.status, session.starts_at,
                                                          core.clock()):
        return None  # seated again, cancelled, or the session is over: nothing to say
    return Reply("\n".join([
        _("The office has chosen the participants of this training, and your seat went to "
          "another business:"), "", *session_lines(tr, session), "",
        _("You are now number {position} on the waiting list: if a seat becomes free, you are "
          "among the first to get it, and I will tell you. We are sorry, and thank you for "
          "your understanding.").format(position=tr.number(registration.position or 0)),
    ]), ((Button(_("📅 Training sessions"), Menu("jadwal").pack()),),))


# ---------------------------------------------------------------- buttons


def _back(ctx: Context, session: Session) -> Button:
    return Button(ctx.tr.gettext("⬅️ Back"), Seats("people", session.id).pack())


def _stop(ctx: Context, session: Session) -> Button:
    return Button(ctx.tr.gettext("✖ Stop"), Seats("people", session.id).pack())


async def _changeable(ctx: Context, session_id: int) -> Session | None:
    """The session, while staff may still hand out its seats (else the press is answered)."""
    _ = ctx.tr.gettext
    session = await ctx.db.sessions.get(session_id)
    if session is None:
        ctx.stale_button()
        return None
    if not can_choose(session.status, session.starts_at, ctx.now):
        ctx.notice(_("This session can no longer be changed (it is cancelled or done)."),
                   alert=True)
        ctx.tidy()
        return None
    return session


async def on_seats(ctx: Context, press: Seats) -> None:
    """Who signed up; the waiting list to choose from; seats to the most ready."""
    if press.action == "people":
        session = await ctx.db.sessions.get(press.session)
        if session is None:
            ctx.stale_button()
        else:
            await show_people(ctx, session)
        return
    session = await _changeable(ctx, press.session)
    if session is None:
        return
    if press.action == "choose":
        await show_waiting(ctx, session, press.page or 0)
    else:
        await preview_best(ctx, session)


async def on_pick(ctx: Context, press: SeatPick) -> None:
    """Someone on the waiting list chosen (`page`: of the seats they may take)."""
    session = await _changeable(ctx, press.session)
    if session is not None:
        await pick(ctx, session, press.chosen, press.page or 0)


async def on_swap(ctx: Context, press: SeatSwap) -> None:
    """Whose seat they take: asked."""
    session = await _changeable(ctx, press.session)
    if session is not None:
        await confirm_swap(ctx, session, press.chosen, press.seated)


async def on_give(ctx: Context, press: SeatGive) -> None:
    """The seat given (legacy data said 0 for a free seat)."""
    session = await _changeable(ctx, press.session)
    if session is not None:
        await give_seat(ctx, session, press.chosen, press.seated or None)


async def on_best(ctx: Context, press: SeatBest) -> None:
    """The seats to the most ready, as previewed."""
    session = await _changeable(ctx, press.session)
    if session is not None:
        await give_best(ctx, session, press.fingerprint)
