"""The questionnaire as the owner sees it: a question, the summary, the list of answers to
change, and an answer in words. Pure rendering (reply HTML and buttons) in the reader's language.

Every screen fits a phone: at most 12 lines and 600 characters, button labels of at most 20
characters (longer meanings go into the question or a button's description), at most 10
buttons in one message (longer lists are paged).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot.channel import Button, esc, plain_text
from bot.engine import Ask, Review
from bot.i18n import Translator
from bot.owner_buttons import Answer, Done, Edit, Keep, Summary, Tick
from bot.questionnaire import Kind, Option, Question, Questionnaire
from bot.validators import clean_text
from bot.views import format_answer

PAGE = 8  # answers per page of the "which answer do you want to change?" list
DESCRIPTION_CHARS = 72  # WhatsApp's list row description
def question_text(tr: Translator, ask: Ask, hint: bool = True) -> str:
    """The text of a question: a problem with the last answer first, where the owner is
    ("4/12"), the question, its hint (not again while ticking options) and the current answer."""
    _ = tr.gettext
    q = ask.question
    lines = []
    if ask.error is not None:
        params = {k: esc(v) for k, v in ask.error.params.items()}
        lines.append("⚠️ " + _(ask.error.reason).format(**params))
    where = f"<i>{tr.number(ask.number)}/{tr.number(ask.total)}</i> · "
    if q.kind == Kind.MULTI and ask.draft and not hint:  # ticking: question and place known
        lines.append(_("Chosen: {answer}").format(answer=format_answer(tr, q, ask.draft)))
        return "\n".join(lines)
    lines.append(where + f"<b>{esc(_(q.label))}</b>")
    if q.hint and hint:
        lines.append(esc(_(q.hint)))
    if q.kind == Kind.MULTI and ask.draft:
        lines.append(_("Chosen so far: {answer}").format(answer=format_answer(tr, q, ask.draft)))
    elif ask.previous is not None and q.kind != Kind.MULTI:
        lines.append(_("Your answer now: {answer}").format(answer=answer_of(tr, ask)))
    return "\n".join(lines)


def answer_of(tr: Translator, ask: Ask) -> str:
    """The current answer of the question asked, with its inline follow-up's (HTML)."""
    text = format_answer(tr, ask.question, ask.previous)
    if ask.inline is not None and ask.inline_previous is not None:
        text += " · " + format_answer(tr, ask.inline, ask.inline_previous)
    return text


def contact_key(ask: Ask) -> bool:
    """True when the question is asked with a share-my-number key instead of buttons (the
    phone question before it has an answer: a message carries one kind of keyboard)."""
    return ask.question.kind == Kind.PHONE and ask.previous is None


def question_buttons(tr: Translator, ask: Ask) -> list[list[Button]]:
    """The buttons of a question: its options, Done, keep the current answer.

    No Back button: a wrong answer is changed from the summary before anything is sent (or with
    /back), and without it a question of three options fits WhatsApp's three reply buttons."""
    _ = tr.gettext
    q = ask.question
    rows: list[list[Button]] = []
    if q.kind == Kind.CHOICE:
        for o in q.options:
            if o.inline and ask.inline is not None and ask.inline.kind == Kind.CHOICE:
                rows += [[_choice(tr, c, Answer(q.id, o.value, c.value).pack())]
                         for c in ask.inline.options if not c.alone]
            elif not o.inline:
                rows.append([_choice(tr, o, Answer(q.id, o.value).pack())])
    elif q.kind == Kind.MULTI:
        rows = [[Button(("✅ " if o.value in ask.draft else "") + _(o.label),
                        Tick(q.id, o.value).pack(),
                        description=_(o.description) if o.description else "")]
                for o in q.options]
        rows.append([Button(_("Done ✔"), Done(q.id).pack())])
    typed = q.kind in (Kind.TEXT, Kind.PHONE) or (
        ask.inline is not None and ask.inline.kind != Kind.CHOICE and ask.inline_previous)
    if typed and ask.previous is not None:
        rows.append([Button(_("✔️ Keep this answer"), Keep(q.id).pack(),
                            description=_plain(answer_of(tr, ask)))])
    return rows


def _choice(tr: Translator, option: Option, data: str) -> Button:
    return Button(tr.gettext(option.label), data,
                  description=tr.gettext(option.description) if option.description else "")


def _plain(html_text: str) -> str:
    text = plain_text(html_text)
    return text if len(text) <= DESCRIPTION_CHARS else text[:DESCRIPTION_CHARS - 1] + "…"


def summary_lines(tr: Translator, questionnaire: Questionnaire, questions: tuple[Question, ...],
                  answers: Mapping[str, Any], bullet: str = "• ") -> list[str]:
    """The answers, one line per question with its follow-ups ("• NIB: Yes · NIB number: …")."""
    _ = tr.gettext
    lines: dict[str, list[str]] = {}
    for q in questions:
        parent = questionnaire.parents.get(q.id)
        child = questionnaire.inline_child(q)
        if q.id not in answers or (child is not None and child.id in answers):
            continue  # a follow-up asked inline says its parent's answer too
        label = parent.short if parent is not None else q.short
        lines.setdefault(_line_of(questionnaire, q), []).append(
            f"<b>{esc(_(label))}</b>: {format_answer(tr, q, answers[q.id])}")
    return [bullet + " · ".join(parts) for parts in lines.values()]


def _line_of(questionnaire: Questionnaire, question: Question) -> str:
    """The question whose summary line shows this answer (follow-ups join the one they follow)."""
    target = question.summary_with or (question.condition.question if question.condition else "")
    parent = questionnaire.get(target) if target else None
    return question.id if parent is None else _line_of(questionnaire, parent)


def summary(tr: Translator, questionnaire: Questionnaire, review: Review,
            notes: list[str] | None = None, release: bool = False,
            intro: str = "") -> tuple[str, list[list[Button]]]:
    """The summary: the answers, any consequence of sending them, Submit and Change."""
    _ = tr.gettext
    lines = [intro] if intro else []
    lines += notes or [_("Please check your answers, then press Submit:")]
    # No bullets: each line starts with its label in bold, and the owner reads less.
    lines += summary_lines(tr, questionnaire, review.questions, review.answers, bullet="")
    submit = Button(_("✅ Submit, free seat"), Summary("release").pack()) if release else \
        Button(_("✅ Submit"), Summary("submit").pack())
    return "\n".join(lines), [[submit], [Button(_("✏️ Change an answer"),
                                                 Summary("edit").pack())]]


def edit_list(tr: Translator, questions: list[Question], answers: Mapping[str, Any],
              page: int = 1) -> tuple[str, list[list[Button]]]:
    """Which answer to change: one button per answer, PAGE a page, with its current answer as
    the button's description."""
    _ = tr.gettext
    pages = max(1, -(-len(questions) // PAGE))
    page = min(max(page, 1), pages)
    shown = questions[(page - 1) * PAGE: page * PAGE]
    rows = [[Button(_(q.short), Edit(q.id).pack(),
                    description=_plain(format_answer(tr, q, answers.get(q.id))))]
            for q in shown]
    if page > 1:
        rows.append([Button(_("⬅️ Previous"), Summary("edit", page - 1).pack())])
    if page < pages:
        rows.append([Button(_("More ➡️"), Summary("edit", page + 1).pack())])
    text = _("Which answer do you want to change?")
    if pages > 1:
        text += " " + _("(page {page} of {pages})").format(page=tr.number(page),
                                                          pages=tr.number(pages))
    return text, rows


def typed_choice(tr: Translator, questionnaire: Questionnaire, question: Question,
                 text: str) -> str | None:
    """The choice a typed answer names, as button data would: the number of a button, its
    label, an alias, or a label's first word when only one starts with it. A follow-up asked
    in the same message counts with its options ("barat" is "yes:barat")."""
    child = questionnaire.inline_child(question)
    choices: list[tuple[str, Option]] = []
    for o in question.options:
        if o.inline and child is not None and child.kind == Kind.CHOICE:
            choices += [(f"{o.value}:{c.value}", c) for c in child.options if not c.alone]
        elif not o.inline:
            choices.append((o.value, o))
    typed = clean_text(text).lower().strip(" .!")
    if typed.isdigit() and (child is None or child.kind == Kind.CHOICE):
        number = int(typed)
        return choices[number - 1][0] if 1 <= number <= len(choices) else None
    labels = {value: tr.gettext(o.label).lower() for value, o in choices}
    exact = [v for v, label in labels.items() if label == typed]
    if exact:
        return exact[0]
    aliased = [value for value, o in choices if typed in o.aliases]
    if len(aliased) == 1:
        return aliased[0]
    first = [v for v, label in labels.items()
             if typed and label.replace(",", " ").split()[0] == typed]
    return first[0] if len(first) == 1 else None
