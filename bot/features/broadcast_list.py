"""/pengumuman: the recent announcements, with delivered and read on WhatsApp, and what can
still be done about them: cancel a scheduled one, stop one being sent, see its failures.

The buttons are built where the announcement is shown (the scheduled confirmation in
`broadcast.py`, the progress message in `bot/broadcasting.py`, this list); every press goes
through `bot.actions.announcements`.
"""

from __future__ import annotations

from bot.actions import announcements
from bot.announcement_report import delivery_lines, reason_words
from bot.channel import Button
from bot.core import Context, Router, esc
from bot.i18n import N_
from bot.owner_buttons import Menu
from bot.staff_buttons import CancelBroadcast, Failures, StopBroadcast
from bot.storage.broadcasts import KIND, OPEN_STATUSES, Audience
from bot.views import BROADCAST_STATUS_NAMES as STATUS_NAMES
from bot.views import audience_words


def register(router: Router) -> None:
    """Wire /pengumuman and the buttons of an announcement already written."""
    router.command(("pengumuman", "announcements"), on_list,
                   N_("Recent announcements: cancel a scheduled one, see failures"), staff=True)
    router.button(CancelBroadcast, on_cancel_button, staff=True)
    router.button(StopBroadcast, on_stop_button, staff=True)
    router.button(Failures, on_failures_button, staff=True)
    router.staff_menu_entry(menu_button)


async def menu_button(ctx: Context) -> list[Button]:
    """The announcements entry of the staff menu."""
    return [Button(ctx.tr.gettext("🗂 Announcements"), Menu("pengumuman").pack())]


async def _describe(ctx: Context, audience: Audience) -> str:
    """An audience in words, for the staff member (escaped HTML)."""
    return audience_words(ctx.tr, ctx.core.questionnaire, audience,
                          await announcements.audience_choices(ctx.core, audience))


async def on_list(ctx: Context, _args: str) -> None:
    """/pengumuman: the recent announcements, with what can still be done about them."""
    _ = ctx.tr.gettext
    recent = await ctx.db.broadcasts.recent(10)
    if not recent:
        ctx.reply(_("No announcements yet. Send /announce to write one."))
        return
    lines, rows = [_("<b>Recent announcements</b>")], []
    for broadcast in recent:
        when = broadcast.scheduled_for or broadcast.created_at
        counts = await ctx.db.outbox.counts(KIND, broadcast.ref)
        deliveries = await ctx.db.outbox.deliveries(KIND, broadcast.ref)
        lines.append(_("#{number} · {when} · {audience} · {status} · {sent} sent").format(
            number=broadcast.id, when=ctx.tr.datetime(when),
            audience=await _describe(ctx, broadcast.audience),
            status=_(STATUS_NAMES[broadcast.status]),
            sent=ctx.tr.number(counts.get("sent", 0))))
        lines += [f"   {line}" for line in delivery_lines(ctx.tr, deliveries)]
        if broadcast.status in OPEN_STATUSES[:1]:
            rows.append([Button(_("✖ Cancel #{number}").format(number=broadcast.id),
                                CancelBroadcast(broadcast.id).pack())])
        if counts.get("failed") or any(key.startswith("failed:") for found in
                                       deliveries.values() for key in found):
            rows.append([Button(_("Failures of #{number}").format(number=broadcast.id),
                                Failures(broadcast.id).pack())])
    await ctx.audit("broadcast.list", None)
    ctx.reply("\n".join(lines), rows)


async def on_cancel_button(ctx: Context, press: CancelBroadcast) -> None:
    """Cancel a scheduled announcement."""
    _ = ctx.tr.gettext
    ctx.tidy()
    ended = await announcements.cancel(ctx.core, ctx.actor, ctx.now, press.broadcast)
    if ended.outcome == "cancelled":
        ctx.reply(_("Announcement #{number} is cancelled; nobody received it.").format(
            number=press.broadcast))
    elif ended.outcome == "missing":
        ctx.notice(_("This button no longer works."))
    else:
        ctx.reply(_("Announcement #{number} can no longer be cancelled: it is {status}.").format(
            number=press.broadcast, status=_(STATUS_NAMES[ended.status])))


async def on_stop_button(ctx: Context, press: StopBroadcast) -> None:
    """Stop an announcement being sent."""
    _ = ctx.tr.gettext
    ended = await announcements.stop(ctx.core, ctx.actor, ctx.now, press.broadcast)
    if ended.outcome != "stopped":
        ctx.notice(_("This announcement is not being sent any more."))
        return
    ctx.notice(_("Stopped. Messages not sent yet are withdrawn."), alert=True)


async def on_failures_button(ctx: Context, press: Failures) -> None:
    """The messages of an announcement that failed."""
    _ = ctx.tr.gettext
    failures = await announcements.failures(ctx.core, ctx.actor, ctx.now, press.broadcast)
    if not failures:
        ctx.notice(_("No message of this announcement failed."))
        return
    lines = [_("<b>Announcement #{number}: messages that failed</b>").format(
        number=press.broadcast)]
    lines += [_("• owner #{owner}: {reason}").format(
        owner=owner, reason=esc(reason_words(ctx.tr, reason))) for owner, reason in failures]
    ctx.reply("\n".join(lines))
