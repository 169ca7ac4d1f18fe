"""Training sessions as values: what staff may type for one, and what its statuses mean.

Pure functions, no I/O: reading a start date and time typed by staff in WIB ("6/10/2027 09.00",
"2027-10-06 09:00", "Rabu, 6 Oktober 2027 pukul 09.00"), and checking titles, places and
capacities. Storage is in `bot/storage/sessions.py`; the conversations in `bot/features/`.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from babel.dates import get_month_names

from bot.i18n import N_
from bot.languages import LANGUAGES
from bot.validators import Invalid, Outcome, Valid, clean_text, short_text

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


def can_choose(status: str, starts_at: datetime, now: datetime) -> bool:
    """Whether staff can still hand out seats: the session will take place and has not begun."""
    return status in ACTIVE and starts_at > now


def can_mark(status: str, starts_at: datetime, now: datetime) -> bool:
    """Whether staff can mark who came: from the day before the start, unless cancelled."""
    return status != "cancelled" and starts_at - MARK_FROM <= now


_TIME = r"(?:,?\s*(?:pukul|pkl\.?|jam|at)?\s*)(\d{1,2})[:.](\d{2})\s*(?:wib)?"
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:t|\s+)" + _TIME + "$")
_NUMERIC = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})\s+" + _TIME + "$")
_WORDS = re.compile(r"^(\d{1,2})\s+([a-z]+)\.?\s+(\d{4})\s*" + _TIME + "$")
_WEEKDAY = re.compile(r"^[a-z]+,?\s+(?=\d)")


def _month_numbers() -> dict[str, int]:
    months: dict[str, int] = {}
    for language in LANGUAGES:
        for width in ("wide", "abbreviated"):
            for number, name in get_month_names(width, locale=language).items():
                months[name.lower().rstrip(".")] = number
    return months


_MONTHS = _month_numbers()


def parse_start(text: str, time_zone: ZoneInfo) -> datetime | None:
    """Read a date and time typed in the local zone; None when it is not one."""
    typed = _WEEKDAY.sub("", clean_text(text).lower())
    parts: tuple[int, ...] | None = None
    if match := _ISO.match(typed):
        year, month, day, hour, minute = (int(g) for g in match.groups())
        parts = (year, month, day, hour, minute)
    elif match := _NUMERIC.match(typed):
        day, month, year, hour, minute = (int(g) for g in match.groups())
        parts = (year, month, day, hour, minute)
    elif (match := _WORDS.match(typed)) and match.group(2) in _MONTHS:
        month = _MONTHS[match.group(2)]
        day, year, hour, minute = (int(match.group(n)) for n in (1, 3, 4, 5))
        parts = (year, month, day, hour, minute)
    if parts is None:
        return None
    try:
        return datetime(*parts, tzinfo=time_zone)
    except ValueError:  # 31 February, 25:00, …
        return None


def check_start(text: str, time_zone: ZoneInfo, now: datetime) -> Outcome:
    """A session's start typed by staff: a real date and time, in the future."""
    start = parse_start(text, time_zone)
    if start is None:
        return Invalid(N_("I could not read that date. Please type it like 6/10/2027 09.00."))
    if start <= now:
        return Invalid(N_("That moment has passed. Please type a date in the future."))
    return Valid(start)


def check_title(text: str) -> Outcome:
    """A session's title: 2 to 100 characters."""
    return short_text(text)


def check_place(text: str) -> Outcome:
    """Where a session takes place: 2 to 100 characters."""
    return short_text(text)


def check_capacity(text: str) -> Outcome:
    """How many seats: a whole number from 1 to 10,000."""
    typed = clean_text(text).replace(".", "").replace(",", "")
    if not typed.isdigit() or not 1 <= int(typed) <= MAX_CAPACITY:
        return Invalid(N_("Please type the number of seats, from 1 to {limit}."),
                       {"limit": MAX_CAPACITY})
    return Valid(int(typed))


def session_year(starts_at: datetime, time_zone: ZoneInfo) -> int:
    """The training year a session belongs to: its local calendar year."""
    return starts_at.astimezone(time_zone).year
