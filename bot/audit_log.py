"""The audit log in words: each staff action a sentence in the reader's language, sessions by
title, owners and staff by name. The chat's /audit and the staff web page both show it so.

The log stores actions as codes ("broadcast.send") with their details; nothing here reads the
database: the caller passes the session titles and the names it looked up.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from bot.i18n import N_, Translator
from bot.storage import from_db
from bot.storage.staff import AuditEntry

FIELDS = {"title": N_("the title"), "place": N_("the place"), "capacity": N_("the capacity")}
NAMES_SHOWN = 10  # owners named in one audit line; the rest are counted

Names = Mapping[int, str]


def owner_name(tr: Translator, names: Names, owner_id: Any) -> str:
    """An owner by the name they gave, or by number when they gave none (or were erased)."""
    if isinstance(owner_id, int) and owner_id in names:
        return names[owner_id]
    return tr.gettext("owner #{number}").format(number=owner_id)


def owner_list(tr: Translator, names: Names, owner_ids: Any) -> str:
    """Several owners by name, the first NAMES_SHOWN of them."""
    ids = list(owner_ids or ())
    shown = ", ".join(owner_name(tr, names, i) for i in ids[:NAMES_SHOWN])
    if len(ids) > NAMES_SHOWN:
        rest = len(ids) - NAMES_SHOWN
        shown += " " + tr.ngettext("and {count} more", "and {count} more", rest).format(
            count=tr.number(rest))
    return shown or "-"


def _when(tr: Translator, stored: Any) -> str:
    moment = from_db(stored) if isinstance(stored, str) else None
    return tr.datetime(moment) if moment is not None else str(stored or "")


def describe(tr: Translator, entry: AuditEntry, sessions: Mapping[int, str],
             names: Names) -> str:
    """One audit-log entry as a sentence."""
    _ = tr.gettext
    d = entry.detail
    session = sessions.get(d.get("session_id"), _("session #{number}").format(  # type: ignore[arg-type]
        number=d.get("session_id")))
    phrases: dict[str, Callable[[], str]] = {
        "web.link": lambda: _("Asked for a sign-in link to the staff web page"),
        "web.login": lambda: _("Signed in to the staff web page"),
        "web.logout": lambda: _("Signed out of the staff web page"),
        "report.summary": lambda: _("Looked at the summary"),
        "export": lambda: _("Downloaded the data (owners and {sessions})").format(
            sessions=tr.ngettext("{count} training session", "{count} training sessions",
                                 int(d.get("sessions", 0) or 0)).format(
                count=tr.number(d.get("sessions", 0) or 0))),
        "session.create": lambda: _("Created the training session {session}").format(
            session=session),
        "session.edit": lambda: _("Changed {field} of {session} from {old} to {new}").format(
            field=_(FIELDS[d["field"]]) if d.get("field") in FIELDS else d.get("field"),
            session=session, old=d.get("old"), new=d.get("new")),
        "session.move": lambda: _("Moved {session} from {old} to {new}").format(
            session=session, old=_when(tr, d.get("old")), new=_when(tr, d.get("new"))),
        "session.close": lambda: _("Closed sign-up for {session}").format(session=session),
        "session.reopen": lambda: _("Opened sign-up again for {session}").format(
            session=session),
        "session.cancel": lambda: _("Cancelled {session}").format(session=session),
        "session.choose": lambda: (
            _("Gave a seat in {session} to {owner} instead of {other}").format(
                session=session, owner=owner_name(tr, names, d.get("seated")),
                other=owner_name(tr, names, d.get("moved_to_waiting")))
            if d.get("moved_to_waiting") else
            _("Gave a seat in {session} to {owner}").format(
                session=session, owner=owner_name(tr, names, d.get("seated")))),
        "session.choose_best": lambda: _(
            "Gave the seats of {session} to the most ready: {seated} got a seat; {moved} went "
            "to the waiting list").format(session=session,
                                          seated=owner_list(tr, names, d.get("seated")),
                                          moved=owner_list(tr, names, d.get("moved_to_waiting"))),
        "session.present": lambda: (
            _("Marked {owner} as present at {session}") if d.get("present") else
            _("Marked {owner} as absent from {session}")).format(
                owner=owner_name(tr, names, d.get("owner")), session=session),
        "session.attendance": lambda: _(
            "Marked everyone not yet marked as absent from {session}").format(session=session),
        "interest.open": lambda: _("Opened the interest list {year}").format(
            year=d.get("year")),
        "interest.close": lambda: _("Closed the interest list {year}").format(
            year=d.get("year")),
        "interest.invite": lambda: _("Invited owners to the interest list {year}").format(
            year=d.get("year")),
        "link.create": lambda: _("Made a poster link and QR code: {source}").format(
            source=d.get("source")),
        "broadcast.schedule": lambda: _("Scheduled announcement #{number} for {when}").format(
            number=d.get("broadcast"), when=_when(tr, d.get("at"))),
        "broadcast.send": lambda: _("Sent announcement #{number}").format(
            number=d.get("broadcast")),
        "broadcast.cancel": lambda: _("Cancelled announcement #{number}").format(
            number=d.get("broadcast")),
        "broadcast.stop": lambda: _("Stopped announcement #{number}").format(
            number=d.get("broadcast")),
        "broadcast.failures": lambda: _("Looked at the failures of announcement #{number}")
        .format(number=d.get("broadcast")),
        "broadcast.list": lambda: _("Looked at the list of announcements"),
    }
    phrase = phrases.get(entry.action)
    return phrase() if phrase else _("Other action: {action}").format(action=entry.action)


def owners_in(entry: AuditEntry) -> list[int]:
    """The owners an audit entry names (to look their names up)."""
    found: list[int] = []
    for key in ("seated", "moved_to_waiting", "owner"):
        value = entry.detail.get(key)
        values = value if isinstance(value, list) else [value]
        found += [v for v in values if isinstance(v, int) and not isinstance(v, bool)]
    return found


def staff_name(tr: Translator, names: Mapping[str, str], channel: str, user_id: str) -> str:
    """A staff member by the name config.toml gives them, else by channel and id."""
    identity = f"{channel}:{user_id}"
    if identity in names:
        return names[identity]
    if channel == "terminal":
        return tr.gettext("the terminal operator")
    return tr.gettext("staff member {channel} {id}").format(channel=channel.capitalize(),
                                                           id=user_id)
