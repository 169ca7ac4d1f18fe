"""Reminders before each session: the jobs start with the bot (`bot/reminder_jobs.py` keeps them),
and each reminder is written when it is sent, from the session as it is then, in the reader's
language, with buttons to confirm or give up the seat.
"""

from __future__ import annotations

from bot import reminder_jobs
from bot.channel import Reply
from bot.core import Core, Router
from bot.i18n import Translator
from bot.outreach import when_text
from bot.session_rules import ACTIVE
from bot.storage import to_db
from bot.storage.outbox import Item
from bot.views import attendance_buttons, session_lines


def register(router: Router) -> None:
    """Seed sessions and schedule reminders at start-up; render reminders when sent."""
    router.on_start.append(on_start)
    router.renderer("reminder", render_reminder)


async def on_start(core: Core) -> None:
    """Create the sessions of config.toml (once), then schedule every reminder."""
    await reminder_jobs.seed(core)
    await reminder_jobs.rebuild(core)


async def render_reminder(core: Core, item: Item, tr: Translator) -> Reply | None:
    """The reminder as the owner reads it, from the session as it is now."""
    _ = tr.gettext
    session_id = item.payload.get("session_id")
    if not isinstance(session_id, int) or item.owner_id is None:
        return None
    session = await core.db.sessions.get(session_id)
    now = core.clock()
    if (session is None or session.status not in ACTIVE or session.starts_at <= now
            or to_db(session.starts_at) != item.payload.get("starts_at")):
        return None
    registration = await core.db.registrations.get(session_id, item.owner_id)
    if registration is None or registration.status != "registered":
        return None
    confirmed = registration.attendance == "confirmed"
    lines = [_("⏰ Reminder: your export training starts {when}.").format(
        when=when_text(tr, session.starts_at, now)), "", *session_lines(tr, session), ""]
    if confirmed:
        lines.append(_("You have confirmed that you will come. See you there! If something "
                       "comes up, please let us know."))
    else:
        lines.append(_("Will you come? Please let us know, so that a seat you cannot use goes "
                       "to someone on the waiting list."))
    return Reply("\n".join(lines),
                 tuple(tuple(row) for row in attendance_buttons(tr, session.id, confirmed)))
