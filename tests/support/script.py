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
from bot.i18n import Translator
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
    """The button data the bot puts under the option `value` of a choice question."""
    return f"a:{question.id}:{value}"


def toggle_data(question: Question, value: str) -> str:
    """The button data of the option `value` of a multi-select question."""
    return f"t:{question.id}:{value}"


def done_data(question: Question) -> str:
    """The button data of a multi-select question's "Done" button."""
    return f"d:{question.id}"


CONSENT_DATA = "c:yes"  # "Yes, I agree" under the privacy notice
SUBMIT_DATA = "s:submit"  # "Submit" under the summary


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

    def steps(self, language: str = "en") -> list[Step]:
        """What the owner does in a chat in `language`: type, tap a label, share a number."""
        steps: list[Step] = []
        for question in self.asked():
            answer = self.answers[question.id]
            if question.kind == Kind.CHOICE:
                steps.append(("tap", self._label(question, answer, language)))
            elif question.kind == Kind.MULTI:
                steps += [("tap", self._label(question, value, language))
                          for value in self._options(question)]
                steps.append(("tap", translator(language).gettext(DONE_LABEL)))
            elif question.kind == Kind.PHONE and self.share_phone:
                steps.append(("contact", answer))
            else:
                steps.append(("say", answer))
        return steps

    def lines(self) -> list[str]:
        """What the owner types in the terminal chat, where buttons are numbered choices."""
        lines: list[str] = []
        for question in self.asked():
            if question.kind in (Kind.CHOICE, Kind.MULTI):
                numbers = [o.value for o in question.options]
                lines += [str(numbers.index(v) + 1) for v in self._options(question)]
                if question.kind == Kind.MULTI:
                    lines.append(str(len(numbers) + 1))  # "Done" comes after the options
            else:
                lines.append(self.answers[question.id])  # no contact button: typed
        return lines

    def updates(self) -> list[tuple[str, str]]:
        """The owner's actions as ("text" | "press" | "toggle", text or button data).

        A "toggle" is a press that only ticks an option (the bot redraws the keyboard).
        """
        updates: list[tuple[str, str]] = []
        for question in self.asked():
            if question.kind == Kind.CHOICE:
                updates.append(("press", choice_data(question, self.answers[question.id])))
            elif question.kind == Kind.MULTI:
                updates += [("toggle", toggle_data(question, value))
                            for value in self._options(question)]
                updates.append(("press", done_data(question)))
            else:
                updates.append(("text", self.answers[question.id]))
        return updates

    def inputs(self) -> list[Any]:
        """The owner's actions as the questionnaire engine's inputs."""
        inputs: list[Any] = []
        for question in self.asked():
            answer = self.answers[question.id]
            if question.kind == Kind.CHOICE:
                inputs.append(engine.Choose(question.id, answer))
            elif question.kind == Kind.MULTI:
                inputs += [engine.Toggle(question.id, value) for value in self._options(question)]
                inputs.append(engine.Done(question.id))
            elif question.kind == Kind.PHONE and self.share_phone:
                inputs.append(engine.Contact(answer))
            else:
                inputs.append(engine.Text(answer))
        return inputs


# A batik maker who meets every criterion: 20 kodi = 400 pieces a month, four times the minimum.
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
