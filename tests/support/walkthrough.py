"""Scripted owners walking through the questionnaire in-process, and what they had to read.

An owner is a script of answers keyed by question id; the walk asks the engine which question
is being asked (as the owner reads it off the screen) and answers it by pressing the button the
bot showed, or by typing. Every reply on the way is kept, so tests can check each message
against the phone limits and the benchmark can count what the owner read.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from bot import engine
from bot.channel import Button, Inbound, InboundKind, Notice, Reply, plain_text
from bot.core import Core
from bot.engine import Ask, Form
from bot.owner_buttons import Answer, Summary
from bot.questionnaire import Kind
from tests.support import script

# The scripted owners of tests.support.script, by their answers.
ELIGIBLE: Mapping[str, Any] = script.ELIGIBLE.answers
NOT_ELIGIBLE: Mapping[str, Any] = script.NOT_ELIGIBLE.answers
# Buttons the walk presses when the bot offers them: consent, "go on anyway" after a criterion
# that cannot be met, and Submit on the summary.
GO_ON = (script.CONSENT_DATA, script.GO_ON_DATA)
SUBMIT = (script.SUBMIT_DATA, Summary("release").pack())
MAX_ACTIONS = 80


@dataclass
class Walk:
    """One owner's conversation: every action and every reply."""

    core: Core
    language: str = "id"
    user_id: str = "walker"
    channel: str = "telegram"
    actions: list[str] = field(default_factory=list)
    turns: list[list[Any]] = field(default_factory=list)

    async def send(self, kind: InboundKind, **fields: Any) -> list[Any]:
        """One owner action; its replies are kept as one turn."""
        inbound = Inbound(channel=self.channel, user_id=self.user_id, chat_id=self.user_id,
                          kind=kind, language_code=self.language, message_id="1", **fields)
        replies = await self.core.handle(inbound)
        self.actions.append(f"{kind}:{fields.get('text') or fields.get('data')}")
        self.turns.append(replies)
        return replies

    async def say(self, text: str) -> list[Any]:
        """Type a message or a command."""
        kind = InboundKind.COMMAND if text.startswith("/") else InboundKind.TEXT
        return await self.send(kind, text=text)

    async def press(self, data: str) -> list[Any]:
        """Press a button the bot showed in its last turn (fails when it did not show it)."""
        shown = [b.data for b in buttons(self.turns[-1])] if self.turns else []
        assert data in shown, f"no button {data!r} among {shown}"
        return await self.send(InboundKind.BUTTON, data=data)

    @property
    def replies(self) -> list[Reply]:
        """Every message the owner got, in order."""
        return [r for turn in self.turns for r in turn if isinstance(r, Reply)]

    async def form(self) -> tuple[Any, Form]:
        """The owner as stored, and their questionnaire form."""
        owner = await self.core.db.owners.find(self.channel, self.user_id)
        assert owner is not None
        answers = await self.core.db.owners.answers(owner.id)
        return owner, Form(answers=answers, cursor=owner.cursor, draft=owner.draft,
                           draft_for=owner.draft_for, walk=owner.walk)

    async def answer(self, script: Mapping[str, Any]) -> None:
        """Answer every question the bot asks from `script` until the result is shown."""
        await self.say("/start")
        while len(self.actions) < MAX_ACTIONS:
            owner, form = await self.form()
            if owner.finished_at is not None and owner.cursor is None:
                return
            shown = [b.data for b in buttons(self.turns[-1])]
            go_on = next((d for d in shown if d in GO_ON), None)
            asked = engine.view(self.core.questionnaire, form) if owner.consented else None
            if go_on is not None:
                await self.press(go_on)
            elif isinstance(asked, Ask):
                await self.give(asked, script)
            else:
                await self.press(next(d for d in shown if d in SUBMIT))
        raise AssertionError(f"no result after {MAX_ACTIONS} actions: {self.actions[-5:]}")

    async def give(self, asked: Ask, script: Mapping[str, Any]) -> None:
        """Answer the question being asked, the way an owner would."""
        q = asked.question
        value = script[q.id]
        shown = {b.data for b in buttons(self.turns[-1])}
        option = q.option(value) if q.kind == Kind.CHOICE else None
        if option is not None and option.inline:  # the follow-up is answered in this message
            inner = script[option.inline]
            child = self.core.questionnaire.get(option.inline)
            assert child is not None
            if child.kind == Kind.CHOICE:
                await self.press(Answer(q.id, value, inner).pack())
            else:
                await self.say(str(inner))
        elif q.kind == Kind.CHOICE:
            data = next(d for d in shown if d.split(":")[-2:] == [q.id, value])
            await self.press(data)
        elif q.kind == Kind.MULTI:
            draft = set(asked.draft)
            for option in value:
                if option not in draft:
                    toggle = next(d for d in buttons(self.turns[-1])
                                  if d.data.split(":")[-2:] == [q.id, option])
                    await self.press(toggle.data)
            done = next(d for d in (b.data for b in buttons(self.turns[-1]))
                        if d.split(":")[0] == "d" or d.endswith(f"done:{q.id}"))
            await self.press(done)
        else:
            await self.say(str(value))


def buttons(replies: Sequence[Any]) -> list[Button]:
    """Every button of a turn's messages."""
    return [b for r in replies if isinstance(r, Reply) for row in r.buttons for b in row]


def reading(reply: Reply) -> str:
    """What the owner reads of one message: its text and its buttons' labels."""
    return "\n".join([plain_text(reply.text), *(b.label for row in reply.buttons for b in row)])


@dataclass(frozen=True)
class Figures:
    """What one walk cost the owner."""

    actions: int
    chars: int
    longest_chars: int
    longest_lines: int
    messages: int


def figures(walk: Walk) -> Figures:
    """Count the actions and what the owner had to read (notices included)."""
    chars = 0
    for turn in walk.turns:
        for r in turn:
            if isinstance(r, Reply):
                chars += len(reading(r))
            elif isinstance(r, Notice):
                chars += len(r.text)
    texts = [plain_text(r.text) for r in walk.replies]
    return Figures(
        actions=len(walk.actions), chars=chars,
        longest_chars=max(len(t) for t in texts),
        longest_lines=max(len(t.split("\n")) for t in texts),
        messages=len(texts),
    )
