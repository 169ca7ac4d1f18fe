"""`Context`: one inbound being answered — who sent it, in which language, the replies so far —
and what features do with it (reply, tidy, notice, run a command, ask for consent, resume).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from bot.channel import Button, Inbound, InboundKind, Notice, Outbound, Reply, Tidy, esc, rows
from bot.config import Config
from bot.i18n import Translator
from bot.router import Resume
from bot.storage import Database
from bot.storage.owners import Owner
from bot.storage.staff import Flow
from bot.storage.web import StaffId

if TYPE_CHECKING:
    from bot.core import Core


@dataclass
class Context:
    """One inbound being answered: who, in which language, and the replies so far."""

    core: Core
    inbound: Inbound
    owner: Owner | None
    tr: Translator
    now: datetime
    replies: list[Outbound] = field(default_factory=list)
    flow: Flow | None = None  # the staff member's conversation in progress

    @property
    def db(self) -> Database:
        """The database."""
        return self.core.db

    @property
    def config(self) -> Config:
        """The configuration."""
        return self.core.config

    @property
    def agreed(self) -> bool:
        """True when the sender is an owner who agreed to the privacy notice."""
        return self.owner is not None and self.owner.consented

    @property
    def is_staff(self) -> bool:
        """True when the sender is office staff."""
        return self.core.is_staff(self.inbound)

    @property
    def actor(self) -> StaffId:
        """The sender as a staff member acting (bot/actions): for the audit log."""
        return StaffId(self.inbound.channel, self.inbound.user_id, self.inbound.address)

    def reply(self, text: str, buttons: Iterable[Iterable[Button]] = (), *,
              ask_contact: str = "", remove_keyboard: bool = False,
              replace: bool = False) -> None:
        """Send a complete message to this chat.

        `replace`: it answers a button press and may take the place of the pressed message on a
        channel that can edit (elsewhere it is simply sent).
        """
        self.replies.append(Reply(text, rows(buttons), ask_contact=ask_contact,
                                  remove_keyboard=remove_keyboard,
                                  replace=replace and self.inbound.kind == InboundKind.BUTTON))

    def tidy(self, buttons: Iterable[Iterable[Button]] = ()) -> None:
        """Cosmetic: give the pressed message these buttons (none: take them away)."""
        if self.inbound.kind == InboundKind.BUTTON:
            self.replies.append(Tidy(rows(buttons)))

    def stale_button(self) -> None:
        """The answer to a button that no longer means anything: say so, take its buttons."""
        self.notice(self.tr.gettext("This button no longer works."))
        self.tidy()

    async def flow_button(self, flow: str, text: str,
                          answer: Callable[[Context, str], Awaitable[None]]) -> None:
        """A button of a staff conversation: it answers only while that conversation is on."""
        if self.flow is None or self.flow.name != flow:
            self.stale_button()
            return
        self.tidy()
        await answer(self, text)

    async def run_command(self, name: str, args: str = "") -> bool:
        """Run `/name args` as if typed, under the same rules (staff only, agreed owners only);
        False when there is no such command for this person."""
        command = self.core.router.commands.get(name)
        if command is None or (command.staff and not self.is_staff):
            return False
        if command.agreed and not self.agreed:
            await self.ask_consent()
        else:
            await command.handler(self, args)
        return True

    async def ask_consent(self) -> None:
        """Show the privacy notice and its agree buttons (the consent feature's)."""
        assert self.core.router.consent_prompt is not None
        await self.core.router.consent_prompt(self, "")

    async def resume(self, *, intro: str = "", welcome_back: bool = False,
                     in_place: bool = False) -> None:
        """Show the owner where they are: the current question, the summary or the result."""
        assert self.core.router.resumer is not None
        await self.core.router.resumer(self, Resume(intro, welcome_back, in_place))

    async def back_to_questions(self, intro: str = "") -> bool:
        """After a side trip (help, announcements, a "no" to a question), show the owner the
        question they were at, after `intro` HTML (in place of a pressed message); False when
        they are not in the middle of the questionnaire."""
        if self.owner is None or not self.owner.answering or self.core.router.resumer is None:
            return False
        await self.resume(intro=intro, in_place=self.inbound.kind == InboundKind.BUTTON)
        return True

    async def show_menu(self, intro: str = "") -> None:
        """Send the main menu, after `intro` if given: one button per row, each a command."""
        buttons = []
        for entry in self.core.router.menu:
            buttons += [[button] for button in await entry(self)]
        self.reply(intro or self.tr.gettext("What would you like to do?"), buttons)

    def notice(self, text: str, alert: bool = False) -> None:
        """A short answer to a button press (a plain reply elsewhere)."""
        if self.inbound.kind == InboundKind.BUTTON:
            self.replies.append(Notice(text, alert))
        else:
            self.reply(esc(text))

    async def ensure_owner(self, source: str | None = None) -> Owner:
        """The sender as a stored owner, created on first contact."""
        if self.owner is None:
            self.owner = await self.db.owners.create(
                self.inbound.channel, self.inbound.user_id, self.inbound.chat_id,
                self.tr.language, source, self.now,
            )
        return self.owner

    async def refresh(self) -> Owner | None:
        """Reload the owner after a change."""
        if self.owner is not None:
            self.owner = await self.db.owners.get(self.owner.id)
        return self.owner

    async def save_flow(self, name: str, step: str, data: dict[str, Any]) -> None:
        """Start or advance a staff conversation; it is committed at once."""
        self.flow = Flow(name, step, data)
        await self.db.staff.save_flow(self.inbound.channel, self.inbound.user_id, self.flow,
                                      self.now)

    async def end_flow(self) -> None:
        """Finish (or abandon) the staff conversation in progress."""
        self.flow = None
        await self.db.staff.end_flow(self.inbound.channel, self.inbound.user_id)

    async def audit(self, action: str, audience: int | None = None, **detail: Any) -> None:
        """Record a staff action: who, what, when, how many owners it reaches."""
        await self.db.staff.audit(self.inbound.channel, self.inbound.user_id, action, detail,
                                  audience, self.now)

    def use_language(self, language: str) -> None:
        """Answer the rest of this inbound in `language`."""
        self.tr = self.core.catalogs.get(language)
