"""When reminders are due: pure functions of a session's start, the offsets and a clock.

A session has one reminder moment per configured offset ("7d", "1d", "2h" before it starts). The
policy, in one place for start-up, for a scheduler job that runs late and for a session that moved:

- nothing is sent once the session has started;
- a reminder due before the session got its current start time is never sent (the notice of the
  move or of the new session already told everyone the date);
- of the reminders already due, only the latest is sent: an earlier one would say the same thing
  later and out of order ("in 7 days" when it is tomorrow);
- an owner gets a reminder only when they had their seat at its due time (late registrants get
  only the reminders still ahead; that filter is the query `seated_at <= due`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True)
class Due:
    """One reminder moment of a session: `offset` seconds before it starts, at `at`."""

    offset: int
    at: datetime


@dataclass(frozen=True)
class Plan:
    """What to do about one session's reminders at a given moment."""

    send_now: Due | None  # already due and still worth sending (missed while the bot was down)
    later: tuple[Due, ...]  # not due yet: to schedule, earliest first


def due_times(starts_at: datetime, offsets: Iterable[int]) -> tuple[Due, ...]:
    """Every reminder moment of a session, earliest first."""
    return tuple(sorted((Due(o, starts_at - timedelta(seconds=o)) for o in set(offsets)),
                        key=lambda due: due.at))


def plan(starts_at: datetime, offsets: Iterable[int], since: datetime, now: datetime) -> Plan:
    """Which reminder to send at once and which to schedule, at `now`.

    `since` is when the session got its current start time (created or moved).
    """
    if now >= starts_at:
        return Plan(None, ())
    moments = [due for due in due_times(starts_at, offsets) if due.at >= since]
    past = [due for due in moments if due.at <= now]
    return Plan(past[-1] if past else None, tuple(due for due in moments if due.at > now))


def worth_sending(starts_at: datetime, offsets: Iterable[int], offset: int, since: datetime,
                  now: datetime) -> bool:
    """Whether the reminder `offset` may still go out at `now` (a job may run late)."""
    current = plan(starts_at, offsets, since, now)
    due = ([current.send_now] if current.send_now else []) + list(current.later)
    return any(d.offset == offset for d in due)


def reminder_ref(session_id: int, offset: int, starts_at: datetime) -> str:
    """The outbox ref of one reminder: once per session, offset and start time.

    With the start time in it, a moved session reminds again for its new time, and the outbox's
    uniqueness makes "at most once per registration and offset" hold across restarts.
    """
    return f"reminder:{session_id}:{offset}:{int(starts_at.timestamp())}"


def time_left(starts_at: datetime, now: datetime) -> tuple[str, int]:
    """How long until the start, as people say it: ("days", 7), ("hours", 2), ("minutes", 30).

    A reminder sent a few seconds after its due time still says "in 1 day", not "in 23 hours".
    """
    minutes = max(0, round((starts_at - now).total_seconds() / 60))
    if minutes >= 22 * 60:
        return "days", round(minutes / 1440)
    if minutes >= 90:
        return "hours", round(minutes / 60)
    return "minutes", minutes
