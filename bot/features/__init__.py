"""Features of the conversation, one module each; `register_all` wires them onto a router."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.core import Router


def register_all(router: Router) -> None:
    """Register every feature, in the order their menu entries appear."""
    from bot.features import (
        backups,
        broadcast,
        consent,
        interest,
        language,
        links,
        menu,
        privacy,
        reminders,
        report,
        seats,
        session_staff,
        signup,
        staff,
        subscription,
        survey,
        web_login,
    )

    for feature in (consent, survey, signup, interest, privacy, subscription, language, staff,
                    session_staff, seats, broadcast, report, links, reminders, menu, backups,
                    web_login):
        feature.register(router)
