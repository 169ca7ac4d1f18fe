"""The rules of a training session's life, pure: what its statuses mean, when owners can sign
up, when staff can still hand out seats or mark who came, and the year it belongs to.

The seat rules are `bot/seating.py`; what staff type for a session is checked by named
validators (`session_title`, `session_place`, `seats`, `start_time` in `bot/validators.py`).
Storage is `bot/storage/sessions.py`; the staff's conversation `bot/features/session_staff.py`.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot.i18n import N_

DEFAULT_CAPACITY = 30
MAX_CAPACITY = 10_000
# Statuses: open (sign-ups taken), full (sign-ups go to the waiting list), closed (staff stopped
# sign-ups; the session still takes place), cancelled, done (it has started or taken place).
ACTIVE = ("open", "full", "closed")  # sessions that will still take place
SIGN_UP = ("open", "full")  # sessions owners can sign up for (or join the waiting list of)
STATUS_NAMES = {
    "open": N_("open for sign-up"),
    "full": N_("full (waiting list)"),
    "closed": N_("sign-up closed"),
    "cancelled": N_("cancelled"),
    "done": N_("done"),
}

MARK_FROM = timedelta(days=1)  # staff can mark who came from a day before the start


def can_sign_up(status: str, starts_at: datetime, now: datetime) -> bool:
    """Whether owners can sign up (or join the waiting list): open or full, not yet begun."""
    return status in SIGN_UP and starts_at > now


def can_choose(status: str, starts_at: datetime, now: datetime) -> bool:
    """Whether staff can still hand out seats: the session will take place and has not begun."""
    return status in ACTIVE and starts_at > now


def can_mark(status: str, starts_at: datetime, now: datetime) -> bool:
    """Whether staff can mark who came: from the day before the start, unless cancelled."""
    return status != "cancelled" and starts_at - MARK_FROM <= now


def session_year(starts_at: datetime, time_zone: ZoneInfo) -> int:
    """The training year a session belongs to: its local calendar year."""
    return starts_at.astimezone(time_zone).year
