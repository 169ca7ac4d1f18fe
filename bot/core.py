"""The conversation core: one `Inbound` in, the replies out. Knows nothing of any messenger.

Features (`bot/features/*`) register commands, buttons (typed data, `bot/buttons.py`) and menu
entries on a `Router`; `Core.handle` finds the owner, serialises updates per owner (so two quick
taps cannot race), and dispatches to the feature. Anything the owner sends that nobody claims
gets a friendly answer.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable, Iterable
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta

from apscheduler.events import EVENT_JOB_ERROR, EVENT_JOB_EXECUTED, EVENT_JOB_SUBMITTED
from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot import languages
from bot.channel import Button, Channel, Inbound, InboundKind, Outbound, Reply, esc
from bot.config import Config, staff_identity
from bot.context import Context
from bot.criteria import RULES, Rules, check
from bot.delivery import DeliveryError, RetryLater, UserGone
from bot.i18n import Catalogs, pick_language
from bot.outreach import Outreach
from bot.owner_buttons import Menu
from bot.questionnaire import Questionnaire, QuestionnaireError
from bot.questions import BUSINESS_NAME, KECAMATAN, NAME, PRODUCT_TYPE, QUESTIONNAIRE
from bot.router import Feature, Resume, Router, keyword_of, parse_command
from bot.sender import Sender
from bot.storage import Database
from bot.storage.columns import Columns
from bot.storage.outbox import Item
from bot.storage.owners import Owner

log = logging.getLogger(__name__)

# The terminal's single user; whoever has a shell on the server runs the office's bot.
TERMINAL_CHANNEL = "terminal"
# Typed during a staff conversation, these end it instead of their usual meaning.
CANCEL_COMMANDS = ("batal", "cancel")
SEEN_RESOLUTION = timedelta(minutes=1)  # how exactly `owners.last_seen_at` is kept
# An answer the owner waits for is worth a short pause when the messenger asks for one.
REPLY_RETRY_LIMIT = 10.0
JOB_STOP_TIMEOUT = 10.0  # seconds a stopping bot waits for scheduled jobs already running


def columns(questionnaire: Questionnaire) -> Columns:
    """The question ids the staff queries read as columns; raise QuestionnaireError when the
    questionnaire lacks one."""
    found = Columns(name=NAME, business=BUSINESS_NAME, product=PRODUCT_TYPE, kecamatan=KECAMATAN)
    for question in found.ids():
        if questionnaire.get(question) is None:
            raise QuestionnaireError(
                f"The staff reports read the question {question!r}, which the questionnaire "
                "does not have.")
    return found


class Core:
    """The channel-independent bot."""

    def __init__(self, config: Config, db: Database, catalogs: Catalogs,
                 features: Iterable[Feature], questionnaire: Questionnaire | None = None,
                 clock: Callable[[], datetime] | None = None, rules: Rules | None = None) -> None:
        questionnaire = questionnaire or QUESTIONNAIRE
        self.rules = rules or RULES
        check(self.rules, questionnaire)  # a rule naming a missing question stops start-up
        self.config = config
        self.db = db
        db.columns = columns(questionnaire)  # a missing question stops start-up too
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
        for feature in features:  # in the order their menu entries appear
            feature.register(self.router)

    def _job_started(self, _event: object) -> None:
        self._running_jobs += 1
        self._jobs_idle.clear()

    def _job_ended(self, _event: object) -> None:
        self._running_jobs = max(0, self._running_jobs - 1)
        if self._running_jobs == 0:
            self._jobs_idle.set()

    async def start(self, channels: Iterable[Channel]) -> None:
        """Start the background work: the sender (over these channels) and the scheduler."""
        channels = list(channels)
        windowed = [c.name for c in channels
                    if getattr(getattr(c, "capabilities", None), "window_hours", 0)]
        outreach = Outreach(self.db, self.config, self.catalogs, self.clock, windowed[0]) \
            if windowed else None
        self.sender = Sender(self.db, {c.name: c for c in channels}, self._render,
                             self.config.broadcast, self.clock, outreach=outreach)
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
        return self.is_staff_identity(
            staff_identity(inbound.channel, inbound.address or inbound.user_id))

    def is_staff_identity(self, identity: str) -> bool:
        """Whether "<channel>:<id>" names staff now (the terminal's operator always is)."""
        return identity.startswith(f"{TERMINAL_CHANNEL}:") or identity in self.config.staff

    def commands(self, language: str, staff: bool = False) -> list[tuple[str, str]]:
        """(name, description) for the messenger's command list, in `language`."""
        tr = self.catalogs.get(language)
        names = -1 if languages.language(language).commands == "en" else 0  # the English alias
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
        if self.sender is not None and replies:  # they share the channel's rate, going first
            self.sender.spend(inbound.channel, max(1, sum(isinstance(r, Reply) for r in replies)))
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
                "try again in a moment, or send /continue."))]

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
                owner.blocked_at is not None or owner.marketing_stopped_at is not None
                or owner.chat_id != inbound.chat_id
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
            if parsed is None or not await ctx.run_command(*parsed):
                await self._unknown_command(ctx)
            return
        if inbound.kind == InboundKind.BUTTON:
            entry = self.router.button_for(inbound.data)
            if entry is None or (entry.staff and not ctx.is_staff):
                ctx.stale_button()
            elif entry.agreed and not ctx.agreed:
                await ctx.ask_consent()
            elif (press := entry.kind.unpack(inbound.data)) is None:
                ctx.stale_button()  # forged, or cut short
            else:
                await entry.handler(ctx, press)
            return
        keyword = self.router.keywords.get(keyword_of(inbound.text)) \
            if inbound.kind == InboundKind.TEXT and ctx.flow is None else None
        if keyword is not None:
            await keyword(ctx, keyword_of(inbound.text))
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
        if await ctx.back_to_questions(line):
            return
        ctx.reply(line, [[Button(_("☰ Menu"), Menu("menu").pack()),
                          Button(_("❓ Help"), Menu("bantuan").pack())]])




__all__ = ["TERMINAL_CHANNEL", "Context", "Core", "Feature", "Resume", "Router", "esc"]
