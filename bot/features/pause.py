"""Stopping the questions for a while, or starting them over: /jeda (its old name /batal),
/ulang, and the choice after being told the business cannot join ("go on anyway" / "stop").

The answers always stay until the owner confirms starting over; every way out says how to come
back, and every "no" returns the owner to where they were.
"""

from __future__ import annotations

from bot.channel import Button, InboundKind
from bot.core import Context, Router, esc
from bot.i18n import N_
from bot.owner_buttons import Menu, Restart, Unmet


def register(router: Router) -> None:
    """Wire /jeda, /ulang and their buttons."""
    router.command(("jeda", "pause"), on_pause, N_("Pause; answers are kept"))
    # The old name of /jeda (easy to mistake for /batalikut); pausing is safe, so it stays.
    router.command(("batal", "cancel"), on_pause, "", listed=False)
    router.command(("ulang", "restart"), on_restart, N_("Start over"), agreed=True)
    router.button(Restart, on_restart_button, agreed=True)
    router.button(Unmet, on_final_button, agreed=True)


async def on_final_button(ctx: Context, press: Unmet) -> None:
    """After "your business cannot join": "go" answers on, "stop" pauses."""
    if press.choice == "stop":
        await on_pause(ctx, "")
        return
    await ctx.resume(in_place=True)


async def on_pause(ctx: Context, _args: str) -> None:
    """/jeda: stop asking for now; the answers stay."""
    _ = ctx.tr.gettext
    owner = ctx.owner
    if owner is None or not owner.consented or (owner.finished_at is not None
                                                and owner.cursor is None):
        await ctx.show_menu(_("There is no questionnaire in progress."))
        return
    await ctx.db.owners.set_paused(owner.id, True)
    ctx.reply(_("All right, the questions are paused. Your answers are kept: continue whenever "
                "you like with the button below or /continue."),
              [[Button(_("▶️ Continue"), Menu("lanjut").pack())],
               [Button(_("☰ Menu"), Menu("menu").pack())]],
              replace=ctx.inbound.kind == InboundKind.BUTTON, remove_keyboard=True)


async def on_restart(ctx: Context, _args: str) -> None:
    """/ulang: start over, after a confirmation."""
    _ = ctx.tr.gettext
    ctx.reply(_("Start over? All your answers and your result will be deleted."), [
        [Button(_("Yes, start over"), Restart("yes").pack())],
        [Button(_("No, keep them"), Restart("no").pack())],
    ])


async def on_restart_button(ctx: Context, press: Restart) -> None:
    """The confirmation buttons of /ulang: "no" returns to where the owner was."""
    _ = ctx.tr.gettext
    owner = ctx.owner
    if press.answer != "yes" or owner is None:
        ctx.notice(_("Nothing was changed."))
        await ctx.resume(in_place=True)
        return
    await ctx.db.owners.restart(owner.id)
    await ctx.refresh()
    ctx.notice(_("Your answers were deleted."))
    await ctx.resume(intro=esc(_("Let's start again from the first question.")), in_place=True)
