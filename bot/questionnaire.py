"""The questionnaire as data: questions with stable ids, kinds, labels, validators and conditions.

`validate` checks a whole questionnaire when it is loaded (at start-up and in a test): unique
ids, conditions that point at earlier choice questions and existing options, validators that
exist, and button data that fits Telegram's 64 bytes.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from functools import cached_property
from typing import Any

from bot.buttons import ButtonDataError
from bot.owner_buttons import Answer, Tick
from bot.validators import known

_ID = re.compile(r"^[a-z][a-z_]{0,19}$")
_VALUE = re.compile(r"^[a-z][a-z0-9_]{0,15}$")


class Kind(StrEnum):
    """How a question is answered."""

    TEXT = "text"  # typed, checked by a named validator
    CHOICE = "choice"  # one button
    MULTI = "multi"  # several buttons, then "Done"
    PHONE = "phone"  # typed, or shared with the messenger's contact button


@dataclass(frozen=True)
class Option:
    """One choice of a choice or multi question.

    `label` is a button (at most 20 characters in every language: WhatsApp's limit), so the
    meaning that does not fit goes into `description` (shown beside it where the channel can,
    e.g. WhatsApp's list rows) or into the question. `aliases` are typed words that mean this
    option (lower case, any language: place names, abbreviations).

    `inline`: the id of the follow-up question asked only after this option; it is asked in
    the same message, so one action answers both: a choice follow-up's options are offered in
    this option's place ("Pekalongan Barat" answers "Kota Pekalongan" and its kecamatan), a
    typed follow-up is answered by typing ("type your NIB, or press Not yet"). `alone`: offered
    only when its own question is asked by itself, not in its parent's message.
    """

    value: str
    label: str
    description: str = ""
    aliases: tuple[str, ...] = ()
    inline: str = ""
    alone: bool = False


@dataclass(frozen=True)
class Condition:
    """The question is asked only when the answer to `question` is one of `values`."""

    question: str
    values: tuple[str, ...]

    def holds(self, answers: Mapping[str, Any]) -> bool:
        """True when the earlier answer is one of the values (False while unanswered)."""
        return answers.get(self.question) in self.values


@dataclass(frozen=True)
class Question:
    """One question; its `id` is stored with the answer and must never be renamed."""

    id: str
    kind: Kind
    label: str
    short: str
    hint: str = ""
    options: tuple[Option, ...] = ()
    validator: str = ""
    condition: Condition | None = None
    exclusive: tuple[str, ...] = ()  # multi: options that cannot be combined with others
    # The summary shows this answer on the line of that earlier question (a follow-up such as
    # the NIB number, or a pair that reads together), so the summary fits one phone screen.
    summary_with: str = ""

    def option(self, value: str) -> Option | None:
        """The option with this value, if any."""
        return next((o for o in self.options if o.value == value), None)

    @property
    def inline_option(self) -> Option | None:
        """The option whose follow-up question is asked in this question's message, if any."""
        return next((o for o in self.options if o.inline), None)


@dataclass(frozen=True)
class Questionnaire:
    """An ordered, validated list of questions."""

    version: str
    questions: tuple[Question, ...]

    def __post_init__(self) -> None:
        validate(self)

    def get(self, question_id: str) -> Question | None:
        """The question with this id, if any."""
        return next((q for q in self.questions if q.id == question_id), None)

    def relevant(self, answers: Mapping[str, Any]) -> list[Question]:
        """The questions that apply given the answers so far."""
        return [q for q in self.questions if q.condition is None or q.condition.holds(answers)]

    @cached_property
    def parents(self) -> dict[str, Question]:
        """Follow-up questions asked inline, by id, with the question whose message asks them."""
        return {o.inline: q for q in self.questions for o in q.options if o.inline}

    def inline_child(self, question: Question) -> Question | None:
        """The follow-up asked in this question's message, if any."""
        option = question.inline_option
        return self.get(option.inline) if option is not None else None

    @cached_property
    def numbered(self) -> dict[str, int]:
        """The number each question is shown with: the questions always asked count 1, 2, 3…;
        a follow-up asked only after some answers carries the number of the question before
        it, so the count never skips, never goes back and its total never changes."""
        numbers: dict[str, int] = {}
        count = 0
        for q in self.questions:
            if q.condition is None:
                count += 1
            numbers[q.id] = max(count, 1)
        return numbers

    @cached_property
    def total(self) -> int:
        """How many questions every owner is asked (follow-ups not counted)."""
        return sum(1 for q in self.questions if q.condition is None)


class QuestionnaireError(ValueError):
    """The questionnaire definition is inconsistent; the message lists every problem."""


def validate(questionnaire: Questionnaire) -> None:
    """Check a questionnaire; raise QuestionnaireError listing every problem found."""
    problems: list[str] = []
    seen: dict[str, Question] = {}
    for q in questionnaire.questions:
        where = f"question {q.id!r}"
        if not _ID.match(q.id):
            problems.append(f"{where}: id must be 1-20 characters of a-z and _")
        if q.id in seen:
            problems.append(f"{where}: the id is used twice")
        if not q.label.strip() or not q.short.strip():
            problems.append(f"{where}: label and short label must not be empty")
        if q.kind in (Kind.CHOICE, Kind.MULTI):
            values = [o.value for o in q.options]
            if len(values) < 2:
                problems.append(f"{where}: a {q.kind} question needs at least two options")
            if len(set(values)) != len(values):
                problems.append(f"{where}: two options have the same value")
            for o in q.options:
                if not _VALUE.match(o.value):
                    problems.append(f"{where}: option value {o.value!r} must be 1-16 of a-z0-9_")
                if not o.label.strip():
                    problems.append(f"{where}: option {o.value!r} has no label")
                try:
                    (Answer if q.kind == Kind.CHOICE else Tick)(q.id, o.value)
                except ButtonDataError as error:
                    problems.append(f"{where}: {error}")
            if q.validator:
                problems.append(f"{where}: a {q.kind} question takes no validator")
        else:
            if q.options:
                problems.append(f"{where}: a {q.kind} question takes no options")
            if not known(q.validator):
                problems.append(f"{where}: unknown validator {q.validator!r}")
        for o in q.options:
            if any(a != a.lower().strip() or not a for a in o.aliases):
                problems.append(f"{where}: option {o.value!r} aliases must be lower case words")
        inline = [o for o in q.options if o.inline]
        if len(inline) > 1:
            problems.append(f"{where}: only one option may have an inline follow-up")
        for o in inline:
            child = next((c for c in questionnaire.questions if c.id == o.inline), None)
            if child is None or child.condition != Condition(q.id, (o.value,)):
                problems.append(f"{where}: option {o.value!r} asks {o.inline!r} inline, which "
                                f"must be a later question asked only after that option")
            elif child.kind == Kind.MULTI or child.inline_option is not None:
                problems.append(f"{where}: {o.inline!r} cannot be asked inline")
            else:
                for c in child.options:
                    try:
                        Answer(q.id, o.value, c.value)
                    except ButtonDataError as error:
                        problems.append(f"{where}: {error}")
        if q.summary_with and q.summary_with not in seen:
            problems.append(f"{where}: summary_with refers to {q.summary_with!r}, "
                            "which is not an earlier question")
        if q.exclusive and (q.kind != Kind.MULTI or not set(q.exclusive) <= {
            o.value for o in q.options
        }):
            problems.append(f"{where}: exclusive options must be options of a multi question")
        if q.condition is not None:
            target = seen.get(q.condition.question)
            if target is None:
                problems.append(
                    f"{where}: condition refers to {q.condition.question!r}, "
                    "which is not an earlier question"
                )
            elif target.kind != Kind.CHOICE:
                problems.append(f"{where}: condition must refer to a choice question")
            elif not q.condition.values or not set(q.condition.values) <= {
                o.value for o in target.options
            }:
                problems.append(f"{where}: condition values are not options of {target.id!r}")
        seen.setdefault(q.id, q)
    if not questionnaire.questions:
        problems.append("the questionnaire has no questions")
    if problems:
        raise QuestionnaireError("; ".join(problems))
