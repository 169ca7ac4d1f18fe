"""Broadcasts going out: start (now or at the scheduled time), progress, the final report.

A broadcast is a row in `broadcasts`; starting it queues one outbox row per recipient and the
shared sender does the rest. A scheduled broadcast is a job on the core's one scheduler, rebuilt
from the database at start-up, so it survives restarts; one missed by more than `LATE_LIMIT`
while the bot was down is not sent late (its text may be out of date) and its author is told.
While it is sending, an interval job edits the staff member's status message every few seconds.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from bot.announcement_report import final_report, progress_text
from bot.channel import Attachment, Button, Reply
from bot.core import Core
from bot.delivery import DeliveryError
from bot.i18n import Translator
from bot.staff_buttons import StopBroadcast
from bot.storage.broadcasts import KIND, Broadcast
from bot.storage.media import Media
from bot.storage.outbox import Item

log = logging.getLogger(__name__)
LATE_LIMIT = timedelta(hours=12)
FOOTER_ROOM = 300  # characters kept free for the footer under every announcement
DONE_STATES = ("sent", "blocked", "failed", "skipped", "cancelled")


@dataclass(frozen=True)
class Progress:
    """Where a broadcast stands: its row and its recipients' messages by status."""

    broadcast: Broadcast
    by_channel: Mapping[str, Mapping[str, int]]  # the recipients' messages per channel

    @property
    def counts(self) -> dict[str, int]:
        """The recipients' messages by status, over every channel (and "resent")."""
        total: dict[str, int] = {}
        for counts in self.by_channel.values():
            for status, count in counts.items():
                total[status] = total.get(status, 0) + count
        return total

    @property
    def handled(self) -> int:
        """Messages done with: sent, blocked, failed, skipped or withdrawn."""
        return sum(self.counts.get(status, 0) for status in DONE_STATES)

    @property
    def remaining(self) -> int:
        """Messages still to send."""
        return self.counts.get("queued", 0) + self.counts.get("sending", 0)

    @property
    def finished(self) -> bool:
        """Nothing is left to send (it may still be marked done at the next tick)."""
        return self.broadcast.status not in ("scheduled", "sending") or (
            self.broadcast.total is not None and self.remaining == 0)


async def progress(core: Core, broadcast_id: int) -> Progress | None:
    """How a broadcast is going (the web page shows it; the chat edits its progress message)."""
    broadcast = await core.db.broadcasts.get(broadcast_id)
    if broadcast is None:
        return None
    return Progress(broadcast, await core.db.outbox.counts_by_channel(KIND, broadcast.ref))


def announcement(broadcast: Broadcast, tr: Translator, *, channel: str | None = None,
                 media: Media | None = None) -> Reply:
    """The message an owner on `channel` receives, in their language (also the preview).

    An uploaded file (`media`) goes to every channel, each sending it by its own id; a file
    sent in the chat has only its channel's id, so it goes to that channel's owners only (the
    others get the text alone): one messenger's file id means nothing to another.
    """
    footer = "<i>" + tr.gettext("An announcement from Dindagkop-UKM Kota Pekalongan. To stop "
                                "receiving announcements, reply STOP.") + "</i>"
    text = f"{broadcast.html}\n\n{footer}" if broadcast.html.strip() else footer
    attachment = None
    if media is not None:
        attachment = Attachment(filename=media.name, kind=media.kind, media_id=media.id,
                                mime=media.mime)
    elif broadcast.file_ref and channel in (None, broadcast.channel):
        attachment = Attachment(filename=f"pengumuman-{broadcast.id}", kind=broadcast.file_kind,
                                ref=broadcast.file_ref)
    return Reply(text, attachment=attachment)


async def render(core: Core, item: Item, tr: Translator) -> Reply | None:
    """The outbox renderer of broadcasts: the announcement, unless it is gone."""
    broadcast = await core.db.broadcasts.content(int(item.ref))
    if broadcast is None:
        return None
    media = await core.db.media.get(broadcast.media_id) if broadcast.media_id else None
    return announcement(broadcast, tr, channel=item.channel, media=media)


def _job_id(broadcast_id: int) -> str:
    return f"broadcast:{broadcast_id}"


def _progress_job_id(broadcast_id: int) -> str:
    return f"broadcast-progress:{broadcast_id}"


def schedule(core: Core, broadcast: Broadcast) -> None:
    """Start `broadcast` at its time with the core's scheduler."""
    assert broadcast.scheduled_for is not None
    core.scheduler.add_job(launch, "date", run_date=broadcast.scheduled_for,
                           args=[core, broadcast.id], id=_job_id(broadcast.id),
                           replace_existing=True, misfire_grace_time=None)


def unschedule(core: Core, broadcast_id: int) -> None:
    """Forget the start job of a cancelled broadcast."""
    if core.scheduler.get_job(_job_id(broadcast_id)) is not None:
        core.scheduler.remove_job(_job_id(broadcast_id))


def channels(core: Core) -> list[str]:
    """The channels the sender can reach now: audiences are limited to them."""
    return sorted(core.sender.transports) if core.sender is not None else []


async def launch(core: Core, broadcast_id: int) -> bool:
    """Start a scheduled broadcast: queue its recipients, post the progress message."""
    now = core.clock()
    if not await core.db.broadcasts.begin(broadcast_id, now):
        return False  # cancelled, or started already
    broadcast = await core.db.broadcasts.get(broadcast_id)
    assert broadcast is not None
    total = await core.db.broadcasts.enqueue(broadcast, channels(core), now)
    core.wake_sender()
    log.info("broadcast %d started for %d recipients", broadcast_id, total)
    tr = _author_translator(core, broadcast)
    message_id = await _post(core, broadcast, progress_text(tr, broadcast.id, 0, total, None))
    await core.db.broadcasts.set_status_message(broadcast_id, message_id)
    watch(core, broadcast_id)
    return True


def watch(core: Core, broadcast_id: int) -> None:
    """Update the progress message every few seconds until the broadcast ends."""
    state: dict[str, Any] = {}
    core.scheduler.add_job(
        report_progress, "interval", seconds=core.config.broadcast.progress_every_s,
        args=[core, broadcast_id, state], id=_progress_job_id(broadcast_id),
        replace_existing=True, coalesce=True, max_instances=1, misfire_grace_time=None)


async def on_start(core: Core) -> None:
    """Rebuild the jobs from the database: scheduled broadcasts, and those cut off mid-way."""
    now = core.clock()
    for broadcast in await core.db.broadcasts.in_status(("scheduled", "sending")):
        if broadcast.status == "sending":
            if broadcast.total is None:  # killed between starting and queueing: queue again
                await core.db.broadcasts.enqueue(broadcast, channels(core), now)
                core.wake_sender()
            watch(core, broadcast.id)
        elif broadcast.scheduled_for is not None and now - broadcast.scheduled_for > LATE_LIMIT:
            await core.db.broadcasts.end(broadcast.id, "missed", now)
            tr = _author_translator(core, broadcast)
            await _post(core, broadcast, tr.gettext(
                "Announcement #{number} was scheduled for {when}, but the bot was not running "
                "then. It was not sent, because its text may be out of date. Send it again "
                "with /announce if it is still right.").format(
                    number=broadcast.id, when=tr.datetime(broadcast.scheduled_for)))
        elif broadcast.scheduled_for is not None and broadcast.scheduled_for <= now:
            await launch(core, broadcast.id)  # due while the bot was down: start it now
        else:
            schedule(core, broadcast)


async def report_progress(core: Core, broadcast_id: int, state: dict[str, Any]) -> None:
    """One progress tick: edit the status message, or give the final report when done."""
    broadcast = await core.db.broadcasts.get(broadcast_id)
    if broadcast is None or broadcast.status not in ("sending", "stopped"):
        _stop_watching(core, broadcast_id)
        return
    counts = await core.db.outbox.counts(KIND, broadcast.ref)
    total = broadcast.total or 0
    handled = sum(counts.get(status, 0) for status in DONE_STATES)
    remaining = counts.get("queued", 0) + counts.get("sending", 0)
    tr = _author_translator(core, broadcast)
    if remaining == 0 and broadcast.total is not None:
        _stop_watching(core, broadcast_id)
        if broadcast.status == "sending":
            await core.db.broadcasts.end(broadcast_id, "done", core.clock())
        # The progress message shows where it ended (no Stop button any more), and the report
        # comes as a new message: the staff member is notified when a long broadcast ends.
        await _edit(core, broadcast, "\n".join([
            tr.gettext("<b>Announcement #{number}</b>").format(number=broadcast.id),
            tr.gettext("Done: {handled} of {total} handled. The report is below.").format(
                handled=tr.number(handled), total=tr.number(total))]))
        text, buttons = final_report(tr, broadcast, counts,
                                     await core.db.outbox.deliveries(KIND, broadcast.ref))
        await _post(core, broadcast, text, buttons)
        log.info("broadcast %d finished: %s", broadcast_id, dict(counts))
        return
    waiting = await core.db.outbox.waiting(KIND, broadcast.ref)
    rate = _observed_rate(state, handled) or sum(
        core.config.broadcast.limits(channel).rate for channel in channels(core)) or 1.0
    sendable = remaining - sum(count for count, _until in waiting.values())
    text = progress_text(tr, broadcast.id, handled, total, sendable / rate, waiting)
    if text != state.get("shown"):  # an unchanged message cannot be edited anyway
        state["shown"] = text
        await _edit(core, broadcast, text, ((Button(tr.gettext("⏹ Stop sending"),
                                                    StopBroadcast(broadcast.id).pack()),),))


def _observed_rate(state: dict[str, Any], handled: int) -> float | None:
    """Messages per second since the last tick (smoothed); None until there is a measure."""
    now = time.monotonic()
    last = state.get("last")
    state["last"] = (now, handled)
    if last is None or now <= last[0] or handled <= last[1]:
        return state.get("rate")
    current = (handled - last[1]) / (now - last[0])
    previous = state.get("rate")
    state["rate"] = current if previous is None else 0.5 * previous + 0.5 * current
    return state["rate"]


def _stop_watching(core: Core, broadcast_id: int) -> None:
    if core.scheduler.get_job(_progress_job_id(broadcast_id)) is not None:
        core.scheduler.remove_job(_progress_job_id(broadcast_id))


def _author_translator(core: Core, broadcast: Broadcast) -> Translator:
    return core.catalogs.get(broadcast.language)


async def _post(core: Core, broadcast: Broadcast, text: str,
                buttons: tuple[tuple[Button, ...], ...] = ()) -> str | None:
    """A new message to the broadcast's author (the progress message, the report, a warning).

    An announcement made on the web page has no chat to write to (`chat_id` ""): its page
    shows the progress and the report instead.
    """
    transport = core.sender.transports.get(broadcast.channel) if core.sender else None
    if transport is None or not broadcast.chat_id:
        return None
    try:
        core.sender.spend(broadcast.channel)  # type: ignore[union-attr]
        return await transport.deliver(broadcast.chat_id, Reply(text, buttons))
    except DeliveryError as exc:
        log.warning("could not post to the author of broadcast %d: %s", broadcast.id, exc)
        return None


async def _edit(core: Core, broadcast: Broadcast, text: str,
                buttons: tuple[tuple[Button, ...], ...] = ()) -> None:
    """Change the progress message (or post one when it could not be sent before)."""
    transport = core.sender.transports.get(broadcast.channel) if core.sender else None
    if transport is None or not broadcast.chat_id:
        return
    if broadcast.status_message is None:
        try:
            core.sender.spend(broadcast.channel)  # type: ignore[union-attr]
            message_id = await transport.deliver(broadcast.chat_id, Reply(text, buttons))
        except DeliveryError as exc:
            log.warning("could not post the progress of broadcast %d: %s", broadcast.id, exc)
            return
        await core.db.broadcasts.set_status_message(broadcast.id, message_id)
        return
    try:
        core.sender.spend(broadcast.channel)  # type: ignore[union-attr]
        await transport.edit(broadcast.chat_id, broadcast.status_message, text, buttons)
    except DeliveryError as exc:
        log.info("progress of broadcast %d not updated: %s", broadcast.id, exc)
