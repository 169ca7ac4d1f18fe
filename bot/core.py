"""The conversation core: one `Inbound` in, the replies out. Knows nothing of Telegram.

Features (`bot/features/*`) register commands, button prefixes and menu entries on a `Router`;
`Core.handle` finds the owner, serialises updates per owner (so two quick taps cannot race), and
dispatches to the feature. Anything the owner sends that nobody claims gets a friendly answer.
"""

from __future__ import annotations

import asyncio
import html
import logging
import re
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from apscheduler.events import EVENT_JOB_ERROR, EVENT_JOB_EXECUTED, EVENT_JOB_SUBMITTED
from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.channel import Button, Channel, Inbound, InboundKind, Notice, Outbound, Reply, Tidy, rows
from bot.config import Config, staff_identity
from bot.criteria import RULES, Rules, check
from bot.delivery import DeliveryError, RetryLater, UserGone
from bot.eligibility import Result
from bot.i18n import Catalogs, Translator, pick_language
from bot.questionnaire import Questionnaire
from bot.questions import QUESTIONNAIRE
from bot.sender import Sender
from bot.storage import Database
from bot.storage.outbox import Item
from bot.storage.owners import Owner
from bot.storage.staff import Flow

log = logging.getLogger(__name__)

Handler = Callable[["Context", str], Awaitable[None]]
MenuEntry = Callable[["Context"], Awaitable[list[Button]]]
# Turns a claimed outbox row into the message for its owner (None: skip it).
Renderer = Callable[["Core", Item, Translator], Awaitable[Reply | None]]
Hook = Callable[["Core"], Awaitable[None]]
_COMMAND = re.compile(r"^/([A-Za-z0-9_]{1,32})(?:@[A-Za-z0-9_]+)?(?:\s+(.*))?$", re.DOTALL)
# The terminal's single user; whoever has a shell on the server runs the office's bot.
TERMINAL_CHANNEL = "terminal"
# Typed during a staff conversation, these end it instead of their usual meaning.
CANCEL_COMMANDS = ("batal", "cancel")
SEEN_RESOLUTION = timedelta(minutes=1)  # how exactly `owners.last_seen_at` is kept
# An answer the owner waits for is worth a short pause when the messenger asks for one.
REPLY_RETRY_LIMIT = 10.0
JOB_STOP_TIMEOUT = 10.0  # seconds a stopping bot waits for scheduled jobs already running


def esc(value: object) -> str:
    """Escape any owner- or staff-provided text before it goes into reply HTML."""
    return html.escape(str(value), quote=False)


def parse_command(text: str) -> tuple[str, str] | None:
    """Split "/Start@bot payload" into ("start", "payload"); None when it is not a command."""
    match = _COMMAND.match(text.strip())
    if not match:
        return None
    return match.group(1).lower(), (match.group(2) or "").strip()


@dataclass(frozen=True)
class Command:
    """A command with its aliases, handler and description for the command list."""

    names: tuple[str, ...]
    handler: Handler
    description: str
    staff: bool = False
    listed: bool = True


@dataclass
class Router:
    """Where features register what they handle."""

    commands: dict[str, Command] = field(default_factory=dict)
    ordered: list[Command] = field(default_factory=list)
    buttons: dict[str, tuple[Handler, bool]] = field(default_factory=dict)
    menu: list[MenuEntry] = field(default_factory=list)
    staff_menu: list[MenuEntry] = field(default_factory=list)
    flows: dict[str, Handler] = field(default_factory=dict)  # staff conversations by name
    # Hooks for features that build on others.
    result_buttons: list[MenuEntry] = field(default_factory=list)  # under a result
    data_sections: list[Callable[[Context], Awaitable[list[str]]]] = field(
        default_factory=list)  # extra lines of /datasaya
    before_delete: list[Callable[[Context], Awaitable[object]]] = field(
        default_factory=list)  # run before an owner is erased (e.g. free a seat)
    # Lines for the summary when sending these answers would have a consequence (a seat that
    # would be freed); any line makes the summary ask for that consequence to be confirmed.
    summary_notes: list[Callable[[Context, Result], Awaitable[list[str]]]] = field(
        default_factory=list)
    # Run after a result is stored; lines they return go into the result (e.g. a seat freed).
    after_result: list[Callable[[Context, Result], Awaitable[list[str]]]] = field(
        default_factory=list)
    renderers: dict[str, Renderer] = field(default_factory=dict)  # outbox kinds
    on_start: list[Hook] = field(default_factory=list)  # after the sender and scheduler start
    on_stop: list[Hook] = field(default_factory=list)
    fallback: Handler | None = None
    # Shows the owner where they are (the question, the summary or the result) after the HTML
    # given as its second argument: how a side trip (help, announcements) returns.
    resume: Handler | None = None

    def command(self, names: Iterable[str], handler: Handler, description: str, *,
                staff: bool = False, listed: bool = True) -> None:
        """Handle `/name args` for each of `names` (the first one is shown in lists)."""
        cmd = Command(tuple(names), handler, description, staff, listed)
        for name in cmd.names:
            if name in self.commands:
                raise ValueError(f"command /{name} registered twice")
            self.commands[name] = cmd
        self.ordered.append(cmd)

    def button(self, prefix: str, handler: Handler, *, staff: bool = False) -> None:
        """Handle button data "prefix:rest"."""
        if prefix in self.buttons or ":" in prefix:
            raise ValueError(f"button prefix {prefix!r} registered twice or invalid")
        self.buttons[prefix] = (handler, staff)

    def menu_entry(self, entry: MenuEntry) -> None:
        """Add buttons to the main menu (entries are asked in registration order)."""
        self.menu.append(entry)

    def staff_menu_entry(self, entry: MenuEntry) -> None:
        """Add buttons to the staff menu (/staf)."""
        self.staff_menu.append(entry)

    def flow(self, name: str, handler: Handler) -> None:
        """A staff conversation: while it is in progress, typed input goes to `handler`."""
        if name in self.flows:
            raise ValueError(f"flow {name!r} registered twice")
        self.flows[name] = handler

    def renderer(self, kind: str, render: Renderer) -> None:
        """Render outbox rows of `kind` when the sender sends them."""
        if kind in self.renderers:
            raise ValueError(f"outbox kind {kind!r} registered twice")
        self.renderers[kind] = render


class Core:
    """The channel-independent bot."""

    def __init__(self, config: Config, db: Database, catalogs: Catalogs,
                 questionnaire: Questionnaire | None = None,
                 clock: Callable[[], datetime] | None = None, rules: Rules | None = None) -> None:
        from bot.features import register_all

        questionnaire = questionnaire or QUESTIONNAIRE
        self.rules = rules or RULES
        check(self.rules, questionnaire)  # a rule naming a missing question stops start-up
        self.config = config
        self.db = db
        self.catalogs = catalogs
        self.questionnaire = questionnaire
        self.clock = clock or (lambda: datetime.now(UTC))
        self.router = Router()
        self._locks: dict[tuple[str, str], tuple[asyncio.Lock, int]] = {}
        # The one scheduler of the process; jobs are rebuilt from the database at start-up.
        self.scheduler = AsyncIOScheduler(timezone=config.time_zone)
        self._running_jobs = 0
        self._jobs_idle = asyncio.Event()
        self._jobs_idle.set()
        self.scheduler.add_listener(self._job_started, EVENT_JOB_SUBMITTED)
        self.scheduler.add_listener(self._job_ended, EVENT_JOB_EXECUTED | EVENT_JOB_ERROR)
        self.sender: Sender | None = None
        register_all(self.router)

    def _job_started(self, _event: object) -> None:
        self._running_jobs += 1
        self._jobs_idle.clear()

    def _job_ended(self, _event: object) -> None:
        self._running_jobs = max(0, self._running_jobs - 1)
        if self._running_jobs == 0:
            self._jobs_idle.set()

    async def start(self, channels: Iterable[Channel]) -> None:
        """Start the background work: the sender (over these channels) and the scheduler."""
        self.sender = Sender(self.db, {c.name: c for c in channels}, self._render,
                             self.config.broadcast, self.clock)
        await self.sender.start()
        self.scheduler.start()
        for hook in self.router.on_start:
            await hook(self)

    async def stop(self) -> None:
        """Stop the background work; queued messages stay queued for the next start."""
        for hook in self.router.on_stop:
            await hook(self)
        if self.scheduler.running:
            # APScheduler cancels jobs still running at shutdown (and logs that as an error):
            # start no new ones and let the running ones finish, for a bounded time.
            self.scheduler.pause()
            try:
                await asyncio.wait_for(self._jobs_idle.wait(), JOB_STOP_TIMEOUT)
            except TimeoutError:
                log.warning("%d scheduled jobs still running at shutdown", self._running_jobs)
            self.scheduler.shutdown(wait=False)
        if self.sender is not None:
            await self.sender.stop()

    async def close(self) -> None:
        """Stop everything and close the database."""
        await self.stop()
        await self.db.close()

    def wake_sender(self) -> None:
        """New rows are in the outbox: send them now rather than at the next poll."""
        if self.sender is not None:
            self.sender.wake()

    async def _render(self, item: Item) -> Reply | None:
        render = self.router.renderers.get(item.kind)
        if render is None:
            log.error("no renderer for outbox kind %r; row %d skipped", item.kind, item.id)
            return None
        return await render(self, item, self.catalogs.get(item.language))

    def start_links(self, payload: str) -> list[tuple[str, str]]:
        """(channel, link) for every running channel that has a link opening a chat with the
        bot carrying `payload` (a poster's source)."""
        channels = self.sender.transports.values() if self.sender is not None else ()
        return [(c.name, link) for c in channels if (link := c.start_link(payload))]

    def is_staff(self, inbound: Inbound) -> bool:
        """Staff are the identities in `[bot] staff`, and the terminal's operator.

        A channel that knows the person's public address (WhatsApp's phone number) names staff
        by it; a Telegram id never matches a WhatsApp number.
        """
        if inbound.channel == TERMINAL_CHANNEL:
            return True
        return staff_identity(inbound.channel, inbound.address or inbound.user_id) \
            in self.config.staff

    def commands(self, language: str, staff: bool = False) -> list[tuple[str, str]]:
        """(name, description) for the messenger's command list, in `language`."""
        tr = self.catalogs.get(language)
        names = 0 if language == "id" else -1  # English readers get the English alias
        return [
            (cmd.names[names], tr.gettext(cmd.description))
            for cmd in self.router.ordered
            if cmd.listed and (staff or not cmd.staff)
        ]

    @asynccontextmanager
    async def _serial(self, key: tuple[str, str]) -> AsyncIterator[None]:
        lock, users = self._locks.get(key, (asyncio.Lock(), 0))
        self._locks[key] = (lock, users + 1)
        try:
            async with lock:
                yield
        finally:
            lock, users = self._locks[key]
            if users <= 1:
                del self._locks[key]
            else:
                self._locks[key] = (lock, users - 1)

    async def converse(self, channel: Channel, inbound: Inbound) -> None:
        """Answer one inbound and send the answer: the one call a channel makes per update.

        A short pause the messenger asks for is waited out once; an owner who blocked the bot is
        marked; other delivery failures are logged (the owner can simply write again).
        """
        replies = await self.answer(inbound)
        for attempt in (1, 2):
            try:
                await channel.send_replies(inbound, replies)
                return
            except RetryLater as exc:
                if attempt == 2 or exc.seconds > REPLY_RETRY_LIMIT:
                    log.warning("a reply was not sent: the messenger asked to wait %s s",
                                exc.seconds)
                    return
                replies = replies[exc.sent:]
                await asyncio.sleep(exc.seconds)
            except UserGone:
                await self.user_gone(inbound.channel, inbound.user_id)
                return
            except DeliveryError as exc:
                log.warning("a reply was not delivered: %s", type(exc).__name__)
                return

    async def answer(self, inbound: Inbound) -> list[Outbound]:
        """The replies to one inbound; a failure while answering gets the apology instead.

        This is the one place that catches whatever a feature raised: it is logged, and the
        owner is told that their answers are safe (each is committed the moment it is given).
        """
        try:
            return await self.handle(inbound)
        except Exception:
            log.exception("answering a %s from %s failed", inbound.kind, inbound.channel)
            owner = await self.db.owners.find(inbound.channel, inbound.user_id)
            tr = self.catalogs.get(self.language_of(inbound, owner))
            return [Reply(tr.gettext(
                "Sorry, something went wrong on our side. Your answers so far are safe. Please "
                "try again in a moment, or send /lanjut."))]

    def language_of(self, inbound: Inbound, owner: Owner | None) -> str:
        """The owner's chosen language, else their messenger's, else the configured default."""
        if owner is not None and owner.language:
            return owner.language
        return pick_language(inbound.language_code, self.config.default_language)

    async def handle(self, inbound: Inbound) -> list[Outbound]:
        """Answer one inbound; the replies are for the chat it came from."""
        async with self._serial((inbound.channel, inbound.user_id)):
            owner = await self.db.owners.find(inbound.channel, inbound.user_id)
            ctx = Context(self, inbound, owner, self.catalogs.get(self.language_of(inbound, owner)),
                          self.clock())
            if ctx.is_staff:
                ctx.flow = await self.db.staff.flow(inbound.channel, inbound.user_id)
            if owner is not None and inbound.kind not in (InboundKind.BLOCKED,
                                                          InboundKind.UNBLOCKED) and (
                owner.blocked_at is not None or owner.chat_id != inbound.chat_id
                or ctx.now - owner.last_seen_at >= SEEN_RESOLUTION
            ):  # a write per message would be one more commit on every answer
                await self.db.owners.seen(owner.id, inbound.chat_id, ctx.now)
            await self._dispatch(ctx)
            log.debug("%s from owner %s answered with %d replies", inbound.kind,
                      ctx.owner.id if ctx.owner else "-", len(ctx.replies))
            return ctx.replies

    async def user_gone(self, channel: str, user_id: str) -> None:
        """The messenger says the owner blocked the bot: stop writing to them."""
        owner = await self.db.owners.find(channel, user_id)
        if owner is not None:
            await self.db.owners.mark_blocked(owner.id, self.clock())

    async def _dispatch(self, ctx: Context) -> None:
        inbound = ctx.inbound
        _ = ctx.tr.gettext
        if inbound.kind == InboundKind.BLOCKED:
            if ctx.owner is not None:
                await self.db.owners.mark_blocked(ctx.owner.id, ctx.now)
            return
        if inbound.kind == InboundKind.UNBLOCKED:
            return
        if not inbound.private:
            if inbound.kind in (InboundKind.COMMAND, InboundKind.BUTTON):
                ctx.reply(_("Let's talk in a private chat: open a chat with me and press Start. "
                            "Your answers should not be shared in a group."))
            return
        if inbound.kind == InboundKind.COMMAND:
            parsed = parse_command(inbound.text)
            if ctx.flow is not None and parsed and parsed[0] in CANCEL_COMMANDS:
                await ctx.end_flow()
                ctx.reply(_("Cancelled. Nothing was saved."), remove_keyboard=True)
                return
            command = self.router.commands.get(parsed[0]) if parsed else None
            if parsed is None or command is None or (command.staff and not ctx.is_staff):
                await self._unknown_command(ctx)
                return
            await command.handler(ctx, parsed[1])
            return
        if inbound.kind == InboundKind.BUTTON:
            prefix, _sep, rest = inbound.data.partition(":")
            entry = self.router.buttons.get(prefix)
            if entry is None or (entry[1] and not ctx.is_staff):
                ctx.notice(_("This button no longer works."))
                ctx.tidy()
                return
            await entry[0](ctx, rest)
            return
        if ctx.flow is not None:
            handler = self.router.flows.get(ctx.flow.name)
            if handler is not None:
                await handler(ctx, "")
                return
            await ctx.end_flow()  # a conversation this version no longer knows
        assert self.router.fallback is not None
        await self.router.fallback(ctx, "")

    async def _unknown_command(self, ctx: Context) -> None:
        """One short line, and the owner's question again when they are in the middle of it."""
        _ = ctx.tr.gettext
        line = esc(_("I don't know that command. /help lists what I can do."))
        if ctx.owner is not None and ctx.owner.answering and self.router.resume is not None:
            await self.router.resume(ctx, line)
            return
        ctx.reply(line, [[Button(_("☰ Menu"), "m:menu"), Button(_("❓ Help"), "m:bantuan")]])


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
    def is_staff(self) -> bool:
        """True when the sender is office staff."""
        return self.core.is_staff(self.inbound)

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

    async def back_to_questions(self, intro: str = "") -> bool:
        """After a side trip (help, announcements, a "no" to a question), show the owner the
        question they were at, after `intro` HTML; False when they are not answering."""
        resume = self.core.router.resume
        if self.owner is None or not self.owner.answering or resume is None:
            return False
        await resume(self, intro)
        return True

    def use_language(self, language: str) -> None:
        """Answer the rest of this inbound in `language`."""
        self.tr = self.core.catalogs.get(language)
