"""/start, deep-link sources and the privacy notice that must be accepted before any question.

Consent is explicit (a button), in plain language, and provable: the time, the notice version and
the language it was shown in are stored (UU PDP No. 27/2022).
"""

from __future__ import annotations

import logging
import re

from bot.channel import Button, InboundKind
from bot.core import Context, Router
from bot.i18n import N_

log = logging.getLogger(__name__)
_SOURCE = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


def register(router: Router) -> None:
    """Wire /start and the consent buttons."""
    router.command(("start",), on_start, N_("Start, or see where you are"))
    router.button("c", on_consent)
    router.consent_prompt = prompt


def notice_text(ctx: Context) -> str:
    """The privacy notice, in the owner's language (its version is in config)."""
    _ = ctx.tr.gettext
    return "\n".join([
        _("<b>Welcome to the export training service of Dindagkop-UKM Kota Pekalongan!</b>"),
        "",
        _("In about two minutes I will check whether your business can join the yearly export "
          "training, and tell you what is missing if it cannot yet."),
        "",
        _("<b>Before we start, about your data:</b>"),
        _("• I will store your answers: your name, your business and product, your NIB, "
          "production and packaging, the kecamatan of your KTP address, export experience and "
          "a phone number. I never ask for your NIK."),
        _("• Only staff of Dindagkop-UKM Kota Pekalongan see them, to select and contact "
          "training participants."),
        _("• You can see your data at any time with /datasaya and delete it with /hapusdata."),
        "",
        _("Do you agree that your answers are stored for this purpose?"),
        "<i>" + _("Privacy notice version {version}").format(
            version=ctx.config.questionnaire.notice_version) + "</i>",
    ])


async def ask(ctx: Context, source: str | None = None) -> None:
    """Show the welcome and the privacy notice with agree / disagree buttons."""
    _ = ctx.tr.gettext
    await ctx.ensure_owner(source)
    ctx.reply(notice_text(ctx), [
        [Button(_("✅ Yes, I agree"), "c:yes")],
        [Button(_("No, not now"), "c:no")],
    ])


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


async def on_consent(ctx: Context, rest: str) -> None:
    """The notice's buttons: c:yes stores the consent and asks the first question.

    The notice stays on screen as the record of what was agreed to, marked as agreed, and the
    same message goes on with the first question.
    """
    _ = ctx.tr.gettext
    owner = await ctx.ensure_owner()
    if rest == "yes":
        if owner.consented:
            ctx.notice(_("You have already agreed."))
            return
        await ctx.db.owners.consent(owner.id, ctx.config.questionnaire.notice_version,
                                    ctx.tr.language, ctx.now)
        log.info("owner %d consented to privacy notice %s", owner.id,
                 ctx.config.questionnaire.notice_version)
        await ctx.refresh()
        agreed = "✅ " + _("You agreed on {date}.").format(date=ctx.tr.datetime(ctx.now))
        thanks = _("Thank you! Let's begin. You can send /kembali to go back, /batal to stop "
                   "for now and /lanjut to continue later.")
        await ctx.resume(intro=f"{notice_text(ctx)}\n\n{agreed}\n\n{thanks}", in_place=True)
        return
    ctx.tidy()
    if owner.consented:
        ctx.notice(_("You have already agreed. To withdraw, delete your data with /hapusdata."),
                   alert=True)
        return
    ctx.reply(_("All right, none of your answers will be stored. If you change your mind, "
                "send /start."))
