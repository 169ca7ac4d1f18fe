"""/kabar: an owner stops announcements from the office, or receives them again.

Only staff broadcasts stop; reminders about a session the owner signed up for still come. Both
ways are asked before they are done, and the owner then returns to where they were (in the
middle of the questionnaire: the same question). The old names /berhenti and /stop are easy to
mean "stop the questions", so they ask which of the two the owner means.
"""

from __future__ import annotations

from bot.channel import Button
from bot.core import Context, Router, esc
from bot.i18n import N_
from bot.owner_buttons import Menu, News


def register(router: Router) -> None:
    """Wire /kabar, its old names, the buttons and the line in /datasaya."""
    router.command(("kabar", "news"), on_announcements,
                   N_("Announcements: stop or receive"))
    router.command(("berhenti", "stop"), on_stop, "", listed=False)
    router.command(("lanjutkanpesan", "resume"), on_announcements, "", listed=False)
    router.button(News, on_button)
    router.data_sections.append(data_section)


async def on_announcements(ctx: Context, _args: str) -> None:
    """Say whether announcements come, with one button to change it and one to leave it."""
    _ = ctx.tr.gettext
    owner = await ctx.ensure_owner()
    since = await ctx.db.broadcasts.opted_out(owner.id)
    if since is None:
        ctx.reply(_("You receive announcements from the office (new trainings, interest lists). "
                    "Stop them?"), [
            [Button(_("🔕 Stop them"), News("off").pack(),
                    description=_("Reminders of your training still come"))],
            [Button(_("↩️ Keep them"), News("keep").pack())],
        ])
        return
    ctx.reply(_("You stopped announcements from the office on {date}. Receive them again?").format(
        date=ctx.tr.date(since)), [
        [Button(_("🔔 Receive them"), News("on").pack())],
        [Button(_("↩️ Leave it so"), News("keep").pack())],
    ])


async def on_stop(ctx: Context, _args: str) -> None:
    """/berhenti: ask what to stop: the questions for now, or the announcements."""
    _ = ctx.tr.gettext
    owner = await ctx.ensure_owner()
    rows = []
    if owner.answering:
        rows.append([Button(_("⏸ Pause questions"), News("pause").pack(),
                            description=_("Your answers are kept; continue any time"))])
    if await ctx.db.broadcasts.opted_out(owner.id) is None:
        rows.append([Button(_("🔕 Announcements"), News("off").pack(),
                            description=_("No more announcements from the office"))])
    if not rows:
        await on_announcements(ctx, "")
        return
    rows.append([Button(_("↩️ Nothing"), News("keep").pack())])
    ctx.reply(_("What do you want to stop?"), rows)


async def on_button(ctx: Context, press: News) -> None:
    """Off, on, pause or keep; then back to where the owner was."""
    _ = ctx.tr.gettext
    owner = await ctx.ensure_owner()
    ctx.tidy()
    if press.choice == "pause":
        pause = ctx.core.router.commands.get("jeda")
        if pause is not None:
            await pause.handler(ctx, "")
            return
    if press.choice == "off":
        await ctx.db.broadcasts.opt_out(owner.id, ctx.now)
        said = _("🔕 Announcements stopped. Reminders about a training you signed up for still "
                 "come. To receive announcements again: /news.")
    elif press.choice == "on":
        await ctx.db.broadcasts.opt_in(owner.id)
        said = _("🔔 You will receive announcements from the office again.")
    else:
        said = _("Nothing was changed.")
    if not await ctx.back_to_questions(esc(said)):
        ctx.reply(esc(said), [[Button(_("☰ Menu"), Menu("menu").pack())]], replace=True)


async def data_section(ctx: Context) -> list[str]:
    """/datasaya: whether the owner stopped announcements."""
    if ctx.owner is None:
        return []
    since = await ctx.db.broadcasts.opted_out(ctx.owner.id)
    if since is None:
        return []
    return [ctx.tr.gettext("Announcements: stopped on {date}").format(date=ctx.tr.date(since))]
