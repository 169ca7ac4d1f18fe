"""/berhenti and /lanjutkanpesan: an owner stops announcements, or receives them again.

Only staff broadcasts stop; reminders about a session the owner signed up for still come.
"""

from __future__ import annotations

from bot.core import Context, Router
from bot.i18n import N_


def register(router: Router) -> None:
    """Wire the two commands and the line in /datasaya."""
    router.command(("berhenti", "stop"), on_stop, N_("Stop receiving announcements"))
    router.command(("lanjutkanpesan", "resume"), on_resume, N_("Receive announcements again"))
    router.data_sections.append(data_section)


async def on_stop(ctx: Context, _args: str) -> None:
    """/berhenti: no more announcements (messages already queued are withdrawn)."""
    _ = ctx.tr.gettext
    owner = await ctx.ensure_owner()
    await ctx.db.broadcasts.opt_out(owner.id, ctx.now)
    ctx.reply(_("All right, you will no longer receive announcements from the office. Reminders "
                "about a training you signed up for still come. To receive announcements "
                "again, send /lanjutkanpesan."))


async def on_resume(ctx: Context, _args: str) -> None:
    """/lanjutkanpesan: announcements again."""
    _ = ctx.tr.gettext
    owner = await ctx.ensure_owner()
    await ctx.db.broadcasts.opt_in(owner.id)
    ctx.reply(_("You will receive announcements from the office again. To stop them, send "
                "/berhenti."))


async def data_section(ctx: Context) -> list[str]:
    """/datasaya: whether the owner stopped announcements."""
    if ctx.owner is None:
        return []
    since = await ctx.db.broadcasts.opted_out(ctx.owner.id)
    if since is None:
        return []
    return [ctx.tr.gettext("Announcements: stopped on {date}").format(
        date=ctx.tr.datetime(since))]
