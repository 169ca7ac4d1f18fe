"""The WhatsApp edge (Meta's Cloud API through pywa): the only module that imports pywa.

Webhooks arrive on the bot's web server (`whatsapp_webhook`): checked, stored in the inbox and
only then answered 200; they are handed to pywa's update handler one owner at a time, in order,
and pywa calls `on_message` / `on_button` / `on_selection`, which turn them into `Inbound`s for
the core (`whatsapp_inbound`). The core's replies are laid out within Meta's limits
(`whatsapp_layout`) and sent with pywa, each handled message then marked read; outside the
24-hour window the sender hands over a template instead (`deliver_template`,
`whatsapp_templates`). Status webhooks are kept and noted on the outbox rows they are about.
Errors are mapped once, here, into the core's delivery errors. Phone numbers are never logged.

Where pywa does not fit, and what is done instead: its update handler reads only the first
message of a webhook (so each is stored and handed over alone); its de-duplication is in memory
(the inbox's unique message id replaces it); its challenge handler compares the verify token
with `==` and ignores hub.mode (`whatsapp_webhook` does both properly); its signature check
raises on a non-ASCII header (refused with 403 before it is asked).
"""

from __future__ import annotations

import logging
import mimetypes
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import timedelta
from typing import Any
from urllib.parse import quote

import httpx
from httpx_aiohttp import AiohttpTransport
from pywa_async import WhatsApp
from pywa_async import errors as wa_errors
from pywa_async.handlers import (
    CallbackButtonHandler,
    CallbackSelectionHandler,
    EditedMessageHandler,
    MessageHandler,
)
from pywa_async.types import (
    Button as WAButton,
)
from pywa_async.types import (
    CallbackButton,
    CallbackSelection,
    Message,
    Section,
    SectionList,
    SectionRow,
)
from pywa_async.types.templates import TemplateLanguage

from bot.channel import (
    Attachment,
    Buttons,
    Capabilities,
    Inbound,
    InboundKind,
    Outbound,
    Reply,
    TemplateMessage,
    rows,
)
from bot.config import GRAPH_API_URL, Config, WhatsAppConfig
from bot.core import Core, esc
from bot.delivery import (
    OutsideWindow,
    Rejected,
    RetryLater,
    StoppedMarketing,
    Unavailable,
    UserGone,
)
from bot.i18n import N_
from bot.storage.inbox import InboxMessage
from handlers import whatsapp_layout as layout
from handlers.web import WebServer
from handlers.whatsapp_inbound import digits, poster_source, press_inbound, to_inbound
from handlers.whatsapp_inbox import Dispatcher, Writer
from handlers.whatsapp_outgoing import Outgoing
from handlers.whatsapp_templates import components
from handlers.whatsapp_transport import GraphClient, GraphTransport
from handlers.whatsapp_webhook import Webhook

__all__ = ["CAPABILITIES", "GraphTransport", "WhatsAppChannel", "client", "identify",
           "mapped_errors", "poster_source"]

log = logging.getLogger(__name__)
CHANNEL = "whatsapp"
# Owners whose messages are handled at once. Each waits mostly on the Graph API (a reply, then the
# read mark), so more than Telegram's 32 keep the CPU busy; one owner's stay strictly in order.
CONCURRENCY = 128
INBOX_KEPT = timedelta(days=14)  # Meta retries a delivery for up to 7 days
# The prefilled text of a poster's wa.me link; it ends in its source (see whatsapp_inbound).
POSTER_TEXT = N_("Hello! I would like to join the export training. (code: {source})")
CAPABILITIES = Capabilities(edit=False, popups=False, reply_buttons=layout.REPLY_BUTTONS,
                            list_rows=layout.LIST_ROWS, label_chars=layout.BUTTON_CHARS,
                            text_chars=layout.TEXT_CHARS, markup="whatsapp", knows_phone=True,
                            contact_button=False, window_hours=24)


def client(config: WhatsAppConfig) -> WhatsApp:
    """A pywa client with its own httpx client, without a web server of its own."""
    limits = httpx.Limits(max_connections=CONCURRENCY * 2,
                          max_keepalive_connections=CONCURRENCY * 2)
    # httpx's API (pywa's) over aiohttp's connections and C parser: in a broadcast at 1,000
    # messages/s the bot spent 2.1 ms of CPU a message through httpcore (one core's worth at
    # about 500 a second), 0.85 through aiohttp (bench_wa_broadcast). aiohttp keeps up to
    # `max_connections` alive; its errors come out as httpx's (a read timeout as ReadTimeout,
    # a refused or dropped connection as ConnectTimeout), which `mapped_errors` reads as before.
    inner = AiohttpTransport(limits=limits)
    graph = None if config.api_url == GRAPH_API_URL else GraphTransport(config.api_url, inner)
    session = GraphClient(transport=graph or inner, timeout=httpx.Timeout(20, connect=10),
                          limits=limits)
    wa = WhatsApp(phone_id=config.phone_number_id, token=config.token, session=session,
                  server=None, verify_token=config.verify_token, app_secret=config.app_secret,
                  api_version=config.api_version, validate_updates=True,
                  skip_duplicate_updates=False)  # the inbox de-duplicates, across restarts
    if graph is not None:  # pywa's own requests start at the root (parsing a URL once less)
        session.base_url = graph.moved(session.base_url)
    return wa


def session_of(wa: WhatsApp) -> httpx.AsyncClient:
    """The httpx client given to `wa` (to close it)."""
    return wa.api._session


@contextmanager
def mapped_errors() -> Iterator[None]:
    """Turn pywa's and httpx's errors into the core's delivery errors (the one place)."""
    try:
        yield
    except wa_errors.TooManyMessages as exc:  # the pair rate: only this person must wait
        raise RetryLater(6.0, per_chat=True) from exc  # about one message per 6 s in bulk
    except wa_errors.RateLimitHit as exc:  # the number's messages per second
        # Meta gives no retry_after. The sender keeps under the rate, so one of these is most
        # likely a few messages bunched up on the way: a short pause, longer if asked again.
        raise RetryLater(0.25) from exc
    except wa_errors.SpamRateLimitHit as exc:  # sending restricted for a while
        raise RetryLater(60.0) from exc
    except wa_errors.MessageUndeliverable as exc:
        raise UserGone(f"error {exc.code}") from exc
    except wa_errors.ReEngagementMessage as exc:
        raise OutsideWindow("outside the 24-hour window (error 131047)") from exc
    except wa_errors.UserStoppedMarketingMessages as exc:
        raise StoppedMarketing("the owner stopped marketing messages (error 131050)") from exc
    except wa_errors.WhatsAppError as exc:
        status = exc.status_code or 400
        text = f"error {exc.code}: {exc.message}"
        if status >= 500 or status in (401, 429) or exc.code in (1, 2, 190):
            raise Unavailable(text) from exc
        raise Rejected(text) from exc
    except httpx.TimeoutException as exc:
        sent = not isinstance(exc, httpx.ConnectTimeout | httpx.PoolTimeout)
        raise Unavailable(type(exc).__name__, maybe_delivered=sent) from exc
    except httpx.HTTPError as exc:
        raise Unavailable(type(exc).__name__) from exc


async def identify(config: Config) -> str:
    """Ask the Graph API which number the token sends as (GET /<version>/<phone_number_id>)."""
    wa = client(config.whatsapp)
    try:
        with mapped_errors():
            number = await wa.get_business_phone_number()
    finally:
        await session_of(wa).aclose()
    return f"{number.verified_name or '?'} ({number.display_phone_number or '?'})"


class WhatsAppChannel:
    """Runs the core behind pywa on the bot's web server; the sender's transport too."""

    name = CHANNEL
    capabilities = CAPABILITIES

    def __init__(self, config: Config, core: Core, web: WebServer, *,
                 concurrency: int = CONCURRENCY) -> None:
        self.config = config
        self.core = core
        self.wa = client(config.whatsapp)
        self.wa.add_handlers(MessageHandler(self.on_message),
                             CallbackButtonHandler(self.on_button),
                             CallbackSelectionHandler(self.on_selection),
                             EditedMessageHandler(self.on_edited))
        self.outgoing = Outgoing(core, CHANNEL, self._send_one, self._upload,
                                 self._post_template, mapped_errors)
        self.writer = Writer(core.db.inbox, CHANNEL, core.clock, core.wake_sender)
        self.dispatcher = Dispatcher(self._handle_stored, self.writer.done, limit=concurrency)
        self.webhook = Webhook(config.whatsapp, self.wa, self.writer, self.dispatcher)
        self.business_number = config.whatsapp.business_number
        self._addresses: dict[str, str] = {}  # user_id -> wa_id known to be stored
        web.route(config.whatsapp.webhook_path, self.webhook.on_request, methods=("GET", "POST"))

    async def start(self) -> None:
        """Learn the business number (for wa.me links) and handle what the inbox still holds."""
        if not self.business_number:
            try:
                with mapped_errors():
                    number = await self.wa.get_business_phone_number()
                self.business_number = digits(number.display_phone_number)
            except (Unavailable, Rejected, UserGone, RetryLater) as exc:
                log.warning("business number unknown (%s): no wa.me links until it is set in "
                            "[whatsapp] business_number", exc)
        await self.core.db.inbox.forget_before(self.core.clock() - INBOX_KEPT)
        pending = await self.core.db.inbox.pending(CHANNEL)
        if pending:
            log.info("%d WhatsApp messages from before the restart to handle", len(pending))
        for message in pending:
            self.dispatcher.add(message)

    async def stop(self) -> None:
        """Stop handling (what is left stays in the inbox) and close the connections."""
        await self.dispatcher.stop()
        await self.writer.stop()
        await session_of(self.wa).aclose()

    async def _handle_stored(self, message: InboxMessage) -> None:
        await self.wa.webhook_update_handler(message.payload.encode())

    # ------------------------------------------------------------ handlers (called by pywa)

    async def on_message(self, _wa: WhatsApp, msg: Message) -> None:
        """A message: text, command, media, location, contact card, reaction, …"""
        await self._answer(to_inbound(msg), msg.id, msg.from_user.wa_id)

    async def on_edited(self, _wa: WhatsApp, msg: Any) -> None:
        """An earlier message was edited."""
        user = msg.from_user
        await self._answer(Inbound(channel=CHANNEL, user_id=user.bsuid, chat_id=user.bsuid,
                                   address=user.wa_id or "", kind=InboundKind.EDITED,
                                   text=getattr(msg, "text", None) or ""), msg.id, user.wa_id)

    async def on_button(self, _wa: WhatsApp, press: CallbackButton) -> None:
        """A reply button pressed (of any message, however old)."""
        await self._answer(press_inbound(press), press.id, press.from_user.wa_id)

    async def on_selection(self, _wa: WhatsApp, pick: CallbackSelection) -> None:
        """A list row picked; a "more" row shows the next page of the list itself."""
        data = str(pick.data)
        if data.startswith(layout.MORE):
            page = await self.core.db.inbox.page(data.removeprefix(layout.MORE))
            if page is not None:
                body, buttons = page
                with mapped_errors():
                    await self.outgoing.send(pick.from_user.bsuid, Reply(
                        esc(body), rows(layout.page_buttons(buttons))))
                await self._read(pick.id)
                return
        await self._answer(press_inbound(pick), pick.id, pick.from_user.wa_id)

    async def _answer(self, received: Inbound | None, message_id: str,
                      address: str | None) -> None:
        if received is not None:
            await self.core.converse(self, received)
            await self._remember_address(received.user_id, address or "")
        await self._read(message_id)

    async def _read(self, message_id: str) -> None:
        try:
            with mapped_errors():
                await self.wa.mark_message_as_read(message_id)
        except (Unavailable, Rejected, UserGone, RetryLater) as exc:
            log.info("could not mark a message as read: %s", exc)

    async def _remember_address(self, user_id: str, address: str) -> None:
        if address and self._addresses.get(user_id) != address and \
                await self.core.db.inbox.remember_address(CHANNEL, user_id, address):
            self._addresses[user_id] = address

    # ------------------------------------------------------------ delivery

    async def send_replies(self, received: Inbound, replies: Sequence[Outbound]) -> None:
        """Send the core's replies for one inbound (`whatsapp_outgoing`)."""
        await self.outgoing.send_replies(received, replies)

    async def deliver(self, chat_id: str, reply: Reply) -> str | None:
        """The sender's transport: send one message (maybe several WhatsApp messages)."""
        with mapped_errors():
            return await self.outgoing.send(chat_id, reply)

    async def deliver_template(self, chat_id: str, message: TemplateMessage) -> str | None:
        """The sender's transport outside the window: the approved template."""
        return await self.outgoing.send_template(chat_id, message)

    async def edit(self, chat_id: str, message_id: str, text: str,
                   buttons: Buttons = ()) -> None:
        """WhatsApp cannot change a sent message."""
        raise Rejected("WhatsApp cannot edit messages")

    def start_link(self, payload: str) -> str | None:
        """https://wa.me/<business number>?text=<prefilled text carrying the source>."""
        if not self.business_number:
            return None
        tr = self.core.catalogs.get(self.config.default_language)
        text = tr.gettext(POSTER_TEXT).format(source=payload)
        return f"https://wa.me/{self.business_number}?text={quote(text)}"

    async def _upload(self, attachment: Attachment) -> str:
        """The file's WhatsApp media id: its own, or uploaded now."""
        return attachment.ref or (await self.wa.upload_media(
            attachment.content, mime_type=attachment.mime or None,
            filename=attachment.filename)).id

    async def _post_template(self, to: str, message: TemplateMessage, header_ref: str) -> str:
        return (await self.wa.send_template(
            to, message.name, TemplateLanguage(message.language),
            params=components(message, header_ref))).id

    async def _send_one(self, to: str, message: layout.Message) -> str:
        wa = self.wa
        if isinstance(message, layout.Text):
            return (await wa.send_message(to, message.body, preview_url=False)).id
        if isinstance(message, layout.Buttons):
            return (await wa.send_message(to, message.body, buttons=[
                WAButton(title=c.title, callback_data=c.id) for c in message.choices])).id
        if isinstance(message, layout.ChoiceList):
            rows = [SectionRow(title=c.title, callback_data=c.id, description=c.description or None)
                    for c in message.choices]
            section = Section(title=layout.shorten(message.button, layout.ROW_CHARS), rows=rows)
            return (await wa.send_message(to, message.body, buttons=SectionList(
                button_title=message.button, sections=[section]))).id
        mime = mimetypes.guess_type(message.filename)[0] or "application/octet-stream"
        media: Any = message.ref or message.content
        caption = message.caption or None
        if message.kind == "image":
            return (await wa.send_image(to, media, caption=caption, mime_type=mime)).id
        return (await wa.send_document(to, media, filename=message.filename, caption=caption,
                                       mime_type=mime)).id
