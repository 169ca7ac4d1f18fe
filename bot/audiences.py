"""Who an announcement can go to, as values: the audience kinds, their names, and the kinds that
are narrowed to a value (a session's id, an interest list's year, an answer's option).

Pure: the queries of each audience are `bot/storage/broadcasts.py`'s, the words `bot/views.py`'s.
"""

from __future__ import annotations

from bot.i18n import N_

AUDIENCE_NAMES = {
    "all": N_("Everyone who agreed"),
    "eligible": N_("Eligible owners"),
    "not_eligible": N_("Not yet eligible"),
    "registered": N_("Registered for a session"),
    "waiting": N_("On a waiting list"),
    "interest": N_("Interested in a year"),
    "product": N_("By product type"),
    "kecamatan": N_("By kecamatan"),
}
AUDIENCES = tuple(AUDIENCE_NAMES)
VALUED = ("registered", "waiting", "interest", "product", "kecamatan")  # these need a value
