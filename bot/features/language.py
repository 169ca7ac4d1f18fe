"""/bahasa: choose the language of the conversation."""

from __future__ import annotations

from bot import languages
from bot.channel import Button
from bot.core import Context, Router, esc
from bot.i18n import N_
from bot.owner_buttons import Language, Menu


def register(router: Router) -> None:
    """Wire /bahasa and the language buttons."""
    router.command(("bahasa", "language"), on_language, N_("Change the language"))
    router.button(Language, on_choose)
    router.menu_entry(menu_button)


async def menu_button(ctx: Context) -> list[Button]:
    """The language entry of the menu (always bilingual, so anyone can find it)."""
    return [Button("🌐 Bahasa / Language", Menu("bahasa").pack())]


async def on_language(ctx: Context, _args: str) -> None:
    """Offer the languages, each named in itself."""
    ctx.reply(ctx.tr.gettext("Choose a language:"),
              [[Button(languages.name(lang), Language(lang).pack())]
               for lang in ctx.core.catalogs.languages])


async def on_choose(ctx: Context, press: Language) -> None:
    """A language: remember it, confirm in it, and carry on where the owner was."""
    if press.code not in ctx.core.catalogs.languages:
        ctx.notice(ctx.tr.gettext("This button no longer works."))
        ctx.tidy()
        return
    owner = await ctx.ensure_owner()
    await ctx.db.owners.set_language(owner.id, press.code)
    await ctx.refresh()
    ctx.use_language(press.code)
    ctx.tidy()
    said = ctx.tr.gettext("I will write in English from now on.")
    if not owner.consented:
        ctx.notice(said)  # on a channel without pop-ups, the first line of the notice below
        await ctx.ask_consent()
    elif not await ctx.back_to_questions(esc(said)):
        ctx.reply(esc(said), [[Button(ctx.tr.gettext("☰ Menu"), Menu("menu").pack())]])
