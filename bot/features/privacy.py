"""/datasaya and /hapusdata: the owner's rights of access and erasure (UU PDP No. 27/2022)."""

from __future__ import annotations

import logging

from bot import languages
from bot.channel import Button
from bot.core import Context, Router, esc
from bot.i18n import N_
from bot.views import format_answer

log = logging.getLogger(__name__)


def register(router: Router) -> None:
    """Wire /datasaya, /hapusdata and the erasure confirmation."""
    router.command(("datasaya", "mydata"), on_my_data, N_("See the data stored about you"))
    router.command(("hapusdata", "deletedata"), on_delete, N_("Delete all your data"))
    router.button("x", on_delete_button)
    router.menu_entry(menu_buttons)


async def menu_buttons(ctx: Context) -> list[Button]:
    """The privacy entries of the menu."""
    _ = ctx.tr.gettext
    return [Button(_("🔒 My data"), "m:datasaya"), Button(_("🗑 Delete my data"), "m:hapusdata")]


async def on_my_data(ctx: Context, _args: str) -> None:
    """Show everything stored about the owner."""
    _ = ctx.tr.gettext
    tr = ctx.tr
    owner = ctx.owner
    if owner is None:
        ctx.reply(_("No data about you is stored."))
        return
    lines = [_("<b>Data stored about you</b>"), ""]
    lines.append(_("First contact: {date}").format(date=tr.datetime(owner.started_at)))
    if owner.consent_at is not None:
        lines.append(_("Consent: given on {date} (privacy notice version {version})").format(
            date=tr.datetime(owner.consent_at), version=esc(owner.consent_version or "")))
    else:
        lines.append(_("Consent: not given"))
    lines.append(_("Language: {language}").format(
        language=languages.name(owner.language)))
    if owner.source:
        lines.append(_("Came from: {source}").format(source=esc(owner.source)))
    answers = await ctx.db.owners.answers(owner.id)
    if answers:
        lines += ["", _("<b>Your answers</b>")]
        for question in ctx.core.questionnaire.questions:
            if question.id in answers:
                lines.append(f"• {esc(_(question.short))}: "
                             f"{format_answer(tr, question, answers[question.id])}")
    if owner.finished_at is not None:
        verdict = _("meets the requirements") if owner.eligible else _("not yet eligible")
        lines += ["", _("Result: {verdict}, readiness {score} of 100, submitted on {date}").format(
            verdict=verdict, score=tr.number(owner.readiness or 0),
            date=tr.datetime(owner.finished_at))]
    for section in ctx.core.router.data_sections:
        extra = await section(ctx)
        if extra:
            lines += ["", *extra]
    lines += ["", _("To delete all of it, send /hapusdata.")]
    ctx.reply("\n".join(lines))


async def on_delete(ctx: Context, _args: str) -> None:
    """Ask for confirmation before erasing everything."""
    _ = ctx.tr.gettext
    if ctx.owner is None:
        ctx.reply(_("No data about you is stored."))
        return
    ctx.reply(_("Delete all your data? Your answers, your result and your sign-ups will be "
                "erased for good. This cannot be undone."), [
        [Button(_("🗑 Yes, delete everything"), "x:yes")],
        [Button(_("No, keep my data"), "x:no")],
    ])


async def on_delete_button(ctx: Context, rest: str) -> None:
    """x:yes erases the owner; x:no keeps everything."""
    _ = ctx.tr.gettext
    ctx.tidy()
    if rest != "yes":
        ctx.notice(_("Nothing was deleted."))
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
