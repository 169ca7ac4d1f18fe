"""The Telegram edge: updates become `Inbound`s for the core; replies become Bot API calls.

This is the only package that imports `telegram`. Errors from Telegram are mapped here, once:
a blocked owner is marked, an edit Telegram refuses is dropped, anything else reaches the single
error handler, which tells the owner that nothing was lost.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
import warnings
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

import httpx
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from telegram import (
    Bot,
    BotCommand,
    BotCommandScopeChat,
    BotCommandScopeDefault,
    Message,
    Update,
)
from telegram.constants import ChatMemberStatus, ParseMode
from telegram.error import (
    BadRequest,
    Forbidden,
    NetworkError,
    RetryAfter,
    TelegramError,
    TimedOut,
)
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    ChatMemberHandler,
    ContextTypes,
    MessageHandler,
    filters,
)
from telegram.warnings import PTBUserWarning

from bot.channel import Button, Edit, Inbound, Kind, Notice, Outbound, Reply, split_text
from bot.config import Config
from bot.core import Core
from bot.delivery import Rejected, RetryLater, Unavailable, UserGone
from bot.i18n import pick_language
from handlers.web import WebServer, read_body

log = logging.getLogger(__name__)
CHANNEL = "telegram"
ALLOWED_UPDATES = ["message", "edited_message", "callback_query", "my_chat_member"]
CAPTION_LIMIT = 1024
JSONDict = dict[str, Any]
NO_PREVIEW: JSONDict = {"is_disabled": True}
# `Bot.do_api_request` suggests the typed method for known endpoints; `_api` explains why not.
warnings.filterwarnings("ignore", message=r"Please use 'Bot\.", category=PTBUserWarning)


def retry_seconds(error: RetryAfter) -> float:
    """The wait Telegram asked for, in seconds."""
    value = error.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


@contextmanager
def mapped_errors() -> Iterator[None]:
    """Turn Telegram's errors into the core's delivery errors (the one place that does it)."""
    try:
        yield
    except RetryAfter as exc:
        raise RetryLater(retry_seconds(exc)) from exc
    except Forbidden as exc:
        raise UserGone(exc.message) from exc
    except BadRequest as exc:  # before NetworkError: BadRequest is a subclass of it
        if "chat not found" in exc.message.lower() or "user is deactivated" in exc.message.lower():
            raise UserGone(exc.message) from exc
        raise Rejected(exc.message) from exc
    except TimedOut as exc:  # before NetworkError, its base: the request may have got through
        sent = not isinstance(exc.__cause__, httpx.ConnectTimeout | httpx.PoolTimeout)
        raise Unavailable(exc.message, maybe_delivered=sent) from exc
    except NetworkError as exc:  # connection errors, 5xx
        raise Unavailable(exc.message) from exc
    except TelegramError as exc:
        raise Unavailable(exc.message) from exc


async def identify(config: Config) -> str:
    """Ask Telegram who the token belongs to (getMe), with errors mapped for the core."""
    api = config.telegram.api_url
    bot = Bot(config.telegram.token, base_url=f"{api}/bot", base_file_url=f"{api}/file/bot")
    with mapped_errors():
        async with bot:  # initialising calls getMe
            return f"@{bot.username} (id {bot.id})"


def keyboard(rows: Sequence[Sequence[Button]]) -> JSONDict | None:
    """Core buttons as an inline keyboard, in the Bot API's JSON."""
    if not rows:
        return None
    return {"inline_keyboard": [
        [{"text": b.label, "url": b.url} if b.url else {"text": b.label, "callback_data": b.data}
         for b in row]
        for row in rows
    ]}


def reply_markup(reply: Reply) -> JSONDict | None:
    """The keyboard of a new message: inline buttons, a share-my-number key, or none."""
    if reply.contact_button:
        return {"keyboard": [[{"text": reply.contact_button, "request_contact": True}]],
                "resize_keyboard": True, "one_time_keyboard": True}
    markup = keyboard(reply.buttons)
    if markup is None and reply.remove_keyboard:
        return {"remove_keyboard": True}
    return markup


def _media_kind(message: Message) -> str:
    try:
        attachment = message.effective_attachment
    except AttributeError:  # pragma: no cover - older library versions
        attachment = None
    if attachment is None:
        return "other"
    if isinstance(attachment, list | tuple):
        return "photo"
    return type(attachment).__name__.lower()


def to_inbound(update: Update) -> Inbound | None:
    """Translate an update into what the core understands (None: nothing to answer)."""
    user = update.effective_user
    chat = update.effective_chat
    if user is None or chat is None or user.is_bot:
        return None
    common = {
        "channel": CHANNEL,
        "user_id": str(user.id),
        "chat_id": str(chat.id),
        "language_code": user.language_code,
        "private": chat.type == chat.PRIVATE,
    }
    if update.callback_query is not None:
        query = update.callback_query
        message_id = query.message.message_id if query.message else None
        return Inbound(kind=Kind.BUTTON, data=query.data or "", message_id=message_id, **common)
    if update.my_chat_member is not None:
        status = update.my_chat_member.new_chat_member.status
        if status in (ChatMemberStatus.BANNED, ChatMemberStatus.LEFT):
            return Inbound(kind=Kind.BLOCKED, **common)
        return Inbound(kind=Kind.UNBLOCKED, **common)
    if update.edited_message is not None:
        return Inbound(kind=Kind.EDITED, text=update.edited_message.text or "", **common)
    message = update.message
    if message is None:
        return None
    if message.text is not None:
        kind = Kind.COMMAND if message.text.startswith("/") else Kind.TEXT
        return Inbound(kind=kind, text=message.text, html=message.text_html, **common)
    if message.contact is not None:
        return Inbound(kind=Kind.CONTACT, phone=message.contact.phone_number,
                       own_contact=message.contact.user_id == user.id, **common)
    if message.location is not None or message.venue is not None:
        return Inbound(kind=Kind.LOCATION, **common)
    file_ref = ""
    if message.photo:
        file_ref = message.photo[-1].file_id
    elif message.document is not None:
        file_ref = message.document.file_id
    return Inbound(kind=Kind.MEDIA, media=_media_kind(message), text=message.caption or "",
                   html=message.caption_html or "", file_ref=file_ref, **common)


class TelegramChannel:
    """Runs the core behind python-telegram-bot's `Application`; the sender's transport too."""

    channel = CHANNEL

    def __init__(self, config: Config, core: Core, *, concurrent_updates: int = 32,
                 poll_timeout: int = 20, poll_interval: float | None = None,
                 web: WebServer | None = None) -> None:
        self.config = config
        self.core = core
        self.poll_timeout = poll_timeout
        self.poll_interval = (config.telegram.poll_interval_ms / 1000 if poll_interval is None
                              else poll_interval)
        self.application: Application = self._build(config.telegram.api_url,
                                                     concurrent_updates)
        self._wire()
        if config.telegram.mode == "webhook":
            if web is None:
                raise ValueError("webhook mode needs the web server")
            web.route(self.webhook_path, self.on_webhook)

    @property
    def webhook_path(self) -> str:
        """Where Telegram's updates arrive on the web server: the webhook URL's path."""
        return urlsplit(self.config.telegram.webhook_url).path.rstrip("/") or "/"

    def _build(self, api: str, concurrent_updates: int) -> Application:
        return (
            ApplicationBuilder()
            .token(self.config.telegram.token)
            .base_url(f"{api}/bot")
            .base_file_url(f"{api}/file/bot")
            .concurrent_updates(concurrent_updates)
            .connection_pool_size(concurrent_updates + 8)
            .pool_timeout(10)
            .get_updates_read_timeout(self.poll_timeout + 10)
            .build()
        )

    def _wire(self) -> None:
        app = self.application
        app.add_handler(CallbackQueryHandler(self.on_button))
        app.add_handler(ChatMemberHandler(self.on_member, ChatMemberHandler.MY_CHAT_MEMBER))
        app.add_handler(MessageHandler(filters.UpdateType.EDITED, self.on_message))
        app.add_handler(MessageHandler(filters.ALL, self.on_message))
        app.add_error_handler(self.on_error)

    async def start(self) -> None:
        """Connect, publish the command lists and start receiving updates (poll or webhook)."""
        app = self.application
        await app.initialize()
        await self.publish_commands()
        await app.start()
        assert app.updater is not None
        tg = self.config.telegram
        if tg.mode == "webhook":
            # Updates arrive on the bot's web server (`on_webhook`); TLS ends at the proxy.
            await app.bot.set_webhook(tg.webhook_url, secret_token=tg.webhook_secret,
                                      allowed_updates=ALLOWED_UPDATES)
        else:
            await app.updater.start_polling(timeout=self.poll_timeout,
                                            poll_interval=self.poll_interval,
                                            allowed_updates=ALLOWED_UPDATES)
        log.info("receiving updates by %s", tg.mode)

    async def stop(self) -> None:
        """Stop polling, finish the updates being handled, and disconnect."""
        app = self.application
        if app.updater is not None and app.updater.running:
            await app.updater.stop()
        if app.running:
            await app.stop()
        await app.shutdown()

    async def publish_commands(self) -> None:
        """Set the command menu per language, and the staff's own list in their chats."""
        bot = self.application.bot
        for language in ("id", "en"):
            commands = [BotCommand(n, d[:256]) for n, d in self.core.commands(language)]
            await bot.set_my_commands(commands, language_code=language)
        default = self.core.commands(self.config.default_language)
        await bot.set_my_commands([BotCommand(n, d[:256]) for n, d in default],
                                  scope=BotCommandScopeDefault())
        for staff_id in sorted(self.config.staff):
            # Per language too: Telegram prefers a chat's list in the user's language.
            for language in (None, "id", "en"):
                staff_commands = self.core.commands(language or self.config.default_language,
                                                    staff=True)
                try:
                    await bot.set_my_commands(
                        [BotCommand(n, d[:256]) for n, d in staff_commands],
                        scope=BotCommandScopeChat(staff_id), language_code=language,
                    )
                except BadRequest:  # the staff member has not opened a chat with the bot yet
                    log.info("staff command list not set for one staff member: no chat yet")
                    break

    # ------------------------------------------------------------ handlers

    async def on_webhook(self, request: Request) -> Response:
        """POST of an update by Telegram: only with the secret header; queued for the
        Application as polling would queue it."""
        secret = request.headers.get("X-Telegram-Bot-Api-Secret-Token", "").encode()
        if not hmac.compare_digest(secret, self.config.telegram.webhook_secret.encode()):
            return PlainTextResponse("Forbidden", status_code=403)
        body = await read_body(request)
        if body is None:
            return PlainTextResponse("Payload Too Large", status_code=413)
        try:
            update = Update.de_json(json.loads(body), self.application.bot)
        except (ValueError, TypeError, KeyError, AttributeError):
            update = None
        if update is None:
            log.warning("webhook: a body that is not an update was refused")
            return PlainTextResponse("Bad Request", status_code=400)
        await self.application.update_queue.put(update)
        return Response(status_code=200)

    async def on_message(self, update: Update, _context: ContextTypes.DEFAULT_TYPE) -> None:
        """Any message or edited message."""
        await self._answer(update)

    async def on_button(self, update: Update, _context: ContextTypes.DEFAULT_TYPE) -> None:
        """An inline button press."""
        await self._answer(update)

    async def on_member(self, update: Update, _context: ContextTypes.DEFAULT_TYPE) -> None:
        """The owner blocked or unblocked the bot."""
        await self._answer(update)

    async def on_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        """The one place that catches what a handler raised: log it, tell the owner."""
        error = context.error
        update_id = update.update_id if isinstance(update, Update) else None
        log.error("update %s failed: %s", update_id, type(error).__name__,
                  exc_info=(type(error), error, error.__traceback__) if error else None)
        if not isinstance(update, Update) or update.effective_chat is None:
            return
        if isinstance(error, Forbidden):
            return
        user = update.effective_user
        language = pick_language(user.language_code if user else None,
                                 self.config.default_language)
        owner = (await self.core.db.owners.find(CHANNEL, str(user.id))) if user else None
        tr = self.core.catalogs.get(owner.language if owner and owner.language else language)
        if update.callback_query is not None:  # unless it was answered before the failure
            with suppress(TelegramError):
                await update.callback_query.answer()
        try:
            await self.application.bot.send_message(
                update.effective_chat.id,
                tr.gettext("Sorry, something went wrong on our side. Your answers so far are "
                           "safe. Please try again in a moment, or send /lanjut."),
            )
        except TelegramError:
            log.warning("could not tell the owner about the failure of update %s", update_id)

    # ------------------------------------------------------------ delivery

    async def _answer(self, update: Update) -> None:
        inbound = to_inbound(update)
        if inbound is None:
            return
        replies = await self.core.handle(inbound)
        await self.reply_to(update, inbound, replies)

    async def reply_to(self, update: Update, inbound: Inbound, replies: list[Outbound]) -> None:
        """Send the core's replies for one update."""
        chat_id = int(inbound.chat_id)
        query = update.callback_query
        notice = next((r for r in replies if isinstance(r, Notice)), None)
        # A pressed button's spinner stops while the message changes, not one round trip before.
        answering = None if query is None else asyncio.create_task(
            self._answer_press(query.id, notice))
        try:
            for reply in replies:
                if isinstance(reply, Edit) and query is not None and query.message is not None:
                    await self._edit(chat_id, query.message.message_id, reply)
                elif isinstance(reply, Reply):
                    await self._send_once_more_if_asked(chat_id, reply)
        except Forbidden:
            await self.core.user_gone(CHANNEL, inbound.user_id)
        finally:
            if answering is not None:
                await answering

    async def _answer_press(self, query_id: str, notice: Notice | None) -> None:
        """Answer a button press (with the core's pop-up, if any). Best effort: Telegram refuses
        answers to presses older than a few minutes, as after the bot was down; the owner's
        reply matters more than the spinner, so that refusal is not an error."""
        try:
            await self._api("answerCallbackQuery", callback_query_id=query_id,
                            text=notice.text[:200] if notice and notice.text else None,
                            show_alert=True if notice and notice.alert else None)
        except BadRequest as exc:
            log.info("a button press could not be answered: %s", exc.message)

    async def _send_once_more_if_asked(self, chat_id: int, reply: Reply) -> None:
        # An answer the owner waits for is worth a short pause when Telegram asks for one.
        try:
            await self._send(chat_id, reply)
        except RetryAfter as exc:
            if retry_seconds(exc) > 10:
                raise
            await asyncio.sleep(retry_seconds(exc))
            await self._send(chat_id, reply)

    async def deliver(self, chat_id: str, reply: Reply) -> str | None:
        """The sender's transport: send one message, with errors mapped for the core."""
        with mapped_errors():
            return await self._send(int(chat_id), reply)

    async def edit(self, chat_id: str, message_id: str, text: str,
                   buttons: tuple[tuple[Button, ...], ...] = ()) -> None:
        """The sender's transport: change a message sent earlier (e.g. a progress line)."""
        with mapped_errors():
            try:
                await self._api("editMessageText", chat_id=int(chat_id),
                                message_id=int(message_id), text=split_text(text)[0],
                                parse_mode=ParseMode.HTML, reply_markup=keyboard(buttons),
                                link_preview_options=NO_PREVIEW)
            except BadRequest as exc:
                if "not modified" not in exc.message.lower():
                    raise

    async def _api(self, method: str, **params: Any) -> Any:
        """Call the Bot API with plain JSON and return its raw answer.

        Replies go this way rather than through `Bot.send_message`: the library would parse
        every returned Message into objects the bot never reads, which the throughput profile
        showed to be a tenth of all the time spent on an update. Errors are raised the same way.
        """
        return await self.application.bot.do_api_request(
            method, api_kwargs={k: v for k, v in params.items() if v is not None})

    def start_link(self, payload: str) -> str | None:
        """The deep link t.me/<bot username>?start=<payload> (the username comes from getMe)."""
        try:
            username = self.application.bot.username
        except RuntimeError:  # not initialised yet: getMe has not answered
            return None
        return f"https://t.me/{username}?start={payload}"

    async def _send(self, chat_id: int, reply: Reply) -> str | None:
        markup = reply_markup(reply)
        text = reply.text
        if reply.attachment is not None:
            bot = self.application.bot
            caption = text if len(text) <= CAPTION_LIMIT else None
            send = bot.send_photo if reply.attachment.kind == "photo" else bot.send_document
            field = "photo" if reply.attachment.kind == "photo" else "document"
            sent = await send(chat_id, **{field: reply.attachment.ref or reply.attachment.content},
                              filename=reply.attachment.filename, caption=caption,
                              parse_mode=ParseMode.HTML,
                              api_kwargs={"reply_markup": markup} if caption and markup else None)
            if caption is not None:
                return str(sent.message_id)
        pieces = split_text(text)
        for number, piece in enumerate(pieces, start=1):
            sent_json = await self._api(
                "sendMessage", chat_id=chat_id, text=piece, parse_mode=ParseMode.HTML,
                reply_markup=markup if number == len(pieces) else None,
                link_preview_options=NO_PREVIEW)
        return str(sent_json["message_id"]) if isinstance(sent_json, dict) else None

    async def _edit(self, chat_id: int, message_id: int, edit: Edit) -> None:
        markup = keyboard(edit.buttons)
        try:
            if edit.text is not None:
                await self._api("editMessageText", chat_id=chat_id, message_id=message_id,
                                text=split_text(edit.text)[0], parse_mode=ParseMode.HTML,
                                reply_markup=markup, link_preview_options=NO_PREVIEW)
            else:
                await self._api("editMessageReplyMarkup", chat_id=chat_id,
                                message_id=message_id, reply_markup=markup)
        except BadRequest as exc:
            # "message is not modified", or too old to edit: the edit was cosmetic anyway.
            log.debug("edit refused: %s", exc.message)
