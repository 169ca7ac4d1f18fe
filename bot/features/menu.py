"""The main menu and the help text: every menu button runs one of the listed commands."""

from __future__ import annotations

from bot.channel import Button
from bot.core import Context, Router, esc
from bot.i18n import N_


def register(router: Router) -> None:
    """Wire /menu, /bantuan and the menu buttons."""
    router.command(("menu",), on_menu, N_("Show the menu"))
    router.command(("bantuan", "help"), on_help, N_("What I can do"))
    router.button("m", on_menu_button)
    router.menu_entry(help_button)


async def help_button(ctx: Context) -> list[Button]:
    """The help entry of the menu."""
    return [Button(ctx.tr.gettext("❓ Help"), "m:bantuan")]


async def on_menu(ctx: Context, _args: str) -> None:
    """/menu."""
    await ctx.show_menu()


async def on_help(ctx: Context, _args: str) -> None:
    """/bantuan: the commands, and who to ask."""
    _ = ctx.tr.gettext
    lines = [_("<b>What I can do</b>")]
    for name, description in ctx.core.commands(ctx.tr.language, staff=ctx.is_staff):
        lines.append(f"/{name} — {esc(description)}")
    lines += ["", _("Questions about the training? Contact Dindagkop-UKM Kota Pekalongan.")]
    ctx.reply("\n".join(lines), [[Button(_("☰ Menu"), "m:menu")]])


async def on_menu_button(ctx: Context, rest: str) -> None:
    """A menu button: m:<command> runs that command, as if typed."""
    ctx.tidy()
    if not await ctx.run_command(rest):
        ctx.notice(ctx.tr.gettext("This button no longer works."))
