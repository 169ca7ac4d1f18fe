"""Named validators for typed answers: raw text in, a clean value or a friendly reason out.

Each validator is registered under a stable name that questions refer to. A reason is a msgid
(marked with `N_`) plus named parameters; it is translated when the question is asked again.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from bot.amounts import ABOUT, NUMBER_WORDS, PERIODS, RANGE, UNITS, parse_amount, read_period
from bot.i18n import N_
from bot.session_rules import MAX_CAPACITY
from bot.typed_dates import example, read_moment

MAX_TEXT = 100


@dataclass(frozen=True)
class Valid:
    """The answer is accepted; `value` is what gets stored (JSON-serialisable)."""

    value: Any


@dataclass(frozen=True)
class Invalid:
    """The answer is refused; `reason` is a msgid with `{named}` placeholders."""

    reason: str
    params: Mapping[str, Any] = field(default_factory=dict)


Outcome = Valid | Invalid
Validator = Callable[[str], Outcome]
VALIDATORS: dict[str, Validator] = {}


def validator(name: str) -> Callable[[Validator], Validator]:
    """Register a validator under a stable name."""

    def register(func: Validator) -> Validator:
        VALIDATORS[name] = func
        return func

    return register


def clean_text(raw: str) -> str:
    """Normalise Unicode, drop control and invisible characters, collapse white space."""
    text = unicodedata.normalize("NFKC", raw)
    text = "".join(ch for ch in text if unicodedata.category(ch)[0] != "C" or ch in " \n\t")
    return " ".join(text.split())


def _free_text(raw: str, limit: int) -> Outcome:
    text = clean_text(raw)
    if not text:
        return Invalid(N_("The answer is empty. Please type it again."))
    if len(text) > limit:
        return Invalid(
            N_("That is too long ({length} characters). Please keep it under {limit}."),
            {"length": len(text), "limit": limit},
        )
    if not any(ch.isalnum() for ch in text):
        return Invalid(N_("Please write it with letters, not only symbols or emoji."))
    return Valid(text)


@validator("person_name")
def person_name(raw: str) -> Outcome:
    """A person's name: 2 to 100 characters, mostly letters, no digits."""
    result = _free_text(raw, MAX_TEXT)
    if isinstance(result, Invalid):
        return result
    name: str = result.value
    if any(ch.isdigit() for ch in name):
        return Invalid(N_("A name should not contain digits. Please type your name."))
    if sum(ch.isalpha() for ch in name) < 2:
        return Invalid(N_("Please type your full name (at least 2 letters)."))
    if any(not (ch.isalpha() or ch in " .'-,") for ch in name):
        return Invalid(N_("Please type your name with letters only."))
    return Valid(name)


def _at_least_two(raw: str, too_short: str) -> Outcome:
    result = _free_text(raw, MAX_TEXT)
    if isinstance(result, Valid) and len(result.value) < 2:
        return Invalid(too_short)
    return result


@validator("business_name")
def business_name(raw: str) -> Outcome:
    """A business name: 2 to 100 characters with at least one letter or digit."""
    return _at_least_two(raw, N_("Please type the full name of the business."))


@validator("short_text")
def short_text(raw: str) -> Outcome:
    """A short free description: 2 to 100 characters."""
    return _at_least_two(raw, N_("Please write a little more (at least 2 characters)."))


@validator("nib")
def nib(raw: str) -> Outcome:
    """An NIB: exactly 13 digits; spaces, dots and dashes are ignored."""
    text = clean_text(raw)
    compact = re.sub(r"[\s.\-]", "", text)
    if not compact:
        return Invalid(N_("The NIB is empty. It is the 13-digit number on your OSS business ID."))
    if not compact.isascii() or not compact.isdigit():
        return Invalid(N_("An NIB has digits only (13 of them). Please check and type it again."))
    if len(compact) != 13:
        return Invalid(
            N_("An NIB has exactly 13 digits; you sent {count}. Please check and type it again."),
            {"count": len(compact)},
        )
    return Valid(compact)


@validator("capacity")
def capacity(raw: str) -> Outcome:
    """Production: a positive number, a known unit and a period ("100 kg per minggu",
    "50 pcs/hari", "300 bks"); without a period the figure is taken as monthly, as the
    question asks. Stored with the monthly figure and the owner's own words."""
    words = clean_text(raw)
    period, text = read_period(words.lower())
    text = ABOUT.sub("", text).strip()
    text = RANGE.sub(r"\1", text)  # "20-30 kodi": the lower figure, said back to the owner
    match = re.match(r"^([\d.,]+)\s*([^\d\s].*)?$", text)
    if not match and NUMBER_WORDS.search(words):
        return Invalid(N_("Please write the amount in digits, for example 50 kodi a month."))
    if not text or not match:
        return Invalid(N_("Please type a number and a unit, for example 20 kodi a month, "
                          "100 kg a week or 50 pcs a day."))
    amount = parse_amount(match.group(1).strip(".,"))
    if amount is None:
        return Invalid(N_("Please type a number and a unit, for example 20 kodi a month, "
                          "100 kg a week or 50 pcs a day."))
    if amount <= 0:
        return Invalid(N_("The amount must be more than zero."))
    if amount > 1e9:
        return Invalid(N_("That amount looks too large. Please check it."))
    unit_text = (match.group(2) or "").strip(" .")
    if not unit_text:
        return Invalid(N_("Please add the unit too, for example 20 kodi or 100 kg."))
    unit = unit_text.split()[0].strip(".,")
    if unit not in UNITS:
        return Invalid(
            N_("I do not know the unit \u201c{unit}\u201d. Please use pieces (potong, pcs), "
               "kodi, lusin, packs (bungkus), kg, ton or liter."),
            {"unit": unit[:20]},
        )
    kind, factor = UNITS[unit]
    monthly = amount * PERIODS[period or "month"]
    return Valid({"amount": amount, "unit": unit, "class": kind, "period": period or "month",
                  "monthly": round(monthly, 2), "base": round(monthly * factor, 2),
                  "text": words[:MAX_TEXT]})


@validator("phone")
def phone(raw: str) -> Outcome:
    """An Indonesian phone number, stored as +62…; 08…, 62… and +62… are accepted."""
    text = clean_text(raw)
    compact = re.sub(r"[\s.\-()]", "", text)
    if compact.startswith("+62"):
        rest = compact[3:]
    elif compact.startswith("62"):
        rest = compact[2:]
    elif compact.startswith("0"):
        rest = compact[1:]
    else:
        return Invalid(N_("Please type an Indonesian number starting with 08 or +62, "
                          "for example 0812 3456 7890."))
    if not rest.isascii() or not rest.isdigit():
        return Invalid(N_("A phone number has digits only. For example: 0812 3456 7890."))
    if not 8 <= len(rest) <= 12 or rest[0] in "01":
        return Invalid(N_("That number does not look complete. For example: 0812 3456 7890."))
    return Valid("+62" + rest)


_YES = {"ya", "yes", "y", "ok", "oke", "iya"}
_NO = {"tidak", "no", "n", "tdk", "jangan"}


def yes_or_no(text: str) -> bool | None:
    """A typed yes (True) or no (False) in Indonesian or English; None when it is neither."""
    word = text.strip().lower().strip(".!")
    return True if word in _YES else False if word in _NO else None


# What staff type. Validators that read the time too ("tomorrow", "in the future") get `now`,
# the local time, from the engine; `check` runs either kind by name.
TimedValidator = Callable[[str, datetime], Outcome]
TIMED_VALIDATORS: dict[str, TimedValidator] = {}
SCHEDULE_AHEAD = timedelta(days=366)  # how far ahead an announcement can be scheduled


def timed_validator(name: str) -> Callable[[TimedValidator], TimedValidator]:
    """Register a validator that also reads the local time under a stable name."""
    return lambda func: TIMED_VALIDATORS.setdefault(name, func)


def known(name: str) -> bool:
    """Whether a validator of this name exists (of either kind)."""
    return name in VALIDATORS or name in TIMED_VALIDATORS


def check(name: str, raw: str, now: datetime | None = None) -> Outcome:
    """Run the validator `name` on `raw`; one that reads the time is given `now` (local)."""
    if name in TIMED_VALIDATORS:
        if now is None:
            raise ValueError(f"the validator {name!r} needs the time")
        return TIMED_VALIDATORS[name](raw, now)
    return VALIDATORS[name](raw)


validator("session_title")(short_text)  # a session's title: 2 to 100 characters
validator("session_place")(short_text)  # where it takes place: 2 to 100 characters


@validator("seats")
def seats(raw: str) -> Outcome:
    """How many seats a session has: a whole number from 1 to 10,000."""
    typed = clean_text(raw).replace(".", "").replace(",", "")
    if not typed.isdigit() or not 1 <= int(typed) <= MAX_CAPACITY:
        return Invalid(N_("Please type the number of seats, from 1 to {limit}."),
                       {"limit": MAX_CAPACITY})
    return Valid(int(typed))


@timed_validator("start_time")
def start_time(raw: str, now: datetime) -> Outcome:
    """A session's start (`typed_dates`): a date and time still to come, stored in ISO form."""
    moment = read_moment(raw, now)
    if moment is None:
        return Invalid(N_("I could not read that date. Please type it like {example}."),
                       {"example": example(now)})
    if moment <= now:
        return Invalid(N_("That moment has passed. Please type a date in the future."))
    return Valid(moment.isoformat())


@timed_validator("send_time")
def send_time(raw: str, now: datetime) -> Outcome:
    """When to send an announcement: a date and time within the coming year, in ISO form."""
    moment = read_moment(raw, now)
    if moment is None or not now < moment <= now + SCHEDULE_AHEAD:
        return Invalid(N_("Please type a date and time (WIB) in the coming year, for example "
                          "{example}."), {"example": example(now)})
    return Valid(moment.isoformat())


@validator("link_name")
def link_name(raw: str) -> Outcome:
    """The name a poster link carries: 1 to 64 letters, digits, - and _."""
    if not re.fullmatch(r"[A-Za-z0-9_-]{1,64}", raw.strip()):
        return Invalid(N_("A link name may only have letters, digits, - and _ (at most 64), for "
                          "example <code>poster-batik</code>. Please type another one, or send "
                          "/cancel to cancel."))
    return Valid(raw.strip())


@validator("choice_key")
def choice_key(raw: str) -> Outcome:
    """A value chosen with a button (a session's id, a year, an option): 1-40 of a-z0-9_-."""
    if not re.fullmatch(r"[a-z0-9_-]{1,40}", raw):
        return Invalid(N_("Please choose one of the buttons below."))
    return Valid(raw)
