"""The owners' questionnaire as a conversation: the form as stored, one input through the engine
stored the moment it is given, and the one complete message that answers it (the next question,
the summary, the result; `bot.screens` draws them).

The survey feature (`bot/features/survey.py`) wires commands and buttons to these. A criterion
the owner cannot meet by working on the business (the KTP address) is said as soon as it is
decided, kindly, with the choice to finish anyway.
"""

from __future__ import annotations

import logging
from dataclasses import replace

from bot import advice, engine, screens
from bot.channel import Button, InboundKind, plain_text
from bot.core import Context
from bot.eligibility import evaluate, final_unmet
from bot.engine import Ask, Form, Review, Step
from bot.owner_buttons import Back, Menu, Unmet
from bot.questionnaire import Kind as QKind
from bot.storage.owners import Owner
from bot.validators import clean_text

log = logging.getLogger(__name__)


async def form_of(ctx: Context) -> Form:
    """The owner's questionnaire as stored."""
    owner = ctx.owner
    assert owner is not None
    return Form(answers=await ctx.db.owners.answers(owner.id), cursor=owner.cursor,
                draft=owner.draft, draft_for=owner.draft_for, walk=owner.walk)


def agreed(ctx: Context) -> Owner:
    """The owner, who agreed to the privacy notice (the router lets nobody else through)."""
    assert ctx.owner is not None and ctx.owner.consented
    return ctx.owner


async def advance(ctx: Context, given: engine.Input, form: Form | None = None) -> Step:
    """Apply one input to the questionnaire and store the step."""
    owner = agreed(ctx)
    form = form or await form_of(ctx)
    result = _known_phone(ctx, engine.step(ctx.core.questionnaire, form, given))
    new = result.form
    if (result.save or result.drop or new.cursor != form.cursor or new.draft != form.draft
            or new.draft_for != form.draft_for or new.walk != form.walk):
        ctx.owner = await ctx.db.owners.save_step(owner.id, result.save, result.drop,
                                                  new.cursor, new.draft, new.draft_for, ctx.now,
                                                  walk=new.walk)
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


async def take_input(ctx: Context, given: engine.Input, form: Form | None = None) -> None:
    """Run one input through the engine and answer it (`form`: as just loaded, if it was)."""
    form = form or await form_of(ctx)
    step = await advance(ctx, given, form)
    if isinstance(given, engine.Toggle) and isinstance(step.next, Ask) and not step.stale:
        show(ctx, step.next, in_place=True, hint=False)  # the same question with its ticks
        return
    await render(ctx, form, step)


async def render(ctx: Context, before: Form, step: Step) -> None:
    """Say what a step means, then ask what comes next, in one complete message.

    A typed answer the bot read differently from how it was typed heads the message, as the
    bot read it ("✅ 20 kodi a month" for "20 kodi"); a pressed button is not said
    back (the next question is the sign it was taken, and the summary shows every answer before
    it is sent). After a button the message may take the place of the pressed one (on a
    channel that can edit, one message moves along instead of a new one per question: less to
    download on a cheap phone).
    """
    _ = ctx.tr.gettext
    if step.stale:
        # A double tap, or a button of an earlier question: where the owner is now, again (on
        # a channel that edits, the pressed message often shows it already and stays as it is).
        ctx.notice(_("This button is from an earlier question and no longer works."))
        await resume(ctx, in_place=True)
        return
    intro = ""
    in_place = ctx.inbound.kind == InboundKind.BUTTON
    if step.answered is not None and not in_place:
        said = step.also or step.answered  # "Pekalongan Barat" says "Kota Pekalongan" too
        answer = screens.format_answer(ctx.tr, said, step.form.answers.get(said.id))
        # A typed answer is on the screen already: said back only when the bot read it
        # differently ("20 kodi" is "20 kodi a month"; "1234 5678…" is the same number).
        if _letters(plain_text(answer)) != _letters(clean_text(ctx.inbound.text)):
            intro = f"✅ {answer}"
    if isinstance(step.next, Ask) and step.answered is not None:
        told = {c.id for c in final_unmet(before.answers, ctx.core.questionnaire,
                                          ctx.config.questionnaire, ctx.core.rules)}
        new = [c for c in final_unmet(step.form.answers, ctx.core.questionnaire,
                                      ctx.config.questionnaire, ctx.core.rules)
               if c.id not in told]
        if new:
            ctx.reply(advice.cannot_join(ctx.tr, new, step.form.answers, ctx.config, intro), [
                [Button(_("▶️ Go on anyway"), Unmet("go").pack())],
                [Button(_("⏸ Stop here"), Unmet("stop").pack())],
                [Button(_("⬅️ Change my answer"), Back(step.next.question.id).pack())],
            ], replace=in_place)
            return
    if isinstance(step.next, Review):
        intro = ""  # the summary shows every answer
    await show_where(ctx, step.next, intro=intro, in_place=in_place)


def _letters(text: str) -> str:
    """Only the letters and digits of a text, in one case: how two readings are compared."""
    return "".join(ch for ch in text.casefold() if ch.isalnum())


def show(ctx: Context, shown: Ask | Review, *, welcome_back: bool = False, intro: str = "",
         in_place: bool = False, notes: list[str] | None = None, hint: bool = True) -> None:
    """Send the current question, or the summary, after `intro`, as one message.

    `in_place`: it may take the place of the message whose button was pressed (not for the
    phone question asked with a share-my-number key, which needs a message of its own).
    """
    _ = ctx.tr.gettext
    if welcome_back:
        intro = _("Welcome back! Let's continue where you stopped.")
    keyboard_gone = ctx.owner is not None and isinstance(shown, Review)
    if isinstance(shown, Review):
        text, buttons = screens.summary(ctx.tr, ctx.core.questionnaire, shown, notes,
                                        release=bool(notes), intro=intro)
        ctx.reply(text, buttons, replace=in_place, remove_keyboard=keyboard_gone)
        return
    key = screens.contact_key(shown)
    text = screens.question_text(ctx.tr, shown, hint=hint)
    if intro:
        text = f"{intro}\n\n{text}"
    if key:
        ctx.tidy()
        ctx.reply(text, ask_contact=_("📱 Share my phone number"))
    else:
        ctx.reply(text, screens.question_buttons(ctx.tr, shown), replace=in_place)


async def show_where(ctx: Context, shown: Ask | Review, **kwargs: object) -> None:
    """`show`, with the summary's notes about what sending the answers would change."""
    notes: list[str] = []
    if isinstance(shown, Review):
        result = evaluate(shown.answers, ctx.config.questionnaire, ctx.core.rules)
        for hook in ctx.core.router.summary_notes:
            notes += await hook(ctx, result)
    show(ctx, shown, notes=notes, **kwargs)  # type: ignore[arg-type]


async def show_result(ctx: Context, *, intro: str = "", in_place: bool = False,
                      extra: list[str] | None = None) -> None:
    """Send the stored result with its follow-up buttons (`in_place`: in the pressed message);
    `extra`: lines about what the result changed (a seat freed)."""
    owner = ctx.owner
    assert owner is not None
    answers = await ctx.db.owners.answers(owner.id)
    text, buttons = advice.result_message(ctx.tr, ctx.core.rules, owner, answers, ctx.config,
                                          intro=intro, extra=extra or [])
    for entry in ctx.core.router.result_buttons:
        buttons += [[b] for b in await entry(ctx)]
    buttons.append([Button(ctx.tr.gettext("☰ Menu"), Menu("menu").pack())])
    ctx.reply(text, buttons, replace=in_place)


async def resume(ctx: Context, *, welcome_back: bool = False, intro: str = "",
                 in_place: bool = False) -> None:
    """Show where the owner is: the current question, the summary, or the result."""
    owner = agreed(ctx)
    if owner.paused:
        await ctx.db.owners.set_paused(owner.id, False)
        await ctx.refresh()
    if owner.finished_at is not None and owner.cursor is None:
        await show_result(ctx, intro=intro, in_place=in_place)
        return
    step = await advance(ctx, engine.Show())
    await show_where(ctx, step.next, welcome_back=welcome_back, intro=intro, in_place=in_place)


def show_edit_list(ctx: Context, form: Form, page: int = 1) -> None:
    """Offer every answered question as a button to change it, PAGE at a time."""
    _ = ctx.tr.gettext
    questionnaire = ctx.core.questionnaire
    answered = [q for q in questionnaire.relevant(form.answers)
                if q.id in form.answers and q.id not in questionnaire.parents]
    if not answered:
        ctx.reply(_("There is no answer to change yet."))
        return
    ctx.reply(*screens.edit_list(ctx.tr, answered, form.answers, page),
              replace=ctx.inbound.kind == InboundKind.BUTTON and page > 1)


async def submit(ctx: Context, form: Form) -> None:
    """Evaluate the answers, store the result, let other features act on it, and show it."""
    owner = ctx.owner
    assert owner is not None
    result = evaluate(form.answers, ctx.config.questionnaire, ctx.core.rules)
    await ctx.db.owners.finish(owner.id, result.eligible, result.readiness,
                               {"unmet": list(result.unmet), "parts": dict(result.parts)},
                               ctx.now)
    log.info("owner %d submitted the questionnaire: eligible=%s, readiness %d", owner.id,
             result.eligible, result.readiness)
    await ctx.refresh()
    lines = [line for hook in ctx.core.router.after_result for line in await hook(ctx, result)]
    await show_result(ctx, in_place=True, extra=lines)  # the summary moves on to the result
