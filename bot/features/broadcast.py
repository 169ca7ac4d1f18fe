"""/umumkan: a staff member writes an announcement, picks the audience, previews, sends.

A staff conversation (`router.flow`), one step at a time, stored so it survives restarts:
write (text with formatting, or a photo or document with a caption) → audience (buttons) →
preview exactly as owners will see it, with the number of recipients per channel (and how many
WhatsApp owners are outside the 24-hour window, against the daily limit) → send now, schedule for
a WIB time, or cancel. The announcement's outbox rows are rendered here; owners who got it as a
WhatsApp template press "read it all" (`ReadAll`) for the whole text. The list of recent
announcements (/pengumuman) is `broadcast_list.py`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bot import broadcasting as delivery
from bot import staff_forms
from bot.actions import announcements
from bot.actions.announcements import Draft
from bot.announcement_report import window_lines
from bot.audiences import AUDIENCE_NAMES
from bot.channel import Button, InboundKind
from bot.core import Context, Router, esc
from bot.engine import Ask, Choose, Review, Text
from bot.i18n import N_
from bot.owner_buttons import Menu, ReadAll
from bot.questionnaire import Question
from bot.staff_buttons import AudienceKind, AudienceValue, CancelBroadcast, SendChoice
from bot.staff_questions import ANNOUNCEMENT
from bot.storage.broadcasts import KIND, VALUED, Audience, Broadcast
from bot.views import audience_words, choice_label, group_name

FLOW = "broadcast"
AUDIENCE_QUESTIONS = ("audience", "audience_value", "send", "send_at")


def register(router: Router) -> None:
    """Wire /umumkan, the conversation and its buttons, and the announcement's delivery."""
    router.command(("umumkan", "announce"), on_announce, N_("Send an announcement to owners"),
                   staff=True)
    router.flow(FLOW, on_input)
    router.button(AudienceKind, on_kind_button, staff=True)
    router.button(AudienceValue, on_value_button, staff=True)
    router.button(SendChoice, on_send_button, staff=True)
    router.button(ReadAll, on_read)
    router.staff_menu_entry(menu_button)
    router.renderer(KIND, delivery.render)
    router.on_start.append(delivery.on_start)


async def menu_button(ctx: Context) -> list[Button]:
    """The announce entry of the staff menu."""
    return [Button(ctx.tr.gettext("📣 Announce"), Menu("umumkan").pack())]


async def on_announce(ctx: Context, _args: str) -> None:
    """Start the conversation: ask for the announcement."""
    _ = ctx.tr.gettext
    await ctx.save_flow(FLOW, "write", {})
    ctx.reply(_("<b>New announcement</b>\nWrite the announcement as owners should read it. Bold, "
                "italic and links are kept. You may send a photo or a document with the text as "
                "its caption.\n\nSend /cancel to cancel."))


def _asked(ctx: Context) -> str | None:
    """The question of the announcement asked now (None: the text is being written, or the
    conversation is another one)."""
    if ctx.flow is None or ctx.flow.name != FLOW or "html" not in ctx.flow.data:
        return None
    where = staff_forms.shown(ctx, ANNOUNCEMENT)
    return where.question.id if isinstance(where, Ask) else None


async def on_input(ctx: Context, _rest: str) -> None:
    """Typed input while the conversation is in progress."""
    assert ctx.flow is not None
    asked = _asked(ctx)
    if "html" not in ctx.flow.data:
        await _take_text(ctx)
    elif asked == "send_at":
        await _take_time(ctx)
    else:
        ctx.reply(ctx.tr.gettext("Please use the buttons above, or send /cancel to cancel."))
        if asked == "audience":
            await _show(ctx)


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
    await staff_forms.begin(ctx, FLOW, ANNOUNCEMENT, **data)
    await _show(ctx)


async def _show(ctx: Context) -> None:
    """Ask what is asked now: the audience, which one, or the preview."""
    _ = ctx.tr.gettext
    where = staff_forms.shown(ctx, ANNOUNCEMENT)
    assert isinstance(where, Ask)
    question = where.question
    if question.id == "audience":
        ctx.reply(_(question.label), [[Button(_(o.label), AudienceKind(o.value).pack())]
                                      for o in question.options])
    elif question.id == "audience_value":
        await _ask_value(ctx, staff_forms.answers(ctx)["audience"])
    elif question.id == "send":
        await _preview(ctx)
    else:
        ctx.reply(staff_forms.label(ctx, question))


def _draft(ctx: Context) -> Draft:
    assert ctx.flow is not None
    data, given = ctx.flow.data, staff_forms.answers(ctx)
    audience = Audience(given["audience"], given.get("audience_value", ""))
    return Draft(data["html"], audience, data["file_ref"], data["file_kind"])


async def _take_time(ctx: Context) -> None:
    _ = ctx.tr.gettext
    text = ctx.inbound.text if ctx.inbound.kind == InboundKind.TEXT else ""
    step = await staff_forms.give(ctx, ANNOUNCEMENT, Text(text))
    if isinstance(step.next, Ask):
        assert step.next.error is not None
        ctx.reply(staff_forms.reason(ctx, step.next.error) + " " + _("Send /cancel to cancel."))
        return
    when = datetime.fromisoformat(step.form.answers["send_at"])
    draft = _draft(ctx)
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
              [[Button(_("✖ Cancel it"), CancelBroadcast(broadcast.id).pack())]])


async def describe(ctx: Context, audience: Audience) -> str:
    """An audience in words, for the staff member (escaped HTML)."""
    return audience_words(ctx.tr, ctx.core.questionnaire, audience,
                          await announcements.audience_choices(ctx.core, audience))


def _question(ctx: Context, kind: str) -> Question:
    return next(q for q in ctx.core.questionnaire.questions
                if q.id == announcements.ANSWERS[kind])


def _composing(ctx: Context) -> bool:
    """Whether the announcement's audience or send choice is asked now (else a press of their
    buttons is answered as stale)."""
    if _asked(ctx) in AUDIENCE_QUESTIONS[:3]:
        return True
    ctx.stale_button()
    return False


async def on_kind_button(ctx: Context, press: AudienceKind) -> None:
    """Who the announcement goes to."""
    if press.kind not in AUDIENCE_NAMES:
        ctx.stale_button()
    elif _composing(ctx):
        await _choose_kind(ctx, press.kind)


async def on_value_button(ctx: Context, press: AudienceValue) -> None:
    """Which session, list or answer the audience is narrowed to."""
    if _composing(ctx):
        await _choose_value(ctx, press.kind, press.value)


async def on_send_button(ctx: Context, press: SendChoice) -> None:
    """Under the preview: now, later, another audience, or do not send."""
    if _asked(ctx) == "send":
        await _confirm(ctx, press.action)
    else:
        ctx.stale_button()


async def _choose_kind(ctx: Context, kind: str) -> None:
    ctx.tidy()
    await staff_forms.forget(ctx, ANNOUNCEMENT, *AUDIENCE_QUESTIONS)
    await staff_forms.give(ctx, ANNOUNCEMENT, Choose("audience", kind))
    await _show(ctx)


async def _ask_value(ctx: Context, kind: str) -> None:
    """Which session, list or answer the audience is narrowed to (from the database)."""
    _ = ctx.tr.gettext
    if kind in announcements.ANSWERS:
        options = [(o.value, _(o.label)) for o in _question(ctx, kind).options]
    else:
        options = [(c.value, choice_label(ctx.tr, c))
                   for c in await ctx.db.broadcasts.choices(kind)]
    if not options:
        ctx.reply(_("There is nothing to choose from yet (no training sessions or interest "
                    "lists). Please choose another audience."))
        await staff_forms.forget(ctx, ANNOUNCEMENT, *AUDIENCE_QUESTIONS)
        await _show(ctx)
        return
    ctx.reply(_("{audience} — which one?").format(audience=esc(_(AUDIENCE_NAMES[kind]))),
              [[Button(label[:60], AudienceValue(kind, value).pack())] for value, label in options])


async def _choose_value(ctx: Context, kind: str, value: str) -> None:
    audience = Audience(kind, value)
    if kind not in VALUED or not await announcements.valid_audience(ctx.core, audience):
        ctx.notice(ctx.tr.gettext("This button no longer works."))
        ctx.tidy()
        return
    ctx.tidy()
    await staff_forms.forget(ctx, ANNOUNCEMENT, *AUDIENCE_QUESTIONS)
    await staff_forms.give(ctx, ANNOUNCEMENT, Choose("audience", kind))
    await staff_forms.give(ctx, ANNOUNCEMENT, Text(value))
    await _show(ctx)


async def _preview(ctx: Context) -> None:
    """Show the announcement exactly as owners will get it, the count, and the choices."""
    _ = ctx.tr.gettext
    assert ctx.flow is not None
    data = ctx.flow.data
    audience = _draft(ctx).audience
    reach = await announcements.reach(ctx.core, audience, ctx.now)
    count = reach.total
    draft = Broadcast(0, ctx.inbound.channel, "", "", ctx.tr.language, data["html"],
                      data["file_ref"], data["file_kind"], audience, "scheduled", None, None,
                      None, ctx.now, None, None)
    send = ANNOUNCEMENT.get("send")
    assert send is not None
    ctx.reply(_(send.label))
    ctx.replies.append(delivery.announcement(draft, ctx.tr))
    summary = _("Audience: {audience}").format(audience=await describe(ctx, audience))
    recipients = ctx.tr.ngettext("It will go to {count} owner.", "It will go to {count} owners.",
                                 count).format(count=ctx.tr.number(count))
    rows = [*([Button(_(o.label), SendChoice(o.value).pack())] for o in send.options),
            [Button(_("👥 Other audience"), SendChoice("again").pack())],
            [Button(_("✖ Do not send"), SendChoice("drop").pack())]]
    lines = [summary, recipients]
    if count == 0:
        rows = rows[2:]
        lines[1] = _("Nobody is in this audience yet.")
    elif len(reach.by_channel) > 1:
        lines.append(" · ".join(
            f"{esc(group_name(ctx.tr, ctx.core.questionnaire, 'channel', channel))}: "
            f"{ctx.tr.number(number)}" for channel, number in reach.by_channel.items()))
    lines += window_lines(ctx.tr, reach.outside_window, reach.daily_limit, reach.days)
    ctx.reply("\n".join(lines), rows)


async def _confirm(ctx: Context, action: str) -> None:
    _ = ctx.tr.gettext
    assert ctx.flow is not None
    ctx.tidy()
    if action == "again":
        await staff_forms.forget(ctx, ANNOUNCEMENT, *AUDIENCE_QUESTIONS)
        await _show(ctx)
        return
    if action == "drop":
        await ctx.end_flow()
        ctx.reply(_("Cancelled. Nothing was sent."))
        return
    step = await staff_forms.give(ctx, ANNOUNCEMENT, Choose("send", action))
    if not isinstance(step.next, Review):  # later: when?
        await _show(ctx)
        return
    draft = _draft(ctx)
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


async def on_read(ctx: Context, press: ReadAll) -> None:
    """"Read it all": the whole announcement, for an owner who got it as a WhatsApp template
    (whose text had to be one short paragraph)."""
    broadcast = await ctx.db.broadcasts.content(press.broadcast)
    if broadcast is None or broadcast.status in ("scheduled", "cancelled", "missed"):
        ctx.reply(ctx.tr.gettext("This announcement is no longer available."))
        return
    full = delivery.announcement(broadcast, ctx.tr, channel=ctx.inbound.channel)
    ctx.reply(full.text)  # the photo or document came with the template already
