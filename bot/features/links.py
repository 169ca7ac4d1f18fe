"""/tautan <source>: deep links (t.me/<bot>?start=<source>, wa.me/…) and QR codes for a poster.

Owners who start the bot through the link are stored with that source (see consent.py), so
/rekap shows where owners came from.
"""

from __future__ import annotations

import io

import qrcode
from qrcode.constants import ERROR_CORRECT_M

from bot import staff_forms
from bot.channel import Attachment, Button, InboundKind, Reply
from bot.core import Context, Router, esc
from bot.engine import Ask, Text
from bot.i18n import N_
from bot.owner_buttons import Menu
from bot.staff_questions import LINK
from bot.validators import Invalid, check
from bot.views import CHANNEL_NAMES

FLOW = "link"


def register(router: Router) -> None:
    """Wire /tautan, its one-question conversation and its staff-menu entry."""
    router.command(("tautan", "link"), on_link, N_("A link and QR code for a poster"),
                   staff=True)
    router.flow(FLOW, on_name)
    router.staff_menu_entry(menu_button)


async def menu_button(ctx: Context) -> list[Button]:
    """The link entry of the staff menu."""
    return [Button(ctx.tr.gettext("🔗 Poster link & QR"), Menu("tautan").pack(),
                   description=ctx.tr.gettext("A link and QR code for a poster"))]


def qr_png(link: str) -> bytes:
    """A QR code of `link`, large enough to print on a poster."""
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, box_size=16, border=4)
    code.add_data(link)
    code.make(fit=True)
    buffer = io.BytesIO()
    code.make_image().save(buffer)
    return buffer.getvalue()


async def on_link(ctx: Context, args: str) -> None:
    """/tautan poster-batik: the link and QR code; without a name, ask for one."""
    if not args:
        where = await staff_forms.begin(ctx, FLOW, LINK)
        assert isinstance(where, Ask)
        ctx.reply(staff_forms.label(ctx, where.question))
        return
    checked = check("link_name", args)
    if isinstance(checked, Invalid):
        await staff_forms.begin(ctx, FLOW, LINK)
        ctx.reply(staff_forms.reason(ctx, checked))
        return
    await _answer(ctx, checked.value)


async def on_name(ctx: Context, _rest: str) -> None:
    """The typed name of a link (the flow's one question)."""
    text = ctx.inbound.text if ctx.inbound.kind == InboundKind.TEXT else ""
    step = await staff_forms.give(ctx, LINK, Text(text))
    if isinstance(step.next, Ask):
        assert step.next.error is not None
        ctx.reply(staff_forms.reason(ctx, step.next.error))
        return
    await _answer(ctx, step.form.answers["source"])


async def _answer(ctx: Context, source: str) -> None:
    _ = ctx.tr.gettext
    if ctx.flow is not None:
        await ctx.end_flow()
    links = ctx.core.start_links(source)
    if not links:
        ctx.reply(_("A link needs the bot's username or number on a messenger, which is known "
                    "only while the bot runs on Telegram or WhatsApp. Please try again from "
                    "there."))
        return
    arrived = await ctx.db.reports.owners_from(source)
    await ctx.audit("link.create", None, source=source)
    for channel, link in links:
        text = "\n".join([
            _("{channel} link for <b>{source}</b>:").format(
                channel=esc(_(CHANNEL_NAMES.get(channel, channel))), source=esc(source)),
            f'<a href="{esc(link)}">{esc(link)}</a>',
            "",
            _("Print the QR code on the poster. Owners who start the bot through it are "
              "counted under this name in /summary (so far: {count}).").format(
                count=ctx.tr.number(arrived)),
        ])
        ctx.replies.append(Reply(text, attachment=Attachment(f"qr-{channel}-{source}.png",
                                                             qr_png(link))))
