"""The WhatsApp webhook on the bot's web server: Meta's verification GET, and POSTs checked
against X-Hub-Signature-256 (pywa's constant-time validator), stored in the inbox and only then
answered 200 (`whatsapp_inbox` splits and schedules them). No pywa import: the client is handed
in by the edge (`handlers/whatsapp.py`).
"""

from __future__ import annotations

import hmac
import json
import logging
from typing import Any

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response

from bot.config import WhatsAppConfig
from handlers.web import read_body
from handlers.whatsapp_inbox import Dispatcher, Writer, split_update

log = logging.getLogger(__name__)


class Webhook:
    """GET: Meta's verification; POST: updates, stored before they are acknowledged."""

    def __init__(self, config: WhatsAppConfig, wa: Any, writer: Writer,
                 dispatcher: Dispatcher) -> None:
        self.config = config
        self.wa = wa  # pywa's client: its signature validator
        self.writer = writer
        self.dispatcher = dispatcher

    async def on_request(self, request: Request) -> Response:
        """One request to the webhook path."""
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
        split = split_update(update, self.config.phone_number_id)
        if split.foreign:
            log.info("%d webhook changes for another phone number id ignored", split.foreign)
        for message in await self.writer.store(split):
            self.dispatcher.add(message)
        return Response(status_code=200)

    def _verify(self, request: Request) -> Response:
        params = request.query_params
        token = params.get("hub.verify_token", "").encode()
        if params.get("hub.mode") == "subscribe" and hmac.compare_digest(
                token, self.config.verify_token.encode()):
            return PlainTextResponse(params.get("hub.challenge", ""))
        log.warning("webhook verification refused: wrong verify token")
        return PlainTextResponse("Forbidden", status_code=403)
