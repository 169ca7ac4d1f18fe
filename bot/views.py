"""What several features show: an answer, a session (its seats, its sign-up button, giving it
up), a person who signed up, the unmet criteria.

Pure rendering in the reader's language (reply HTML, user text escaped), so that the owner's
chat, the staff tools, the export and the staff web page say the same thing the same way.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, Literal

from bot.audiences import AUDIENCE_NAMES
from bot.buttons import ButtonData
from bot.channel import Button, esc
from bot.criteria import RULES
from bot.i18n import N_, Translator
from bot.owner_buttons import Attend, SignUp
from bot.questionnaire import Kind as QKind
from bot.questionnaire import Question, Questionnaire
from bot.questions import BY_ANSWER
from bot.storage.broadcasts import Audience, Choice
from bot.storage.registrations import Person, Registration, Seats
from bot.storage.sessions import Session

STAGE_NAMES = {
    "started": N_("started"), "consented": N_("agreed"), "finished": N_("finished"),
    "eligible": N_("eligible"), "signed_up": N_("signed up"), "confirmed": N_("confirmed"),
    "attended": N_("attended"),
}
CHANNEL_NAMES = {"telegram": "Telegram", "whatsapp": "WhatsApp", "terminal": N_("terminal chat")}
PAGE = 8  # people per page of buttons (a list message shows at most 10 rows)

# Names of the criteria and readiness parts, by their stored ids (the rules are in bot.criteria).
CRITERION_NAMES = {c.id: c.name for c in RULES.criteria}
PART_NAMES = {p.id: p.name for p in RULES.parts}
PERIODS = {
    "day": N_("{amount} {unit} a day"), "week": N_("{amount} {unit} a week"),
    "month": N_("{amount} {unit} a month"), "year": N_("{amount} {unit} a year"),
}


def format_answer(tr: Translator, question: Question, value: Any) -> str:
    """An answer as the owner reads it (escaped HTML)."""
    if question.kind == QKind.CHOICE:
        option = question.option(str(value))
        return esc(tr.gettext(option.label)) if option else esc(value)
    if question.kind == QKind.MULTI:
        labels = [tr.gettext(o.label) for o in question.options if o.value in (value or ())]
        return esc(", ".join(labels))
    if isinstance(value, Mapping) and "amount" in value:
        return esc(capacity_words(tr, value))
    return esc(value)


def capacity_words(tr: Translator, value: Mapping[str, Any]) -> str:
    """A production figure as read: "100 kg a week (about 433 kg a month)"."""
    period = str(value.get("period") or "month")  # answers stored before periods: monthly
    unit = str(value.get("unit", ""))
    words = tr.gettext(PERIODS.get(period, PERIODS["month"])).format(
        amount=tr.number(value["amount"]), unit=unit)
    monthly = value.get("monthly")
    if period != "month" and isinstance(monthly, int | float):
        words = tr.gettext("{answer} (about {monthly} {unit} a month)").format(
            answer=words, monthly=tr.number(round(monthly, 1 if monthly < 10 else None)),
            unit=unit)
    return words


def session_lines(tr: Translator, session: Session) -> list[str]:
    """Title, date and place of a session (HTML)."""
    lines = [f"<b>{esc(session.title)}</b>", "📅 " + tr.datetime(session.starts_at)]
    if session.place:
        lines.append("📍 " + esc(session.place))
    return lines


def attendance_buttons(tr: Translator, session_id: int,
                       confirmed: bool = False) -> list[list[Button]]:
    """Buttons to confirm attendance or give up the seat."""
    _ = tr.gettext
    rows = [] if confirmed else [[Button(_("✅ Yes, I will come"),
                                         Attend("yes", session_id).pack())]]
    return [*rows, [Button(_("❌ I cannot come"), Attend("no", session_id).pack())]]


def withdraw_question(tr: Translator, session: Session,
                      registration: Registration) -> tuple[str, list[list[Button]]]:
    """Asked before an owner gives up a seat or a waiting-list place: yes, or keep it."""
    _ = tr.gettext
    if registration.status == "registered":
        question = _("Cancel your seat? The next person on the waiting list gets it, and you "
                     "may not get it back.")
        yes = _("Yes, cancel my seat")
    else:
        question = _("Leave the waiting list? You are number {position} now.").format(
            position=tr.number(registration.position or 0))
        yes = _("Yes, leave the list")
    return "\n".join([*session_lines(tr, session), "", question]), [
        [Button(yes, SignUp("dropok", session.id).pack())],
        [Button(_("No, keep it"), SignUp("keep", session.id).pack())],
    ]


def who(tr: Translator, person: Person) -> str:
    """Name (business) and readiness of someone who signed up, as reply HTML."""
    text = esc(person.name or tr.gettext("(no name)"))
    if person.business:
        text += f" ({esc(person.business)})"
    return text + " · " + tr.gettext("readiness {score}").format(
        score=tr.number(person.readiness or 0))


def seat_lines(tr: Translator, session: Session, seats: Seats) -> list[str]:
    """Registered, confirmed, cancelled and waiting counts of a session."""
    _ = tr.gettext
    return [
        _("Registered: {count} of {capacity}").format(
            count=tr.number(seats.registered), capacity=tr.number(session.capacity)),
        _("Confirmed attendance: {count}").format(count=tr.number(seats.confirmed)),
        _("Cancelled: {count}").format(count=tr.number(seats.cancelled)),
        _("Waiting list: {count}").format(count=tr.number(seats.waiting)),
    ]


def person_label(tr: Translator, person: Person, mark: str = "") -> str:
    """A button naming someone who signed up: name and readiness, in 20 characters (a long
    name is cut: the whole one is in the message above)."""
    name = person.name or tr.gettext("(no name)")
    score = f" · {tr.number(person.readiness or 0)}"
    room = 20 - len(mark) - len(score)
    if len(name) > room:
        name = name[:room - 1].rstrip() + "…"
    return f"{mark}{name}{score}"


def page_of(items: list[Person], page: int) -> tuple[list[Person], int]:
    """The people of one page, and the page actually shown (clamped)."""
    last = max(0, (len(items) - 1) // PAGE)
    page = min(max(page, 0), last)
    return items[page * PAGE:(page + 1) * PAGE], page


def pager(tr: Translator, count: int, page: int,
          to: Callable[[int], ButtonData]) -> list[Button]:
    """◀️ and ▶️ between pages; `to(page)` is the data of the button that shows that page."""
    _ = tr.gettext
    buttons = []
    if page > 0:
        buttons.append(Button(_("◀️ Previous"), to(page - 1).pack()))
    if (page + 1) * PAGE < count:
        buttons.append(Button(_("Next ▶️"), to(page + 1).pack()))
    return buttons


def group_name(tr: Translator, questionnaire: Questionnaire, dimension: str,
               group: str | None) -> str:
    """A group's name for people (plain text): an option label, a source, or "no answer"."""
    _ = tr.gettext
    if group is None:
        return _("(no link)") if dimension == "source" else _("(no answer)")
    if dimension == "source":
        return group
    if dimension == "channel":
        return _(CHANNEL_NAMES[group]) if group in CHANNEL_NAMES else group
    question = next(q for q in questionnaire.questions if q.id == BY_ANSWER[dimension])
    option = question.option(group)
    return _(option.label) if option else group


BROADCAST_STATUS_NAMES = {
    "scheduled": N_("scheduled"),
    "sending": N_("sending"),
    "done": N_("sent"),
    "cancelled": N_("cancelled"),
    "stopped": N_("stopped"),
    "missed": N_("missed while the bot was down"),
}


def choice_label(tr: Translator, choice: Choice) -> str:
    """A session or interest list an audience can be narrowed to (plain text)."""
    return f"{choice.title} ({tr.date(choice.when)})" if choice.when else choice.title


def audience_words(tr: Translator, questionnaire: Questionnaire, audience: Audience,
                   choices: Sequence[Choice] = ()) -> str:
    """An audience in words, for staff (escaped HTML); `choices`: the sessions or lists of its
    kind, to name the one it is narrowed to."""
    _ = tr.gettext
    name = esc(_(AUDIENCE_NAMES[audience.kind]))
    if not audience.value:
        return name
    if audience.kind in ("product", "kecamatan"):
        return f"{name}: {esc(group_name(tr, questionnaire, audience.kind, audience.value))}"
    if audience.kind == "interest":
        return f"{name}: {esc(audience.value)}"
    choice = next((c for c in choices if c.value == audience.value), None)
    return f"{name}: {esc(choice_label(tr, choice) if choice else audience.value)}"


# ---------------------------------------------------------------- signing up


def seats_line(tr: Translator, session: Session, seats: Seats,
               mine: Registration | None) -> str:
    """A session's seats as the owner sees them: theirs, their place in line, or how many are
    free."""
    _ = tr.gettext
    if mine is not None and mine.status == "registered":
        if mine.attendance == "confirmed":
            return _("✅ You are registered and have confirmed that you will come.")
        return _("✅ You are registered.")
    if mine is not None and mine.status == "waiting":
        return _("⏳ You are number {position} on the waiting list.").format(
            position=tr.number(mine.position or 0))
    free = max(0, session.capacity - seats.registered)
    if free and not seats.waiting:
        return _("{free} of {capacity} seats free").format(
            free=tr.number(free), capacity=tr.number(session.capacity))
    if not seats.waiting:
        return _("Full. Sign up to be first on the waiting list.")
    return tr.ngettext("Full: {count} person on the waiting list",
                       "Full: {count} people on the waiting list", seats.waiting).format(
        count=tr.number(seats.waiting))


def shorten(text: str, limit: int) -> str:
    """Cut a title at a word where it reads right ("Pelatihan Ekspor Maret…")."""
    if len(text) <= limit:
        return text
    cut = text[:limit - 1].rsplit(" ", 1)[0] if " " in text[:limit - 1] else text[:limit - 1]
    return cut.rstrip(" ,.-·") + "…"


SIGN_UP_MEANINGS = {"join": N_("Sign up: {title}"), "wait": N_("Waiting list: {title}"),
                    "drop": N_("Cancel my sign-up: {title}")}


def session_button(label: str, verb: Literal["join", "wait", "drop"], session: Session,
                   tr: Translator) -> Button:
    """A session's button: an icon and the whole date (at most 20 characters); the verb and
    the title, shortened where it reads right, go into its description."""
    meaning = tr.gettext(SIGN_UP_MEANINGS[verb]).format(title=session.title)
    return Button(f"{label} {tr.short_date(session.starts_at)}",
                  SignUp(verb, session.id).pack(), description=shorten(meaning, 72))
