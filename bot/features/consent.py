"""/start, deep-link sources and the privacy notice that must be accepted before any question.

Consent is explicit (a button), in plain language, and provable: the time, the notice version and
the language it was shown in are stored (UU PDP No. 27/2022).
"""

from __future__ import annotations

import logging
import re

from bot.channel import Button, InboundKind
from bot.core import Context, Router, esc
from bot.i18n import N_
from bot.owner_buttons import Consent, Menu

log = logging.getLogger(__name__)
_SOURCE = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


def register(router: Router) -> None:
    """Wire /start and the consent buttons."""
    router.command(("start",), on_start, N_("Start, or see where you are"))
    router.button(Consent, on_consent)
    router.consent_prompt = prompt


def notice_text(ctx: Context) -> str:
    """The full privacy notice, a button away from the welcome (its version is in config)."""
    _ = ctx.tr.gettext
    return "\n".join([
        _("<b>Privacy notice</b>"),
        _("We store your answers: your name, your business and product, your NIB, production "
          "and packaging, the kecamatan of your KTP address, export experience and a phone "
          "number. We never ask for your NIK."),
        _("Only staff of Dindagkop-UKM Kota Pekalongan see them, to choose and contact "
          "training participants."),
        _("You can see your data at any time with /mydata and delete it with /deletedata."),
        "<i>" + _("Privacy notice version {version}").format(
            version=esc(ctx.config.questionnaire.notice_version)) + "</i>",
    ])


def welcome_text(ctx: Context) -> str:
    """The welcome: what the questions are for, and the consent in short (the whole notice is
    a button away)."""
    _ = ctx.tr.gettext
    return "\n".join([
        _("<b>Welcome to the export training of Dindagkop-UKM Kota Pekalongan!</b>"),
        _("{count} questions (about 4 minutes): can your business join, and what is "
          "missing?").format(
            count=ctx.tr.number(ctx.core.questionnaire.total)),
        "",
        _("We store your answers (never your NIK) to choose and contact participants; you can "
          "see or delete them at any time. Do you agree?"),
    ])


def consent_buttons(ctx: Context, notice: bool = True) -> list[list[Button]]:
    """Agree, read the whole notice first, or not now."""
    _ = ctx.tr.gettext
    rows = [[Button(_("✅ Yes, I agree"), Consent("yes").pack())]]
    if notice:
        rows.append([Button(_("📄 Read the notice"), Consent("notice").pack())])
    return [*rows, [Button(_("No, not now"), Consent("no").pack())]]


async def ask(ctx: Context, source: str | None = None) -> None:
    """Show the welcome and the consent in short, with agree / read / not now buttons."""
    await ctx.ensure_owner(source)
    ctx.reply(welcome_text(ctx), consent_buttons(ctx))


def _notice_read(ctx: Context) -> str:
    """The notice as agreed to, for an owner who wants to read it again."""
    _ = ctx.tr.gettext
    owner = ctx.owner
    assert owner is not None and owner.consent_at is not None
    agreed = _("You agreed on {date} (version {version}).").format(
        date=ctx.tr.datetime(owner.consent_at), version=esc(owner.consent_version or ""))
    return "\n".join([notice_text(ctx), "", "✅ " + agreed])


async def prompt(ctx: Context, _rest: str) -> None:
    """The privacy notice, for anyone who has not agreed yet (the router's consent rule)."""
    if ctx.inbound.kind == InboundKind.MEDIA:
        ctx.reply(ctx.tr.gettext("I can only read text messages and buttons."))
    await ask(ctx)


async def on_start(ctx: Context, args: str) -> None:
    """/start [source]: welcome a new owner, or show a returning owner where they are."""
    source = args if _SOURCE.match(args) else None
    owner = ctx.owner
    if owner is None or not owner.consented:
        await ask(ctx, source)
        return
    await ctx.resume(welcome_back=True)


async def on_consent(ctx: Context, press: Consent) -> None:
    """The notice's buttons: "yes" stores the consent and asks the first question, "notice"
    shows the notice again, "no" stores nothing.

    After "yes" the welcome stays in the chat as what was agreed to (its buttons taken away;
    the whole notice stays readable from /mydata) and the first question comes on its own.
    """
    _ = ctx.tr.gettext
    owner = await ctx.ensure_owner()
    if press.choice == "yes":
        if owner.consented:
            ctx.notice(_("You have already agreed."))
            return
        await ctx.db.owners.consent(owner.id, ctx.config.questionnaire.notice_version,
                                    ctx.tr.language, ctx.now)
        log.info("owner %d consented to privacy notice %s", owner.id,
                 ctx.config.questionnaire.notice_version)
        await ctx.refresh()
        ctx.tidy()  # the welcome stays in the chat as what was agreed to, without its buttons
        await ctx.resume()
        return
    if press.choice == "notice":
        if not owner.consented:
            ctx.reply(notice_text(ctx) + "\n\n" + esc(
                _("Do you agree that your answers are stored for this purpose?")),
                consent_buttons(ctx, notice=False))
            return
        ctx.reply(_notice_read(ctx), [[Button(_("☰ Menu"), Menu("menu").pack())]])
        return
    ctx.tidy()
    if owner.consented:
        ctx.notice(_("You have already agreed. To withdraw, delete your data with /deletedata."),
                   alert=True)
        return
    ctx.reply(_("All right, none of your answers will be stored. If you change your mind, "
                "send /start."))
