"""The main menu and the help text: every menu button runs one of the listed commands."""

from __future__ import annotations

from bot.advice import office_button, office_lines
from bot.channel import Button
from bot.core import Context, Router, esc
from bot.i18n import N_
from bot.owner_buttons import Menu


def register(router: Router) -> None:
    """Wire /menu, /bantuan and the menu buttons."""
    router.command(("menu",), on_menu, N_("Show the menu"))
    router.command(("bantuan", "help"), on_help, N_("What I can do"))
    router.command(("kontak", "contact"), on_contact, N_("How to reach the office"))
    router.button(Menu, on_menu_button)
    router.menu_entry(help_button)


async def help_button(ctx: Context) -> list[Button]:
    """The help entry of the menu."""
    return [Button(ctx.tr.gettext("❓ Help"), Menu("bantuan").pack())]


async def on_menu(ctx: Context, _args: str) -> None:
    """/menu."""
    await ctx.show_menu()


# Obvious from anywhere, so not repeated in the help (they stay in the messenger's list).
_NOT_IN_HELP = ("start", "menu", "bantuan", "help", "kontak", "contact")


async def on_help(ctx: Context, _args: str) -> None:
    """/bantuan: the owners' commands two to a line, and who to ask (at most 12 lines)."""
    _ = ctx.tr.gettext
    entries = [f"/{name} — {esc(description)}"
               for name, description in ctx.core.commands(ctx.tr.language)
               if name not in _NOT_IN_HELP]
    lines = [_("<b>What I can do</b>")]
    lines += [" · ".join(entries[i:i + 2]) for i in range(0, len(entries), 2)]
    if ctx.is_staff:
        lines.append(_("Staff: /staff shows the staff tools."))
    lines += [_("Questions about the training? Ask us:"),
              *office_lines(ctx.tr, ctx.config.office, full=False)]
    buttons = [[office_button(ctx.tr)], [Button(_("☰ Menu"), Menu("menu").pack())]]
    if ctx.owner is not None and ctx.owner.answering:
        buttons.insert(0, [Button(_("▶️ Continue"), Menu("lanjut").pack())])
    ctx.reply("\n".join(lines), buttons)


async def on_menu_button(ctx: Context, press: Menu) -> None:
    """A menu button runs its command, as if typed."""
    ctx.tidy()
    if not await ctx.run_command(press.command):
        ctx.notice(ctx.tr.gettext("This button no longer works."))


async def on_contact(ctx: Context, _args: str) -> None:
    """/kontak: the office's whole contact (name, WhatsApp, phone, address, hours, web)."""
    lines = office_lines(ctx.tr, ctx.config.office)
    if not await ctx.back_to_questions("\n".join(lines)):
        ctx.reply("\n".join(lines), [[Button(ctx.tr.gettext("☰ Menu"), Menu("menu").pack())]])
