"""What staff read about an announcement going out: the progress lines, the final report, and
why messages were not delivered, in words. Pure: counts in, reply HTML out.

On WhatsApp the report also says how many were delivered and read (from the status webhooks,
`bot.storage.outbox.deliveries`) and why the others were not (outside the window, not on
WhatsApp, stopped marketing, rate limited); rows still waiting say for what (the daily limit,
until when; or an approved template).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta

from babel.dates import format_timedelta

from bot.channel import Button
from bot.i18n import Translator
from bot.staff_buttons import Failures
from bot.storage.broadcasts import Broadcast
from bot.storage.outbox import WAITING_DAILY_LIMIT, WAITING_NO_TEMPLATE
from bot.views import CHANNEL_NAMES

Waiting = Mapping[str, tuple[int, datetime | None]]  # reason -> (rows, earliest next try)
Deliveries = Mapping[str, Mapping[str, int]]  # channel -> delivered, read, failed:<reason>


def failure_words(tr: Translator, reason: str) -> str:
    """A failed delivery's reason, as staff read it."""
    _ = tr.gettext
    words = {"window": _("outside the 24-hour window"),
             "unreachable": _("not on WhatsApp (or blocked us)"),
             "marketing": _("stopped marketing messages in WhatsApp"),
             "rate": _("rate limited by WhatsApp"),
             "held": _("held back by WhatsApp (too many marketing messages to them)")}
    if reason in words:
        return words[reason]
    code = reason.partition(":")[2]
    return _("WhatsApp error {code}").format(code=code) if code else _("another error")


def reason_words(tr: Translator, reason: str) -> str:
    """A stored failure reason for staff: the messenger's own words, or a delivery failure
    ("delivery:<why>", from status webhooks) in words."""
    if reason.startswith("delivery:"):
        return failure_words(tr, reason.removeprefix("delivery:"))
    return reason


def waiting_lines(tr: Translator, waiting: Waiting) -> list[str]:
    """What rows still queued wait for: the daily limit (until when), a template."""
    _ = tr.gettext
    lines = []
    count, until = waiting.get(WAITING_DAILY_LIMIT, (0, None))
    if count:
        lines.append(tr.ngettext(
            "⏸ WhatsApp's daily limit is reached: {count} more goes out from {when}, by itself.",
            "⏸ WhatsApp's daily limit is reached: {count} more go out from {when}, by itself.",
            count).format(count=tr.number(count),
                          when=tr.datetime(until) if until else "-"))
    count, _until = waiting.get(WAITING_NO_TEMPLATE, (0, None))
    if count:
        lines.append(tr.ngettext(
            "⏳ {count} WhatsApp owner is outside the 24-hour window and waits for an approved "
            "template (see `umkm-bot check`).",
            "⏳ {count} WhatsApp owners are outside the 24-hour window and wait for an approved "
            "template (see `umkm-bot check`).", count).format(count=tr.number(count)))
    return lines


def window_lines(tr: Translator, outside_window: int, daily_limit: int, days: int) -> list[str]:
    """For the preview: how many WhatsApp owners get the template, and how many days the daily
    limit makes it take."""
    lines = []
    if outside_window:
        lines.append(tr.ngettext(
            "{count} WhatsApp owner has not written in the last 24 hours: they get the approved "
            "announcement template instead.",
            "{count} WhatsApp owners have not written in the last 24 hours: they get the "
            "approved announcement template instead.",
            outside_window).format(count=tr.number(outside_window)))
    if days > 1:
        lines.append(tr.gettext(
            "⚠️ WhatsApp lets us reach {limit} people a day outside the 24-hour window, so this "
            "takes about {days} days to reach them all. The bot carries on by itself each "
            "day.").format(limit=tr.number(daily_limit), days=tr.number(days)))
    return lines


def delivery_lines(tr: Translator, deliveries: Deliveries) -> list[str]:
    """Delivered and read per channel that reports them, and failures by reason."""
    _ = tr.gettext
    lines = []
    for channel, counts in sorted(deliveries.items()):
        name = _(CHANNEL_NAMES.get(channel, channel))
        lines.append(_("{channel}: delivered {delivered}, read {read}").format(
            channel=name, delivered=tr.number(counts.get("delivered", 0)),
            read=tr.number(counts.get("read", 0))))
        failed = sorted((key.partition(":")[2], count) for key, count in counts.items()
                        if key.startswith("failed:"))
        if failed:
            lines.append(_("Not delivered on {channel}: {reasons}").format(
                channel=name, reasons="; ".join(
                    f"{failure_words(tr, reason)} {tr.number(count)}"
                    for reason, count in failed)))
    return lines


def progress_text(tr: Translator, number: int, handled: int, total: int,
                  eta_seconds: float | None, waiting: Waiting | None = None) -> str:
    """The progress message: sent so far, time left, what waits."""
    _ = tr.gettext
    lines = [_("<b>Announcement #{number}</b>").format(number=number)]
    if eta_seconds is None:
        lines.append(_("Sending to {total} owners…").format(total=tr.number(total)))
    else:
        eta = format_timedelta(timedelta(seconds=max(1, round(eta_seconds))),
                               threshold=1.1, locale=tr.language)
        lines.append(_("Sent {sent} of {total} — about {eta} left").format(
            sent=tr.number(handled), total=tr.number(total), eta=eta))
    return "\n".join(lines + waiting_lines(tr, waiting or {}))


def final_report(tr: Translator, broadcast: Broadcast, counts: Mapping[str, int],
                 deliveries: Deliveries | None = None,
                 ) -> tuple[str, tuple[tuple[Button, ...], ...]]:
    """The report at the end: sent, blocked, failed, delivered and read, what else happened."""
    _ = tr.gettext
    title = (_("<b>Announcement #{number} stopped</b>") if broadcast.status == "stopped"
             else _("<b>Announcement #{number} finished</b>"))
    lines = [
        title.format(number=broadcast.id),
        _("Sent: {count}").format(count=tr.number(counts.get("sent", 0))),
        _("Blocked the bot: {count}").format(count=tr.number(counts.get("blocked", 0))),
        _("Failed: {count}").format(count=tr.number(counts.get("failed", 0))),
    ]
    lines += delivery_lines(tr, deliveries or {})
    if counts.get("cancelled"):
        lines.append(_("Not sent (stopped, or the owner stopped announcements): {count}").format(
            count=tr.number(counts["cancelled"])))
    if counts.get("resent"):
        lines.append(_("Sent again after an interruption, so perhaps received twice: {count}")
                     .format(count=tr.number(counts["resent"])))
    buttons: tuple[tuple[Button, ...], ...] = ()
    undelivered = any(key.startswith("failed:") for c in (deliveries or {}).values()
                      for key in c)
    if counts.get("failed") or undelivered:
        buttons = ((Button(_("Show the failures"), Failures(broadcast.id).pack()),),)
    return "\n".join(lines), buttons
