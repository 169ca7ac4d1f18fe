"""Stopping announcements with a word, as WhatsApp users expect: "STOP", "BERHENTI" or
"berhenti pesan" — no command needed — stop announcements and invitations, with one message
that confirms it and says the way back: "MULAI" (or "START"), which starts them again.

Reminders and notices about a session the owner holds a seat in still come: they are not
announcements. The words work on every channel, anywhere outside a staff conversation; the
"stop these messages" quick reply of an announcement or invitation template (`StopNews`) does
the same.
"""

from __future__ import annotations

from bot.core import Context, Router
from bot.owner_buttons import StopNews

STOP_WORDS = ("stop", "berhenti", "berhenti pesan", "stop pesan")
START_WORDS = ("mulai", "start")


def register(router: Router) -> None:
    """Wire the words and the template's quick reply."""
    router.keyword(STOP_WORDS, on_stop)
    router.keyword(START_WORDS, on_start)
    router.button(StopNews, on_button)


async def on_stop(ctx: Context, _word: str) -> None:
    """STOP / BERHENTI: no more announcements (those already queued are withdrawn)."""
    _ = ctx.tr.gettext
    owner = await ctx.ensure_owner()
    await ctx.db.broadcasts.opt_out(owner.id, ctx.now)
    ctx.reply(_("All right: you will not receive announcements from us any more. Reminders "
                "about a training you signed up for still come. To receive announcements "
                "again, send MULAI."))


async def on_start(ctx: Context, word: str) -> None:
    """MULAI / START: announcements again; from anyone who did not stop them, an ordinary
    message (it may be the start of a conversation)."""
    _ = ctx.tr.gettext
    owner = ctx.owner
    if owner is None or await ctx.db.broadcasts.opted_out(owner.id) is None:
        assert ctx.core.router.fallback is not None
        await ctx.core.router.fallback(ctx, "")
        return
    await ctx.db.broadcasts.opt_in(owner.id)
    ctx.reply(_("Welcome back: you will receive announcements from us again. To stop them, "
                "send STOP."))


async def on_button(ctx: Context, _press: StopNews) -> None:
    """The "stop these messages" quick reply under an announcement or invitation template."""
    await on_stop(ctx, "stop")
