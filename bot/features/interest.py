"""Yearly interest lists ("Daftar minat pelatihan ekspor 2027"): owners join or leave with one tap;
staff open and close a year's list and invite, in one action, last year's interested owners and
the owners who were not yet eligible, through the one rate-limited sender.
"""

from __future__ import annotations

import logging
from typing import Any

from bot import staff_forms
from bot.actions import interest
from bot.channel import Button, InboundKind, Reply
from bot.core import Context, Core, Router
from bot.i18n import N_, Translator
from bot.owner_buttons import Interest, Menu
from bot.staff_buttons import InterestList, InterestReply
from bot.storage.outbox import Item

log = logging.getLogger(__name__)
FLOW = "interest"


def register(router: Router) -> None:
    """Wire /minat, the staff's /daftarminat, their buttons, hooks and the invitation."""
    router.command(("minat", "interest"), on_interest, N_("The yearly interest list"))
    router.command(("daftarminat", "interestlists"), on_lists, N_("Manage the interest lists"),
                   staff=True)
    router.button(Interest, on_owner_button)
    router.button(InterestList, on_staff_button, staff=True)
    router.button(InterestReply, on_reply_button, staff=True)
    router.flow(FLOW, on_flow_input)
    router.menu_entry(menu_buttons)
    router.result_buttons.append(menu_buttons)
    router.staff_menu_entry(staff_menu_button)
    router.data_sections.append(data_lines)
    router.renderer(interest.KIND, render_invitation)


def _is_year(year: int) -> bool:
    return 1000 <= year <= 9999


def join_button(tr: Translator, year: int) -> Button:
    """One tap to join a year's list."""
    return Button(tr.gettext("⭐ Join list {year}").format(year=year),
                  Interest("join", year).pack())


# ---------------------------------------------------------------- owners


async def menu_buttons(ctx: Context) -> list[Button]:
    """Join or leave the open list with one tap (menu, and under a result)."""
    owner = ctx.owner
    if owner is None or not owner.consented:
        return []
    current = await ctx.db.interest.latest_open()
    if current is None:
        return []
    if current.year in await ctx.db.interest.years_of(owner.id):
        return [Button(ctx.tr.gettext("☆ Leave list {year}").format(
            year=current.year), Interest("leave", current.year).pack())]
    return [join_button(ctx.tr, current.year)]


async def on_interest(ctx: Context, _args: str) -> None:
    """/minat: the open list, and whether the owner is on it."""
    _ = ctx.tr.gettext
    current = await ctx.db.interest.latest_open()
    if current is None:
        ctx.reply(_("No interest list is open right now. When the office opens the list for "
                    "next year's training, it is announced here."))
        return
    owner = ctx.owner
    member = owner is not None and current.year in await ctx.db.interest.years_of(owner.id)
    if member:
        ctx.reply(_("You are on the interest list for the {year} export training. We will "
                    "tell you when its sessions open.").format(year=current.year),
                  [[Button(_("☆ Leave list {year}").format(year=current.year),
                           Interest("leave", current.year).pack())]])
        return
    ctx.reply(_("The interest list for the {year} export training is open. Join it with one "
                "tap, and we will tell you first when its sessions open.").format(
                    year=current.year), [[join_button(ctx.tr, current.year)]])


async def on_owner_button(ctx: Context, press: Interest) -> None:
    """Join or leave a year's list."""
    _ = ctx.tr.gettext
    action, year = press.action, press.year
    if not _is_year(year):
        ctx.stale_button()
        return
    owner = ctx.owner
    if owner is None or not owner.consented:
        ctx.tidy()
        await ctx.ask_consent()
        return
    ctx.tidy()
    if action == "leave":
        if await ctx.db.interest.leave(year, owner.id):
            ctx.reply(_("You are no longer on the {year} interest list.").format(year=year))
        else:
            ctx.notice(_("You are not on the {year} interest list.").format(year=year))
        return
    found = await ctx.db.interest.get(year)
    if found is None or not found.is_open:
        ctx.notice(_("This interest list is closed."))
        return
    if not await ctx.db.interest.join(year, owner.id, ctx.now):
        ctx.notice(_("You are already on the {year} interest list.").format(year=year))
        return
    log.info("owner %d joined the %d interest list", owner.id, year)
    ctx.reply(_("⭐ You are on the interest list for the {year} export training. We will tell "
                "you when its sessions open. To leave the list, send /interest.").format(year=year))


async def data_lines(ctx: Context) -> list[str]:
    """The owner's interest lists, for /datasaya."""
    owner = ctx.owner
    years = await ctx.db.interest.years_of(owner.id) if owner else []
    if not years:
        return []
    return [ctx.tr.gettext("Interest lists: {years}").format(
        years=", ".join(str(year) for year in years))]


async def render_invitation(core: Core, item: Item, tr: Translator) -> Reply | None:
    """The invitation to a year's list, skipped when it closed or the owner joined meanwhile."""
    _ = tr.gettext
    year = item.payload.get("year")
    if not isinstance(year, int) or item.owner_id is None:
        return None
    found = await core.db.interest.get(year)
    if found is None or not found.is_open or year in await core.db.interest.years_of(
            item.owner_id):
        return None
    return Reply(_("📣 The interest list for the {year} export training of Dindagkop-UKM Kota "
                   "Pekalongan is open! Join it with one tap, and we will tell you first when "
                   "the sessions open.").format(year=year), ((join_button(tr, year),),))


# ---------------------------------------------------------------- staff


async def staff_menu_button(ctx: Context) -> list[Button]:
    """The interest lists entry of the staff menu."""
    return [Button(ctx.tr.gettext("⭐ Interest lists"), Menu("daftarminat").pack())]


async def on_lists(ctx: Context, _args: str) -> None:
    """/daftarminat: the lists with their members, and what staff can do with each."""
    _ = ctx.tr.gettext
    tr = ctx.tr
    lists = await ctx.db.interest.lists()
    lines = [_("<b>Interest lists</b>")]
    if not lists:
        lines.append(_("No list has been opened yet."))
    for entry in lists:
        state = _("open") if entry.is_open else _("closed")
        lines.append(tr.ngettext("{year}: {state}, {count} owner",
                                 "{year}: {state}, {count} owners", entry.members).format(
            year=entry.year, state=state, count=tr.number(entry.members)))
        sent = await interest.invitations(ctx.core, entry.year)
        if sent.total:
            lines.append("   " + _("invitations: {sent} sent · {waiting} still to send · "
                                   "{unreached} not reached").format(
                sent=tr.number(sent.sent), waiting=tr.number(sent.waiting),
                unreached=tr.number(sent.unreached)))
    this_year = ctx.now.astimezone(ctx.config.time_zone).year
    known = {entry.year: entry for entry in lists}
    rows: list[list[Button]] = []
    for year in (this_year, this_year + 1):
        entry = known.get(year)
        if entry is None or not entry.is_open:
            rows.append([Button(_("⭐ Open the {year} list").format(year=year),
                                InterestList("open", year).pack())])
    for entry in lists:
        if entry.is_open:
            rows.append([Button(_("📣 Invite {year}").format(year=entry.year),
                                InterestList("invite", entry.year).pack())])
            rows.append([Button(_("🔒 Close {year}").format(year=entry.year),
                                InterestList("close", entry.year).pack())])
    ctx.reply("\n".join(lines), rows)


async def on_staff_button(ctx: Context, press: InterestList) -> None:
    """Open, close or invite to a year's list: asks to confirm."""
    if not _is_year(press.year):
        ctx.stale_button()
        return
    data = {"action": press.action, "year": press.year}
    await ctx.save_flow(FLOW, "confirm", data)
    await ask_confirmation(ctx, data)


async def ask_confirmation(ctx: Context, data: dict[str, Any]) -> None:
    """What the action will do, with buttons to go ahead or stop."""
    _ = ctx.tr.gettext
    year = data["year"]
    count = 0
    if data["action"] == "open":
        text = _("Open the interest list for {year}? Owners can then join it from the menu.")
        yes = _("⭐ Open the list")
    elif data["action"] == "close":
        text = _("Close the interest list for {year}? Owners on it stay on it; nobody new can "
                 "join.")
        yes = _("🔒 Close the list")
    else:
        count = await interest.invitable(ctx.core, year)
        if count == 0:  # nothing to confirm: say so instead of "0 invitations are on their way"
            await ctx.end_flow()
            ctx.reply(_("There is nobody to invite to the {year} list: nobody was on the "
                        "{previous} list or not yet eligible, or every one of them was invited "
                        "already.").format(year=year, previous=year - 1),
                      [[Button(_("⭐ Interest lists"), Menu("daftarminat").pack())]])
            return
        text = ctx.tr.ngettext(
            "Invite {count} owner to join the {year} list? It goes to the owners on the "
            "{previous} list and those who were not yet eligible. Nobody is invited twice.",
            "Invite {count} owners to join the {year} list? It goes to the owners on the "
            "{previous} list and those who were not yet eligible. Nobody is invited twice.",
            count)
        yes = _("📣 Send the invitations")
    ctx.reply(text.format(year=year, previous=year - 1, count=ctx.tr.number(count)),
              [[Button(yes, InterestReply("yes").pack())],
               [Button(_("✖ Stop"), InterestReply("no").pack())]])


async def on_reply_button(ctx: Context, press: InterestReply) -> None:
    """The confirmation answered with a button (only while it is asked)."""
    await ctx.flow_button(FLOW, press.text, answer)


async def on_flow_input(ctx: Context, _rest: str) -> None:
    """Typed input while an interest-list confirmation is waiting."""
    await answer(ctx, ctx.inbound.text if ctx.inbound.kind == InboundKind.TEXT else "")


async def answer(ctx: Context, text: str) -> None:
    """Go ahead, stop, or ask again."""
    assert ctx.flow is not None
    data = dict(ctx.flow.data)

    async def ask_again(ctx: Context) -> None:
        await ask_confirmation(ctx, data)

    async def go(ctx: Context) -> None:
        await ctx.end_flow()
        await carry_out(ctx, data["action"], int(data["year"]))
        await on_lists(ctx, "")

    await staff_forms.confirm(ctx, text, ask_again, go)


async def carry_out(ctx: Context, action: str, year: int) -> None:
    """Open, close or invite (bot/actions/interest.py), and say what happened."""
    _ = ctx.tr.gettext
    if action == "open":
        await interest.open_list(ctx.core, ctx.actor, ctx.now, year)
        ctx.reply(_("✅ The {year} interest list is open.").format(year=year))
        return
    if action == "close":
        await interest.close_list(ctx.core, ctx.actor, ctx.now, year)
        ctx.reply(_("✅ The {year} interest list is closed.").format(year=year))
        return
    invited = await interest.invite(ctx.core, ctx.actor, ctx.now, year)
    if invited.outcome == "not_open":
        ctx.reply(_("The {year} interest list is not open, so nobody was invited.").format(
            year=year))
        return
    if invited.count == 0:  # all invited meanwhile
        ctx.reply(_("There is nobody left to invite to the {year} list.").format(year=year))
        return
    ctx.reply(ctx.tr.ngettext(
        "✅ {count} invitation is on its way. It goes out at the sending rate of broadcasts.",
        "✅ {count} invitations are on their way. They go out at the sending rate of broadcasts.",
        invited.count).format(count=ctx.tr.number(invited.count)))
