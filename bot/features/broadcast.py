"""/umumkan: a staff member writes an announcement, picks the audience, previews, sends.

A staff conversation (`router.flow`), one step at a time, stored so it survives restarts:
write (text with formatting, or a photo or document with a caption) → audience (buttons) →
preview exactly as owners will see it, with the number of recipients → send now, schedule for a
WIB time, or cancel. /pengumuman lists recent announcements: cancel a scheduled one, see failures.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any

from bot import broadcasting as delivery
from bot.channel import Button, InboundKind
from bot.core import Context, Router, esc
from bot.i18n import N_
from bot.questionnaire import Question
from bot.storage.broadcasts import KIND, OPEN_STATUSES, VALUED, Audience, Broadcast

FLOW = "broadcast"
TEXT_LIMIT = 4096 - delivery.FOOTER_ROOM
CAPTION_LIMIT = 1024 - delivery.FOOTER_ROOM
AUDIENCE_NAMES = {
    "all": N_("Everyone who agreed"),
    "eligible": N_("Eligible owners"),
    "not_eligible": N_("Not yet eligible"),
    "registered": N_("Registered for a session"),
    "waiting": N_("On a waiting list"),
    "interest": N_("Interested in a year"),
    "product": N_("By product type"),
    "kecamatan": N_("By kecamatan"),
}
STATUS_NAMES = {
    "scheduled": N_("scheduled"),
    "sending": N_("sending"),
    "done": N_("sent"),
    "cancelled": N_("cancelled"),
    "stopped": N_("stopped"),
    "missed": N_("missed while the bot was down"),
}
_WHEN = re.compile(
    r"^(?:(?P<word>besok|tomorrow|hari ini|today)\s+|"
    r"(?:(?P<y1>\d{4})-(?P<m1>\d{1,2})-(?P<d1>\d{1,2})|"
    r"(?P<d2>\d{1,2})[-/.](?P<m2>\d{1,2})(?:[-/.](?P<y2>\d{4}))?)\s+)?"
    r"(?:(?:pukul|jam|at)\s+)?(?P<h>\d{1,2})[:.](?P<min>\d{2})(?:\s*wib)?$")


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


def parse_when(text: str, now: datetime) -> datetime | None:
    """A typed WIB time ("2027-10-01 09:00", "1/10 9.00", "besok 09:00", "14:30") after `now`.

    `now` is in the local time zone; so is the answer. A bare time means its next occurrence.
    """
    match = _WHEN.match(" ".join(text.lower().split()))
    if not match:
        return None
    g = match.groupdict()
    try:
        day = now.date()
        if g["y1"]:
            day = day.replace(year=int(g["y1"]), month=int(g["m1"]), day=int(g["d1"]))
        elif g["d2"]:
            day = day.replace(year=int(g["y2"] or now.year), month=int(g["m2"]),
                              day=int(g["d2"]))
        elif g["word"] in ("besok", "tomorrow"):
            day += timedelta(days=1)
        moment = datetime(day.year, day.month, day.day, int(g["h"]), int(g["min"]),
                          tzinfo=now.tzinfo)
    except ValueError:
        return None
    if moment <= now and g["d2"] and not g["y2"]:  # "1/10 09:00" gone this year: next year
        moment = moment.replace(year=moment.year + 1)
    elif moment <= now and not (g["y1"] or g["d2"] or g["word"]):  # a bare time: tomorrow
        moment += timedelta(days=1)
    return moment


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
        limit = CAPTION_LIMIT
    elif inbound.kind == InboundKind.TEXT and inbound.text.strip():
        limit = TEXT_LIMIT
    else:
        ctx.reply(_("Please send the announcement as text, or as a photo or document with a "
                    "caption."))
        return
    if len(data["html"]) > limit:
        ctx.reply(_("That is too long: at most {limit} characters (with formatting). Please "
                    "shorten it and send it again.").format(limit=ctx.tr.number(limit)))
        return
    await ctx.save_flow(FLOW, "audience", data)
    await _ask_audience(ctx)


async def _ask_audience(ctx: Context) -> None:
    _ = ctx.tr.gettext
    ctx.reply(_("Who should receive it?"),
              [[Button(_(name), f"bc:a:{kind}")] for kind, name in AUDIENCE_NAMES.items()])


async def _take_time(ctx: Context) -> None:
    _ = ctx.tr.gettext
    assert ctx.flow is not None
    local_now = ctx.now.astimezone(ctx.config.time_zone)
    when = parse_when(ctx.inbound.text, local_now) if ctx.inbound.kind == InboundKind.TEXT else None
    if when is None or when <= local_now or when > local_now + timedelta(days=366):
        ctx.reply(_("Please type a date and time (WIB) in the coming year, for example "
                    "{example}, or \"besok 09:00\". Send /cancel to cancel.").format(
                        example=(local_now + timedelta(days=1)).strftime("%Y-%m-%d 09:00")))
        return
    broadcast = await _create(ctx, when)
    delivery.schedule(ctx.core, broadcast)
    count = await ctx.db.broadcasts.count(broadcast.audience, delivery.channels(ctx.core))
    await ctx.audit("broadcast.schedule", count, broadcast=broadcast.id,
                    to=broadcast.audience.kind, value=broadcast.audience.value,
                    at=when.isoformat())
    ctx.reply(_("Announcement #{number} is scheduled for {when}. It will go to {audience} "
                "(now {count} owners; counted again when it starts).").format(
                    number=broadcast.id, when=ctx.tr.datetime(when),
                    audience=await describe(ctx, broadcast.audience),
                    count=ctx.tr.number(count)),
              [[Button(_("✖ Cancel it"), f"bc:x:{broadcast.id}")]])


async def _create(ctx: Context, when: datetime) -> Broadcast:
    assert ctx.flow is not None
    data = ctx.flow.data
    broadcast = await ctx.db.broadcasts.create(
        channel=ctx.inbound.channel, author=ctx.inbound.user_id, chat_id=ctx.inbound.chat_id,
        language=ctx.tr.language, html=data["html"], file_ref=data["file_ref"],
        file_kind=data["file_kind"],
        audience=Audience(**data["audience"]), scheduled_for=when, now=ctx.now)
    await ctx.end_flow()
    return broadcast


async def describe(ctx: Context, audience: Audience) -> str:
    """An audience in words, for the staff member (escaped HTML)."""
    _ = ctx.tr.gettext
    name = esc(_(AUDIENCE_NAMES[audience.kind]))
    if not audience.value:
        return name
    if audience.kind in ("product", "kecamatan"):
        option = _question(ctx, audience.kind).option(audience.value)
        label = _(option.label) if option else audience.value
    elif audience.kind == "interest":
        label = audience.value
    else:
        choices = {c.value: c for c in await ctx.db.broadcasts.choices(audience.kind)}
        choice = choices.get(audience.value)
        label = (f"{choice.title} ({ctx.tr.date(choice.when)})" if choice and choice.when
                 else audience.value)
    return f"{name}: {esc(label)}"


def _question(ctx: Context, kind: str) -> Question:
    question_id = "product_type" if kind == "product" else "kecamatan"
    return next(q for q in ctx.core.questionnaire.questions if q.id == question_id)


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
    if kind in ("product", "kecamatan"):
        options = [(o.value, _(o.label)) for o in _question(ctx, kind).options]
    else:
        options = [(c.value, f"{c.title} ({ctx.tr.date(c.when)})" if c.when else c.title)
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
    valid = audience.valid and kind in VALUED
    if valid and kind in ("product", "kecamatan"):
        valid = _question(ctx, kind).option(value) is not None
    elif valid:
        valid = value in {c.value for c in await ctx.db.broadcasts.choices(kind)}
    if not valid:
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
    count = await ctx.db.broadcasts.count(audience, delivery.channels(ctx.core))
    draft = Broadcast(0, "", "", "", ctx.tr.language, data["html"], data["file_ref"],
                      data["file_kind"], audience, "scheduled", None, None, None, ctx.now, None,
                      None)
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
    broadcast = await _create(ctx, ctx.now)
    started = await delivery.launch(ctx.core, broadcast.id)
    started_as = await ctx.db.broadcasts.get(broadcast.id)
    total = started_as.total if started_as is not None and started_as.total else 0
    await ctx.audit("broadcast.send", total, broadcast=broadcast.id,
                    to=broadcast.audience.kind, value=broadcast.audience.value)
    if started:
        # The progress message was posted while the announcement started, so it is above.
        ctx.reply(_("Announcement #{number} is on its way. The message above shows the "
                    "progress; the report comes as a new message when it is done.").format(
                        number=broadcast.id))


async def _cancel(ctx: Context, broadcast_id: int) -> None:
    _ = ctx.tr.gettext
    ctx.tidy()
    if await ctx.db.broadcasts.cancel(broadcast_id, ctx.now):
        delivery.unschedule(ctx.core, broadcast_id)
        await ctx.audit("broadcast.cancel", None, broadcast=broadcast_id)
        ctx.reply(_("Announcement #{number} is cancelled; nobody received it.").format(
            number=broadcast_id))
        return
    broadcast = await ctx.db.broadcasts.get(broadcast_id)
    if broadcast is None:
        ctx.notice(_("This button no longer works."))
        return
    ctx.reply(_("Announcement #{number} can no longer be cancelled: it is {status}.").format(
        number=broadcast_id, status=_(STATUS_NAMES[broadcast.status])))


async def _stop(ctx: Context, broadcast_id: int) -> None:
    _ = ctx.tr.gettext
    broadcast = await ctx.db.broadcasts.get(broadcast_id)
    if broadcast is None or broadcast.status != "sending":
        ctx.notice(_("This announcement is not being sent any more."))
        return
    await ctx.db.broadcasts.end(broadcast_id, "stopped", ctx.now)
    withdrawn = await ctx.db.broadcasts.stop_sending(broadcast_id)
    await ctx.audit("broadcast.stop", withdrawn, broadcast=broadcast_id)
    ctx.notice(_("Stopped. Messages not sent yet are withdrawn."), alert=True)


async def _failures(ctx: Context, broadcast_id: int) -> None:
    _ = ctx.tr.gettext
    failures = await ctx.db.outbox.failures(KIND, str(broadcast_id))
    if not failures:
        ctx.notice(_("No message of this announcement failed."))
        return
    lines = [_("<b>Announcement #{number}: messages that failed</b>").format(
        number=broadcast_id)]
    lines += [_("• owner #{owner}: {reason}").format(owner=owner, reason=esc(reason))
              for owner, reason in failures]
    await ctx.audit("broadcast.failures", len(failures), broadcast=broadcast_id)
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
