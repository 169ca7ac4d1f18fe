"""What staff are asked in the chat, as questionnaires (data, like `questions.py`): a new
session, one of its fields changed, its new start, an announcement's audience and time, and the
name of a poster link. Each runs on
the questionnaire engine (`bot/staff_forms.py`); its answers are the staff flow's.

Labels are msgids; "{example}" in one is filled with the one date example (`typed_dates`).
"""

from __future__ import annotations

from bot.audiences import AUDIENCE_NAMES, VALUED
from bot.i18n import N_
from bot.questionnaire import Condition, Kind, Option, Question, Questionnaire

_STARTS = N_("When does it start? Type the date and time in WIB, for example {example}.")
# A session: a new one; one of its fields, changed; a new start.
CREATE = Questionnaire("session-create", (
    Question("title", Kind.TEXT, N_("What is the title of the session? For example: "
                                    "Pelatihan Ekspor Oktober 2027"), N_("Title"),
             validator="session_title"),
    Question("starts_at", Kind.TEXT, _STARTS, N_("Starts"), validator="start_time"),
    Question("place", Kind.TEXT, N_("Where does it take place? Type the address owners should "
                                    "go to."), N_("Place"), validator="session_place"),
    Question("capacity", Kind.TEXT, N_("How many seats are there? Type a number, or press the "
                                       "button."), N_("Number of seats"), validator="seats"),
))
EDIT = {
    "title": Questionnaire("session-title", (Question(
        "title", Kind.TEXT, N_("Type the new title."), N_("Title"),
        validator="session_title"),)),
    "place": Questionnaire("session-place", (Question(
        "place", Kind.TEXT, N_("Type the new place."), N_("Place"),
        validator="session_place"),)),
    "capacity": Questionnaire("session-seats", (Question(
        "capacity", Kind.TEXT, N_("Type the new number of seats. More seats move the waiting "
                                  "list up; fewer seats take nobody's seat away."),
        N_("Number of seats"), validator="seats"),)),
}
EDIT_CONFIRMS = {
    "title": N_("Change the title of <b>{title}</b> to: {value}?"),
    "place": N_("Change the place of <b>{title}</b> to: {value}?"),
    "capacity": N_("Change the number of seats of <b>{title}</b> to {value}?"),
}
MOVE = Questionnaire("session-move", (
    Question("starts_at", Kind.TEXT, _STARTS, N_("Starts"), validator="start_time"),))

LINK = Questionnaire("link", (
    Question("source", Kind.TEXT, N_("Which name should the link carry, for example "
                                     "<code>poster-batik</code>? Use letters, digits, - and _ "
                                     "only (at most 64). Send /cancel to cancel."),
             N_("Link name"), validator="link_name"),))

# An announcement, once written (the text, or a file and its caption, is not a typed answer:
# `bot/features/broadcast.py` takes it in). The session, list or answer an audience is narrowed
# to comes from the database, so `audience_value` is answered by the buttons shown for it, never
# typed. The preview asks `send`.
ANNOUNCEMENT = Questionnaire("announcement", (
    Question("audience", Kind.CHOICE, N_("Who should receive it?"), N_("Audience"),
             options=tuple(Option(kind, name) for kind, name in AUDIENCE_NAMES.items())),
    Question("audience_value", Kind.TEXT, N_("{audience} — which one?"), N_("Which one"),
             validator="choice_key", condition=Condition("audience", VALUED)),
    Question("send", Kind.CHOICE, N_("<b>Preview</b> — owners will receive this:"),
             N_("Send"), options=(Option("now", N_("✉️ Send now")),
                                  Option("later", N_("🕘 Send later")))),
    Question("send_at", Kind.TEXT, N_("When should it be sent? Type a date and time in WIB, "
                                      "for example {example}."), N_("Send at"),
             validator="send_time", condition=Condition("send", ("later",))),
))
