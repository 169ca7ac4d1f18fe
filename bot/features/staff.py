"""The staff menu (/staf) with entries that staff features register, and the audit log (/audit).

Both are hidden from everyone else.
"""

from __future__ import annotations

from bot import audit_log
from bot.channel import Button
from bot.core import Context, Router, esc
from bot.i18n import N_
from bot.owner_buttons import Menu

AUDIT_SHOWN = 15  # the newest actions in one message; the staff web page has them all


def register(router: Router) -> None:
    """Wire /staf and the staff entry of the main menu."""
    router.command(("staf", "staff"), on_staff_menu, N_("Staff menu"), staff=True)
    router.command(("audit",), on_audit, N_("Staff actions log: who did what, when"),
                   staff=True)
    router.menu_entry(menu_button)
    router.staff_menu_entry(audit_button)


async def menu_button(ctx: Context) -> list[Button]:
    """Staff see a way to their own menu from the main menu."""
    return [Button(ctx.tr.gettext("🛠 Staff menu"), Menu("staf").pack())] if ctx.is_staff else []


async def on_staff_menu(ctx: Context, _args: str) -> None:
    """Show the staff menu: one button per staff tool."""
    rows = []
    for entry in ctx.core.router.staff_menu:
        rows += [[button] for button in await entry(ctx)]
    text = ctx.tr.gettext("<b>Staff menu</b>")
    if not rows:
        text += "\n" + ctx.tr.gettext("No staff tools are available yet.")
    ctx.reply(text, rows)


async def audit_button(ctx: Context) -> list[Button]:
    """The audit log entry of the staff menu."""
    return [Button(ctx.tr.gettext("🧾 Staff actions log"), Menu("audit").pack())]


async def on_audit(ctx: Context, _args: str) -> None:
    """/audit: the newest staff actions in words, people by name, newest first."""
    _ = ctx.tr.gettext
    entries = await ctx.db.staff.audit_entries(AUDIT_SHOWN)
    sessions = {s.id: s.title for s in await ctx.db.reports.sessions()}
    names = await ctx.db.applicants.names(
        sorted({i for e in entries for i in audit_log.owners_in(e)}))
    lines = [_("<b>Staff actions, newest first</b>")]
    for entry in entries:
        line = _("{when} · {who}: {what}").format(
            when=ctx.tr.datetime(entry.at),
            who=esc(audit_log.staff_name(ctx.tr, ctx.config.web.staff_names, entry.channel,
                                         entry.actor)),
            what=esc(audit_log.describe(ctx.tr, entry, sessions, names)))
        if entry.audience is not None:
            line += " · " + ctx.tr.ngettext("{count} owner", "{count} owners",
                                            entry.audience).format(
                                                count=ctx.tr.number(entry.audience))
        lines.append(line)
    if not entries:
        lines.append(_("Nothing recorded yet."))
    ctx.reply("\n".join(lines))
