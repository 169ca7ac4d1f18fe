"""A fake Meta Graph API (WhatsApp Cloud API) on 127.0.0.1 for tests and benchmarks.

It records every request, validates messages as strictly as Meta documents (3 reply buttons
with unique titles of at most 20 characters; a list of at most 10 rows with titles of 24 and
descriptions of 72 behind a button of 20; bodies of 1024 (interactive) or 4096 (text); header and
footer 60; templates only as approved, `graphrules`) and answers a violation with HTTP 400 in
Meta's error shape; enforces Meta's sending limits (`graphlimits`: the number's rate, the pair
rate, the 24-hour window, the daily reach, stopped marketing), failing a message it accepted
with a status webhook as Meta does; posts the statuses of what it accepted (sent, delivered,
read) when asked; answers mark-as-read with {"success": true}; stores uploaded media and serves
media; and posts signed webhooks, in Meta's shapes, to the bot's real web server::

    async with FakeGraph() as graph:
        graph.webhook_url = f"{web.url}/whatsapp"
        budi = graph.user("6281234567001", name="Budi")
        replies = await budi.say("halo")    # post, wait until the bot marked it read
        await budi.press("consent:yes")           # by data, or by a part of the title

Every wait is bounded.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import itertools
import json
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.parser import BytesParser
from email.policy import HTTP
from typing import Any

import httpx
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from tests.support.graphlimits import Limits, Verdict
from tests.support.graphrules import Approved, Filled, check_template, validate

__all__ = ["APP_SECRET", "DISPLAY_NUMBER", "PHONE_NUMBER_ID", "TOKEN", "VERIFY_TOKEN",
           "Approved", "Choice", "FakeGraph", "FakeUser", "Sent", "validate"]

TOKEN = "EAAG-test-whatsapp-token"
APP_SECRET = "test-app-secret-0123456789"
VERIFY_TOKEN = "test-verify-token"
PHONE_NUMBER_ID = "106540352242922"
WABA_ID = "102290129340398"
DISPLAY_NUMBER = "+62 811-2000-3000"
VERSION = "26.0"


@dataclass(frozen=True)
class Choice:
    """A reply button or list row the bot sent."""

    id: str
    title: str
    description: str = ""


@dataclass(frozen=True)
class Sent:
    """One message the bot sent, as the fake accepted it."""

    id: str
    to: str  # what the bot addressed (user_id, or wa_id)
    kind: str  # text | buttons | list | image | document | template
    body: str
    choices: tuple[Choice, ...] = ()
    list_button: str = ""
    media_id: str = ""
    filename: str = ""
    raw: dict[str, Any] = field(default_factory=dict, repr=False)
    template: str = ""  # a template's name
    language: str = ""  # a template's language

    def choice(self, part: str) -> Choice | None:
        """The choice whose id is `part` (or starts with `part:`), or whose title or
        description contains it."""
        for choice in self.choices:
            if choice.id == part or choice.id.startswith(f"{part}:"):
                return choice
        low = part.lower()
        for choice in self.choices:
            if low in choice.title.lower() or low in choice.description.lower():
                return choice
        return None


@dataclass
class GraphRequest:
    """One request the fake received, and how it answered."""

    method: str
    path: str
    payload: Any
    status: int = 200
    error: str = ""


def _error(code: int, message: str, details: str = "", status: int = 400) -> JSONResponse:
    error: dict[str, Any] = {"message": message, "type": "OAuthException", "code": code,
                             "fbtrace_id": "AfakeTrace0000"}
    if details:
        error["error_data"] = {"messaging_product": "whatsapp", "details": details}
    return JSONResponse({"error": error}, status_code=status)


def _sent(message_id: str, payload: dict[str, Any], filled: Filled | None = None) -> Sent:
    to = payload.get("to") or payload.get("recipient") or ""
    kind = payload.get("type", "text")
    body = payload[kind]
    if filled is not None:
        return Sent(message_id, to, "template", filled.body,
                    tuple(Choice(data, text) for data, text in filled.choices),
                    media_id=filled.media_id, raw=payload, template=filled.template.name,
                    language=filled.template.language)
    if kind == "text":
        return Sent(message_id, to, "text", body["body"], raw=payload)
    if kind in ("image", "document"):
        return Sent(message_id, to, kind, body.get("caption", ""), media_id=body.get("id", ""),
                    filename=body.get("filename", ""), raw=payload)
    text = body["body"]["text"]
    action = body["action"]
    if body["type"] == "button":
        choices = tuple(Choice(b["reply"]["id"], b["reply"]["title"]) for b in action["buttons"])
        return Sent(message_id, to, "buttons", text, choices, raw=payload)
    rows = [r for s in action["sections"] for r in s["rows"]]
    choices = tuple(Choice(r["id"], r["title"], r.get("description", "")) for r in rows)
    return Sent(message_id, to, "list", text, choices, action["button"], raw=payload)


class _Server(uvicorn.Server):
    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


class FakeGraph:
    """The fake Graph API and Meta's webhook sender."""

    def __init__(self, *, token: str = TOKEN, app_secret: str = APP_SECRET,
                 phone_number_id: str = PHONE_NUMBER_ID, record: bool = True,
                 clock: Callable[[], datetime] | None = None, rate: float | None = None,
                 daily_limit: int | None = 250, statuses: bool = False) -> None:
        self.token = token
        self.app_secret = app_secret
        self.phone_number_id = phone_number_id
        self.record = record
        self.webhook_url = ""
        self.requests: list[GraphRequest] = []
        self.refused: list[GraphRequest] = []  # answered 400 by validation
        self.sent: list[Sent] = []
        self.reads: dict[str, int] = {}
        self.media: dict[str, tuple[bytes, str]] = {}
        self.undeliverable: set[str] = set()  # recipients answered with 131026 at once
        self.clock = clock or (lambda: datetime.now(UTC))
        self.limits = Limits(self.clock, rate=rate, daily_limit=daily_limit)
        self.approved: dict[tuple[str, str], Approved] = {}  # (name, language) -> template
        # Post sent/delivered/read statuses of every message accepted (failures always go).
        self.statuses = statuses
        self.readers: set[str] = set()  # people whose messages are read at once
        self.failed: list[tuple[str, int]] = []  # (message id, error code) reported
        self.posted_statuses: list[tuple[str, str]] = []  # (message id, status) posted
        self._reporting: set[asyncio.Task[None]] = set()
        # While set and not released, sends wait (a slow Meta); one whose client went away
        # meanwhile (a killed bot) is dropped, as Meta would never have got it.
        self.hold: asyncio.Event | None = None
        self.retried = 0  # webhook posts sent again after a connection error
        self.listeners: list[Callable[[str, Any], None]] = []  # (event, Sent | message id)
        self._ids = itertools.count(1)
        self._changed = asyncio.Condition()
        self._server: _Server | None = None
        self._task: asyncio.Task[None] | None = None
        self._client: httpx.AsyncClient | None = None
        self.url = ""
        app = Starlette()
        app.add_route("/media/{media_id}", self._download, methods=["GET"])
        app.add_route("/{version}/{node}", self._node, methods=["GET"])
        app.add_route("/{version}/{node}/{edge}", self._edge, methods=["POST"])
        self.app = app

    async def start(self) -> None:
        """Listen on a free port of 127.0.0.1."""
        import socket

        # IPPROTO_TCP named, so asyncio sets TCP_NODELAY on each accepted connection (it does
        # only for a socket that says TCP): uvicorn writes a response's head and body apart,
        # and Nagle held the body until the bot's delayed ACK, 40 ms, for every message.
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        sock.bind(("127.0.0.1", 0))
        sock.listen(2048)
        sock.setblocking(False)
        self.url = f"http://127.0.0.1:{sock.getsockname()[1]}"
        self._server = _Server(uvicorn.Config(self.app, log_config=None, access_log=False,
                                              lifespan="off", timeout_graceful_shutdown=2))
        self._task = asyncio.create_task(self._server.serve(sockets=[sock]))
        self._client = httpx.AsyncClient(timeout=10, limits=httpx.Limits(
            max_connections=200, max_keepalive_connections=200))
        for _ in range(1000):
            if self._server.started:
                return
            await asyncio.sleep(0.01)
        raise TimeoutError("the fake Graph API did not start")

    async def stop(self) -> None:
        """Stop listening."""
        for task in list(self._reporting):
            task.cancel()
        await asyncio.gather(*self._reporting, return_exceptions=True)
        if self._client is not None:
            await self._client.aclose()
        if self._server is not None and self._task is not None:
            self._server.should_exit = True
            await asyncio.wait_for(self._task, 10)

    async def __aenter__(self) -> FakeGraph:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    def _note(self, request: GraphRequest) -> None:
        if self.record:
            self.requests.append(request)
        if request.status == 400:
            self.refused.append(request)

    async def _changed_now(self) -> None:
        async with self._changed:
            self._changed.notify_all()

    async def wait_for(self, check: Callable[[], Any], timeout: float = 15) -> Any:
        """Wait until `check()` returns something true (bounded); return it."""
        async def waiting() -> Any:
            async with self._changed:
                while not (result := check()):
                    await self._changed.wait()
                return result
        return await asyncio.wait_for(waiting(), timeout)

    def _authorised(self, request: Request) -> bool:
        return request.headers.get("authorization", "") == f"Bearer {self.token}"

    async def _node(self, request: Request) -> Response:
        node = request.path_params["node"]
        self._note(GraphRequest("GET", request.url.path, dict(request.query_params)))
        if not self._authorised(request):
            return _error(190, "Invalid OAuth access token - Cannot parse access token",
                          status=401)
        if node == self.phone_number_id:
            return JSONResponse({"id": node, "display_phone_number": DISPLAY_NUMBER,
                                 "verified_name": "Dindagkop-UKM Kota Pekalongan",
                                 "quality_rating": "GREEN", "platform_type": "CLOUD_API",
                                 "code_verification_status": "VERIFIED"})
        if node in self.media:
            content, mime = self.media[node]
            return JSONResponse({"messaging_product": "whatsapp", "id": node,
                                 "url": f"{self.url}/media/{node}", "mime_type": mime,
                                 "sha256": hashlib.sha256(content).hexdigest(),
                                 "file_size": len(content)})
        return _error(100, "Unsupported get request.", "Object does not exist")

    async def _download(self, request: Request) -> Response:
        media_id = request.path_params["media_id"]
        if not self._authorised(request) or media_id not in self.media:
            return Response(status_code=404)
        content, mime = self.media[media_id]
        return Response(content, media_type=mime)

    async def _edge(self, request: Request) -> Response:
        node, edge = request.path_params["node"], request.path_params["edge"]
        if not self._authorised(request):
            return _error(190, "Invalid OAuth access token - Cannot parse access token",
                          status=401)
        if node != self.phone_number_id:
            return _error(100, "Invalid parameter", f"unknown phone number id {node}")
        if edge == "media":
            return await self._upload(request)
        if edge != "messages":
            return _error(100, "Unsupported post request.")
        try:
            payload = json.loads(await request.body())
        except ValueError:
            return _error(100, "Invalid parameter", "the body is not JSON")
        if self.hold is not None and "status" not in payload:
            await self.hold.wait()
            if await request.is_disconnected():
                return Response(status_code=499)
        problem = validate(payload)
        if problem:
            self._note(GraphRequest("POST", request.url.path, payload, 400, problem))
            await self._changed_now()
            return _error(131009, "(#131009) Parameter value is not valid", problem)
        if "status" in payload:
            self._note(GraphRequest("POST", request.url.path, payload))
            message_id = payload["message_id"]
            self.reads[message_id] = self.reads.get(message_id, 0) + 1
            for listen in self.listeners:
                listen("read", message_id)
            await self._changed_now()
            return JSONResponse({"success": True})
        to = payload.get("to") or payload.get("recipient")
        if to in self.undeliverable:
            self._note(GraphRequest("POST", request.url.path, payload, 400, "undeliverable"))
            return _error(131026, "Message undeliverable", "The recipient is not reachable.")
        filled = None
        if payload.get("type") == "template":
            checked = check_template(payload, self.approved)
            if isinstance(checked, tuple):
                code, problem = checked
                self._note(GraphRequest("POST", request.url.path, payload, 400, problem))
                await self._changed_now()
                return _error(code, f"(#{code}) {problem}", problem)
            filled = checked
        verdict = self.limits.judge(to, filled is not None,
                                    filled is not None and filled.template.category == "MARKETING")
        if verdict is not None and verdict.now:
            self._note(GraphRequest("POST", request.url.path, payload, 429, verdict.title))
            return _error(verdict.code, f"(#{verdict.code}) {verdict.title}", verdict.title,
                          status=429)
        message_id = f"wamid.OUT{next(self._ids):010d}"
        sent = _sent(message_id, payload, filled)
        self._note(GraphRequest("POST", request.url.path, payload))
        if self.record:
            self.sent.append(sent)
        for listen in self.listeners:
            listen("sent", sent)
        await self._changed_now()
        if verdict is not None or self.statuses:
            self._report(sent, verdict)
        contact = {"input": to, ("user_id" if payload.get("recipient") else "wa_id"): to}
        return JSONResponse({"messaging_product": "whatsapp", "contacts": [contact],
                             "messages": [{"id": message_id, "message_status": "accepted"}]})

    def approve(self, templates: list[dict[str, Any]]) -> None:
        """Approve templates as `umkm-bot templates` prints them (as Meta would, once
        reviewed): only these may be sent."""
        for data in templates:
            found = Approved.from_meta(data)
            self.approved[(found.name, found.language)] = found

    # ------------------------------------------------------------ status webhooks

    def status_update(self, sent: Sent, status: str, error: Verdict | None = None
                      ) -> dict[str, Any]:
        """A status webhook about one message the bot sent, in Meta's shape."""
        entry: dict[str, Any] = {"id": sent.id, "status": status,
                                 "timestamp": str(int(self.clock().timestamp())),
                                 "recipient_id": sent.to, "recipient_user_id": sent.to}
        if error is not None:
            entry["errors"] = [{"code": error.code, "title": error.title,
                                "message": error.title,
                                "error_data": {"details": error.title}}]
        return self.envelope({"contacts": [{"profile": {"name": "-"}, "wa_id": sent.to,
                                            "user_id": sent.to}], "statuses": [entry]})

    def _report(self, sent: Sent, verdict: Verdict | None) -> None:
        task = asyncio.create_task(self._post_statuses(sent, verdict))
        self._reporting.add(task)
        task.add_done_callback(self._reporting.discard)

    async def _post_statuses(self, sent: Sent, verdict: Verdict | None) -> None:
        """Post what became of a message, as Meta does some moments after accepting it."""
        if not self.webhook_url:
            return
        if verdict is not None:
            states = ["failed"]
            self.failed.append((sent.id, verdict.code))
        else:
            states = ["sent", "delivered"] + (["read"] if sent.to in self.readers else [])
        for state in states:
            response = await self.post(self.status_update(
                sent, state, verdict if state == "failed" else None))
            if response.status_code == 200:
                self.posted_statuses.append((sent.id, state))
        await self._changed_now()

    async def read(self, sent: Sent) -> None:
        """The person read one message (a "read" status webhook)."""
        await self.post(self.status_update(sent, "read"))
        self.posted_statuses.append((sent.id, "read"))

    async def _upload(self, request: Request) -> Response:
        body = await request.body()
        head = f"Content-Type: {request.headers.get('content-type', '')}\r\n\r\n".encode()
        parts = BytesParser(policy=HTTP).parsebytes(head + body)
        if not parts.is_multipart():
            return _error(100, "Invalid parameter", "multipart/form-data is required")
        fields = {p.get_param("name", header="content-disposition"): p for p in parts.iter_parts()}
        file = fields.get("file")
        if file is None or fields.get("messaging_product") is None:
            return _error(100, "Invalid parameter", "file and messaging_product are required")
        media_id = f"{next(self._ids) + 900_000_000_000}"
        self.media[media_id] = (file.get_payload(decode=True) or b"",
                                file.get_content_type())
        self._note(GraphRequest("POST", request.url.path, {"media": media_id}))
        return JSONResponse({"id": media_id})

    # ------------------------------------------------------------ webhooks

    def envelope(self, value: dict[str, Any]) -> dict[str, Any]:
        """A webhook body around one change value, as Meta sends it."""
        return {"object": "whatsapp_business_account", "entry": [{"id": WABA_ID, "changes": [{
            "value": {"messaging_product": "whatsapp", "metadata": {
                "display_phone_number": "".join(c for c in DISPLAY_NUMBER if c.isdigit()),
                "phone_number_id": self.phone_number_id}, **value},
            "field": "messages"}]}]}

    def sign(self, body: bytes) -> str:
        """X-Hub-Signature-256 of a body, with the app secret."""
        digest = hmac.new(self.app_secret.encode(), body, hashlib.sha256).hexdigest()
        return f"sha256={digest}"

    async def post(self, update: dict[str, Any] | bytes, *,
                   signature: str | bytes | None = "valid") -> httpx.Response:
        """POST a webhook to the bot; signature "valid", None (no header) or a given one."""
        assert self._client is not None and self.webhook_url, "start the fake, set webhook_url"
        body = update if isinstance(update, bytes) else json.dumps(update).encode()
        headers: dict[str, str | bytes] = {"Content-Type": "application/json"}
        if signature is not None:
            headers["X-Hub-Signature-256"] = self.sign(body) if signature == "valid" \
                else signature
        try:
            return await self._client.post(self.webhook_url, content=body, headers=headers)
        except httpx.TransportError:  # a kept-alive connection closed under us: Meta retries
            self.retried += 1
            return await self._client.post(self.webhook_url, content=body, headers=headers)

    async def verify(self, token: str, challenge: str = "1158201444") -> httpx.Response:
        """Meta's verification GET."""
        assert self._client is not None
        return await self._client.get(self.webhook_url, params={
            "hub.mode": "subscribe", "hub.verify_token": token, "hub.challenge": challenge})

    def user(self, wa_id: str, name: str = "Budi Santoso", user_id: str | None = None
             ) -> FakeUser:
        """A WhatsApp user writing to the business number."""
        return FakeUser(self, wa_id, name, user_id or f"ID.{int(wa_id) * 7 % 10**17:017d}")

    def new_media(self, content: bytes, mime: str) -> str:
        """Media a user sends, kept for download."""
        media_id = f"{next(self._ids) + 800_000_000_000}"
        self.media[media_id] = (content, mime)
        return media_id

    def to(self, user: FakeUser) -> list[Sent]:
        """Every message the bot sent to `user`."""
        return [s for s in self.sent if s.to in (user.user_id, user.wa_id)]

    def to_chat(self, to: str) -> list[Sent]:
        """Every message the bot addressed to `to` (a user id or number)."""
        return [s for s in self.sent if s.to == to]


class FakeUser:
    """One WhatsApp user: sends messages as Meta would deliver them, reads the bot's replies."""

    def __init__(self, graph: FakeGraph, wa_id: str, name: str, user_id: str) -> None:
        self.graph, self.wa_id, self.name, self.user_id = graph, wa_id, name, user_id
        self.last: list[Sent] = []
        self._ids = itertools.count(1)

    def message(self, kind: str, content: dict[str, Any], **extra: Any) -> dict[str, Any]:
        """A webhook carrying one message of this user."""
        message_id = f"wamid.IN{self.wa_id[-6:]}{next(self._ids):06d}{int(time.time()) % 1000}"
        self.graph.limits.wrote(self.user_id, self.wa_id)  # the window opens
        msg = {"from": self.wa_id, "from_user_id": self.user_id, "id": message_id,
               "timestamp": str(int(self.graph.clock().timestamp())), "type": kind, **extra}
        if content:
            msg[kind] = content
        return self.graph.envelope({"contacts": [{"profile": {"name": self.name},
                                                  "wa_id": self.wa_id, "user_id": self.user_id}],
                                    "messages": [msg]})

    @staticmethod
    def id_of(update: dict[str, Any]) -> str:
        """The message id in a webhook body built by `message`."""
        return update["entry"][0]["changes"][0]["value"]["messages"][0]["id"]

    async def deliver(self, update: dict[str, Any], timeout: float = 20) -> list[Sent]:
        """Post the webhook, wait until the bot marked the message read; the replies."""
        before = len(self.graph.to(self))
        response = await self.graph.post(update)
        assert response.status_code == 200, response.text
        message_id = self.id_of(update)
        await self.graph.wait_for(lambda: self.graph.reads.get(message_id), timeout)
        self.last = self.graph.to(self)[before:]
        return self.last

    async def say(self, text: str) -> list[Sent]:
        """Type a message."""
        return await self.deliver(self.message("text", {"body": text}))

    def find(self, part: str) -> tuple[Sent, Choice]:
        """The newest message to this user with a choice matching `part` (data or title)."""
        for sent in reversed(self.graph.to(self)):
            choice = sent.choice(part)
            if choice is not None:
                return sent, choice
        shown = [c.title for s in self.graph.to(self)[-3:] for c in s.choices]
        raise AssertionError(f"no choice {part!r} among {shown}")

    async def press(self, part: str) -> list[Sent]:
        """Press a reply button or pick a list row (by its data or a part of its title)."""
        sent, choice = self.find(part)
        context = {"from": self.graph.envelope({})["entry"][0]["changes"][0]["value"][
            "metadata"]["display_phone_number"], "id": sent.id}
        if sent.kind == "template":  # a quick reply: a "button" message, not interactive
            return await self.deliver(self.message(
                "button", {"payload": choice.id, "text": choice.title}, context=context))
        if sent.kind == "buttons":
            reply = {"type": "button_reply", "button_reply": {"id": choice.id,
                                                               "title": choice.title}}
        else:
            reply = {"type": "list_reply", "list_reply": {
                "id": choice.id, "title": choice.title, "description": choice.description}}
        return await self.deliver(self.message("interactive", reply, context=context))

    def text(self) -> str:
        """Every text of the last replies, with the choices' titles."""
        return "\n".join([s.body for s in self.last] +
                         [c.title for s in self.last for c in s.choices])
