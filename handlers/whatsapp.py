"""The WhatsApp edge (Meta's Cloud API through pywa): the only module that imports pywa.

Webhooks arrive on the bot's web server. A POST is checked against X-Hub-Signature-256 (pywa's
constant-time validator), its messages are stored in the inbox and only then answered 200
(`whatsapp_inbox` splits and schedules them); they are handed to pywa's update handler one owner
at a time, in order, and pywa calls `on_message` / `on_button` / `on_selection`, which turn them
into `Inbound`s for the core (`whatsapp_inbound`). The core's replies are laid out within Meta's
limits (`whatsapp_layout`) and sent with pywa, each handled message then marked read. Errors
are mapped once, here, into the core's delivery errors. Phone numbers are never logged.

Where pywa does not fit, and what is done instead: its update handler reads only the first
message of a webhook (so each is stored and handed over alone); its de-duplication is in memory
(the inbox's unique message id replaces it); its challenge handler compares the verify token
with `==` and ignores hub.mode (`_verify` does both properly); its signature check raises on a
non-ASCII header (refused with 403 before it is asked).
"""

from __future__ import annotations

import hmac
import json
import logging
import mimetypes
from collections import OrderedDict
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import replace
from datetime import timedelta
from typing import Any
from urllib.parse import quote

import httpx
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
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response

from bot.channel import (
    Attachment,
    Buttons,
    Capabilities,
    Inbound,
    InboundKind,
    Notice,
    Outbound,
    Reply,
    rows,
)
from bot.config import GRAPH_API_URL, Config, WhatsAppConfig
from bot.core import Core, esc
from bot.delivery import Rejected, RetryLater, Unavailable, UserGone
from bot.i18n import N_
from bot.markup import to_whatsapp
from bot.media import Uploads
from bot.storage.inbox import InboxMessage
from handlers import whatsapp_layout as layout
from handlers.web import WebServer, read_body
from handlers.whatsapp_inbound import digits, poster_source, press_inbound, to_inbound
from handlers.whatsapp_inbox import Dispatcher, Writer, split_update

__all__ = ["CAPABILITIES", "GraphTransport", "WhatsAppChannel", "client", "identify",
           "mapped_errors", "poster_source"]

log = logging.getLogger(__name__)
CHANNEL = "whatsapp"
SHOWN_KEPT = 10_000
# Owners whose messages are handled at once. Each waits mostly on the Graph API (a reply, then the
# read mark), so more than Telegram's 32 keep the CPU busy; one owner's stay strictly in order.
CONCURRENCY = 128
INBOX_KEPT = timedelta(days=14)  # Meta retries a delivery for up to 7 days
# The prefilled text of a poster's wa.me link; it ends in its source (see whatsapp_inbound).
POSTER_TEXT = N_("Hello! I would like to join the export training. (code: {source})")
CAPABILITIES = Capabilities(edit=False, popups=False, reply_buttons=layout.REPLY_BUTTONS,
                            list_rows=layout.LIST_ROWS, label_chars=layout.BUTTON_CHARS,
                            text_chars=layout.TEXT_CHARS, markup="whatsapp", knows_phone=True,
                            contact_button=False)


class GraphTransport(httpx.AsyncBaseTransport):
    """Sends every request to the configured Graph API root (a fake, a proxy) instead of
    Meta's hosts; media download URLs too. pywa has no base-URL option of its own."""

    def __init__(self, root: str, inner: httpx.AsyncBaseTransport | None = None) -> None:
        self.root = httpx.URL(root)
        self.inner = inner or httpx.AsyncHTTPTransport()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """Rewrite scheme, host, port (and a path prefix) of the request, then send it."""
        prefix = self.root.path.rstrip("/")
        request.url = request.url.copy_with(scheme=self.root.scheme, host=self.root.host,
                                            port=self.root.port, path=prefix + request.url.path)
        request.headers["Host"] = self.root.netloc.decode("ascii")
        return await self.inner.handle_async_request(request)

    async def aclose(self) -> None:
        """Close the connections."""
        await self.inner.aclose()


def client(config: WhatsAppConfig) -> WhatsApp:
    """A pywa client with its own httpx client, without a web server of its own."""
    transport = None if config.api_url == GRAPH_API_URL else GraphTransport(config.api_url)
    session = httpx.AsyncClient(transport=transport, timeout=httpx.Timeout(20, connect=10),
                                limits=httpx.Limits(max_connections=CONCURRENCY * 2,
                                                    max_keepalive_connections=CONCURRENCY * 2))
    return WhatsApp(phone_id=config.phone_number_id, token=config.token, session=session,
                    server=None, verify_token=config.verify_token, app_secret=config.app_secret,
                    api_version=config.api_version, validate_updates=True,
                    skip_duplicate_updates=False)  # the inbox de-duplicates, across restarts


def session_of(wa: WhatsApp) -> httpx.AsyncClient:
    """The httpx client given to `wa` (to close it)."""
    return wa.api._session


@contextmanager
def mapped_errors() -> Iterator[None]:
    """Turn pywa's and httpx's errors into the core's delivery errors (the one place)."""
    try:
        yield
    except (wa_errors.RateLimitHit, wa_errors.SpamRateLimitHit, wa_errors.TooManyMessages) as exc:
        raise RetryLater(6.0) from exc  # no retry_after from Meta; pair rate is 1 per 6 s
    except wa_errors.MessageUndeliverable as exc:
        raise UserGone(f"error {exc.code}") from exc
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
        self.uploads = Uploads(core.db, CHANNEL, core.clock)  # stored files: uploaded once
        self.writer = Writer(core.db.inbox, CHANNEL, core.clock)
        self.dispatcher = Dispatcher(self._handle_stored, self.writer.done, limit=concurrency)
        self.business_number = config.whatsapp.business_number
        self._addresses: dict[str, str] = {}  # user_id -> wa_id known to be stored
        # Bodies of recent messages with choices, by message id: a reply that would only repeat
        # the pressed message without its buttons (an edit elsewhere) is not sent again.
        self._shown: OrderedDict[str, str] = OrderedDict()
        web.route(config.whatsapp.webhook_path, self.on_webhook, methods=("GET", "POST"))

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

    # ------------------------------------------------------------ webhook

    async def on_webhook(self, request: Request) -> Response:
        """GET: Meta's verification; POST: updates, stored before they are acknowledged."""
        if request.method == "GET":
            return self._verify(request)
        signature = request.headers.get("X-Hub-Signature-256", "")
        if not signature:
            return PlainTextResponse("Unauthorized", status_code=401)
        body = await read_body(request)
        if body is None:
            return PlainTextResponse("Payload Too Large", status_code=413)
        if not signature.isascii():  # hmac.compare_digest refuses other strings
            return PlainTextResponse("Forbidden", status_code=403)
        refused = await self.wa.webhook_update_validator(body, signature)
        if refused is not None:
            return PlainTextResponse(refused[0], status_code=refused[1])
        try:
            update = json.loads(body)
        except ValueError:
            return PlainTextResponse("Bad Request", status_code=400)
        split = split_update(update, self.config.whatsapp.phone_number_id)
        if split.foreign:
            log.info("%d webhook changes for another phone number id ignored", split.foreign)
        for message in await self.writer.store(split):
            self.dispatcher.add(message)
        return Response(status_code=200)

    def _verify(self, request: Request) -> Response:
        params = request.query_params
        token = params.get("hub.verify_token", "").encode()
        if params.get("hub.mode") == "subscribe" and hmac.compare_digest(
                token, self.config.whatsapp.verify_token.encode()):
            return PlainTextResponse(params.get("hub.challenge", ""))
        log.warning("webhook verification refused: wrong verify token")
        return PlainTextResponse("Forbidden", status_code=403)

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
                    await self._send(pick.from_user.bsuid, Reply(
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

    async def _wording(self, user_id: str) -> layout.Wording:
        owner = await self.core.db.owners.find(CHANNEL, user_id)
        tr = self.core.catalogs.get(owner.language if owner and owner.language
                                    else self.config.default_language)
        return layout.Wording(list_button=tr.gettext("Choose"), more=tr.gettext("More choices"))

    async def send_replies(self, received: Inbound, replies: Sequence[Outbound]) -> None:
        """Send the core's replies for one inbound, errors mapped for the core: a notice is the
        first line of the first reply (no pop-ups), a reply that may replace the pressed
        message is sent new (no edits), tidying is left out."""
        notice = "\n".join(esc(r.text) for r in replies if isinstance(r, Notice) and r.text)
        for number, reply in enumerate(replies):
            if not isinstance(reply, Reply):
                continue  # a Tidy, or a Notice (joined to the first reply)
            if reply.replace and not reply.buttons and reply.attachment is None and \
                    self._shown.get(received.message_id or "") == to_whatsapp(reply.text):
                continue  # the pressed message without its buttons: nothing new to read
            if notice:
                reply, notice = Reply(f"{notice}\n\n{reply.text}", reply.buttons,
                                      attachment=reply.attachment), ""
            try:
                with mapped_errors():
                    await self._send(received.chat_id, reply)
            except RetryLater as exc:
                raise RetryLater(exc.seconds, sent=number) from exc
        if notice:
            with mapped_errors():
                await self._send(received.chat_id, Reply(notice))

    async def deliver(self, chat_id: str, reply: Reply) -> str | None:
        """The sender's transport: send one message (maybe several WhatsApp messages)."""
        with mapped_errors():
            return await self._send(chat_id, reply)

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

    async def _send(self, chat_id: str, reply: Reply) -> str | None:
        attachment = reply.attachment
        if attachment is not None and attachment.media_id:
            return await self._send_stored(chat_id, reply, attachment)
        messages, pages = layout.plan(reply.text, reply.buttons, attachment=reply.attachment,
                                      wording=await self._wording(chat_id))
        for page in pages:
            await self.core.db.inbox.save_page(page.token, page.body, page.buttons,
                                               self.core.clock())
        sent = None
        for message in messages:
            sent = await self._send_one(chat_id, message)
            if isinstance(message, layout.Buttons | layout.ChoiceList):
                self._shown[sent] = message.body
                while len(self._shown) > SHOWN_KEPT:
                    self._shown.popitem(last=False)
        return sent

    async def _send_stored(self, chat_id: str, reply: Reply, stored: Attachment) -> str | None:
        """A file stored by the bot (an upload from the web page): uploaded to WhatsApp once,
        then sent by its WhatsApp media id (`bot.media.Uploads`)."""

        async def send_file(attachment: Attachment) -> tuple[str | None, str]:
            with mapped_errors():  # Uploads tells a refused (expired) media id by `Rejected`
                ref = attachment.ref or (await self.wa.upload_media(
                    attachment.content, mime_type=attachment.mime or None,
                    filename=attachment.filename)).id
                by_ref = replace(attachment, ref=ref, content=b"", media_id=0)
                sent = await self._send(chat_id, replace(reply, attachment=by_ref))
            return sent, "" if attachment.ref else ref

        return await self.uploads.send(stored, send_file)

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
