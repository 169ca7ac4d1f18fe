"""The eligibility questionnaire, as the owner drives it: its commands (/lanjut, /kembali,
/ubah), its buttons (an option, a tick, Done, Keep, Back, an answer to change, the summary's,
a next step), typed answers, and its menu entry.

Each goes through `bot.interview`, which runs the engine, stores the step the moment it is
taken and answers with one complete message.
"""

from __future__ import annotations

from datetime import timedelta

from bot import advice, engine, interview, screens
from bot.channel import Button, InboundKind
from bot.core import Context, Resume, Router, esc
from bot.eligibility import evaluate
from bot.engine import Ask, Review
from bot.i18n import N_
from bot.owner_buttons import Answer, Back, Done, Edit, Keep, Menu, NextStep, Summary, Tick
from bot.questionnaire import Kind as QKind


def register(router: Router) -> None:
    """Wire the questionnaire's commands, buttons and menu entry."""
    router.command(("lanjut", "continue"), on_continue, N_("Continue the questions"),
                   agreed=True)
    router.command(("kembali", "back"), on_back, N_("The previous question"),
                   agreed=True)
    router.command(("ubah", "change"), on_change, N_("Change an answer"), agreed=True)
    router.button(Answer, on_choose, agreed=True)
    router.button(Tick, on_toggle, agreed=True)
    router.button(Done, on_done, agreed=True)
    router.button(Keep, on_keep, agreed=True)
    router.button(Back, on_back_button, agreed=True)
    router.button(Edit, on_edit, agreed=True)
    router.button(Summary, on_summary_button, agreed=True)
    router.button(NextStep, on_detail_button, agreed=True)
    router.menu_entry(menu_buttons)
    router.fallback = on_input
    router.resumer = _resume


async def on_detail_button(ctx: Context, press: NextStep) -> None:
    """The whole next step of one unmet criterion, with the office to ask."""
    _ = ctx.tr.gettext
    owner = ctx.owner
    criterion = ctx.core.rules.criterion(press.criterion)
    if owner is None or criterion is None:
        ctx.notice(_("This button no longer works."))
        ctx.tidy()
        return
    answers = await ctx.db.owners.answers(owner.id)
    ctx.reply(advice.advice_text(ctx.tr, criterion, answers, ctx.config.questionnaire,
                                 ctx.config.office),
              [[Button(_("📋 My result"), Menu("lanjut").pack()),
                Button(_("☰ Menu"), Menu("menu").pack())]])


async def _resume(ctx: Context, how: Resume) -> None:
    await interview.resume(ctx, welcome_back=how.welcome_back, intro=how.intro,
                           in_place=how.in_place)


async def on_choose(ctx: Context, press: Answer) -> None:
    """A choice button (with its follow-up's option, when that is asked in the same message)."""
    await interview.take_input(ctx, engine.Choose(press.question, press.value))


async def on_toggle(ctx: Context, press: Tick) -> None:
    """A multi-select option."""
    await interview.take_input(ctx, engine.Toggle(press.question, press.option))


async def on_done(ctx: Context, press: Done) -> None:
    """The multi-select "Done" button."""
    await interview.take_input(ctx, engine.Done(press.question))


async def on_keep(ctx: Context, press: Keep) -> None:
    """Keep the current answer and go on."""
    await interview.take_input(ctx, engine.Keep(press.question))


async def on_back_button(ctx: Context, press: Back) -> None:
    """The "Back" button under a question."""
    await interview.take_input(ctx, engine.Back(press.question))


async def on_edit(ctx: Context, press: Edit) -> None:
    """Change one answer, chosen from the list."""
    await interview.take_input(ctx, engine.Edit(press.question))


async def on_summary_button(ctx: Context, press: Summary) -> None:
    """Summary actions: submit, release (submit and free a seat), edit (a page of answers)."""
    _ = ctx.tr.gettext
    owner = interview.agreed(ctx)
    form = await interview.form_of(ctx)
    shown = engine.view(ctx.core.questionnaire, form)
    action = press.action
    if action in ("submit", "release"):
        if owner.finished_at is not None and owner.cursor is None:
            ctx.notice(_("Your answers are already submitted."))
            ctx.tidy()
            return
        if not isinstance(shown, Review):
            ctx.notice(_("There are still questions to answer."))
            await interview.show_where(ctx, shown, in_place=True)
            return
        result = evaluate(shown.answers, ctx.config.questionnaire, ctx.core.rules)
        notes = [line for hook in ctx.core.router.summary_notes
                 for line in await hook(ctx, result)]
        if notes and action != "release":  # an older summary: say what sending now changes
            interview.show(ctx, shown, notes=notes, in_place=True)
            return
        await interview.submit(ctx, form)
        return
    interview.show_edit_list(ctx, form, press.page or 1)


async def on_change(ctx: Context, _args: str) -> None:
    """/ubah: choose an answer to change (also after the result was given)."""
    interview.show_edit_list(ctx, await interview.form_of(ctx))


async def on_input(ctx: Context, _rest: str) -> None:
    """Anything that is not a command or a button: usually an answer."""
    _ = ctx.tr.gettext
    inbound = ctx.inbound
    owner = ctx.owner
    if owner is None or not owner.consented:
        await ctx.ask_consent()
        return
    if owner.paused:
        await ctx.show_menu(_("The questionnaire is paused. Press Continue when you are "
                              "ready."))
        return
    if owner.finished_at is not None and owner.cursor is None:
        await ctx.show_menu(_("Your answers are submitted. What would you like to do?"))
        return
    form = await interview.form_of(ctx)
    shown = engine.view(ctx.core.questionnaire, form)
    if inbound.kind not in (InboundKind.TEXT, InboundKind.CONTACT):
        # One short line: the question with its buttons is just above (no second live copy).
        what = {
            InboundKind.EDITED: _("I saw that you edited a message. Edited messages are not "
                                  "read again: please send the answer as a new message."),
            InboundKind.LOCATION: _("Thank you, but I do not need a location."),
        }.get(inbound.kind, _("I can only read text messages and buttons, so I could not read "
                              "that."))
        where = _("Please answer the question above: {question}").format(
            question=f"<b>{esc(_(shown.question.label))}</b>") if isinstance(shown, Ask) else \
            _("Please press Submit above, or change an answer.")
        ctx.reply(f"{esc(what)}\n{where}")
        return
    idle = timedelta(minutes=ctx.config.questionnaire.resume_after_minutes)
    if inbound.kind == InboundKind.TEXT and ctx.now - owner.last_seen_at > idle:
        await interview.resume(ctx, welcome_back=True)
        return
    if isinstance(shown, Review) and inbound.kind == InboundKind.TEXT:
        await interview.show_where(ctx, shown, intro=esc(_(
            "All questions are answered. Please press Submit, or change an answer.")))
        return
    given: engine.Input = engine.Text(inbound.text)
    if inbound.kind == InboundKind.CONTACT:
        given = engine.Contact(inbound.phone, inbound.own_contact)
    elif isinstance(shown, Ask) and shown.question.kind == QKind.CHOICE:
        value = screens.typed_choice(ctx.tr, ctx.core.questionnaire, shown.question,
                                      inbound.text)
        if value is not None:
            given = engine.Choose(shown.question.id, value)
    await interview.take_input(ctx, given, form)


async def on_continue(ctx: Context, _args: str) -> None:
    """/lanjut: carry on where the owner stopped."""
    await interview.resume(ctx)


async def on_back(ctx: Context, _args: str) -> None:
    """/kembali: the previous question."""
    await interview.take_input(ctx, engine.Back())


async def menu_buttons(ctx: Context) -> list[Button]:
    """The menu entry of the questionnaire: start, continue, or see the result."""
    _ = ctx.tr.gettext
    owner = ctx.owner
    if owner is None or not owner.consented:
        return [Button(_("📝 Can I join?"), Menu("lanjut").pack(),
                       description=_("Check whether my business qualifies"))]
    if owner.finished_at is not None:
        return [Button(_("📋 My result"), Menu("lanjut").pack()),
                Button(_("✏️ Change answers"), Menu("ubah").pack())]
    return [Button(_("📝 Continue"), Menu("lanjut").pack(),
                   description=_("Continue the questionnaire"))]
