"""The scripted owners: one eligible owner and one not yet eligible, as data every driver plays.

A `Persona` is an owner's answer to every question they are asked, by question id and option
id. From it come the steps of each driver: labels to tap in a language (the core and Telegram
drivers), numbered lines to type (the terminal chat), button data to press (the load generator
and the crash test), and the engine's own inputs (the pure engine tests). The labels are the
catalogs' own, so a reworded button does not break a script, while a renamed question or option
does, loudly.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from functools import cache
from types import MappingProxyType
from typing import Any

from bot import engine
from bot.config import QuestionnaireConfig
from bot.eligibility import final_unmet
from bot.i18n import Translator
from bot.owner_buttons import Answer, Consent, Done, Summary, Tick, Unmet
from bot.questionnaire import Kind, Question
from bot.questions import QUESTIONNAIRE
from tests.support.config import catalogs

Step = tuple[str, str]  # ("say" | "tap" | "contact", the text, label part or phone number)
DONE_LABEL = "Done ✔"  # the msgid of a multi-select question's confirm button


@cache
def translator(language: str) -> Translator:
    """The bot's own translations of `language`, loaded once per test run."""
    return catalogs().get(language)


def choice_data(question: Question, value: str) -> str:
    """The button data the bot puts under the option `value` of a choice question (as the
    engine takes it: "yes", or "yes:barat" with the option of its inline follow-up)."""
    option, _sep, inline = value.partition(":")
    return Answer(question.id, option, inline or None).pack()


def toggle_data(question: Question, value: str) -> str:
    """The button data of the option `value` of a multi-select question."""
    return Tick(question.id, value).pack()


def done_data(question: Question) -> str:
    """The button data of a multi-select question's "Done" button."""
    return Done(question.id).pack()


CONSENT_DATA = Consent("yes").pack()  # "Yes, I agree" under the privacy notice
SUBMIT_DATA = Summary("submit").pack()  # "Submit" under the summary
GO_ON_DATA = Unmet("go").pack()  # "Go on anyway" after being told a criterion cannot be met
GO_ON_LABEL = "▶️ Go on anyway"  # its msgid
CONFIG = QuestionnaireConfig()


@dataclass(frozen=True)
class Persona:
    """An owner's answers as given: typed text, an option id, or a list of option ids."""

    answers: Mapping[str, Any] = field(default_factory=dict)
    share_phone: bool = True  # the number is shared with the messenger's button, not typed

    def but(self, *, share_phone: bool | None = None, **answers: Any) -> Persona:
        """The same owner with some answers different."""
        changed = replace(self, answers=MappingProxyType({**self.answers, **answers}))
        return changed if share_phone is None else replace(changed, share_phone=share_phone)

    def asked(self) -> list[Question]:
        """The questions this owner is asked, in order (those whose condition holds)."""
        asked = QUESTIONNAIRE.relevant(self.answers)
        for question in asked:
            if question.id not in self.answers:
                raise KeyError(f"the scripted owner has no answer to {question.id!r}")
            for value in self._options(question):
                if question.option(value) is None:
                    raise KeyError(f"{question.id!r} has no option {value!r}")
        return asked

    def _options(self, question: Question) -> list[str]:
        """The option ids chosen for a choice or multi-select question (none for the others)."""
        value = self.answers[question.id]
        if question.kind == Kind.MULTI:
            return list(value)
        return [value] if question.kind == Kind.CHOICE else []

    def _label(self, question: Question, value: str, language: str) -> str:
        option = question.option(value)
        assert option is not None
        return translator(language).gettext(option.label)

    def moves(self) -> list[tuple[str, Question, Any]]:
        """What the owner does, question by question, as (how, question, what):

        "choose" an option (what: the button data's value, "<option>:<follow-up option>" for a
        follow-up asked in the same message), "tick" options then Done, "type" text (a
        follow-up typed in its parent's message: the parent is the question), "share" a number,
        and "go on" after being told that a criterion cannot be met.
        """
        moves: list[tuple[str, Question, Any]] = []
        answers: dict[str, Any] = {}
        inline_answered: set[str] = set()
        for question in self.asked():
            if question.id in inline_answered:
                continue
            answer = self.answers[question.id]
            before = [c.id for c in final_unmet(answers, QUESTIONNAIRE, CONFIG)]
            answers[question.id] = answer
            option = question.option(answer) if question.kind == Kind.CHOICE else None
            child = QUESTIONNAIRE.get(option.inline) if option and option.inline else None
            if child is not None:
                inline_answered.add(child.id)
                answers[child.id] = self.answers[child.id]
                if child.kind == Kind.CHOICE:
                    moves.append(("choose", question, f"{answer}:{self.answers[child.id]}"))
                else:
                    moves.append(("type", question, self.answers[child.id]))
            elif question.kind == Kind.CHOICE:
                moves.append(("choose", question, answer))
            elif question.kind == Kind.MULTI:
                moves.append(("tick", question, list(answer)))
            elif question.kind == Kind.PHONE and self.share_phone:
                moves.append(("share", question, answer))
            else:
                moves.append(("type", question, answer))
            told = [c.id for c in final_unmet(answers, QUESTIONNAIRE, CONFIG)]
            if len(told) > len(before) and question is not self.asked()[-1]:
                moves.append(("go on", question, None))
        return moves

    def _choice_label(self, question: Question, value: str, language: str) -> str:
        option, _sep, inner = value.partition(":")
        if inner:
            child = QUESTIONNAIRE.get(question.option(option).inline)  # type: ignore[union-attr]
            assert child is not None
            return self._label(child, inner, language)
        return self._label(question, option, language)

    def steps(self, language: str = "en") -> list[Step]:
        """What the owner does in a chat in `language`: type, tap a label, share a number."""
        tr = translator(language)
        steps: list[Step] = []
        for how, question, what in self.moves():
            if how == "choose":
                steps.append(("tap", self._choice_label(question, what, language)))
            elif how == "tick":
                steps += [("tap", self._label(question, value, language)) for value in what]
                steps.append(("tap", tr.gettext(DONE_LABEL)))
            elif how == "share":
                steps.append(("contact", what))
            elif how == "go on":
                steps.append(("tap", tr.gettext(GO_ON_LABEL)))
            else:
                steps.append(("say", what))
        return steps

    def lines(self) -> list[str]:
        """What the owner types in the terminal chat, where buttons are numbered choices."""
        lines: list[str] = []
        for how, question, what in self.moves():
            if how == "choose":
                lines.append(str(shown_values(question).index(what) + 1))
            elif how == "tick":
                numbers = [o.value for o in question.options]
                lines += [str(numbers.index(v) + 1) for v in what]
                lines.append(str(len(numbers) + 1))  # "Done" comes after the options
            elif how == "go on":
                lines.append("1")  # "Go on anyway" is the notice's first button
            else:
                lines.append(what)  # no contact button: typed
        return lines

    def updates(self) -> list[tuple[str, str]]:
        """The owner's actions as ("text" | "press" | "toggle", text or button data).

        A "toggle" is a press that only ticks an option (the bot redraws the keyboard).
        """
        updates: list[tuple[str, str]] = []
        for how, question, what in self.moves():
            if how == "choose":
                updates.append(("press", choice_data(question, what)))
            elif how == "tick":
                updates += [("toggle", toggle_data(question, value)) for value in what]
                updates.append(("press", done_data(question)))
            elif how == "go on":
                updates.append(("press", GO_ON_DATA))
            else:
                updates.append(("text", what))
        return updates

    def inputs(self) -> list[Any]:
        """The owner's actions as the questionnaire engine's inputs."""
        inputs: list[Any] = []
        for how, question, what in self.moves():
            if how == "choose":
                inputs.append(engine.Choose(question.id, what))
            elif how == "tick":
                inputs += [engine.Toggle(question.id, value) for value in what]
                inputs.append(engine.Done(question.id))
            elif how == "share":
                inputs.append(engine.Contact(what))
            elif how == "type":
                inputs.append(engine.Text(what))
        return inputs


def shown_values(question: Question) -> list[str]:
    """The choices of a choice question in the order its buttons are shown (a follow-up asked
    in the same message in its option's place), as button data values."""
    values: list[str] = []
    for o in question.options:
        child = QUESTIONNAIRE.get(o.inline) if o.inline else None
        if child is not None and child.kind == Kind.CHOICE:
            values += [f"{o.value}:{c.value}" for c in child.options if not c.alone]
        elif not o.inline:
            values.append(o.value)
    return values


# A batik maker who meets every criterion: 20 kodi = 400 pieces a month, four times the minimum.
# The KTP question comes first and its kecamatan is chosen in the same message.
ELIGIBLE = Persona(MappingProxyType({
    "name": "Budi Santoso", "business_name": "Batik Sekar", "product_type": "batik",
    "has_nib": "yes", "nib": "1234 5678 90123", "own_production": "own",
    "quality": ["sni", "halal"], "capacity": "20 kodi", "steady": "steady",
    "packaging": "export", "ktp_city": "yes", "kecamatan": "barat",
    "export_experience": "none", "phone": "+6281234567890",
}))
# The same business before its paperwork: no NIB, no quality proof yet, a KTP from elsewhere
# (so neither the NIB number nor the kecamatan is asked).
NOT_ELIGIBLE = ELIGIBLE.but(has_nib="no", quality=["none"], ktp_city="no")
