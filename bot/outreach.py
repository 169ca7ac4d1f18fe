"""Messages to owners on a channel with a messaging window (WhatsApp), decided per message at
send time: the normal message inside the window, the kind's approved template outside it, or
held — never sent free-form outside the window.

The window is 24 hours from the owner's last message, as the inbox keeps them (a few minutes
less, for clocks that disagree: a 131047 that still happens makes the sender try the template
once). Outside it the row's kind (reminder_7d, seat_lost, announcement_photo, …) names its
template (`bot/templates.py`), whose parameters are filled from the database as it is now, in
the owner's language. A kind with no template is held ("waiting: no template") and looked at
again later, or as soon as the owner writes. A template to someone outside the window counts
towards the messenger's daily reach (unique people in a rolling 24 hours, `[whatsapp]
daily_limit`); at the limit rows are held ("waiting: daily limit") until a place frees, and
marketing (announcements, invitations) stops `daily_reserve` short of it, so that reminders
and seat notices still go out that day.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from bot.channel import Attachment, Reply, TemplateMessage
from bot.config import Config
from bot.i18n import Catalogs, Translator
from bot.markup import to_whatsapp
from bot.reminder_policy import time_left
from bot.storage import Database
from bot.storage.outbox import WAITING_DAILY_LIMIT, WAITING_NO_TEMPLATE, Item, reach_horizon
from bot.templates import fill

log = logging.getLogger(__name__)
WINDOW = timedelta(hours=24)
WINDOW_MARGIN = timedelta(minutes=5)  # the window is taken as this much shorter
RECHECK = timedelta(hours=1)  # a row held for want of a template is looked at again then
SAMPLE_START = datetime(2027, 10, 6, 2, 0, tzinfo=UTC)  # for the examples Meta asks for


@dataclass(frozen=True)
class Held:
    """A message that cannot go now: why (bot.storage.outbox.WAITING_*), and when to look again."""

    reason: str
    until: datetime


def inside_window(last_inbound: datetime | None, now: datetime) -> bool:
    """Whether a free-form message may go: the owner wrote within the window."""
    return last_inbound is not None and now - last_inbound < WINDOW - WINDOW_MARGIN


class DailyReach:
    """The people reached by a template in the last 24 hours, against the daily limit."""

    def __init__(self, limit: int, reserve: int) -> None:
        self.limit = limit  # 0: unlimited
        self.reserve = reserve
        self.first: dict[str, datetime] = {}  # chat -> first template within the 24 hours
        self._pending: set[str] = set()  # taken by a send not finished yet

    def restore(self, reached: list[tuple[str, datetime]]) -> None:
        """Start from what the database says was sent (after a restart too)."""
        self.first = dict(reached)

    def _forget_before(self, now: datetime) -> None:
        horizon = reach_horizon(now)
        if self.first and min(self.first.values()) <= horizon:
            self.first = {c: t for c, t in self.first.items() if t > horizon}

    def used(self, now: datetime) -> int:
        """How many people count against today's limit."""
        self._forget_before(now)
        return len(self.first)

    def take(self, chat: str, now: datetime, marketing: bool) -> bool:
        """A place for one template to `chat` (free when `chat` counts already); False when
        the day's reach is used up (for marketing: up to the reserve)."""
        if not self.limit:
            return True
        self._forget_before(now)
        if chat in self.first:
            return True
        room = self.limit - (self.reserve if marketing else 0)
        if len(self.first) >= room:
            return False
        self.first[chat] = now
        self._pending.add(chat)
        return True

    def done(self, chat: str, sent: bool) -> None:
        """A send that took a place finished; a place not used is given back."""
        if chat in self._pending:
            self._pending.discard(chat)
            if not sent:
                self.first.pop(chat, None)

    def opens_at(self, now: datetime) -> datetime:
        """When the next place frees (24 hours after the oldest one was taken)."""
        self._forget_before(now)
        oldest = min(self.first.values(), default=now)
        return max(now, oldest + WINDOW) + timedelta(seconds=1)


def _label(seconds: int, labels: Mapping[int, str]) -> str:
    if seconds in labels:
        return labels[seconds]
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds % size == 0:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"


def when_text(tr: Translator, starts_at: datetime, now: datetime) -> str:
    """How long until a session starts, as a reminder says it ("in 7 days")."""
    unit, count = time_left(starts_at, now)
    number = tr.number(count)
    if unit == "days":
        return tr.ngettext("in {count} day", "in {count} days", count).format(count=number)
    if unit == "hours":
        return tr.ngettext("in {count} hour", "in {count} hours", count).format(count=number)
    return tr.ngettext("in {count} minute", "in {count} minutes", count).format(count=number)


def sample_fields(tr: Translator) -> dict[str, str]:
    """Example values of every field, for the templates submitted to Meta."""
    return {"session_title": "Pelatihan Ekspor Oktober 2027",
            "session_date": tr.datetime(SAMPLE_START),
            "session_place": "Aula Dindagkop-UKM, Jl. Sriwijaya No. 44, Pekalongan",
            "session_id": "1", "time_left": when_text(tr, SAMPLE_START, SAMPLE_START
                                                     - timedelta(days=7)),
            "old_date": tr.datetime(SAMPLE_START - timedelta(days=14)), "position": "4",
            "year": "2027", "broadcast_id": "1",
            "text": tr.gettext("The October export training is open for sign-up. Sign up "
                               "before 20 September.")}


class Outreach:
    """Decides how each outbox row on a windowed channel goes out, and keeps the day's reach."""

    def __init__(self, db: Database, config: Config, catalogs: Catalogs,
                 clock: Callable[[], datetime], channel: str = "whatsapp") -> None:
        self.db = db
        self.config = config
        self.catalogs = catalogs
        self.clock = clock
        self.channel = channel
        self.templates = config.whatsapp.templates
        self.reach = DailyReach(config.whatsapp.daily_limit, config.whatsapp.daily_reserve)
        self._labels = dict(zip(config.reminders.offsets, config.reminders.labels, strict=True))

    async def start(self) -> None:
        """Read the day's reach so far from the outbox."""
        now = self.clock()
        self.reach.restore(await self.db.outbox.reached(self.channel, reach_horizon(now)))

    async def prepare(self, item: Item, reply: Reply) -> Reply | TemplateMessage | Held | None:
        """The message to send for `item` now (None: nothing to send after all)."""
        now = self.clock()
        if not item.forced_template and inside_window(item.last_inbound, now):
            return reply
        tr = self.catalogs.get(item.language or self.config.default_language)
        found = await self._fields(item, tr, now)
        if found is None:
            return None
        kind, fields, header = found
        template = self.templates.for_kind(kind)
        if template is None:
            log.info("outbox row %d (%s): outside the window and no template; held",
                     item.id, kind)
            return Held(WAITING_NO_TEMPLATE, now + RECHECK)
        if not self.reach.take(item.chat_id, now, template.marketing):
            return Held(WAITING_DAILY_LIMIT, self.reach.opens_at(now))
        return fill(template, tr.language, fields, header=header)

    def release(self, item: Item) -> None:
        """A row prepared as a template was not sent: its place in the day's reach is free."""
        self.reach.done(item.chat_id, sent=False)

    def sent(self, item: Item) -> None:
        """A row prepared as a template went out."""
        self.reach.done(item.chat_id, sent=True)

    async def _fields(self, item: Item, tr: Translator, now: datetime
                      ) -> tuple[str, dict[str, Any], Attachment | None] | None:
        """The template kind of a row, the fields its message offers, and its file."""
        payload = item.payload
        if item.kind == "broadcast":
            return await self._announcement(item)
        if item.kind == "invitation":
            return "invitation", {"year": payload.get("year")}, None
        session_id = payload.get("session_id")
        if not isinstance(session_id, int) or item.owner_id is None:
            return None
        session = await self.db.sessions.get(session_id)
        registration = await self.db.registrations.get(session_id, item.owner_id)
        if session is None or registration is None:
            return None
        fields: dict[str, Any] = {
            "session_title": session.title, "session_date": tr.datetime(session.starts_at),
            "session_place": session.place or tr.gettext("the place will be announced"),
            "session_id": session.id, "position": tr.number(registration.position or 0)}
        kind = item.kind
        if kind == "reminder":
            kind = f"reminder_{_label(int(payload.get('offset') or 0), self._labels)}"
            fields["time_left"] = when_text(tr, session.starts_at, now)
        elif kind == "seat":
            kind = "seat_given" if payload.get("chosen") else "seat_promoted"
        elif kind == "session_moved":
            old = payload.get("old")
            fields["old_date"] = tr.datetime(datetime.fromisoformat(str(old))) if old else "-"
            if registration.status == "waiting":
                kind = "session_moved_waiting"
        return kind, fields, None

    async def _announcement(self, item: Item
                            ) -> tuple[str, dict[str, Any], Attachment | None] | None:
        broadcast = await self.db.broadcasts.content(int(item.ref))
        if broadcast is None:
            return None
        header = None
        if broadcast.media_id:
            media = await self.db.media.get(broadcast.media_id)
            if media is not None:
                header = Attachment(filename=media.name, kind=media.kind, media_id=media.id,
                                    mime=media.mime)
        elif broadcast.file_ref and broadcast.channel == item.channel:
            header = Attachment(filename=f"pengumuman-{broadcast.id}", kind=broadcast.file_kind,
                                ref=broadcast.file_ref)
        kind = "announcement"
        if header is not None:
            kind = "announcement_photo" if header.kind == "photo" else "announcement_document"
        text = to_whatsapp(broadcast.html) or "-"
        return kind, {"text": text, "broadcast_id": broadcast.id}, header
