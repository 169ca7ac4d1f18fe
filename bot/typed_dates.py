"""Dates and times staff type (in the office's zone, WIB): one reader and one example for every
place staff give one (a session's start, an announcement's time, in the chat and on the web).

Accepted, in Indonesian or English, with or without the weekday, "pukul"/"jam"/"at" and "WIB":
"6/10/2027 09.00", "6-10 9:00" (this year, or the next once it has passed), "2027-10-06 09:00"
and "2027-10-06T09:00" (the web page's date field), "Rabu, 6 Oktober 2027 pukul 09.00",
"6 Okt 09.00", "besok 09.00", "hari ini 15.00", "tomorrow at 7:05", and a bare "15.00" (its next
occurrence). A date needs a time: "6/10/2027" alone is not read.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime, timedelta

from babel.dates import get_day_names, get_month_names

from bot.languages import LANGUAGES

_RELATIVE = {"besok": 1, "tomorrow": 1, "hari ini": 0, "today": 0}
_MOMENT = re.compile(
    r"^(?:(?:(?P<y1>\d{4})-(?P<m1>\d{1,2})-(?P<d1>\d{1,2})"
    r"|(?P<d2>\d{1,2})[/.-](?P<m2>\d{1,2})(?:[/.-](?P<y2>\d{4}))?"
    r"|(?P<d3>\d{1,2})\s+(?P<month>[a-z]+)\.?(?:\s+(?P<y3>\d{4}))?"
    r"|(?P<word>" + "|".join(_RELATIVE) + r"))(?:t|,?\s+))?"
    r"(?:(?:pukul|pkl\.?|jam|at)\s*)?(?P<h>\d{1,2})[:.](?P<min>\d{2})(?:\s*wib)?$")


def _names() -> tuple[dict[str, int], re.Pattern[str]]:
    months: dict[str, int] = {}
    days: set[str] = set()
    for language in LANGUAGES:
        for width in ("wide", "abbreviated"):
            for number, name in get_month_names(width, locale=language).items():
                months[name.lower().rstrip(".")] = number
            days |= {name.lower().rstrip(".") for name in
                     get_day_names(width, locale=language).values()}
    weekday = re.compile(r"^(?:" + "|".join(sorted(map(re.escape, days), key=len, reverse=True))
                         + r")\.?,?\s+(?=\d)")
    return months, weekday


_MONTHS, _WEEKDAY = _names()


def read_moment(text: str, now: datetime) -> datetime | None:
    """The moment typed, in the zone of `now` (the local time); None when it is not one.

    Without a year, the date's next occurrence; a bare time, its next occurrence from `now`.
    """
    typed = _WEEKDAY.sub("", " ".join(unicodedata.normalize("NFKC", text).lower().split()))
    match = _MOMENT.match(typed)
    if not match:
        return None
    g = match.groupdict()
    try:
        if g["y1"]:
            day = date(int(g["y1"]), int(g["m1"]), int(g["d1"]))
        elif g["d2"]:
            day = date(int(g["y2"] or now.year), int(g["m2"]), int(g["d2"]))
        elif g["d3"]:
            if g["month"] not in _MONTHS:
                return None
            day = date(int(g["y3"] or now.year), _MONTHS[g["month"]], int(g["d3"]))
        else:
            day = now.date() + timedelta(days=_RELATIVE.get(g["word"] or "", 0))
        moment = datetime(day.year, day.month, day.day, int(g["h"]), int(g["min"]),
                          tzinfo=now.tzinfo)
        no_year = (g["d2"] and not g["y2"]) or (g["d3"] and not g["y3"])
        if moment <= now and no_year:
            moment = moment.replace(year=moment.year + 1)  # "1/8 10.00" gone: next year's
    except ValueError:  # 31 February, 25:00, 29 February of the next year, …
        return None
    if moment <= now and not (g["y1"] or g["d2"] or g["d3"] or g["word"]):
        moment += timedelta(days=1)  # a bare time already past today: tomorrow's
    return moment


def example(now: datetime) -> str:
    """The example staff are shown wherever they type a date: tomorrow at 09.00, as
    "2/9/2027 09.00" (day/month/year, the way the office writes dates)."""
    tomorrow = now.date() + timedelta(days=1)
    return f"{tomorrow.day}/{tomorrow.month}/{tomorrow.year} 09.00"
