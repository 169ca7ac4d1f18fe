"""Announcements: check a draft and its audience, count who it reaches per channel, send it now
or at a time, cancel a scheduled one, stop one that is sending, look at its failures.

Sending itself is `bot/broadcasting.py` (queued for the one sender, progress, final report).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from bot import broadcasting, questions
from bot.actions import Actor, audit
from bot.media import check_upload
from bot.outreach import WINDOW, WINDOW_MARGIN
from bot.storage.broadcasts import KIND, VALUED, Audience, Broadcast, Choice
from bot.storage.media import Media
from bot.validators import SCHEDULE_AHEAD

if TYPE_CHECKING:
    from bot.core import Core

TEXT_LIMIT = 4096 - broadcasting.FOOTER_ROOM
CAPTION_LIMIT = 1024 - broadcasting.FOOTER_ROOM
UNUSED_KEPT = timedelta(days=2)  # an uploaded file no announcement uses is kept this long
ANSWERS = questions.BY_ANSWER  # audiences by an answer


@dataclass(frozen=True)
class Draft:
    """An announcement before it is sent: its text (reply HTML), audience and file."""

    html: str
    audience: Audience
    file_ref: str = ""  # a photo or document sent in the chat, by its channel's id
    file_kind: str = ""
    media_id: int | None = None  # a file uploaded on the web page (db.media)

    @property
    def limit(self) -> int:
        """The longest text it may have: a caption when it carries a file."""
        return CAPTION_LIMIT if self.file_ref or self.media_id else TEXT_LIMIT

    @property
    def too_long(self) -> bool:
        """Longer than its limit (with formatting)."""
        return len(self.html) > self.limit


@dataclass(frozen=True)
class Launched:
    """What sending or scheduling did.

    `outcome`: "started" (on its way to `count` owners), "scheduled" (for `count` owners as
    of now, counted again when it starts), "again" (the same form sent twice: nothing new),
    "no_audience" (the session or list it was narrowed to is gone: nothing was made).
    """

    outcome: str
    broadcast: Broadcast | None = None
    count: int = 0


@dataclass(frozen=True)
class Reach:
    """Who an audience reaches now: per channel, and how many of its WhatsApp owners are
    outside the 24-hour window (they get the approved template, within the daily limit)."""

    by_channel: dict[str, int]
    outside_window: int = 0
    daily_limit: int = 0  # WhatsApp's, less the part kept for reminders; 0: unlimited

    @property
    def total(self) -> int:
        """Every owner reached, over the channels."""
        return sum(self.by_channel.values())

    @property
    def days(self) -> int:
        """How many days the owners outside the window take at the daily limit (1 or more)."""
        if not self.daily_limit or self.outside_window <= self.daily_limit:
            return 1
        return -(-self.outside_window // self.daily_limit)


@dataclass(frozen=True)
class Ended:
    """What cancelling or stopping did.

    `outcome`: "cancelled", "stopped" (`withdrawn` messages not sent), "too_late" (it is
    `status` already), "missing".
    """

    outcome: str
    status: str = ""
    withdrawn: int = 0


async def upload(core: Core, now: datetime, name: str, content: bytes) -> Media | str:
    """Store a file for an announcement (once; each channel uploads it once), or say why it
    is refused: "empty", "too_big", "type" (a JPEG or PNG photo, or a PDF or office file).

    Files previewed but never sent are deleted here, once they are UNUSED_KEPT old.
    """
    checked = check_upload(name, content)
    if isinstance(checked, str):
        return checked
    await core.db.media.purge_unused(now - UNUSED_KEPT)
    return await core.db.media.add(checked.name, checked.kind, checked.mime, checked.content,
                                   now)


def can_schedule(when: datetime, now: datetime) -> bool:
    """Whether an announcement can be scheduled for `when`: later, within the coming year."""
    return now < when <= now + SCHEDULE_AHEAD


async def valid_audience(core: Core, audience: Audience) -> bool:
    """Whether the audience exists: a known kind, and a value that is an option, a session or
    an interest list when it needs one."""
    if not audience.valid:
        return False
    if audience.kind not in VALUED:
        return True
    if audience.kind in ANSWERS:
        question = next(q for q in core.questionnaire.questions
                        if q.id == ANSWERS[audience.kind])
        return question.option(audience.value) is not None
    return audience.value in {c.value for c in await core.db.broadcasts.choices(audience.kind)}


async def audience_choices(core: Core, audience: Audience) -> list[Choice]:
    """The sessions of the audience's kind, when its words name the one it is narrowed to
    (`views.audience_words`); none for the other kinds, whose value names itself."""
    if audience.kind in VALUED and audience.kind not in ANSWERS and audience.kind != "interest":
        return await core.db.broadcasts.choices(audience.kind)
    return []


def channels(core: Core) -> list[str]:
    """The channels an announcement can reach now (those the sender runs)."""
    return broadcasting.channels(core)


async def counts(core: Core, audience: Audience) -> dict[str, int]:
    """How many owners the audience reaches now, on each channel the bot runs."""
    return await core.db.broadcasts.count_by_channel(audience, channels(core))


async def reach(core: Core, audience: Audience, now: datetime) -> Reach:
    """How many owners the audience reaches now per channel, and how many WhatsApp owners of
    it are outside the window (and against which daily limit)."""
    by_channel = await counts(core, audience)
    if "whatsapp" not in by_channel:
        return Reach(by_channel)
    outside = await core.db.broadcasts.count_outside_window(
        audience, channels(core), "whatsapp", now - (WINDOW - WINDOW_MARGIN))
    settings = core.config.whatsapp
    limit = settings.daily_limit - settings.daily_reserve if settings.daily_limit else 0
    return Reach(by_channel, outside, limit)


async def _create(core: Core, actor: Actor, now: datetime, draft: Draft, when: datetime,
                  language: str, report_to: str,
                  form_key: str | None) -> tuple[Broadcast, bool] | None:
    if draft.too_long:
        raise ValueError("the announcement is longer than its limit")
    if not await valid_audience(core, draft.audience):
        return None
    return await core.db.broadcasts.create(
        channel=actor.channel, author=actor.user_id, chat_id=report_to, language=language,
        html=draft.html, file_ref=draft.file_ref, file_kind=draft.file_kind,
        audience=draft.audience, scheduled_for=when, now=now, media_id=draft.media_id,
        form_key=form_key)


async def send_now(core: Core, actor: Actor, now: datetime, draft: Draft, *, language: str,
                   report_to: str = "", form_key: str | None = None) -> Launched:
    """Send the announcement now. `report_to`: the chat that gets the progress and the report
    ("" for none: the web page shows them); `form_key`: one announcement per web form."""
    made = await _create(core, actor, now, draft, now, language, report_to, form_key)
    if made is None:
        return Launched("no_audience")
    broadcast, new = made
    if not new:
        return Launched("again", broadcast)
    await broadcasting.launch(core, broadcast.id)
    started = await core.db.broadcasts.get(broadcast.id)
    assert started is not None
    total = started.total or 0
    await audit(core, actor, now, "broadcast.send", total, broadcast=broadcast.id,
                to=broadcast.audience.kind, value=broadcast.audience.value)
    return Launched("started", started, total)


async def schedule(core: Core, actor: Actor, now: datetime, draft: Draft, when: datetime, *,
                   language: str, report_to: str = "",
                   form_key: str | None = None) -> Launched:
    """Send the announcement at `when` (a local time; `can_schedule` must allow it)."""
    if not can_schedule(when, now):
        raise ValueError(f"cannot schedule for {when}")
    made = await _create(core, actor, now, draft, when, language, report_to, form_key)
    if made is None:
        return Launched("no_audience")
    broadcast, new = made
    if not new:
        return Launched("again", broadcast)
    broadcasting.schedule(core, broadcast)
    count = await core.db.broadcasts.count(broadcast.audience, channels(core))
    await audit(core, actor, now, "broadcast.schedule", count, broadcast=broadcast.id,
                to=broadcast.audience.kind, value=broadcast.audience.value,
                at=when.isoformat())
    return Launched("scheduled", broadcast, count)


async def cancel(core: Core, actor: Actor, now: datetime, broadcast_id: int) -> Ended:
    """Cancel a scheduled announcement before it starts."""
    if await core.db.broadcasts.cancel(broadcast_id, now):
        broadcasting.unschedule(core, broadcast_id)
        await audit(core, actor, now, "broadcast.cancel", None, broadcast=broadcast_id)
        return Ended("cancelled", "cancelled")
    broadcast = await core.db.broadcasts.get(broadcast_id)
    if broadcast is None:
        return Ended("missing")
    return Ended("too_late", broadcast.status)


async def stop(core: Core, actor: Actor, now: datetime, broadcast_id: int) -> Ended:
    """Stop an announcement being sent: the messages not sent yet are withdrawn."""
    broadcast = await core.db.broadcasts.get(broadcast_id)
    if broadcast is None:
        return Ended("missing")
    if broadcast.status != "sending":
        return Ended("too_late", broadcast.status)
    await core.db.broadcasts.end(broadcast_id, "stopped", now)
    withdrawn = await core.db.broadcasts.stop_sending(broadcast_id)
    await audit(core, actor, now, "broadcast.stop", withdrawn, broadcast=broadcast_id)
    return Ended("stopped", "stopped", withdrawn)


async def failures(core: Core, actor: Actor, now: datetime,
                   broadcast_id: int) -> list[tuple[int | None, str]]:
    """(owner id, reason) of the messages that failed; looking at them is recorded."""
    found = await core.db.outbox.failures(KIND, str(broadcast_id))
    if found:
        await audit(core, actor, now, "broadcast.failures", len(found), broadcast=broadcast_id)
    return found
