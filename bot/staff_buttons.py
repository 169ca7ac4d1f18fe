"""The data of the staff's buttons: sessions, seats, the roll call, interest lists and
announcements; one class per kind of press, with the prefix older versions used (`legacy`).

Where one old prefix held several actions with different fields ("stses:show:<session>",
"stses:field:<session>:<field>", "stses:flow:<answer>"), each layout is a class of its own
whose legacy prefix includes the action word; the router matches the longest prefix first.
Every id is checked again when pressed; the router lets only staff press these.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from bot.buttons import ButtonData

# ---------------------------------------------------------------- sessions


@dataclass(frozen=True)
class SessionList(ButtonData, prefix="sessions", legacy="stses:list"):
    """Every session still to come and the recent ones."""


@dataclass(frozen=True)
class NewSession(ButtonData, prefix="newsession", legacy="stses:new"):
    """Start creating a session."""


@dataclass(frozen=True)
class SessionAction(ButtonData, prefix="session", legacy="stses"):
    """One session: show it, or begin changing it (each change is asked, then confirmed)."""

    action: Literal["show", "edit", "move", "reopen", "close", "cancel"]
    session: int


@dataclass(frozen=True)
class SessionField(ButtonData, prefix="sessionfield", legacy="stses:field"):
    """Change this field of a session (a question of `staff_questions.EDIT`)."""

    session: int
    field: str


@dataclass(frozen=True)
class SessionReply(ButtonData, prefix="sessionreply", legacy="stses:flow"):
    """An answer given with a button in the session conversation: "yes", "no", a number."""

    text: str


# ---------------------------------------------------------------- seats


@dataclass(frozen=True)
class Seats(ButtonData, prefix="seats", legacy="stseat"):
    """Who signed up, the waiting list to choose from (a page of it), or the most ready."""

    action: Literal["people", "choose", "best"]
    session: int
    page: int | None = None


@dataclass(frozen=True)
class SeatPick(ButtonData, prefix="seatpick", legacy="stseat:pick"):
    """Someone on the waiting list chosen for a seat (`page`: of the seats they may take)."""

    session: int
    chosen: int
    page: int | None = None


@dataclass(frozen=True)
class SeatSwap(ButtonData, prefix="seatswap", legacy="stseat:swap"):
    """Whose seat the chosen owner takes: asked before it is done."""

    session: int
    chosen: int
    seated: int


@dataclass(frozen=True)
class SeatGive(ButtonData, prefix="seatgive", legacy="stseat:seat"):
    """Give the chosen owner a seat: a free one, or `seated`'s (legacy data says 0 for none)."""

    session: int
    chosen: int
    seated: int | None = None


@dataclass(frozen=True)
class SeatBest(ButtonData, prefix="seatbest", legacy="stseat:bestok"):
    """Give the seats to the most ready, if the change is still the one previewed."""

    session: int
    fingerprint: str


# ---------------------------------------------------------------- the roll call


@dataclass(frozen=True)
class Roll(ButtonData, prefix="roll", legacy="stcame:mark"):
    """The registrants to mark as came or not (a page of them)."""

    session: int
    page: int | None = None


@dataclass(frozen=True)
class RollMark(ButtonData, prefix="rollmark", legacy="stcame:here"):
    """Mark one registrant as came (`present`) or not, and show the same page again."""

    session: int
    owner: int
    present: bool
    page: int


@dataclass(frozen=True)
class RollRest(ButtonData, prefix="rollrest", legacy="stcame:rest"):
    """Everyone not marked yet did not come."""

    session: int


# ---------------------------------------------------------------- interest lists


@dataclass(frozen=True)
class InterestList(ButtonData, prefix="intlist", legacy="stint"):
    """Open, close or invite to a year's list: asked before it is done."""

    action: Literal["open", "close", "invite"]
    year: int


@dataclass(frozen=True)
class InterestReply(ButtonData, prefix="intlistreply", legacy="stint:flow"):
    """The answer to an interest list's confirmation: "yes" or "no"."""

    text: str


# ---------------------------------------------------------------- announcements


@dataclass(frozen=True)
class AudienceKind(ButtonData, prefix="audience", legacy="bc:a"):
    """Who an announcement goes to (`bot.audiences.AUDIENCE_NAMES`)."""

    kind: str


@dataclass(frozen=True)
class AudienceValue(ButtonData, prefix="audiencevalue", legacy="bc:v"):
    """Which session, list or answer the audience is narrowed to."""

    kind: str
    value: str


@dataclass(frozen=True)
class SendChoice(ButtonData, prefix="send", legacy="bc"):
    """Under the preview: send now or later, another audience, or do not send."""

    action: Literal["now", "later", "again", "drop"]


@dataclass(frozen=True)
class CancelBroadcast(ButtonData, prefix="bccancel", legacy="bc:x"):
    """Cancel a scheduled announcement."""

    broadcast: int


@dataclass(frozen=True)
class StopBroadcast(ButtonData, prefix="bcstop", legacy="bc:stop"):
    """Stop an announcement being sent."""

    broadcast: int


@dataclass(frozen=True)
class Failures(ButtonData, prefix="bcfailures", legacy="bc:f"):
    """The messages of an announcement that failed."""

    broadcast: int
