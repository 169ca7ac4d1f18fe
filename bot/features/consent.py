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

log = logging.getLogger(__name__)
_SOURCE = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


def register(router: Router) -> None:
    """Wire /start and the consent buttons."""
    router.command(("start",), on_start, N_("Start, or see where you are"))
    router.button("c", on_consent)
    router.consent_prompt = prompt


def notice_text(ctx: Context) -> str:
    """The welcome and the privacy notice, in the owner's language (its version is in config)."""
    _ = ctx.tr.gettext
    return "\n".join([
        _("<b>Welcome to the export training service of Dindagkop-UKM Kota Pekalongan!</b>"),
        _("{count} short questions (about 4 minutes) tell you whether your business can join "
          "the yearly export training, and what is missing if it cannot yet.").format(
            count=ctx.tr.number(ctx.core.questionnaire.total)),
        "",
        _("<b>About your data:</b> we store your answers (name, business, NIB, production, "
          "the kecamatan of your KTP, phone number), never your NIK. Only staff of "
          "Dindagkop-UKM see them, to choose and contact participants. See or delete them any "
          "time with /mydata and /deletedata."),
        "",
        _("Do you agree that your answers are stored for this purpose?"),
        "<i>" + _("Privacy notice version {version}").format(
            version=esc(ctx.config.questionnaire.notice_version)) + "</i>",
    ])


async def ask(ctx: Context, source: str | None = None) -> None:
    """Show the welcome and the privacy notice with agree / disagree buttons."""
    _ = ctx.tr.gettext
    await ctx.ensure_owner(source)
    ctx.reply(notice_text(ctx), [
        [Button(_("✅ Yes, I agree"), "c:yes")],
        [Button(_("No, not now"), "c:no")],
    ])


def _notice_read(ctx: Context) -> str:
    """The notice as agreed to, for an owner who wants to read it again."""
    _ = ctx.tr.gettext
    owner = ctx.owner
    assert owner is not None and owner.consent_at is not None
    text = notice_text(ctx).rsplit("\n\n", 1)[0]
    return "\n".join([text, "", "✅ " + _("You agreed on {date} (version {version}).").format(
        date=ctx.tr.datetime(owner.consent_at), version=esc(owner.consent_version or ""))])


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
    """The notice's buttons: c:yes stores the consent and asks the first question, c:notice
    shows the notice again.

    The agreed notice shrinks to one line (it stays readable from /mydata); the first question
    comes in the same message.
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
        agreed = "✅ " + esc(_("Thank you, your consent is recorded. Let's begin."))
        await ctx.resume(intro=agreed, in_place=True)
        return
    if rest == "notice":
        if not owner.consented:
            await ask(ctx)
            return
        ctx.reply(_notice_read(ctx), [[Button(_("☰ Menu"), "m:menu")]])
        return
    ctx.tidy()
    if owner.consented:
        ctx.notice(_("You have already agreed. To withdraw, delete your data with /deletedata."),
                   alert=True)
        return
    ctx.reply(_("All right, none of your answers will be stored. If you change your mind, "
                "send /start."))
