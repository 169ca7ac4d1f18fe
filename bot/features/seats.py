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
from bot.session_rules import can_choose
from bot.storage.outbox import Item
from bot.storage.registrations import Person
from bot.storage.sessions import Session
from bot.views import PAGE, page_of, pager, person_label, session_lines, who

PREFIX = "stseat"
_ACTIONS = ("people", "choose", "pick", "swap", "seat", "best", "bestok")


def register(router: Router) -> None:
    """Wire the staff buttons and the notice to an owner whose seat went to someone else."""
    router.button(PREFIX, on_button, staff=True)
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
        rows.append([Button(_("⭐ Most ready first"), f"{PREFIX}:best:{session.id}")])
        rows.append([Button(_("🎯 Give a seat"), f"{PREFIX}:choose:{session.id}")])
    rows.append([Button(_("⬅️ Back"), f"stses:show:{session.id}")])
    ctx.reply("\n".join(lines), rows)




async def show_waiting(ctx: Context, session: Session, page: int = 0) -> None:
    """The waiting list, most ready first: whom to give a seat."""
    _ = ctx.tr.gettext
    waiting = sorted((p for p in (await _people(ctx, session)).values() if p.status == "waiting"),
                     key=lambda p: (-(p.readiness or 0), p.position or 0))
    if not waiting:
        ctx.reply(_("Nobody is on the waiting list of <b>{title}</b>.").format(
            title=esc(session.title)),
            [[Button(_("⬅️ Back"), f"{PREFIX}:people:{session.id}")]])
        return
    shown, page = page_of(waiting, page)
    lines = [f"<b>{esc(session.title)}</b>",
             _("Who should get a seat? The waiting list, most ready first:"), ""]
    lines += [f"{ctx.tr.number(page * PAGE + n)}. {who(ctx.tr, p)} · " + _(
        "waiting number {position}").format(position=ctx.tr.number(p.position or 0))
        for n, p in enumerate(shown, 1)]
    rows = [[Button(person_label(ctx.tr, p), f"{PREFIX}:pick:{session.id}:{p.owner_id}")]
            for p in shown]
    paging = pager(ctx.tr, len(waiting), page, f"{PREFIX}:choose:{session.id}")
    rows += [paging] if paging else []
    rows.append([Button(_("⬅️ Back"), f"{PREFIX}:people:{session.id}")])
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
            [Button(_("✖ Stop"), f"{PREFIX}:people:{session.id}")]])
        return
    seated.sort(key=lambda p: (p.readiness or 0, p.name.casefold()))
    shown, page = page_of(seated, page)
    lines = [_("The session is full. Whose seat should <b>{who}</b> take?").format(
                 who=who(ctx.tr, chosen)),
             _("Registered owners, least ready first; ✅ = confirmed they will come. The one you "
               "choose goes to the top of the waiting list and is told.")]
    rows = [[Button(person_label(ctx.tr, p, "✅ " if p.attendance == "confirmed" else ""),
                    f"{PREFIX}:swap:{session.id}:{chosen_id}:{p.owner_id}")] for p in shown]
    paging = pager(ctx.tr, len(seated), page, f"{PREFIX}:pick:{session.id}:{chosen_id}")
    rows += [paging] if paging else []
    rows.append([Button(_("✖ Stop"), f"{PREFIX}:people:{session.id}")])
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
        [Button(_("✖ Stop"), f"{PREFIX}:people:{session.id}")]])


async def give_seat(ctx: Context, session: Session, chosen_id: int, seated_id: int) -> None:
    """Carry out the choice (checked again by the action) and say how it went."""
    _ = ctx.tr.gettext
    ctx.tidy()
    result = await seats.give_seat(ctx.core, ctx.actor, ctx.now, session.id, chosen_id,
                                   seated_id or None)
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
    back = [Button(_("⬅️ Back"), f"{PREFIX}:people:{session.id}")]
    if change.nothing:
        ctx.reply(_("The seats of <b>{title}</b> are already held by the most ready owners. "
                    "Nothing to change.").format(title=esc(session.title)), [back])
        return
    seat, unseat = change.seat, change.unseat
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
        [Button(_("✅ Give the seats"), f"{PREFIX}:bestok:{session.id}:{change.fingerprint}")],
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
    ]), ((Button(_("📅 Training sessions"), "m:jadwal"),),))


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
    if action == "people":
        await show_people(ctx, session)
    elif not can_choose(session.status, session.starts_at, ctx.now):
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
    elif action == "bestok" and len(args) == 1:
        await give_best(ctx, session, parts[1])
    else:
        ctx.notice(_("This button no longer works."))
