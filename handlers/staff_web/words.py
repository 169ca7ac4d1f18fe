"""What staff read on the web page in words: audit-log actions, messages sent, statuses.

The audit log's sentences are in `bot.audit_log` (the chat's /audit says them too); here are the
messages sent and the statuses.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from bot.audit_log import (  # noqa: F401 - the web page's words, in one place
    FIELDS,
    NAMES_SHOWN,
    Names,
    describe,
    owner_list,
    owner_name,
    owners_in,
    staff_name,
)
from bot.i18n import N_, Translator
from bot.storage.applicants import Sent

SENT_STATUS = {
    "queued": N_("waiting to be sent"), "sending": N_("being sent"), "sent": N_("sent"),
    "blocked": N_("not delivered: the owner blocked the bot"), "failed": N_("failed"),
    "skipped": N_("skipped"), "cancelled": N_("cancelled"),
}
SIGN_UP_STATUS = {"registered": N_("has a seat"), "waiting": N_("waiting list"),
                  "cancelled": N_("cancelled")}
ATTENDANCE = {"confirmed": N_("confirmed they will come"), "declined": N_("said they cannot come")}


def sent_what(tr: Translator, item: Sent, sessions: Mapping[int, str]) -> str:
    """What an outbox row was, in words."""
    _ = tr.gettext
    session_id = item.payload.get("session_id")
    session = sessions.get(session_id, _("session #{number}").format(number=session_id)) \
        if session_id is not None else ""
    kinds: dict[str, Callable[[], str]] = {
        "reminder": lambda: _("Reminder of {session}").format(session=session),
        "seat": lambda: _("A seat in {session}").format(session=session),
        "seat_lost": lambda: _("Moved to the waiting list of {session}").format(
            session=session),
        "session_moved": lambda: _("{session} was moved").format(session=session),
        "session_cancelled": lambda: _("{session} was cancelled").format(session=session),
        "invitation": lambda: _("Invitation to the interest list {year}").format(
            year=item.payload.get("year", "")),
        "broadcast": lambda: _("Announcement #{number}").format(number=item.ref),
    }
    phrase = kinds.get(item.kind)
    return phrase() if phrase else item.kind
