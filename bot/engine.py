"""The questionnaire engine: a pure function of (questionnaire, form, input) -> next step.

No I/O and no messenger: the caller loads the form from storage, calls `step`, stores what the
step says to save and drop, and renders `step.next`. Progress is derived from the answers, so a
restart resumes exactly where the owner left off.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from bot.i18n import N_
from bot.questionnaire import Kind, Question, Questionnaire
from bot.validators import Invalid, Valid, check


@dataclass(frozen=True)
class Form:
    """What is stored of one owner's questionnaire."""

    answers: Mapping[str, Any] = field(default_factory=dict)
    cursor: str | None = None  # a question re-asked on purpose (back, or edit from the summary)
    draft: tuple[str, ...] = ()  # multi-select choices not yet confirmed with "Done"
    draft_for: str | None = None  # the question the draft belongs to
    # The owner went back and walks forward again: after each answer comes the next question
    # (with its current answer and a way to keep it), not a jump to the first unanswered one.
    walk: bool = False


# Inputs.
@dataclass(frozen=True)
class Show:
    """No answer: just say what is being asked now."""


@dataclass(frozen=True)
class Text:
    """A typed answer."""

    text: str


@dataclass(frozen=True)
class Choose:
    """A choice button pressed for `question`; "<option>:<follow-up option>" answers the
    option's inline follow-up too."""

    question: str
    value: str


@dataclass(frozen=True)
class Toggle:
    """A multi-select option switched on or off."""

    question: str
    value: str


@dataclass(frozen=True)
class Done:
    """The multi-select question is confirmed."""

    question: str


@dataclass(frozen=True)
class Keep:
    """Keep the current answer of `question` and go on."""

    question: str


@dataclass(frozen=True)
class Contact:
    """A phone number shared with the messenger's contact button."""

    phone: str
    own: bool = True


@dataclass(frozen=True)
class Back:
    """Go to the previous question; `question` is where the back button was (None: wherever)."""

    question: str | None = None


@dataclass(frozen=True)
class Edit:
    """Re-ask one answered question (from the summary)."""

    question: str


Input = Show | Text | Choose | Toggle | Done | Keep | Contact | Back | Edit


# Outcomes.
@dataclass(frozen=True)
class Ask:
    """Ask `question`, shown as number `number` of `total` (see `Questionnaire.numbered`)."""

    question: Question
    number: int
    total: int
    previous: Any = None  # the stored answer when the question is asked again
    draft: tuple[str, ...] = ()
    error: Invalid | None = None
    first: bool = False
    inline: Question | None = None  # a follow-up asked in the same message
    inline_previous: Any = None  # its stored answer


@dataclass(frozen=True)
class Review:
    """Every question that applies is answered: show the summary."""

    questions: tuple[Question, ...]
    answers: Mapping[str, Any]


@dataclass(frozen=True)
class Step:
    """The result of one input."""

    form: Form
    next: Ask | Review
    save: Mapping[str, Any] = field(default_factory=dict)
    drop: tuple[str, ...] = ()
    answered: Question | None = None  # the question this input answered
    also: Question | None = None  # its inline follow-up, answered by the same input
    stale: bool = False  # the input was for a question that is not being asked now


def current(questionnaire: Questionnaire, form: Form) -> Question | None:
    """The question being asked: the cursor if it applies, else the first unanswered one."""
    relevant = questionnaire.relevant(form.answers)
    if form.cursor is not None:
        for q in relevant:
            if q.id == form.cursor:
                return q
    return next((q for q in relevant if q.id not in form.answers), None)


def view(questionnaire: Questionnaire, form: Form, error: Invalid | None = None) -> Ask | Review:
    """What to show for this form: the current question, or the summary."""
    question = current(questionnaire, form)
    if question is None:
        return Review(tuple(questionnaire.relevant(form.answers)), dict(form.answers))
    draft = form.draft if form.draft_for == question.id else tuple(
        form.answers.get(question.id) or ()
    ) if question.kind == Kind.MULTI else ()
    relevant = questionnaire.relevant(form.answers)
    child = questionnaire.inline_child(question)
    return Ask(
        question=question,
        number=questionnaire.numbered[question.id],
        total=questionnaire.total,
        previous=form.answers.get(question.id),
        draft=draft,
        error=error,
        first=bool(relevant) and relevant[0].id == question.id,
        inline=child,
        inline_previous=form.answers.get(child.id) if child is not None else None,
    )


def step(questionnaire: Questionnaire, form: Form, given: Input,
         now: datetime | None = None) -> Step:
    """Apply one input to the form and say what comes next.

    `now` (the local time) is for validators that read it, such as a date "in the future".
    """
    question = current(questionnaire, form)
    match given:
        case Show():
            return Step(form, view(questionnaire, form))
        case Back(question=at):
            return _back(questionnaire, form, question, at)
        case Edit(question=target):
            return _edit(questionnaire, form, target)
    if question is None:
        return Step(form, view(questionnaire, form), stale=not isinstance(given, Text))
    match given:
        case Text(text=text):
            return _typed(questionnaire, form, question, text, now)
        case Contact(phone=phone, own=own):
            if question.kind != Kind.PHONE:
                return _refuse(questionnaire, form, N_("A phone number is not needed here."))
            if not own:
                return _refuse(questionnaire, form,
                               N_("Please share your own number, or type the number."))
            return _typed(questionnaire, form, question, phone, now)
        case Choose(question=qid, value=value):
            value, _sep, inner = value.partition(":")
            option = question.option(value)
            if qid != question.id or question.kind != Kind.CHOICE or option is None:
                return _stale(questionnaire, form)
            if not inner:
                return _accept(questionnaire, form, question, value)
            child = questionnaire.get(option.inline) if option.inline else None
            if child is None or child.kind != Kind.CHOICE or child.option(inner) is None:
                return _stale(questionnaire, form)
            return _accept(questionnaire, form, question, value, also=(child, inner))
        case Toggle(question=qid, value=value):
            if qid != question.id or question.kind != Kind.MULTI or not question.option(value):
                return _stale(questionnaire, form)
            return _toggle(questionnaire, form, question, value)
        case Keep(question=qid):
            if qid != question.id or question.id not in form.answers:
                return _stale(questionnaire, form)
            return _accept(questionnaire, form, question, form.answers[question.id])
        case Done(question=qid):
            if qid != question.id or question.kind != Kind.MULTI:
                return _stale(questionnaire, form)
            chosen = view(questionnaire, form)
            draft = chosen.draft if isinstance(chosen, Ask) else ()
            if not draft:
                return _refuse(questionnaire, form, N_(
                    "Please choose at least one option, or \u201cNone yet\u201d, then press Done."
                ))
            ordered = [o.value for o in question.options if o.value in draft]
            return _accept(questionnaire, form, question, ordered)
    raise TypeError(f"unknown input {given!r}")  # pragma: no cover - exhaustive above


def _typed(questionnaire: Questionnaire, form: Form, question: Question, text: str,
           now: datetime | None = None) -> Step:
    child = questionnaire.inline_child(question)
    if question.kind == Kind.CHOICE and child is not None and child.kind != Kind.CHOICE:
        # "Type your NIB, or press Not yet": the typed answer is the follow-up's.
        outcome = check(child.validator, text, now)
        if isinstance(outcome, Invalid):
            return Step(form, view(questionnaire, form, outcome))
        option = question.inline_option
        assert option is not None and isinstance(outcome, Valid)
        return _accept(questionnaire, form, question, option.value, also=(child, outcome.value))
    if question.kind == Kind.CHOICE:
        return _refuse(questionnaire, form, N_("Please choose one of the buttons below."))
    if question.kind == Kind.MULTI:
        return _refuse(questionnaire, form,
                       N_("Please tap the options that apply, then press Done."))
    outcome = check(question.validator, text, now)
    if isinstance(outcome, Invalid):
        return Step(form, view(questionnaire, form, outcome))
    assert isinstance(outcome, Valid)
    return _accept(questionnaire, form, question, outcome.value)


def _accept(questionnaire: Questionnaire, form: Form, question: Question, value: Any,
            also: tuple[Question, Any] | None = None) -> Step:
    """Store an answer (and its inline follow-up's); an unchanged answer is not written, so a
    kept answer does not make a given result stale."""
    given = {question.id: value, **({also[0].id: also[1]} if also else {})}
    answers = {**form.answers, **given}
    relevant = questionnaire.relevant(answers)
    ids = {q.id for q in relevant}
    drop = tuple(qid for qid in answers if qid not in ids and questionnaire.get(qid))
    for qid in drop:
        del answers[qid]
    new = Form(answers=answers, **_onwards(questionnaire, form, question, relevant, answers))
    save = {qid: v for qid, v in given.items() if form.answers.get(qid) != v}
    return Step(new, view(questionnaire, new), save=save, drop=drop, answered=question,
                also=also[0] if also else None)


def _onwards(questionnaire: Questionnaire, form: Form, question: Question,
             relevant: list[Question], answers: Mapping[str, Any]) -> dict[str, Any]:
    """Where a walk after going back continues: the next question, when it has an answer to
    keep (an inline follow-up was just answered with it: the one after); else (and outside a
    walk) the first unanswered question, or the summary."""
    if not form.walk:
        return {}
    index = next((i for i, q in enumerate(relevant) if q.id == question.id), None)
    if index is None:
        return {}
    later = [q for q in relevant[index + 1:]
             if questionnaire.parents.get(q.id) is not question]
    following = later[0] if later else None
    if following is None or following.id not in answers:
        return {}
    return {"cursor": following.id, "walk": True}


def _toggle(questionnaire: Questionnaire, form: Form, question: Question, value: str) -> Step:
    shown = view(questionnaire, form)
    chosen = set(shown.draft if isinstance(shown, Ask) else ())
    if value in chosen:
        chosen.discard(value)
    elif value in question.exclusive:
        chosen = {value}
    else:
        chosen = (chosen - set(question.exclusive)) | {value}
    draft = tuple(o.value for o in question.options if o.value in chosen)
    new = replace(form, draft=draft, draft_for=question.id)
    return Step(new, view(questionnaire, new))


def _back(questionnaire: Questionnaire, form: Form, question: Question | None,
          at: str | None) -> Step:
    if at is not None and (question is None or at != question.id):
        return _stale(questionnaire, form)
    relevant = questionnaire.relevant(form.answers)
    if question is None:
        target = relevant[-1] if relevant else None
    else:
        index = next(i for i, q in enumerate(relevant) if q.id == question.id)
        if index == 0:
            return _refuse(questionnaire, form, N_("This is the first question."))
        target = relevant[index - 1]
    parent = questionnaire.parents.get(target.id) if target is not None else None
    if parent is not None and parent.id in form.answers:
        target = parent  # a follow-up asked inline is gone back to in its parent's message
    if target is None:
        return Step(form, view(questionnaire, form))
    new = Form(answers=form.answers, cursor=target.id, walk=True)
    return Step(new, view(questionnaire, new))


def _edit(questionnaire: Questionnaire, form: Form, target: str) -> Step:
    if target not in {q.id for q in questionnaire.relevant(form.answers)}:
        return _stale(questionnaire, form)
    parent = questionnaire.parents.get(target)
    if parent is not None:
        target = parent.id
    new = Form(answers=form.answers, cursor=target)
    return Step(new, view(questionnaire, new))


def _refuse(questionnaire: Questionnaire, form: Form, reason: str) -> Step:
    return Step(form, view(questionnaire, form, Invalid(reason)))


def _stale(questionnaire: Questionnaire, form: Form) -> Step:
    return Step(form, view(questionnaire, form), stale=True)
