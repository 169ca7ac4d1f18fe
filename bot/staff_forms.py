"""Staff conversations on the questionnaire engine: each is a small questionnaire (data, with
named validators) whose answers live in the staff flow in progress (`bot/storage/staff.py`
`Flow`), so it survives a restart and `/batal` ends it.

A feature begins a flow with its questionnaire, gives each input to `give` (which runs
`bot.engine.step` at the office's local time and commits the answers at once) and renders what
comes next: the question asked (`Ask`), or the confirmation once everything is answered
(`Review`). Progress is derived from the answers, as in the owners' questionnaire. A flow with
nothing to ask (close, cancel, …) is reviewed at once.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from bot import engine
from bot.channel import esc
from bot.context import Context
from bot.engine import Ask, Form, Input, Review, Step
from bot.questionnaire import Question, Questionnaire
from bot.typed_dates import example
from bot.validators import Invalid, yes_or_no

REVIEW = "review"  # the flow's step while the confirmation is shown


def answers(ctx: Context) -> Mapping[str, Any]:
    """The answers given so far in the staff flow in progress."""
    return dict(ctx.flow.data.get("answers", {})) if ctx.flow is not None else {}


def _form(ctx: Context) -> Form:
    data = ctx.flow.data if ctx.flow is not None else {}
    return Form(answers=dict(data.get("answers", {})), cursor=data.get("cursor"))


def shown(ctx: Context, questionnaire: Questionnaire | None) -> Ask | Review:
    """What the flow is at: the question being asked, or the confirmation."""
    if questionnaire is None:
        return Review((), {})
    return engine.view(questionnaire, _form(ctx))


async def _save(ctx: Context, name: str, data: Mapping[str, Any], form: Form,
                where: Ask | Review) -> None:
    kept = {k: v for k, v in data.items() if k not in ("answers", "cursor")}
    kept["answers"] = dict(form.answers)
    if form.cursor is not None:
        kept["cursor"] = form.cursor
    await ctx.save_flow(name, where.question.id if isinstance(where, Ask) else REVIEW, kept)


async def begin(ctx: Context, name: str, questionnaire: Questionnaire | None,
                **data: Any) -> Ask | Review:
    """Start the staff flow `name` (its own `data` kept beside the answers); the first step."""
    where = engine.view(questionnaire, Form()) if questionnaire is not None else Review((), {})
    await _save(ctx, name, data, Form(), where)
    return where


async def give(ctx: Context, questionnaire: Questionnaire, given: Input) -> Step:
    """Give one input to the flow's questionnaire; the answers it changes are committed."""
    local_now = ctx.now.astimezone(ctx.config.time_zone)
    result = engine.step(questionnaire, _form(ctx), given, now=local_now)
    if result.form != _form(ctx):
        assert ctx.flow is not None
        await _save(ctx, ctx.flow.name, ctx.flow.data, result.form, result.next)
    return result


async def forget(ctx: Context, questionnaire: Questionnaire, *question_ids: str) -> Ask | Review:
    """Drop these answers (to ask them again); what is asked now."""
    form = _form(ctx)
    kept = Form(answers={k: v for k, v in form.answers.items() if k not in question_ids})
    where = engine.view(questionnaire, kept)
    assert ctx.flow is not None
    await _save(ctx, ctx.flow.name, ctx.flow.data, kept, where)
    return where


def label(ctx: Context, question: Question) -> str:
    """The question as staff read it, translated, with the one date example filled in."""
    return ctx.tr.gettext(question.label).format(
        example=example(ctx.now.astimezone(ctx.config.time_zone)))


def reason(ctx: Context, error: Invalid) -> str:
    """Why a typed answer was refused, translated, its numbers and words filled in."""
    params = {key: ctx.tr.number(value) if isinstance(value, int) else esc(str(value))
              for key, value in error.params.items()}
    return ctx.tr.gettext(error.reason).format(**params)


async def confirm(ctx: Context, text: str, ask_again: Callable[[Context], Awaitable[None]],
                  go: Callable[[Context], Awaitable[None]]) -> None:
    """The answer to a confirmation, pressed or typed ("ya", "tidak"): `go` ahead (it ends the
    flow), stop (nothing is changed), or ask again."""
    _ = ctx.tr.gettext
    decision = yes_or_no(text)
    if decision is None:
        ctx.reply(_("Please press one of the buttons (or type ya or tidak)."))
        await ask_again(ctx)
    elif decision:
        await go(ctx)
    else:
        await ctx.end_flow()
        ctx.reply(_("Cancelled. Nothing was changed."))
