"""The Telegram edge: updates become `Inbound`s for the core; replies become Bot API calls.

This is the only module that imports `telegram`. Errors from Telegram are mapped here, once, into
the core's delivery errors. A reply that may replace the pressed message is sent as an edit of
it; when Telegram refuses the edit, it is sent as a new message, so nothing depends on an edit.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
import warnings
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
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

from bot.channel import (
    Attachment,
    Button,
    Buttons,
    Capabilities,
    Inbound,
    InboundKind,
    Notice,
    Outbound,
    Reply,
    Tidy,
    split_text,
)
from bot.config import Config
from bot.core import Core
from bot.delivery import Rejected, RetryLater, Unavailable, UserGone
from bot.media import Uploads
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


CAPABILITIES = Capabilities(edit=True, popups=True, reply_buttons=100, list_rows=0,
                            label_chars=64, text_chars=4096, markup="html", knows_phone=False,
                            contact_button=True)


@dataclass(frozen=True)
class TelegramInbound(Inbound):
    """An `Inbound` with what only this edge needs back: the button press to answer."""

    query_id: str = ""
    pressed_message: int | None = None


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
    if reply.ask_contact:
        return {"keyboard": [[{"text": reply.ask_contact, "request_contact": True}]],
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


def to_inbound(update: Update) -> TelegramInbound | None:
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
        return TelegramInbound(kind=InboundKind.BUTTON, data=query.data or "",
                               message_id=None if message_id is None else str(message_id),
                               query_id=query.id, pressed_message=message_id, **common)
    if update.my_chat_member is not None:
        status = update.my_chat_member.new_chat_member.status
        if status in (ChatMemberStatus.BANNED, ChatMemberStatus.LEFT):
            return TelegramInbound(kind=InboundKind.BLOCKED, **common)
        return TelegramInbound(kind=InboundKind.UNBLOCKED, **common)
    if update.edited_message is not None:
        return TelegramInbound(kind=InboundKind.EDITED, text=update.edited_message.text or "",
                               **common)
    message = update.message
    if message is None:
        return None
    if message.text is not None:
        kind = InboundKind.COMMAND if message.text.startswith("/") else InboundKind.TEXT
        return TelegramInbound(kind=kind, text=message.text, html=message.text_html, **common)
    if message.contact is not None:
        return TelegramInbound(kind=InboundKind.CONTACT, phone=message.contact.phone_number,
                               own_contact=message.contact.user_id == user.id, **common)
    if message.location is not None or message.venue is not None:
        return TelegramInbound(kind=InboundKind.LOCATION, **common)
    file_ref = ""
    if message.photo:
        file_ref = message.photo[-1].file_id
    elif message.document is not None:
        file_ref = message.document.file_id
    return TelegramInbound(kind=InboundKind.MEDIA, media=_media_kind(message),
                           text=message.caption or "", html=message.caption_html or "",
                           file_ref=file_ref, **common)


class TelegramChannel:
    """Runs the core behind python-telegram-bot's `Application`; the sender's transport too."""

    name = CHANNEL
    capabilities = CAPABILITIES

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
        self.uploads = Uploads(core.db, CHANNEL, core.clock)  # stored files: uploaded once
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
        for language in self.core.catalogs.languages:
            commands = [BotCommand(n, d[:256]) for n, d in self.core.commands(language)]
            await bot.set_my_commands(commands, language_code=language)
        default = self.core.commands(self.config.default_language)
        await bot.set_my_commands([BotCommand(n, d[:256]) for n, d in default],
                                  scope=BotCommandScopeDefault())
        staff_ids = sorted(int(identity.partition(":")[2]) for identity in self.config.staff
                           if identity.startswith(f"{CHANNEL}:"))
        for staff_id in staff_ids:
            # Per language too: Telegram prefers a chat's list in the user's language.
            for language in (None, *self.core.catalogs.languages):
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
        """What escaped the core's own error handling (an edge bug): log it."""
        error = context.error
        update_id = update.update_id if isinstance(update, Update) else None
        log.error("update %s failed: %s", update_id, type(error).__name__,
                  exc_info=(type(error), error, error.__traceback__) if error else None)

    # ------------------------------------------------------------ delivery

    async def _answer(self, update: Update) -> None:
        inbound = to_inbound(update)
        if inbound is not None:
            await self.core.converse(self, inbound)

    async def send_replies(self, inbound: Inbound, replies: list[Outbound]) -> None:
        """Send the core's replies for one update (errors mapped for the core)."""
        chat_id = int(inbound.chat_id)
        pressed = inbound if isinstance(inbound, TelegramInbound) and inbound.query_id else None
        notice = next((r for r in replies if isinstance(r, Notice)), None)
        # A pressed button's spinner stops while the message changes, not one round trip before.
        answering = None if pressed is None else asyncio.create_task(
            self._answer_press(pressed.query_id, notice))
        try:
            for number, reply in enumerate(replies):
                try:
                    with mapped_errors():
                        await self._reply(chat_id, pressed, reply)
                except RetryLater as exc:
                    raise RetryLater(exc.seconds, sent=number) from exc
        finally:
            if answering is not None:
                await answering

    async def _reply(self, chat_id: int, pressed: TelegramInbound | None,
                     reply: Outbound) -> None:
        message_id = pressed.pressed_message if pressed is not None else None
        if isinstance(reply, Tidy) and message_id is not None:
            await self._tidy(chat_id, message_id, reply.buttons)
        elif isinstance(reply, Reply):
            if reply.replace and message_id is not None and reply.attachment is None \
                    and not reply.ask_contact and await self._replace(chat_id, message_id, reply):
                return
            await self._send(chat_id, reply)

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

    async def deliver(self, chat_id: str, reply: Reply) -> str | None:
        """The sender's transport: send one message, with errors mapped for the core."""
        with mapped_errors():
            return await self._send(int(chat_id), reply)

    async def edit(self, chat_id: str, message_id: str, text: str, buttons: Buttons = ()) -> None:
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
            caption = text if len(text) <= CAPTION_LIMIT else None

            async def send_file(attachment: Attachment) -> tuple[str, str]:
                with mapped_errors():  # Uploads tells a refused file id by `Rejected`
                    return await self._send_file(chat_id, attachment, caption, markup)

            message_id = await self.uploads.send(reply.attachment, send_file)
            if caption is not None:
                return message_id
        pieces = split_text(text)
        for number, piece in enumerate(pieces, start=1):
            sent_json = await self._api(
                "sendMessage", chat_id=chat_id, text=piece, parse_mode=ParseMode.HTML,
                reply_markup=markup if number == len(pieces) else None,
                link_preview_options=NO_PREVIEW)
        return str(sent_json["message_id"]) if isinstance(sent_json, dict) else None

    async def _send_file(self, chat_id: int, attachment: Attachment, caption: str | None,
                         markup: JSONDict | None) -> tuple[str, str]:
        """Send a photo or document (its bytes, or by file_id); the message id and Telegram's
        file_id of it, to send it again by reference."""
        bot = self.application.bot
        photo = attachment.kind == "photo"
        send = bot.send_photo if photo else bot.send_document
        sent = await send(chat_id, **{"photo" if photo else "document":
                                      attachment.ref or attachment.content},
                          filename=attachment.filename, caption=caption,
                          parse_mode=ParseMode.HTML,
                          api_kwargs={"reply_markup": markup} if caption and markup else None)
        if photo and sent.photo:
            file_id = sent.photo[-1].file_id
        else:
            file_id = sent.document.file_id if sent.document is not None else ""
        return str(sent.message_id), file_id

    async def _replace(self, chat_id: int, message_id: int, reply: Reply) -> bool:
        """Put `reply` in place of the pressed message; False when Telegram refuses the edit
        (too old, or not a text message), so that it is sent new instead."""
        pieces = split_text(reply.text)
        if len(pieces) > 1:
            return False
        try:
            await self._api("editMessageText", chat_id=chat_id, message_id=message_id,
                            text=pieces[0], parse_mode=ParseMode.HTML,
                            reply_markup=keyboard(reply.buttons), link_preview_options=NO_PREVIEW)
        except BadRequest as exc:
            if "not modified" in exc.message.lower():
                return True  # it shows exactly this already (a double tap)
            log.debug("edit refused, sending anew: %s", exc.message)
            return False
        return True

    async def _tidy(self, chat_id: int, message_id: int, buttons: Buttons) -> None:
        try:
            await self._api("editMessageReplyMarkup", chat_id=chat_id, message_id=message_id,
                            reply_markup=keyboard(buttons))
        except BadRequest as exc:
            # "message is not modified", or too old to edit: the change was cosmetic anyway.
            log.debug("tidy refused: %s", exc.message)
