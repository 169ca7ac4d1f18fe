"""The eligibility questionnaire as a conversation: asking, checking, back, edit, summary, result.

The engine decides; this module loads the form, stores each step the moment it is taken, and
renders questions, the summary and the result in the owner's language.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import replace
from datetime import timedelta
from typing import Any

from bot import engine
from bot.channel import Button, InboundKind
from bot.core import Context, Resume, Router, esc
from bot.eligibility import PART_MAX, PARTS, evaluate
from bot.engine import Ask, Form, Review, Step
from bot.i18n import N_, Translator
from bot.questionnaire import Kind as QKind
from bot.questionnaire import Question
from bot.storage.owners import Owner
from bot.validators import clean_text
from bot.views import PART_NAMES, format_answer, unmet_lines

log = logging.getLogger(__name__)


def register(router: Router) -> None:
    """Wire the questionnaire's commands, buttons and menu entry."""
    router.command(("lanjut", "continue"), on_continue, N_("Continue the questionnaire"),
                   agreed=True)
    router.command(("kembali", "back"), on_back, N_("Go back to the previous question"),
                   agreed=True)
    router.command(("batal", "cancel"), on_cancel, N_("Stop the questionnaire for now"))
    router.command(("ubah", "change"), on_change, N_("Change one of your answers"), agreed=True)
    router.command(("ulang", "restart"), on_restart, N_("Start the questionnaire over"),
                   agreed=True)
    router.button("a", on_choose, agreed=True)
    router.button("t", on_toggle, agreed=True)
    router.button("d", on_done, agreed=True)
    router.button("b", on_back_button, agreed=True)
    router.button("e", on_edit, agreed=True)
    router.button("s", on_summary_button, agreed=True)
    router.button("u", on_restart_button, agreed=True)
    router.menu_entry(menu_buttons)
    router.fallback = on_input
    router.resumer = _resume


# ---------------------------------------------------------------- rendering


def _question_text(tr: Translator, ask: Ask) -> str:
    _ = tr.gettext
    q = ask.question
    lines = []
    if ask.error is not None:
        params = {k: esc(v) for k, v in ask.error.params.items()}
        lines.append("⚠️ " + _(ask.error.reason).format(**params))
        lines.append("")
    lines.append("<i>" + _("Question {number} of {total}").format(
        number=tr.number(ask.number), total=tr.number(ask.total)) + "</i>")
    lines.append(f"<b>{esc(_(q.label))}</b>")
    if q.hint:
        lines.append(esc(_(q.hint)))
    if q.kind == QKind.MULTI and ask.draft:
        lines.append(_("Chosen so far: {answer}").format(
            answer=format_answer(tr, q, ask.draft)))
    elif ask.previous is not None and q.kind != QKind.MULTI:
        lines.append(_("Current answer: {answer}").format(
            answer=format_answer(tr, q, ask.previous)))
    if q.kind == QKind.PHONE:
        lines.append(_("(Send /kembali to go back to the previous question.)"))
    return "\n".join(lines)


def _question_buttons(tr: Translator, ask: Ask) -> list[list[Button]]:
    _ = tr.gettext
    q = ask.question
    rows: list[list[Button]] = []
    if q.kind == QKind.CHOICE:
        rows = [[Button(_(o.label), f"a:{q.id}:{o.value}")] for o in q.options]
    elif q.kind == QKind.MULTI:
        rows = [[Button(("✅ " if o.value in ask.draft else "▫️ ") + _(o.label),
                        f"t:{q.id}:{o.value}")] for o in q.options]
        rows.append([Button(_("Done ✔"), f"d:{q.id}")])
    if not ask.first:
        rows.append([Button(_("⬅️ Back"), f"b:{q.id}")])
    return rows


def show(ctx: Context, shown: Ask | Review, *, welcome_back: bool = False,
         intro: str = "", in_place: bool = False) -> None:
    """Send the current question, or the summary when everything is answered.

    `in_place`: it may take the place of the message whose button was pressed (not for the
    phone question, whose share-my-number key needs a message of its own).
    """
    _ = ctx.tr.gettext
    text, buttons = _message(ctx, shown)
    if welcome_back:
        intro = _("Welcome back! Let's continue where you stopped.")
    if intro:
        text = f"{intro}\n\n{text}"
    if isinstance(shown, Ask) and shown.question.kind == QKind.PHONE:
        ctx.tidy()
        ctx.reply(text, ask_contact=_("📱 Share my phone number"))
    else:
        ctx.reply(text, buttons, replace=in_place)


def show_summary(ctx: Context, review: Review) -> None:
    """The answers so far, with buttons to submit or change one."""
    ctx.reply(*_message(ctx, review))


def _message(ctx: Context, shown: Ask | Review) -> tuple[str, list[list[Button]]]:
    """Text and buttons of a question, or of the summary."""
    _ = ctx.tr.gettext
    if isinstance(shown, Ask):
        return _question_text(ctx.tr, shown), _question_buttons(ctx.tr, shown)
    lines = [_("Almost done! Please check your answers:"), ""]
    for q in shown.questions:
        lines.append(f"• <b>{esc(_(q.short))}</b>: "
                     f"{format_answer(ctx.tr, q, shown.answers.get(q.id))}")
    lines += ["", _("If everything is right, press Submit.")]
    return "\n".join(lines), [
        [Button(_("✅ Submit"), "s:submit")],
        [Button(_("✏️ Change an answer"), "s:edit")],
    ]


def result_text(ctx: Context, owner: Owner, answers: Mapping[str, Any]) -> str:
    """The result of a submitted questionnaire: eligible or not yet, with next steps."""
    tr = ctx.tr
    _ = tr.gettext
    result = owner.result or {}
    parts = result.get("parts", {})
    name = esc(answers.get("name", ""))
    business = esc(answers.get("business_name", ""))
    if owner.eligible:
        lines = [
            _("🎉 Good news, {name}! {business} meets all the requirements of the export "
              "training.").format(name=name, business=business),
        ]
    else:
        lines = [
            _("Thank you, {name}. {business} does not meet every requirement yet. "
              "What is missing, and how to fix it:").format(name=name, business=business),
            "",
        ]
        lines += unmet_lines(tr, result.get("unmet", []), answers, ctx.config.questionnaire)
        lines += ["", _("When something changes, open the menu, change your answer and submit "
                        "again. You do not have to start over.")]
    lines += [
        "",
        _("Export readiness (4K+1A): <b>{score} of 100</b>").format(
            score=tr.number(owner.readiness or 0)),
        " · ".join(
            f"{esc(_(PART_NAMES[p]))} {tr.number(parts.get(p, 0))}/{PART_MAX}" for p in PARTS
        ),
    ]
    if owner.eligible:
        lines += ["", _("Staff use this score to choose participants when there are more "
                        "applicants than seats. Open the menu to see what you can do next.")]
    return "\n".join(lines)


async def show_result(ctx: Context, *, in_place: bool = False) -> None:
    """Send the stored result with its follow-up buttons (`in_place`: in the pressed message)."""
    owner = ctx.owner
    assert owner is not None
    answers = await ctx.db.owners.answers(owner.id)
    buttons: list[list[Button]] = []
    for entry in ctx.core.router.result_buttons:
        buttons += [[b] for b in await entry(ctx)]
    buttons.append([Button(ctx.tr.gettext("☰ Menu"), "m:menu")])
    ctx.reply(result_text(ctx, owner, answers), buttons, replace=in_place)


# ---------------------------------------------------------------- flow


async def _form(ctx: Context) -> Form:
    owner = ctx.owner
    assert owner is not None
    return Form(answers=await ctx.db.owners.answers(owner.id), cursor=owner.cursor,
                draft=owner.draft, draft_for=owner.draft_for)


async def advance(ctx: Context, given: engine.Input, form: Form | None = None) -> Step:
    """Apply one input to the questionnaire and store the step."""
    owner = _agreed(ctx)
    form = form or await _form(ctx)
    result = _known_phone(ctx, engine.step(ctx.core.questionnaire, form, given))
    new = result.form
    if (result.save or result.drop or new.cursor != form.cursor or new.draft != form.draft
            or new.draft_for != form.draft_for):
        ctx.owner = await ctx.db.owners.save_step(owner.id, result.save, result.drop,
                                                  new.cursor, new.draft, new.draft_for, ctx.now)
    return result


def _known_phone(ctx: Context, result: Step) -> Step:
    """Where the channel knows the owner's number (WhatsApp), it answers the phone question the
    first time it comes up; the summary shows it, and it can be changed like any answer."""
    shown = result.next
    if not (ctx.inbound.address and isinstance(shown, Ask) and shown.question.kind == QKind.PHONE
            and shown.previous is None):
        return result
    known = engine.step(ctx.core.questionnaire, result.form, engine.Text("+" + ctx.inbound.address))
    if known.answered is None:  # not a number the questionnaire takes (e.g. abroad): ask it
        return result
    return replace(known, save={**result.save, **known.save}, drop=result.drop + known.drop,
                   answered=result.answered)


def _agreed(ctx: Context) -> Owner:
    """The owner, who agreed to the privacy notice (the router lets nobody else through)."""
    assert ctx.owner is not None and ctx.owner.consented
    return ctx.owner


async def _resume(ctx: Context, how: Resume) -> None:
    await resume(ctx, welcome_back=how.welcome_back, intro=how.intro, in_place=how.in_place)


async def resume(ctx: Context, *, welcome_back: bool = False, intro: str = "",
                 in_place: bool = False) -> None:
    """Show where the owner is: the current question, the summary, or the result."""
    owner = _agreed(ctx)
    if owner.paused:
        await ctx.db.owners.set_paused(owner.id, False)
        await ctx.refresh()
    if owner.finished_at is not None and owner.cursor is None:
        await show_result(ctx)
        return
    step = await advance(ctx, engine.Show())
    show(ctx, step.next, welcome_back=welcome_back, intro=intro, in_place=in_place)


async def _render(ctx: Context, before: Ask | Review, step: Step) -> None:
    """Say what a step means, then ask what comes next, in one complete message.

    A button answer's message is headed by the answer just given and may take the place of the
    pressed message (on a channel that can edit, one message moves along instead of a new one
    per question: less to download on a cheap phone). Every answer stays visible in the summary
    and in /datasaya.
    """
    _ = ctx.tr.gettext
    if step.stale:
        # A double tap, or a button of an earlier question: where the owner is now, again (on
        # a channel that edits, the pressed message often shows it already and stays as it is).
        ctx.notice(_("This button is from an earlier question and no longer works."))
        await resume(ctx, in_place=True)
        return
    left_phone = isinstance(before, Ask) and before.question.kind == QKind.PHONE and not (
        isinstance(step.next, Ask) and step.next.question.id == before.question.id
    )
    answer = ""
    if step.answered is not None:
        answer = format_answer(ctx.tr, step.answered, step.form.answers.get(step.answered.id))
    if ctx.inbound.kind == InboundKind.BUTTON:
        intro = "" if step.answered is None else \
            f"✅ {esc(_(step.answered.short))}: {answer}"
        show(ctx, step.next, intro=intro, in_place=True)
        return
    if left_phone:
        ctx.reply("✅ " + answer if step.answered is not None else _("All right."),
                  remove_keyboard=True)
    show(ctx, step.next)


async def _apply(ctx: Context, given: engine.Input, form: Form | None = None) -> None:
    """Run one input through the engine and answer it (`form`: as just loaded, if it was)."""
    form = form or await _form(ctx)
    before = engine.view(ctx.core.questionnaire, form)
    step = await advance(ctx, given, form)
    if isinstance(given, engine.Toggle) and isinstance(step.next, Ask) and not step.stale:
        show(ctx, step.next, in_place=True)  # the same question with its ticks
        return
    await _render(ctx, before, step)


def _split(rest: str) -> tuple[str, str]:
    question, _sep, value = rest.partition(":")
    return question, value


async def on_choose(ctx: Context, rest: str) -> None:
    """A choice button: a:<question>:<option>."""
    await _apply(ctx, engine.Choose(*_split(rest)))


async def on_toggle(ctx: Context, rest: str) -> None:
    """A multi-select option: t:<question>:<option>."""
    await _apply(ctx, engine.Toggle(*_split(rest)))


async def on_done(ctx: Context, rest: str) -> None:
    """The multi-select "Done" button: d:<question>."""
    await _apply(ctx, engine.Done(rest))


async def on_back_button(ctx: Context, rest: str) -> None:
    """The "Back" button under a question: b:<question>."""
    await _apply(ctx, engine.Back(rest))


async def on_edit(ctx: Context, rest: str) -> None:
    """Change one answer, chosen from the summary: e:<question>."""
    await _apply(ctx, engine.Edit(rest))


async def on_summary_button(ctx: Context, rest: str) -> None:
    """Summary actions: s:submit, s:edit (choose an answer to change), s:review."""
    _ = ctx.tr.gettext
    owner = _agreed(ctx)
    form = await _form(ctx)
    shown = engine.view(ctx.core.questionnaire, form)
    if rest == "submit":
        if owner.finished_at is not None:
            ctx.notice(_("Your answers are already submitted."))
            ctx.tidy()
            return
        if not isinstance(shown, Review):
            ctx.notice(_("There are still questions to answer."))
            ctx.tidy()
            show(ctx, shown)
            return
        await submit(ctx, form)
        return
    if rest == "edit":
        ctx.tidy()
        show_edit_list(ctx, form)
        return
    ctx.notice(_("This button no longer works."))
    ctx.tidy()


def show_edit_list(ctx: Context, form: Form) -> None:
    """Offer every answered question as a button to change it."""
    _ = ctx.tr.gettext
    answered = [q for q in ctx.core.questionnaire.relevant(form.answers) if q.id in form.answers]
    if not answered:
        ctx.reply(_("There is no answer to change yet."))
        return
    ctx.reply(_("Which answer do you want to change?"),
              [[Button(_(q.short), f"e:{q.id}")] for q in answered])


async def on_change(ctx: Context, _args: str) -> None:
    """/ubah: choose an answer to change (also after the result was given)."""
    show_edit_list(ctx, await _form(ctx))


async def submit(ctx: Context, form: Form) -> None:
    """Evaluate the answers, store the result and show it."""
    owner = ctx.owner
    assert owner is not None
    result = evaluate(form.answers, ctx.config.questionnaire)
    await ctx.db.owners.finish(owner.id, result.eligible, result.readiness,
                               {"unmet": list(result.unmet), "parts": dict(result.parts)},
                               ctx.now)
    log.info("owner %d submitted the questionnaire: eligible=%s, readiness %d", owner.id,
             result.eligible, result.readiness)
    await ctx.refresh()
    await show_result(ctx, in_place=True)  # the summary moves on to the result


def match_option(tr: Translator, question: Question, text: str) -> str | None:
    """The option a typed answer names: its number, its label, or its label's first word."""
    typed = clean_text(text).lower().strip(" .!")
    if typed.isdigit() and 1 <= int(typed) <= len(question.options):
        return question.options[int(typed) - 1].value
    labels = {o.value: tr.gettext(o.label).lower() for o in question.options}
    exact = [v for v, label in labels.items() if label == typed]
    if exact:
        return exact[0]
    first = [v for v, label in labels.items()
             if typed and label.replace(",", " ").split()[0] == typed]
    return first[0] if len(first) == 1 else None


async def on_input(ctx: Context, _rest: str) -> None:
    """Anything that is not a command or a button: usually an answer."""
    _ = ctx.tr.gettext
    inbound = ctx.inbound
    owner = ctx.owner
    if owner is None or not owner.consented:
        await ctx.ask_consent()
        return
    if inbound.kind == InboundKind.EDITED:
        ctx.reply(_("I saw that you edited a message. Edited messages are not read again: "
                    "please send the answer as a new message, or send /kembali to change "
                    "the previous answer."))
        return
    if owner.paused:
        await ctx.show_menu(_("The questionnaire is paused. Press Continue when you are "
                                    "ready."))
        return
    if owner.finished_at is not None and owner.cursor is None:
        await ctx.show_menu(_("Your answers are submitted. What would you like to do?"))
        return
    idle = timedelta(minutes=ctx.config.questionnaire.resume_after_minutes)
    if inbound.kind == InboundKind.TEXT and ctx.now - owner.last_seen_at > idle:
        await resume(ctx, welcome_back=True)
        return
    form = None
    if inbound.kind == InboundKind.TEXT:
        form = await _form(ctx)
        shown = engine.view(ctx.core.questionnaire, form)
        given: engine.Input = engine.Text(inbound.text)
        if isinstance(shown, Ask) and shown.question.kind == QKind.CHOICE:
            value = match_option(ctx.tr, shown.question, inbound.text)
            if value is not None:
                given = engine.Choose(shown.question.id, value)
        elif isinstance(shown, Review):
            ctx.reply(_("All questions are answered. Please press Submit, or change an "
                        "answer."))
            show_summary(ctx, shown)
            return
    elif inbound.kind == InboundKind.CONTACT:
        given = engine.Contact(inbound.phone, inbound.own_contact)
    elif inbound.kind == InboundKind.LOCATION:
        ctx.reply(_("Thank you, but I do not need a location. We only ask which kecamatan "
                    "your KTP address is in."))
        given = engine.Show()
    else:
        ctx.reply(_("I can only read text messages and buttons, so I could not read that."))
        given = engine.Show()
    await _apply(ctx, given, form)


async def on_continue(ctx: Context, _args: str) -> None:
    """/lanjut: carry on where the owner stopped."""
    await resume(ctx)


async def on_back(ctx: Context, _args: str) -> None:
    """/kembali: the previous question."""
    await _apply(ctx, engine.Back())


async def on_cancel(ctx: Context, _args: str) -> None:
    """/batal: stop asking for now; the answers stay."""
    _ = ctx.tr.gettext
    owner = ctx.owner
    if owner is None or not owner.consented or owner.finished_at is not None:
        await ctx.show_menu(_("There is no questionnaire in progress."))
        return
    await ctx.db.owners.set_paused(owner.id, True)
    ctx.reply(_("All right, I stopped the questionnaire. Your answers are kept: send /lanjut "
                "whenever you want to continue, /ulang to start over, or /hapusdata to delete "
                "your data."), remove_keyboard=True)


async def on_restart(ctx: Context, _args: str) -> None:
    """/ulang: start over, after a confirmation."""
    _ = ctx.tr.gettext
    ctx.reply(_("Start over? All your answers and your result will be deleted."), [
        [Button(_("Yes, start over"), "u:yes")],
        [Button(_("No, keep my answers"), "u:no")],
    ])


async def on_restart_button(ctx: Context, rest: str) -> None:
    """The confirmation buttons of /ulang."""
    _ = ctx.tr.gettext
    owner = ctx.owner
    ctx.tidy()
    if rest != "yes" or owner is None or not owner.consented:
        ctx.notice(_("Nothing was changed."))
        return
    await ctx.db.owners.restart(owner.id)
    await ctx.refresh()
    ctx.notice(_("Your answers were deleted."))
    ctx.reply(_("Let's start again from the first question."))
    await resume(ctx)


async def menu_buttons(ctx: Context) -> list[Button]:
    """The menu entry of the questionnaire: start, continue, or see the result."""
    _ = ctx.tr.gettext
    owner = ctx.owner
    if owner is None or not owner.consented:
        return [Button(_("📝 Check whether I qualify"), "m:lanjut")]
    if owner.finished_at is not None:
        return [Button(_("📋 My result"), "m:lanjut"),
                Button(_("✏️ Change my answers"), "m:ubah")]
    return [Button(_("📝 Continue the questionnaire"), "m:lanjut")]
