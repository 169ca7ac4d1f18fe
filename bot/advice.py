"""What an owner is told about their result: what is missing, the next step for each criterion,
and who to turn to at the office. Shared by the questionnaire, the sign-up and the help.

Texts come from the rules (`bot.criteria`); this module only renders them as reply HTML in the
reader's language, with the office's contact from `[office]`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot.channel import Button, esc
from bot.config import Config, OfficeConfig, QuestionnaireConfig
from bot.criteria import PART_MAX, Advice, Criterion, Rules, minimum_for
from bot.i18n import Translator
from bot.owner_buttons import Menu, NextStep
from bot.questions import BUSINESS_NAME, NAME
from bot.storage.owners import Owner


def office_lines(tr: Translator, office: OfficeConfig, full: bool = True) -> list[str]:
    """The office's name and how to reach it (HTML): in full, two lines with the address, the
    hours and the web page; in short (`full=False`), one line with the quickest way to reach
    it, for messages that must stay short (the rest is behind `office_button`)."""
    _ = tr.gettext
    first = [f"📞 <b>{esc(office.name)}</b>"]
    if office.whatsapp:
        first.append(_("WhatsApp {link}").format(link=f"https://wa.me/{office.whatsapp}"))
    if office.phone and (full or not office.whatsapp):
        first.append(_("phone {number}").format(number=esc(office.phone)))
    second = [esc(part) for part in (office.address, office.hours) if part]
    if office.web:
        second.append(esc(office.web))
    lines = [" · ".join(first)]
    if second and full:
        lines.append("📍 " + " · ".join(second))
    return lines


def office_button(tr: Translator) -> Button:
    """The button that shows the office's whole contact."""
    return Button(tr.gettext("📞 Contact the office"), Menu("kontak").pack(),
                  description=tr.gettext("Address, opening hours, WhatsApp and phone"))


def minimum_text(tr: Translator, capacity: Mapping[str, Any],
                 config: QuestionnaireConfig) -> str:
    """The minimum monthly production in the unit class of the owner's answer ("100 kg")."""
    minimum = minimum_for(capacity, config)
    count = int(minimum)
    text = {
        "kg": tr.ngettext("{count} kg", "{count} kg", count),
        "liters": tr.ngettext("{count} liter", "{count} liters", count),
    }.get(str(capacity.get("class", "")), tr.ngettext("{count} piece", "{count} pieces", count))
    return text.format(count=tr.number(minimum))


def _pick(choices: tuple[Advice, ...], answers: Mapping[str, Any],
          config: QuestionnaireConfig) -> Advice:
    return next(a for a in choices if a.when is None or a.when.holds(answers, config))


def _words(tr: Translator, advice: Advice, answers: Mapping[str, Any],
           config: QuestionnaireConfig) -> str:
    capacity = answers.get("capacity")
    minimum = minimum_text(tr, capacity if isinstance(capacity, Mapping) else {}, config)
    return tr.gettext(advice.text).format(minimum=minimum)


def hint(tr: Translator, criterion: Criterion, answers: Mapping[str, Any],
         config: QuestionnaireConfig) -> str:
    """The one-line next step of an unmet criterion (plain text)."""
    return _words(tr, _pick(criterion.hint, answers, config), answers, config)


def advice(tr: Translator, criterion: Criterion, answers: Mapping[str, Any],
           config: QuestionnaireConfig) -> str:
    """The whole next step of an unmet criterion (plain text)."""
    return _words(tr, _pick(criterion.advice, answers, config), answers, config)


def missing_lines(tr: Translator, rules: Rules, unmet: list[str], answers: Mapping[str, Any],
                  config: QuestionnaireConfig) -> list[str]:
    """One line per unmet criterion with its next step in short (HTML)."""
    lines = []
    for criterion_id in unmet:
        criterion = rules.criterion(criterion_id)
        if criterion is not None:
            lines.append(f"❌ <b>{esc(tr.gettext(criterion.name))}</b>: "
                         f"{esc(hint(tr, criterion, answers, config))}")
    return lines


def advice_text(tr: Translator, criterion: Criterion, answers: Mapping[str, Any],
                config: QuestionnaireConfig, office: OfficeConfig) -> str:
    """A criterion's whole next step as a message, with the office when it can help (HTML)."""
    lines = [f"<b>{esc(tr.gettext(criterion.name))}</b>",
             esc(advice(tr, criterion, answers, config))]
    if criterion.office:
        lines += ["", *office_lines(tr, office)]
    return "\n".join(lines)


def result_text(tr: Translator, rules: Rules, eligible: bool, result: Mapping[str, Any],
                readiness: int, answers: Mapping[str, Any], config: QuestionnaireConfig,
                office: OfficeConfig) -> str:
    """The result of submitted answers: eligible, or what is missing with a next step each,
    and the readiness score (HTML, at most 12 lines)."""
    _ = tr.gettext
    unmet = [c for c in result.get("unmet", []) if rules.criterion(c) is not None]
    name = esc(answers.get(NAME, ""))
    business = esc(answers.get(BUSINESS_NAME, ""))
    score = _("Export readiness: <b>{score} of 100</b>").format(score=tr.number(readiness))
    if eligible:
        return "\n".join([
            _("🎉 Good news, {name}! {business} meets every requirement of the export "
              "training.").format(name=name, business=business),
            " ".join(filter(None, [score, readiness_line(tr, rules, result)])),
        ])
    return "\n".join([
        tr.ngettext("Thank you, {name}. {business} does not meet {count} requirement of the "
                    "training yet:",
                    "Thank you, {name}. {business} does not meet {count} requirements of the "
                    "training yet:", len(unmet)).format(name=name, business=business,
                                                        count=tr.number(len(unmet))),
        *missing_lines(tr, rules, unmet, answers, config),
        _("The buttons below show each next step. When something changes, change your answer "
          "and submit again; you do not have to start over."),
        score,
        *office_lines(tr, office, full=False),
    ])


def readiness_line(tr: Translator, rules: Rules, result: Mapping[str, Any]) -> str:
    """The readiness parts short of full marks, where there is something to gain ("(Quantity
    18/20 · Packaging 10/20)"); nothing when every part has full marks."""
    parts = result.get("parts", {})
    short = [f"{esc(tr.gettext(p.name))} {tr.number(parts.get(p.id, 0))}/{tr.number(PART_MAX)}"
             for p in rules.parts if parts.get(p.id, 0) < PART_MAX]
    return f"({' · '.join(short)})" if short else ""


def detail_buttons(tr: Translator, rules: Rules, unmet: list[str], answers: Mapping[str, Any],
                   config: QuestionnaireConfig) -> list[Button]:
    """One button per unmet criterion, showing its whole next step."""
    buttons = []
    for criterion_id in unmet:
        criterion = rules.criterion(criterion_id)
        if criterion is not None:
            buttons.append(Button("ℹ️ " + tr.gettext(criterion.button),
                                  NextStep(criterion.id).pack(),
                                  description=hint(tr, criterion, answers, config)[:72]))
    return buttons


def result_message(tr: Translator, rules: Rules, owner: Owner, answers: Mapping[str, Any],
                   config: Config, *, intro: str = "",
                   extra: list[str]) -> tuple[str, list[list[Button]]]:
    """The stored result as a message: the text (after `intro`, with `extra` lines about what
    it changed) and its own buttons (each next step, change the answers); other features add
    theirs."""
    result = owner.result or {}
    text = result_text(tr, rules, bool(owner.eligible), result, owner.readiness or 0, answers,
                       config.questionnaire, config.office)
    if extra:
        text = "\n".join([text, "", *extra])
    if intro:
        text = f"{intro}\n\n{text}"
    buttons = [[b] for b in detail_buttons(tr, rules, list(result.get("unmet", [])), answers,
                                           config.questionnaire)]
    if not owner.eligible:
        buttons.append([Button(tr.gettext("✏️ Change answers"), Menu("ubah").pack())])
        buttons.append([office_button(tr)])
    return text, buttons


def cannot_join(tr: Translator, criteria: tuple[Criterion, ...], answers: Mapping[str, Any],
                config: Config, intro: str) -> str:
    """Said as soon as a criterion the owner cannot meet is decided: kindly, what to do
    instead, that they may still finish, and who to ask (HTML)."""
    _ = tr.gettext
    lines = [intro, "", _("We are sorry: your business cannot join this training.")]
    lines += [esc(advice(tr, c, answers, config.questionnaire)) for c in criteria]
    lines += ["", _("You may still answer the other questions to see how ready your business is "
                    "for export."), *office_lines(tr, config.office, full=False)]
    return "\n".join(lines)
