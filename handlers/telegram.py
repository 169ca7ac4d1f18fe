"""The Telegram edge: runs the core behind python-telegram-bot's `Application`, and sends the
core's replies as Bot API calls (also for the one sender).

A reply that may replace the pressed message is sent as an edit of it; when Telegram refuses
the edit, it is sent as a new message, so nothing depends on an edit. The edge is three modules,
the only ones that import `telegram`: this one; `telegram_mapping.py` (an update into an
`Inbound`, buttons into keyboards, Telegram's errors into the core's, mapped there once); and
`telegram_publishing.py` (getMe, the command menus, the webhook endpoint).
"""

from __future__ import annotations

import asyncio
import logging
import warnings
from typing import Any
from urllib.parse import urlsplit

from starlette.requests import Request
from starlette.responses import Response
from telegram import Update
from telegram.constants import ParseMode
from telegram.error import BadRequest
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

from bot.channel import Attachment, Buttons, Inbound, Notice, Outbound, Reply, Tidy, split_text
from bot.config import Config
from bot.core import Core
from bot.delivery import RetryLater
from bot.media import Uploads
from handlers.telegram_mapping import (
    CAPABILITIES,
    CAPTION_LIMIT,
    CHANNEL,
    NO_PREVIEW,
    JSONDict,
    TelegramInbound,
    keyboard,
    mapped_errors,
    reply_markup,
    to_inbound,
)
from handlers.telegram_publishing import identify, publish_commands, receive_update
from handlers.web import WebServer

__all__ = ["TelegramChannel", "identify", "to_inbound"]
log = logging.getLogger(__name__)
ALLOWED_UPDATES = ["message", "edited_message", "callback_query", "my_chat_member"]
# `Bot.do_api_request` suggests the typed method for known endpoints; `_api` explains why not.
warnings.filterwarnings("ignore", message=r"Please use 'Bot\.", category=PTBUserWarning)


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
        await publish_commands(self.application.bot, self.core, self.config)

    # ------------------------------------------------------------ handlers

    async def on_webhook(self, request: Request) -> Response:
        """POST of an update by Telegram (`telegram_publishing.receive_update`)."""
        return await receive_update(request, self.config.telegram.webhook_secret,
                                    self.application.bot, self.application.update_queue)


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
