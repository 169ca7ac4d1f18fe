"""What staff see of the training sessions, drawn from what was read (pure rendering): the list,
one session with its seats, the reminders still to go and what can be done, and what a change
will do before it is confirmed. The session conversation (`bot/features/session_staff.py`)
reads the database and sends these.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from bot.channel import Button, esc
from bot.i18n import Translator
from bot.session_rules import ACTIVE, STATUS_NAMES, can_mark
from bot.staff_buttons import NewSession, Roll, Seats, SessionAction, SessionList
from bot.staff_questions import EDIT_CONFIRMS
from bot.storage.registrations import Seats as SeatCounts
from bot.storage.sessions import Session
from bot.views import seat_lines, session_lines

Screen = tuple[str, list[list[Button]]]


def start_of(values: Mapping[str, Any]) -> datetime:
    """The start a staff member typed (stored in ISO form by the `start_time` validator)."""
    return datetime.fromisoformat(values["starts_at"])


def session_list(tr: Translator, sessions: Sequence[Session],
                 seats: Mapping[int, SeatCounts]) -> Screen:
    """The sessions with their seats, a button to each, and one to create a new one."""
    _ = tr.gettext
    lines = [_("<b>Training sessions</b>")]
    if not sessions:
        lines.append(_("There are no sessions yet."))
    for session in sessions:
        counts = seats[session.id]
        lines += ["", f"<b>{esc(session.title)}</b> · {esc(_(STATUS_NAMES[session.status]))}",
                  tr.datetime(session.starts_at),
                  _("{registered} of {capacity} registered · {confirmed} confirmed · "
                    "{cancelled} cancelled · {waiting} waiting").format(
                      registered=tr.number(counts.registered),
                      capacity=tr.number(session.capacity),
                      confirmed=tr.number(counts.confirmed),
                      cancelled=tr.number(counts.cancelled), waiting=tr.number(counts.waiting))]
    rows = [[Button(f"📅 {tr.short_date(session.starts_at)}",
                    SessionAction("show", session.id).pack(),
                    description=session.title[:72])] for session in sessions]
    rows.append([Button(_("➕ New session"), NewSession().pack())])
    return "\n".join(lines), rows


def session_view(tr: Translator, session: Session, seats: SeatCounts,
                 reminders: Sequence[datetime], now: datetime) -> Screen:
    """One session: details, seats, the reminders still to send, and what staff can do."""
    _ = tr.gettext
    lines = [*session_lines(tr, session),
             _("Status: {status}").format(status=esc(_(STATUS_NAMES[session.status]))), "",
             *seat_lines(tr, session, seats)]
    if reminders:
        lines += ["", _("Reminders still to send:")]
        lines += [f"• {tr.datetime(at)}" for at in reminders]
    rows = [[Button(_("👥 Who signed up"), Seats("people", session.id).pack())]]
    if can_mark(session.status, session.starts_at, now) and seats.registered:
        rows.append([Button(_("📋 Mark who came"), Roll(session.id).pack())])
    if session.status in ACTIVE:
        rows += [[Button(_("✏️ Edit"), SessionAction("edit", session.id).pack()),
                  Button(_("🕒 Move"), SessionAction("move", session.id).pack())]]
        if session.status == "closed":
            rows.append([Button(_("🔓 Open sign-up again"),
                                SessionAction("reopen", session.id).pack())])
        else:
            rows.append([Button(_("🔒 Close sign-up"), SessionAction("close", session.id).pack())])
        rows.append([Button(_("❌ Cancel the session"),
                            SessionAction("cancel", session.id).pack())])
    rows.append([Button(_("⬅️ All sessions"), SessionList().pack())])
    return "\n".join(lines), rows


def change_preview(tr: Translator, action: str, values: Mapping[str, Any],
                   session: Session | None, members: int,
                   field: str | None = None) -> tuple[str, str]:
    """What a staff action will do, asked before it is done, and the label of its "yes".

    `session` is None only when creating one; `members`: its registrants and waiting list, who
    are told of a move or a cancellation; `field`: what an edit changes.
    """
    _ = tr.gettext
    if action == "create" or session is None:
        return "\n".join([
            _("<b>New session</b>"),
            _("Title: {title}").format(title=esc(values["title"])),
            _("Starts: {date}").format(date=tr.datetime(start_of(values))),
            _("Place: {place}").format(place=esc(values["place"])),
            _("Seats: {count}").format(count=tr.number(values["capacity"])), "",
            _("Create it? Owners can sign up as soon as it exists.")]), _("✅ Create")
    title = esc(session.title)
    if action == "edit":
        assert field is not None
        new = values[field]
        shown = tr.number(new) if field == "capacity" else esc(new)
        return _(EDIT_CONFIRMS[field]).format(title=title, value=shown), _("✅ Save")
    if action == "move":
        return "\n".join([
            _("Move <b>{title}</b>?").format(title=title),
            _("From: {date}").format(date=tr.datetime(session.starts_at)),
            _("To: {date}").format(date=tr.datetime(start_of(values))), "",
            tr.ngettext("{count} owner (registered or waiting) will be told, and the reminders "
                        "will follow the new time.",
                        "{count} owners (registered or waiting) will be told, and the reminders "
                        "will follow the new time.", members).format(count=tr.number(members))]
        ), _("✅ Move")
    if action == "close":
        return _("Close sign-up for <b>{title}</b>? The session still takes place: registered "
                 "owners keep their seats, and the waiting list still moves up when someone "
                 "cancels.").format(title=title), _("🔒 Close sign-up")
    if action == "reopen":
        return _("Open sign-up again for <b>{title}</b>?").format(title=title), \
            _("🔓 Open sign-up")
    return "\n".join([
        _("Cancel <b>{title}</b> on {date}?").format(title=title,
                                                     date=tr.datetime(session.starts_at)),
        tr.ngettext("{count} owner (registered or waiting) will be told, and no reminder "
                    "will be sent. This cannot be undone.",
                    "{count} owners (registered or waiting) will be told, and no reminder "
                    "will be sent. This cannot be undone.", members).format(
            count=tr.number(members))]), _("❌ Cancel the session")
