"""/datasaya and /hapusdata: the owner's rights of access and erasure (UU PDP No. 27/2022)."""

from __future__ import annotations

import logging

from bot import languages, screens
from bot.channel import Button
from bot.core import Context, Router, esc
from bot.i18n import N_
from bot.owner_buttons import Consent, Menu, MyData

log = logging.getLogger(__name__)


def register(router: Router) -> None:
    """Wire /datasaya, /hapusdata and the erasure confirmation."""
    router.command(("datasaya", "mydata"), on_my_data, N_("Your stored data"))
    router.command(("hapusdata", "deletedata"), on_delete, N_("Delete your data"))
    router.button(MyData, on_delete_button)
    router.menu_entry(menu_buttons)


async def menu_buttons(ctx: Context) -> list[Button]:
    """The privacy entries of the menu."""
    _ = ctx.tr.gettext
    return [Button(_("🔒 My data"), Menu("datasaya").pack(),
                   description=_("See, or delete, what is stored about you"))]


async def on_my_data(ctx: Context, _args: str) -> None:
    """Show what is stored about the owner in short; the answers and the notice a tap away."""
    _ = ctx.tr.gettext
    tr = ctx.tr
    owner = ctx.owner
    if owner is None:
        ctx.reply(_("No data about you is stored."))
        return
    lines = [_("<b>Data stored about you</b>"),
             _("First contact: {date}").format(date=tr.date(owner.started_at))]
    if owner.consent_at is not None:
        lines.append(_("Consent: given on {date} (privacy notice version {version})").format(
            date=tr.date(owner.consent_at), version=esc(owner.consent_version or "")))
    else:
        lines.append(_("Consent: not given"))
    lines.append(_("Language: {language}").format(
        language=languages.name(owner.language)))
    if owner.source:
        lines.append(_("Came from: {source}").format(source=esc(owner.source)))
    answers = await ctx.db.owners.answers(owner.id)
    lines.append(ctx.tr.ngettext("Answers: {count} stored", "Answers: {count} stored",
                                 len(answers)).format(count=tr.number(len(answers))))
    if owner.finished_at is not None:
        verdict = _("meets the requirements") if owner.eligible else _("not yet eligible")
        lines.append(_("Result: {verdict}, readiness {score} of 100, submitted on {date}").format(
            verdict=verdict, score=tr.number(owner.readiness or 0),
            date=tr.date(owner.finished_at)))
    for section in ctx.core.router.data_sections:
        lines += await section(ctx)
    buttons = [[Button(_("📋 My answers"), MyData("answers").pack())]] if answers else []
    buttons += [[Button(_("📄 Privacy notice"), Consent("notice").pack())],
                [Button(_("🗑 Delete my data"), MyData("ask").pack())]]
    if owner.answering and not owner.paused:
        buttons.append([Button(_("▶️ Continue"), Menu("lanjut").pack())])
    ctx.reply("\n".join(lines), buttons)


async def show_answers(ctx: Context) -> None:
    """Every stored answer, one line per question and its follow-ups."""
    _ = ctx.tr.gettext
    owner = ctx.owner
    if owner is None:
        ctx.reply(_("No data about you is stored."))
        return
    answers = await ctx.db.owners.answers(owner.id)
    questionnaire = ctx.core.questionnaire
    lines = [_("<b>Your answers</b>"),
             *screens.summary_lines(ctx.tr, questionnaire, questionnaire.questions, answers)]
    ctx.reply("\n".join(lines), [[Button(_("✏️ Change answers"), Menu("ubah").pack()),
                                   Button(_("☰ Menu"), Menu("menu").pack())]])


async def on_delete(ctx: Context, _args: str) -> None:
    """Ask for confirmation before erasing everything."""
    _ = ctx.tr.gettext
    if ctx.owner is None:
        ctx.reply(_("No data about you is stored."))
        return
    ctx.reply(_("Delete all your data? Your answers, your result and your sign-ups will be "
                "erased for good. This cannot be undone."), [
        [Button(_("🗑 Yes, delete all"), MyData("yes").pack())],
        [Button(_("No, keep my data"), MyData("no").pack())],
    ])


async def on_delete_button(ctx: Context, press: MyData) -> None:
    """"yes" erases the owner; "no" keeps everything; "ask" asks; "answers" shows them."""
    _ = ctx.tr.gettext
    if press.action == "ask":
        await on_delete(ctx, "")
        return
    if press.action == "answers":
        await show_answers(ctx)
        return
    ctx.tidy()
    if press.action != "yes":
        ctx.notice(_("Nothing was deleted."))
        await ctx.back_to_questions()
        return
    if ctx.owner is None:
        ctx.notice(_("No data about you is stored."))
        return
    for hook in ctx.core.router.before_delete:
        await hook(ctx)
    await ctx.db.owners.delete(ctx.owner.id)
    log.info("owner %d erased their data", ctx.owner.id)
    ctx.owner = None
    ctx.reply(_("All your data has been deleted. Thank you for using this service. If you "
                "want to apply again later, send /start."), remove_keyboard=True)
