"""/umumkan: a staff member writes an announcement, picks the audience, previews, sends.

A staff conversation (`router.flow`), one step at a time, stored so it survives restarts:
write (text with formatting, or a photo or document with a caption) → audience (buttons) →
preview exactly as owners will see it, with the number of recipients → send now, schedule for a
WIB time, or cancel. /pengumuman lists recent announcements: cancel a scheduled one, see failures.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from bot import broadcasting as delivery
from bot.actions import announcements
from bot.actions.announcements import Draft, parse_when
from bot.channel import Button, InboundKind
from bot.core import Context, Router, esc
from bot.i18n import N_
from bot.questionnaire import Question
from bot.storage.broadcasts import KIND, OPEN_STATUSES, VALUED, Audience, Broadcast
from bot.views import AUDIENCE_NAMES, audience_words, choice_label
from bot.views import BROADCAST_STATUS_NAMES as STATUS_NAMES

FLOW = "broadcast"
__all__ = ["parse_when", "register"]


def register(router: Router) -> None:
    """Wire /umumkan, /pengumuman, the conversation and its buttons."""
    router.command(("umumkan", "announce"), on_announce, N_("Send an announcement to owners"),
                   staff=True)
    router.command(("pengumuman", "announcements"), on_list,
                   N_("Recent announcements: cancel a scheduled one, see failures"), staff=True)
    router.flow(FLOW, on_input)
    router.button("bc", on_button, staff=True)
    router.staff_menu_entry(menu_buttons)
    router.renderer(KIND, delivery.render)
    router.on_start.append(delivery.on_start)


async def menu_buttons(ctx: Context) -> list[Button]:
    """The broadcast entries of the staff menu."""
    _ = ctx.tr.gettext
    return [Button(_("📣 Announce"), "m:umumkan"),
            Button(_("🗂 Announcements"), "m:pengumuman")]


async def on_announce(ctx: Context, _args: str) -> None:
    """Start the conversation: ask for the announcement."""
    _ = ctx.tr.gettext
    await ctx.save_flow(FLOW, "write", {})
    ctx.reply(_("<b>New announcement</b>\nWrite the announcement as owners should read it. Bold, "
                "italic and links are kept. You may send a photo or a document with the text as "
                "its caption.\n\nSend /cancel to cancel."))


async def on_input(ctx: Context, _rest: str) -> None:
    """Typed input while the conversation is in progress."""
    assert ctx.flow is not None
    step = ctx.flow.step
    if step == "write":
        await _take_text(ctx)
    elif step == "when":
        await _take_time(ctx)
    else:
        ctx.reply(ctx.tr.gettext("Please use the buttons above, or send /cancel to cancel."))
        if step == "audience":
            await _ask_audience(ctx)


async def _take_text(ctx: Context) -> None:
    _ = ctx.tr.gettext
    inbound = ctx.inbound
    html = inbound.html or esc(inbound.text)
    data: dict[str, Any] = {"html": html.strip(), "file_ref": "", "file_kind": ""}
    if inbound.kind == InboundKind.MEDIA and inbound.file_ref and inbound.media in ("photo",
                                                                             "document"):
        data.update(file_ref=inbound.file_ref, file_kind=inbound.media)
    elif not (inbound.kind == InboundKind.TEXT and inbound.text.strip()):
        ctx.reply(_("Please send the announcement as text, or as a photo or document with a "
                    "caption."))
        return
    draft = Draft(data["html"], Audience("all"), data["file_ref"], data["file_kind"])
    if draft.too_long:
        ctx.reply(_("That is too long: at most {limit} characters (with formatting). Please "
                    "shorten it and send it again.").format(limit=ctx.tr.number(draft.limit)))
        return
    await ctx.save_flow(FLOW, "audience", data)
    await _ask_audience(ctx)


async def _ask_audience(ctx: Context) -> None:
    _ = ctx.tr.gettext
    ctx.reply(_("Who should receive it?"),
              [[Button(_(name), f"bc:a:{kind}")] for kind, name in AUDIENCE_NAMES.items()])


def _draft(data: Any) -> Draft:
    return Draft(data["html"], Audience(**data["audience"]), data["file_ref"], data["file_kind"])


async def _take_time(ctx: Context) -> None:
    _ = ctx.tr.gettext
    assert ctx.flow is not None
    local_now = ctx.now.astimezone(ctx.config.time_zone)
    when = parse_when(ctx.inbound.text, local_now) if ctx.inbound.kind == InboundKind.TEXT else None
    if when is None or not announcements.can_schedule(when, local_now):
        ctx.reply(_("Please type a date and time (WIB) in the coming year, for example "
                    "{example}, or \"besok 09:00\". Send /cancel to cancel.").format(
                        example=(local_now + timedelta(days=1)).strftime("%Y-%m-%d 09:00")))
        return
    draft = _draft(ctx.flow.data)
    await ctx.end_flow()
    done = await announcements.schedule(ctx.core, ctx.actor, ctx.now, draft, when,
                                        language=ctx.tr.language,
                                        report_to=ctx.inbound.chat_id)
    broadcast = done.broadcast
    if broadcast is None:
        ctx.reply(_("The session or list this announcement was for is gone. Nothing was sent; "
                    "send /announce to write it again."))
        return
    ctx.reply(_("Announcement #{number} is scheduled for {when}. It will go to {audience} "
                "(now {count} owners; counted again when it starts).").format(
                    number=broadcast.id, when=ctx.tr.datetime(when),
                    audience=await describe(ctx, broadcast.audience),
                    count=ctx.tr.number(done.count)),
              [[Button(_("✖ Cancel it"), f"bc:x:{broadcast.id}")]])


async def describe(ctx: Context, audience: Audience) -> str:
    """An audience in words, for the staff member (escaped HTML)."""
    choices = await ctx.db.broadcasts.choices(audience.kind) \
        if audience.kind in VALUED and audience.kind not in announcements.ANSWERS \
        and audience.kind != "interest" else []
    return audience_words(ctx.tr, ctx.core.questionnaire, audience, choices)


def _question(ctx: Context, kind: str) -> Question:
    return next(q for q in ctx.core.questionnaire.questions
                if q.id == announcements.ANSWERS[kind])


async def on_button(ctx: Context, rest: str) -> None:
    """bc:… buttons: the conversation's steps, and actions on existing broadcasts."""
    action, _sep, arg = rest.partition(":")
    step = ctx.flow.step if ctx.flow is not None and ctx.flow.name == FLOW else None
    if action == "a" and step in ("audience", "confirm") and arg in AUDIENCE_NAMES:
        await _choose_kind(ctx, arg)
    elif action == "v" and step in ("audience", "confirm"):
        kind, _sep, value = arg.partition(":")
        await _choose_value(ctx, kind, value)
    elif action in ("now", "later", "again", "drop") and step == "confirm":
        await _confirm(ctx, action)
    elif action == "x" and arg.isdigit():
        await _cancel(ctx, int(arg))
    elif action == "stop" and arg.isdigit():
        await _stop(ctx, int(arg))
    elif action == "f" and arg.isdigit():
        await _failures(ctx, int(arg))
    else:
        ctx.notice(ctx.tr.gettext("This button no longer works."))
        ctx.tidy()


async def _choose_kind(ctx: Context, kind: str) -> None:
    _ = ctx.tr.gettext
    ctx.tidy()
    if kind not in VALUED:
        await _preview(ctx, Audience(kind))
        return
    if kind in announcements.ANSWERS:
        options = [(o.value, _(o.label)) for o in _question(ctx, kind).options]
    else:
        options = [(c.value, choice_label(ctx.tr, c))
                   for c in await ctx.db.broadcasts.choices(kind)]
    if not options:
        ctx.reply(_("There is nothing to choose from yet (no training sessions or interest "
                    "lists). Please choose another audience."))
        await _ask_audience(ctx)
        return
    ctx.reply(_("{audience} — which one?").format(audience=esc(_(AUDIENCE_NAMES[kind]))),
              [[Button(label[:60], f"bc:v:{kind}:{value}")] for value, label in options])


async def _choose_value(ctx: Context, kind: str, value: str) -> None:
    audience = Audience(kind, value)
    if kind not in VALUED or not await announcements.valid_audience(ctx.core, audience):
        ctx.notice(ctx.tr.gettext("This button no longer works."))
        ctx.tidy()
        return
    ctx.tidy()
    await _preview(ctx, audience)


async def _preview(ctx: Context, audience: Audience) -> None:
    """Show the announcement exactly as owners will get it, the count, and the choices."""
    _ = ctx.tr.gettext
    assert ctx.flow is not None
    data = {**ctx.flow.data, "audience": {"kind": audience.kind, "value": audience.value}}
    await ctx.save_flow(FLOW, "confirm", data)
    count = sum((await announcements.counts(ctx.core, audience)).values())
    draft = Broadcast(0, ctx.inbound.channel, "", "", ctx.tr.language, data["html"],
                      data["file_ref"], data["file_kind"], audience, "scheduled", None, None,
                      None, ctx.now, None, None)
    ctx.reply(_("<b>Preview</b> — owners will receive this:"))
    ctx.replies.append(delivery.announcement(draft, ctx.tr))
    summary = _("Audience: {audience}").format(audience=await describe(ctx, audience))
    recipients = ctx.tr.ngettext("It will go to {count} owner.", "It will go to {count} owners.",
                                 count).format(count=ctx.tr.number(count))
    rows = [[Button(_("✉️ Send now"), "bc:now")],
            [Button(_("🕘 Send later"), "bc:later")],
            [Button(_("👥 Other audience"), "bc:again")],
            [Button(_("✖ Do not send"), "bc:drop")]]
    if count == 0:
        rows = rows[2:]
        recipients = _("Nobody is in this audience yet.")
    ctx.reply(f"{summary}\n{recipients}", rows)


async def _confirm(ctx: Context, action: str) -> None:
    _ = ctx.tr.gettext
    assert ctx.flow is not None
    ctx.tidy()
    if action == "again":
        await ctx.save_flow(FLOW, "audience", ctx.flow.data)
        await _ask_audience(ctx)
        return
    if action == "drop":
        await ctx.end_flow()
        ctx.reply(_("Cancelled. Nothing was sent."))
        return
    if action == "later":
        await ctx.save_flow(FLOW, "when", ctx.flow.data)
        ctx.reply(_("When should it be sent? Type a date and time in WIB, for example "
                    "{example}, or \"besok 09:00\".").format(
                        example=(ctx.now.astimezone(ctx.config.time_zone)
                                 + timedelta(days=1)).strftime("%Y-%m-%d 09:00")))
        return
    draft = _draft(ctx.flow.data)
    await ctx.end_flow()
    done = await announcements.send_now(ctx.core, ctx.actor, ctx.now, draft,
                                        language=ctx.tr.language,
                                        report_to=ctx.inbound.chat_id)
    if done.broadcast is None:
        ctx.reply(_("The session or list this announcement was for is gone. Nothing was sent; "
                    "send /announce to write it again."))
    elif done.outcome == "started":
        # The progress message was posted while the announcement started, so it is above.
        ctx.reply(_("Announcement #{number} is on its way. The message above shows the "
                    "progress; the report comes as a new message when it is done.").format(
                        number=done.broadcast.id))


async def _cancel(ctx: Context, broadcast_id: int) -> None:
    _ = ctx.tr.gettext
    ctx.tidy()
    ended = await announcements.cancel(ctx.core, ctx.actor, ctx.now, broadcast_id)
    if ended.outcome == "cancelled":
        ctx.reply(_("Announcement #{number} is cancelled; nobody received it.").format(
            number=broadcast_id))
    elif ended.outcome == "missing":
        ctx.notice(_("This button no longer works."))
    else:
        ctx.reply(_("Announcement #{number} can no longer be cancelled: it is {status}.").format(
            number=broadcast_id, status=_(STATUS_NAMES[ended.status])))


async def _stop(ctx: Context, broadcast_id: int) -> None:
    _ = ctx.tr.gettext
    ended = await announcements.stop(ctx.core, ctx.actor, ctx.now, broadcast_id)
    if ended.outcome != "stopped":
        ctx.notice(_("This announcement is not being sent any more."))
        return
    ctx.notice(_("Stopped. Messages not sent yet are withdrawn."), alert=True)


async def _failures(ctx: Context, broadcast_id: int) -> None:
    _ = ctx.tr.gettext
    failures = await announcements.failures(ctx.core, ctx.actor, ctx.now, broadcast_id)
    if not failures:
        ctx.notice(_("No message of this announcement failed."))
        return
    lines = [_("<b>Announcement #{number}: messages that failed</b>").format(
        number=broadcast_id)]
    lines += [_("• owner #{owner}: {reason}").format(owner=owner, reason=esc(reason))
              for owner, reason in failures]
    ctx.reply("\n".join(lines))


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
        lines.append(_("#{number} · {when} · {audience} · {status} · {sent} sent").format(
            number=broadcast.id, when=ctx.tr.datetime(when),
            audience=await describe(ctx, broadcast.audience),
            status=_(STATUS_NAMES[broadcast.status]),
            sent=ctx.tr.number(counts.get("sent", 0))))
        if broadcast.status in OPEN_STATUSES[:1]:
            rows.append([Button(_("✖ Cancel #{number}").format(number=broadcast.id),
                                f"bc:x:{broadcast.id}")])
        if counts.get("failed"):
            rows.append([Button(_("Failures of #{number}").format(number=broadcast.id),
                                f"bc:f:{broadcast.id}")])
    await ctx.audit("broadcast.list", None)
    ctx.reply("\n".join(lines), rows)
