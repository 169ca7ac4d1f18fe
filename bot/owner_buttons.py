"""The data of the owners' buttons: one class per kind of press, with the prefix older versions
used (`legacy`), which buttons already on owners' phones still carry.

Features build their buttons with these (`Answer(q.id, o.value).pack()`) and the router hands
the handler the unpacked object; two features that share a button (the menu's, the privacy
notice's, attendance under a reminder) share its class here, not each other's code.
Staff's buttons are in `bot.staff_buttons`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from bot.buttons import ButtonData

# ---------------------------------------------------------------- everywhere


@dataclass(frozen=True)
class Menu(ButtonData, prefix="menu", legacy="m"):
    """Run a command as if typed ("menu:jadwal" is /jadwal)."""

    command: str


@dataclass(frozen=True)
class Consent(ButtonData, prefix="consent", legacy="c"):
    """Under the privacy notice: agree, read the whole notice, or not now."""

    choice: Literal["yes", "notice", "no"]


@dataclass(frozen=True)
class Language(ButtonData, prefix="lang", legacy="l"):
    """Speak this language from now on."""

    code: str


# ---------------------------------------------------------------- the questionnaire


@dataclass(frozen=True)
class Answer(ButtonData, prefix="ans", legacy="a"):
    """An option of a choice question; `inline`: the option of its follow-up asked in the same
    message ("ans:ktp_city:yes:barat")."""

    question: str
    option: str
    inline: str | None = None

    @property
    def value(self) -> str:
        """The choice as the engine takes it ("yes", or "yes:barat" with a follow-up)."""
        return self.option if self.inline is None else f"{self.option}:{self.inline}"


@dataclass(frozen=True)
class Tick(ButtonData, prefix="tick", legacy="t"):
    """Tick or untick an option of a multi-select question."""

    question: str
    option: str


@dataclass(frozen=True)
class Done(ButtonData, prefix="done", legacy="d"):
    """A multi-select question's "Done"."""

    question: str


@dataclass(frozen=True)
class Keep(ButtonData, prefix="keep", legacy="k"):
    """Keep the current answer of a question and go on."""

    question: str


@dataclass(frozen=True)
class Back(ButtonData, prefix="back", legacy="b"):
    """Back from this question to the one before."""

    question: str


@dataclass(frozen=True)
class Edit(ButtonData, prefix="edit", legacy="e"):
    """Change this answer (from the list of answers)."""

    question: str


@dataclass(frozen=True)
class Summary(ButtonData, prefix="summary", legacy="s"):
    """Under the summary: submit (and free a seat), or a page of the answers to change."""

    action: Literal["submit", "release", "edit"]
    page: int | None = None


@dataclass(frozen=True)
class NextStep(ButtonData, prefix="nextstep", legacy="r"):
    """The whole next step of one unmet criterion of the result."""

    criterion: str


@dataclass(frozen=True)
class Unmet(ButtonData, prefix="unmet", legacy="f"):
    """After "your business cannot join": go on anyway, or stop here."""

    choice: Literal["go", "stop"]


@dataclass(frozen=True)
class Restart(ButtonData, prefix="restart", legacy="u"):
    """The answer to "Start over?"."""

    answer: Literal["yes", "no"]


# ---------------------------------------------------------------- their data and news


@dataclass(frozen=True)
class MyData(ButtonData, prefix="mydata", legacy="x"):
    """Under /datasaya: the answers, or erasing everything (asked, then yes or no)."""

    action: Literal["answers", "ask", "yes", "no"]


@dataclass(frozen=True)
class News(ButtonData, prefix="news", legacy="n"):
    """Announcements off or on, the questions paused, or nothing changed."""

    choice: Literal["off", "on", "pause", "keep"]


# ---------------------------------------------------------------- sessions and lists


@dataclass(frozen=True)
class SignUp(ButtonData, prefix="signup", legacy="sess"):
    """A session's sign-up: join (or the waiting list), cancel (asked, then done), keep it."""

    action: Literal["join", "wait", "drop", "dropok", "keep"]
    session: int


@dataclass(frozen=True)
class Attend(ButtonData, prefix="attend", legacy="att"):
    """Under a reminder or a seat notice: I will come, or I cannot."""

    answer: Literal["yes", "no"]
    session: int


@dataclass(frozen=True)
class Interest(ButtonData, prefix="interest", legacy="intr"):
    """Join or leave a year's interest list."""

    action: Literal["join", "leave"]
    year: int


# ---------------------------------------------------------------- WhatsApp templates


@dataclass(frozen=True)
class ReadAll(ButtonData, prefix="readall"):
    """Under an announcement's template: the whole announcement."""

    broadcast: int


@dataclass(frozen=True)
class StopNews(ButtonData, prefix="nonews"):
    """Under an announcement's or invitation's template: no more announcements."""
