"""The staff menu (/staf): entries that staff features register; hidden from everyone else."""

from __future__ import annotations

from bot.channel import Button
from bot.core import Context, Router
from bot.i18n import N_


def register(router: Router) -> None:
    """Wire /staf and the staff entry of the main menu."""
    router.command(("staf", "staff"), on_staff_menu, N_("Staff menu"), staff=True)
    router.menu_entry(menu_button)


async def menu_button(ctx: Context) -> list[Button]:
    """Staff see a way to their own menu from the main menu."""
    return [Button(ctx.tr.gettext("🛠 Staff menu"), "m:staf")] if ctx.is_staff else []


async def on_staff_menu(ctx: Context, _args: str) -> None:
    """Show the staff menu: one button per staff tool."""
    rows = []
    for entry in ctx.core.router.staff_menu:
        rows += [[button] for button in await entry(ctx)]
    text = ctx.tr.gettext("<b>Staff menu</b>")
    if not rows:
        text += "\n" + ctx.tr.gettext("No staff tools are available yet.")
    ctx.reply(text, rows)
