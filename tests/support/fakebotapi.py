"""A fake Telegram Bot API server for tests and benchmarks.

The real python-telegram-bot ``Application`` talks to it over real HTTP (long polling)::

    fake = FakeBotAPI(token_check=TOKEN)
    await fake.start()
    app = (
        ApplicationBuilder().token(TOKEN)
        .base_url(f"{fake.url}/bot").base_file_url(f"{fake.url}/file/bot").build()
    )
    fake.track(app)
    ...  # initialize / start / start_polling
    budi = fake.user(42)
    sent = await budi.say("halo")          # push a text update, wait until the bot handled it
    assert sent[0].text == "halo"

The server runs on tornado (python-telegram-bot's webhook dependency) inside the *current*
asyncio loop and listens on 127.0.0.1 only. Every wait is bounded.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import itertools
import json
import math
import mimetypes
import re
import socket
import time
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import tornado.httpserver
import tornado.iostream
import tornado.netutil
import tornado.web
from telegram import Bot, Update

if TYPE_CHECKING:
    from telegram.ext import Application

__all__ = ["FakeBotAPI", "FakeUser", "Request", "UploadedFile", "format_requests"]

JSON = Any
Responder = Callable[[dict[str, Any]], JSON]

# ---------------------------------------------------------------------------------------------
# Static tables
# ---------------------------------------------------------------------------------------------

#: Every Bot API method python-telegram-bot knows, to canonicalise names of unsupported calls.
_PTB_METHODS: dict[str, str] = {
    name.lower(): name
    for name in dir(Bot)
    if name[:1].islower() and not name.startswith("_") and any(c.isupper() for c in name)
}

#: Methods that send a message (rate limited, counted in ``delivered``, 403 when blocked).
_RATED = frozenset(
    {
        "sendMessage", "sendPhoto", "sendDocument", "sendVideo", "sendAudio", "sendVoice",
        "sendAnimation", "sendSticker", "sendLocation", "sendContact", "sendMediaGroup",
        "copyMessage", "forwardMessage",
    }
)  # fmt: skip
#: Methods answered with 403 for a chat in ``blocked`` (sendChatAction is refused too).
_BLOCKABLE = _RATED | {"sendChatAction"}

#: Message field holding the media for each media send method.
_MEDIA_FIELD = {
    "sendPhoto": "photo",
    "sendDocument": "document",
    "sendVideo": "video",
    "sendAudio": "audio",
    "sendVoice": "voice",
    "sendAnimation": "animation",
    "sendSticker": "sticker",
}

#: Parameters that are strings in the Bot API: never JSON-decoded even if they look like JSON.
_STRING_PARAMS = frozenset(
    {
        "text", "caption", "parse_mode", "caption_parse_mode", "callback_query_id",
        "inline_query_id", "inline_message_id", "url", "action", "emoji", "title", "description",
        "short_description", "name", "first_name", "last_name", "phone_number", "vcard",
        "address", "foursquare_id", "foursquare_type", "google_place_id", "google_place_type",
        "question", "question_parse_mode", "explanation", "explanation_parse_mode",
        "business_connection_id", "message_effect_id", "custom_title", "invite_link",
        "secret_token", "ip_address", "language_code", "file_id", "payload", "provider_token",
        "currency", "start_parameter", "game_short_name", "sticker_set_name", "custom_emoji_id",
        "photo", "document", "video", "audio", "voice", "animation", "sticker", "video_note",
        "thumbnail", "certificate", "query", "switch_pm_text", "switch_pm_parameter",
    }
)  # fmt: skip
_JSON_START = frozenset('{["-0123456789tfn')
_INT_RE = re.compile(r"-?\d+")

_FAULTS: dict[str, tuple[int, str]] = {
    "429": (429, "Too Many Requests: retry after {n}"),
    "403": (403, "Forbidden: bot was blocked by the user"),
    "400": (400, "Bad Request: chat not found"),
    "old_query": (400, "Bad Request: query is too old and response timeout expired or query ID "
                       "is invalid"),
    "not_editable": (400, "Bad Request: message can't be edited"),
    "500": (500, "Internal Server Error"),
    "timeout": (0, ""),
}

_MAX_TEXT = 4096
_MAX_CAPTION = 1024
_NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup are "
    "exactly the same as a current content and reply markup of the message"
)


# ---------------------------------------------------------------------------------------------
# Records
# ---------------------------------------------------------------------------------------------


class UploadedFile(bytes):
    """The bytes of a multipart upload, with its ``filename`` and ``content_type``."""

    filename: str
    content_type: str

    def __new__(cls, data: bytes, filename: str = "", content_type: str = "") -> UploadedFile:
        """Wrap ``data`` with its upload metadata."""
        obj = super().__new__(cls, data)
        obj.filename = filename
        obj.content_type = content_type
        return obj

    def __repr__(self) -> str:
        """Show the name and size rather than the content."""
        return f"UploadedFile({self.filename!r}, {len(self)} bytes, {self.content_type!r})"


@dataclass(frozen=True, slots=True)
class Request:
    """One Bot API call received by the fake, as decoded and answered."""

    method: str
    params: dict[str, Any]
    chat_id: int | None
    at: float
    status: int
    #: The ``result`` the fake answered with (``None`` on errors).
    result: Any = None
    #: True when a ``"timeout"`` fault held the answer back.
    held: bool = False
    #: Position in the stream of all recorded requests (survives ``clear()``).
    seq: int = 0

    @property
    def text(self) -> str | None:
        """The message text, or the caption for media."""
        return self.params.get("text") or self.params.get("caption")

    @property
    def parse_mode(self) -> str | None:
        """The parse_mode parameter, if any."""
        return self.params.get("parse_mode")

    @property
    def buttons(self) -> list[list[tuple[str, str | None]]]:
        """Inline keyboard rows as ``(text, callback_data or url)``; ``[]`` without one."""
        markup = self.params.get("reply_markup")
        if not isinstance(markup, dict):
            return []
        return [
            [(b.get("text", ""), b.get("callback_data", b.get("url"))) for b in row]
            for row in markup.get("inline_keyboard") or []
        ]

    @property
    def reply_keyboard(self) -> list[list[str]]:
        """Reply-keyboard rows as button texts; ``[]`` without one."""
        markup = self.params.get("reply_markup")
        if not isinstance(markup, dict):
            return []
        return [
            [b if isinstance(b, str) else b.get("text", "") for b in row]
            for row in markup.get("keyboard") or []
        ]

    def describe(self) -> str:
        """A one-line human readable summary."""
        parts = [f"#{self.seq} {self.method}", f"chat={self.chat_id}", str(self.status)]
        if self.held:
            parts.append("HELD")
        if self.text is not None:
            parts.append(f"text={self.text[:80]!r}")
        if self.buttons:
            parts.append(f"buttons={self.buttons}")
        elif self.method not in ("sendMessage", "getUpdates"):
            shown = {k: v for k, v in self.params.items() if k not in ("text", "chat_id")}
            if shown:
                parts.append(repr(shown)[:160])
        return " ".join(parts)


def format_requests(requests: Iterable[Request]) -> str:
    """Render requests one per line, for assertion messages."""
    lines = [r.describe() for r in requests]
    return "\n".join(lines) if lines else "(no requests recorded)"


@dataclass(slots=True)
class _Fault:
    method: str
    chat_id: int | None
    kind: str
    remaining: int
    retry_after: int


class _ApiError(Exception):
    """An error answer of the Bot API."""

    def __init__(self, status: int, description: str, **parameters: Any) -> None:
        super().__init__(description)
        self.status = status
        self.body: dict[str, Any] = {"ok": False, "error_code": status, "description": description}
        if parameters:
            self.body["parameters"] = parameters


@dataclass(slots=True)
class _Track:
    """Bookkeeping for ``track``/``process``."""

    pending: dict[int, int] = field(default_factory=dict)
    done: set[int] = field(default_factory=set)
    waiters: dict[int, list[asyncio.Future[None]]] = field(default_factory=dict)
    apps: list[int] = field(default_factory=list)


# ---------------------------------------------------------------------------------------------
# Parameter decoding
# ---------------------------------------------------------------------------------------------


def _decode_value(key: str, value: str) -> Any:
    """Decode one form value the way the Bot API would interpret it."""
    if key in _STRING_PARAMS or not value or value[0] not in _JSON_START:
        return value
    try:
        return json.loads(value)
    except ValueError:
        return value


def _resolve_attach(value: Any, files: dict[str, UploadedFile]) -> Any:
    """Replace ``attach://name`` references by the uploaded file (recursively)."""
    if isinstance(value, str):
        if value.startswith("attach://") and value[9:] in files:
            return files[value[9:]]
        return value
    if isinstance(value, list):
        return [_resolve_attach(v, files) for v in value]
    if isinstance(value, dict):
        return {k: _resolve_attach(v, files) for k, v in value.items()}
    return value


def _as_int(value: Any) -> int | None:
    """``value`` as an int if it is one (or an integer string), else None."""
    if type(value) is int:
        return value
    if isinstance(value, str) and _INT_RE.fullmatch(value):
        return int(value)
    return None


def _utf16_len(s: str) -> int:
    return len(s.encode("utf-16-le")) // 2


def _dumps(obj: Any) -> bytes:
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":")).encode()


# ---------------------------------------------------------------------------------------------
# Tornado handlers
# ---------------------------------------------------------------------------------------------


class _Handler(tornado.web.RequestHandler):
    fake: FakeBotAPI
    gone: bool

    def initialize(self, fake: FakeBotAPI) -> None:
        self.fake = fake
        self.gone = False

    def on_connection_close(self) -> None:
        self.gone = True

    def compute_etag(self) -> None:
        return None

    async def reply(self, status: int, body: bytes, content_type: str = "application/json") -> None:
        """Send the answer and wait until it is flushed, unless the client already hung up."""
        if self.gone or self.request.connection is None:
            self._finished = True  # nothing to send to; keep tornado from auto-finishing
            return
        self.set_status(status)
        self.set_header("Content-Type", content_type)
        with contextlib.suppress(tornado.iostream.StreamClosedError):
            await self.finish(body)


class _ApiHandler(_Handler):
    async def get(self, token: str, method: str) -> None:
        await self.fake._serving(self.fake._serve_api(self, token, method))

    post = get


class _FileHandler(_Handler):
    async def get(self, token: str, path: str) -> None:
        await self.fake._serving(self.fake._serve_file(self, token, path))


class _NotFoundHandler(_Handler):
    async def prepare(self) -> None:
        await self.reply(404, _dumps(_ApiError(404, "Not Found").body))


# ---------------------------------------------------------------------------------------------
# The fake server
# ---------------------------------------------------------------------------------------------


class FakeBotAPI:
    """A fake Telegram Bot API HTTP server bound to 127.0.0.1."""

    def __init__(
        self,
        *,
        token_check: str | None = None,
        rate_limit: float | None = None,
        per_chat_limit: float | None = None,
        getupdates_timeout_cap: float = 1.0,
        record: bool = True,
        hold_seconds: float = 10.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        """Configure the fake; nothing listens until ``start()``."""
        self.token_check = token_check
        self.rate_limit = rate_limit
        self.per_chat_limit = per_chat_limit
        self.getupdates_timeout_cap = getupdates_timeout_cap
        self.record = record
        self.hold_seconds = hold_seconds
        self.clock = clock

        bot_id = _as_int(token_check.split(":", 1)[0]) if token_check else None
        self.bot_user: dict[str, Any] = {
            "id": bot_id or 7000000001,
            "is_bot": True,
            "first_name": "UMKM Test Bot",
            "username": "umkm_test_bot",
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
        }
        self.url = ""
        self.requests: list[Request] = []
        self.blocked: set[int] = set()
        self.delivered: collections.Counter[int | None] = collections.Counter()
        self.stats: collections.Counter[str] = collections.Counter()
        #: Downloadable files by file_id (served by getFile and the file URL).
        self.files: dict[str, bytes] = {}

        self._by_method: dict[str, list[Request]] = collections.defaultdict(list)
        self._seq = 0
        self._dropped = 0
        self._waiters: list[tuple[Callable[[Request], bool], asyncio.Future[Request]]] = []
        self._faults: list[_Fault] = []
        self._responders: dict[str, Responder] = {}
        self._canonical: dict[str, str] = {}
        self._builtin: dict[str, Callable[[dict[str, Any], int | None], JSON]] = {
            "getMe": lambda p, c: self.bot_user,
            "logOut": lambda p, c: True,
            "close": lambda p, c: True,
            "deleteWebhook": self._delete_webhook,
            "setWebhook": lambda p, c: True,
            "getWebhookInfo": lambda p, c: {
                "url": "",
                "has_custom_certificate": False,
                "pending_update_count": len(self._queue),
            },
            "setMyCommands": self._set_my_commands,
            "deleteMyCommands": self._delete_my_commands,
            "getMyCommands": lambda p, c: self._commands.get(self._commands_key(p), []),
            "setChatMenuButton": lambda p, c: True,
            "getChatMenuButton": lambda p, c: {"type": "default"},
            "setMyDescription": lambda p, c: True,
            "setMyShortDescription": lambda p, c: True,
            "setMyName": lambda p, c: True,
            "sendChatAction": lambda p, c: True,
            "answerCallbackQuery": lambda p, c: True,
            "sendMessage": self._send,
            "sendLocation": self._send,
            "sendContact": self._send,
            "sendMediaGroup": self._send_media_group,
            "copyMessage": self._copy_message,
            "forwardMessage": self._forward_message,
            "editMessageText": self._edit_text,
            "editMessageCaption": self._edit_caption,
            "editMessageReplyMarkup": self._edit_markup,
            "deleteMessage": self._delete_message,
            "deleteMessages": self._delete_message,
            "getFile": self._get_file,
        }
        for method in _MEDIA_FIELD:
            self._builtin[method] = self._send
        for method in (*self._builtin, "getUpdates"):
            self._canonical[method.lower()] = method

        # Chats, messages and updates.
        self._chats: dict[int, dict[str, Any]] = {}
        self._next_message_id: collections.Counter[int] = collections.Counter()
        self._messages: dict[tuple[int, int], dict[str, Any]] = {}
        self._keyboards: dict[int, dict[int, dict[str, Any]]] = {}
        self._callback_chat: dict[str, int] = {}
        self._commands: dict[str, list[Any]] = {}
        self._queue: collections.deque[dict[str, Any]] = collections.deque()
        self._next_update_id = 1
        self._push_seq: dict[int, int] = {}
        self._ids = itertools.count(1)
        self._new_updates = asyncio.Event()
        self._polling = 0
        self._polling_event = asyncio.Event()
        self._track = _Track()

        # Rate limiting.
        self._window: collections.deque[float] = collections.deque()
        self._last_send: dict[int, float] = {}

        # Server.
        self._server: tornado.httpserver.HTTPServer | None = None
        self._closing = asyncio.Event()
        self._inflight = 0
        self._idle = asyncio.Event()
        self._idle.set()

    # -- lifecycle -------------------------------------------------------------------------

    async def start(self) -> None:
        """Bind 127.0.0.1 on a free port and serve in the current asyncio loop."""
        if self._server is not None:
            raise RuntimeError("FakeBotAPI already started")
        # Fresh events: asyncio binds them to the loop that first waits on them.
        self._closing = asyncio.Event()
        self._idle = asyncio.Event()
        self._idle.set()
        self._polling_event = asyncio.Event()
        self._new_updates = asyncio.Event()
        if self._queue:
            self._new_updates.set()
        app = tornado.web.Application(
            [
                (r"/bot([^/]+)/([^/]+)/?", _ApiHandler, {"fake": self}),
                (r"/file/bot([^/]+)/(.+)", _FileHandler, {"fake": self}),
            ],
            default_handler_class=_NotFoundHandler,
            default_handler_args={"fake": self},
            log_function=lambda handler: None,
            compress_response=False,
        )
        sockets = tornado.netutil.bind_sockets(0, "127.0.0.1", family=socket.AF_INET)
        self._server = tornado.httpserver.HTTPServer(app, idle_connection_timeout=30)
        self._server.add_sockets(sockets)
        port = sockets[0].getsockname()[1]
        self.url = f"http://127.0.0.1:{port}"

    async def stop(self, timeout: float = 5.0) -> None:
        """Release held requests and long polls, close all connections and stop listening."""
        server, self._server = self._server, None
        if server is None:
            return
        self._closing.set()
        self._new_updates.set()
        server.stop()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._idle.wait(), timeout)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(server.close_all_connections(), timeout)
        for _, fut in self._waiters:
            if not fut.done():
                fut.cancel()
        self._waiters.clear()

    async def __aenter__(self) -> FakeBotAPI:
        """Start the server."""
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        """Stop the server."""
        await self.stop()

    # -- recorded requests -----------------------------------------------------------------

    def calls(self, method: str, chat_id: int | None = None) -> list[Request]:
        """Recorded requests of ``method`` (any case), optionally only to ``chat_id``."""
        found = self._by_method.get(self._canonical_name(method), [])
        if chat_id is None:
            return list(found)
        return [r for r in found if r.chat_id == chat_id]

    def clear(self) -> None:
        """Forget recorded requests (counters, chats and the update queue are kept)."""
        self._dropped += len(self.requests)
        self.requests = []
        self._by_method.clear()

    def dump(self, last: int = 25) -> str:
        """The last ``last`` recorded requests, one per line."""
        return format_requests(self.requests[-last:])

    async def wait_for(self, predicate: Callable[[Request], bool],
                       timeout: float = 15.0) -> Request:
        """First request (already recorded or future) matching ``predicate``."""
        for req in self.requests:
            if predicate(req):
                return req
        fut: asyncio.Future[Request] = asyncio.get_running_loop().create_future()
        entry = (predicate, fut)
        self._waiters.append(entry)
        try:
            return await asyncio.wait_for(fut, timeout)
        except TimeoutError:
            raise TimeoutError(
                f"no matching request within {timeout}s; last requests:\n{self.dump()}"
            ) from None
        finally:
            with contextlib.suppress(ValueError):
                self._waiters.remove(entry)

    # -- customisation ---------------------------------------------------------------------

    def respond(self, method: str, result: JSON | Responder) -> None:
        """Answer ``method`` with ``result`` (or ``result(params)``), adding or overriding it."""
        self._canonical[method.lower()] = method
        self._responders[method] = result if callable(result) else (lambda params: result)

    def fail(
        self,
        method: str,
        *,
        chat_id: int | None = None,
        kind: str,
        times: int = 1,
        retry_after: int = 1,
    ) -> None:
        """Make the next ``times`` matching calls fail with ``kind``."""
        kind = str(kind)
        if kind not in _FAULTS:
            raise ValueError(f"unknown fault kind {kind!r}; use one of {sorted(_FAULTS)}")
        if times < 1:
            raise ValueError("times must be >= 1")
        self._faults.append(_Fault(self._canonical_name(method), chat_id, kind, times, retry_after))

    # -- updates ---------------------------------------------------------------------------

    def user(
        self,
        user_id: int,
        first_name: str = "Budi",
        language_code: str | None = "id",
        username: str | None = None,
    ) -> FakeUser:
        """A user with a private chat to the bot (chat id == user id)."""
        return FakeUser(self, user_id, first_name, language_code, username)

    def push(self, update: dict[str, Any]) -> int:
        """Enqueue a raw update for getUpdates; assigns and returns its update_id."""
        update_id = self._next_update_id
        self._next_update_id += 1
        self._queue.append({**update, "update_id": update_id})
        self._push_seq[update_id] = self._seq
        event, self._new_updates = self._new_updates, asyncio.Event()
        event.set()
        return update_id

    async def wait_polling(self, timeout: float = 15.0) -> None:
        """Wait until a getUpdates long poll is parked waiting for new updates."""
        try:
            await asyncio.wait_for(self._polling_event.wait(), timeout)
        except TimeoutError:
            raise TimeoutError(
                f"no getUpdates long poll within {timeout}s; last requests:\n{self.dump()}"
            ) from None

    @property
    def pending_updates(self) -> int:
        """Updates not yet confirmed by a getUpdates offset."""
        return len(self._queue)

    # -- waiting for the bot ---------------------------------------------------------------

    def track(self, application: Application[Any, Any, Any, Any, Any, Any]) -> None:
        """Let ``process()`` know when ``application`` finished handling an update."""
        if id(application) in self._track.apps:
            return
        original_process = application.process_update
        original_create_task = application.create_task

        async def process_update(update: object) -> None:
            uid = update.update_id if isinstance(update, Update) else None
            if uid is None:
                return await original_process(update)
            self._hold_update(uid)
            try:
                await original_process(update)
            finally:
                self._release_update(uid)

        def create_task(coroutine: Any, update: object = None, *, name: str | None = None) -> Any:
            task = original_create_task(coroutine, update=update, name=name)
            if isinstance(update, Update):
                uid = update.update_id
                self._hold_update(uid)
                task.add_done_callback(lambda _task: self._release_update(uid))
            return task

        try:
            application.process_update = process_update  # type: ignore[method-assign]
            application.create_task = create_task  # type: ignore[method-assign]
        except AttributeError as exc:  # pragma: no cover - depends on PTB's __slots__
            raise TypeError("cannot instrument this Application instance") from exc
        self._track.apps.append(id(application))

    async def process(self, update_id: int, timeout: float = 15.0) -> list[Request]:
        """Wait until the tracked bot handled ``update_id``; return the requests since its push.

        The returned list leaves out getUpdates, and is empty with ``record=False``. With
        concurrent updates it also holds requests made for other updates in the meantime.
        """
        if not self._track.apps:
            raise RuntimeError("call fake.track(application) before fake.process()")
        if update_id not in self._track.done:
            fut: asyncio.Future[None] = asyncio.get_running_loop().create_future()
            self._track.waiters.setdefault(update_id, []).append(fut)
            try:
                await asyncio.wait_for(fut, timeout)
            except TimeoutError:
                state = "pending" if update_id in self._track.pending else "not started"
                raise TimeoutError(
                    f"update {update_id} not processed within {timeout}s ({state}; "
                    f"{len(self._queue)} update(s) unconfirmed); last requests:\n{self.dump()}"
                ) from None
            finally:
                waiters = self._track.waiters.get(update_id, [])
                if fut in waiters:
                    waiters.remove(fut)
        start = max(self._push_seq.get(update_id, self._seq) - self._dropped, 0)
        return [r for r in self.requests[start:] if r.method != "getUpdates"]

    def _hold_update(self, uid: int) -> None:
        self._track.pending[uid] = self._track.pending.get(uid, 0) + 1

    def _release_update(self, uid: int) -> None:
        left = self._track.pending.get(uid, 1) - 1
        if left > 0:
            self._track.pending[uid] = left
            return
        self._track.pending.pop(uid, None)
        self._track.done.add(uid)
        for fut in self._track.waiters.pop(uid, []):
            if not fut.done():
                fut.set_result(None)

    # -- HTTP ------------------------------------------------------------------------------

    def _canonical_name(self, method: str) -> str:
        low = method.lower()
        return self._canonical.get(low) or _PTB_METHODS.get(low, method)

    @staticmethod
    def _parse_params(handler: _Handler) -> dict[str, Any]:
        request = handler.request
        ctype = request.headers.get("Content-Type", "")
        params: dict[str, Any] = {}
        for source in (request.query_arguments, request.body_arguments):
            for key, values in source.items():
                params[key] = _decode_value(key, values[-1].decode("utf-8", "replace"))
        if ctype.startswith("application/json") and request.body:
            body = json.loads(request.body)
            if not isinstance(body, dict):
                raise ValueError("JSON body must be an object")
            for key, value in body.items():
                params[key] = (
                    _decode_value(key, value)
                    if isinstance(value, str) and value[:1] in ("{", "[")
                    else value
                )
        if request.files:
            files = {
                name: UploadedFile(parts[-1].body, parts[-1].filename, parts[-1].content_type)
                for name, parts in request.files.items()
            }
            params = _resolve_attach(params, files)
            for name, upload in files.items():
                params.setdefault(name, upload)
        return params

    async def _serving(self, work: Awaitable[None]) -> None:
        """Run one request's handling, counted as in flight (``stop()`` waits for it)."""
        self._inflight += 1
        self._idle.clear()
        try:
            await work
        finally:
            self._inflight -= 1
            if not self._inflight:
                self._idle.set()

    async def _serve_api(self, handler: _Handler, token: str, raw_method: str) -> None:
        at = self.clock()
        method = self._canonical_name(raw_method)
        held = False
        result: Any = None
        chat_id: int | None = None
        try:
            params = self._parse_params(handler)
        except ValueError:
            params = {}
            status, body = 400, _ApiError(400, "Bad Request: can't parse request body").body
        else:
            chat_id = self._request_chat(method, params)
            if self.token_check is not None and token != self.token_check:
                status, body = 401, _ApiError(401, "Unauthorized").body
            elif not self._supports(method):
                status, body = 404, _ApiError(404, "Not Found: method not found").body
            else:
                fault = self._take_fault(method, chat_id) if self._faults else None
                if fault is not None and fault.kind != "timeout":
                    status, body = self._fault_answer(fault)
                else:
                    held = fault is not None
                    if method == "getUpdates" and method not in self._responders:
                        result = await self._get_updates(params)
                        status, body = 200, {"ok": True, "result": result}
                    else:
                        status, body = self._call(method, params, chat_id)
                        result = body.get("result")
        self.stats["requests"] += 1
        self.stats[str(status)] += 1
        if held:
            self.stats["held"] += 1
        self._seq += 1
        req = Request(method, params, chat_id, at, status, result, held, self._seq)
        if self.record:
            self.requests.append(req)
            self._by_method[method].append(req)
        if self._waiters:
            self._notify(req)
        if held:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._closing.wait(), self.hold_seconds)
        await handler.reply(status, _dumps(body))

    def _supports(self, method: str) -> bool:
        return method in self._builtin or method in self._responders or method == "getUpdates"

    def _request_chat(self, method: str, params: dict[str, Any]) -> int | None:
        chat_id = _as_int(params.get("chat_id"))
        if chat_id is None and method == "answerCallbackQuery":
            chat_id = self._callback_chat.get(str(params.get("callback_query_id")))
        return chat_id

    def _notify(self, req: Request) -> None:
        for predicate, fut in list(self._waiters):
            if fut.done():
                continue
            try:
                if predicate(req):
                    fut.set_result(req)
            except Exception as exc:
                fut.set_exception(exc)

    async def _serve_file(self, handler: _Handler, token: str, path: str) -> None:
        if self.token_check is not None and token != self.token_check:
            await handler.reply(401, _dumps(_ApiError(401, "Unauthorized").body))
            return
        data = self.files.get(path.rsplit("/", 1)[-1])
        if data is None:
            await handler.reply(404, _dumps(_ApiError(404, "Not Found").body))
            return
        await handler.reply(200, data, "application/octet-stream")

    # -- dispatch --------------------------------------------------------------------------

    def _take_fault(self, method: str, chat_id: int | None) -> _Fault | None:
        for fault in self._faults:
            if fault.method == method and fault.chat_id in (None, chat_id):
                fault.remaining -= 1
                if fault.remaining <= 0:
                    self._faults.remove(fault)
                return fault
        return None

    @staticmethod
    def _fault_answer(fault: _Fault) -> tuple[int, dict[str, Any]]:
        status, description = _FAULTS[fault.kind]
        if fault.kind == "429":
            n = fault.retry_after
            return status, _ApiError(status, description.format(n=n), retry_after=n).body
        return status, _ApiError(status, description).body

    def _call(
        self, method: str, params: dict[str, Any], chat_id: int | None
    ) -> tuple[int, dict[str, Any]]:
        try:
            if method in _BLOCKABLE and chat_id in self.blocked:
                raise _ApiError(403, "Forbidden: bot was blocked by the user")
            rated = method in _RATED
            now = self.clock() if rated else 0.0
            if rated:
                self._check_rate(chat_id, now)
            responder = self._responders.get(method)
            result = responder(params) if responder else self._builtin[method](params, chat_id)
        except _ApiError as err:
            return err.status, err.body
        except Exception as exc:  # a bug in the fake or a responder: answer, don't hang
            return 500, _ApiError(500, f"Internal Server Error: fake failed: {exc!r}").body
        if rated:
            self.delivered[chat_id] += 1
            if self.rate_limit:
                self._window.append(now)
            if self.per_chat_limit and chat_id is not None:
                self._last_send[chat_id] = now
        return 200, {"ok": True, "result": result}

    def _check_rate(self, chat_id: int | None, now: float) -> None:
        if self.per_chat_limit and chat_id is not None:
            last = self._last_send.get(chat_id)
            if last is not None:
                wait = 1.0 / self.per_chat_limit - (now - last)
                if wait > 0:
                    self._too_many(wait)
        if self.rate_limit:
            window = self._window
            while window and window[0] <= now - 1.0:
                window.popleft()
            if len(window) >= self.rate_limit:
                self._too_many(window[0] + 1.0 - now)

    def _too_many(self, wait: float) -> None:
        n = max(1, math.ceil(wait))
        raise _ApiError(429, f"Too Many Requests: retry after {n}", retry_after=n)

    async def _get_updates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        offset = _as_int(params.get("offset")) or 0
        limit = min(max(_as_int(params.get("limit")) or 100, 1), 100)
        try:
            timeout = max(float(params.get("timeout") or 0), 0.0)
        except (TypeError, ValueError):
            timeout = 0.0
        self._confirm(offset)
        if not self._queue and timeout > 0 and not self._closing.is_set():
            event = self._new_updates
            self._polling += 1
            self._polling_event.set()
            try:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(event.wait(), min(timeout, self.getupdates_timeout_cap))
            finally:
                self._polling -= 1
                if not self._polling:
                    self._polling_event.clear()
            self._confirm(offset)
        return list(itertools.islice(self._queue, limit))

    def _confirm(self, offset: int) -> None:
        queue = self._queue
        if offset > 0:
            while queue and queue[0]["update_id"] < offset:
                queue.popleft()
        elif offset < 0:
            while len(queue) > -offset:
                queue.popleft()

    # -- chats and messages ----------------------------------------------------------------

    def _chat(self, chat_id: int) -> dict[str, Any]:
        chat = self._chats.get(chat_id)
        if chat is None:
            if chat_id > 0:
                chat = {"id": chat_id, "type": "private", "first_name": f"User {chat_id}"}
            else:
                kind = "supergroup" if str(chat_id).startswith("-100") else "group"
                chat = {"id": chat_id, "type": kind, "title": f"Group {chat_id}"}
            self._chats[chat_id] = chat
        return chat

    def _new_message_id(self, chat_id: int) -> int:
        self._next_message_id[chat_id] += 1
        return self._next_message_id[chat_id]

    def _bot_message(self, chat_id: int) -> dict[str, Any]:
        return {
            "message_id": self._new_message_id(chat_id),
            "from": self.bot_user,
            "chat": self._chat(chat_id),
            "date": int(time.time()),
        }

    def _store(self, msg: dict[str, Any]) -> None:
        chat_id, mid = msg["chat"]["id"], msg["message_id"]
        if self.record:
            self._messages[(chat_id, mid)] = msg
        keyboards = self._keyboards.setdefault(chat_id, {})
        markup = msg.get("reply_markup")
        if isinstance(markup, dict) and markup.get("inline_keyboard"):
            if not self.record:
                keyboards.clear()
            keyboards[mid] = msg
        else:
            keyboards.pop(mid, None)

    def _find_message(self, chat_id: int, message_id: int) -> dict[str, Any] | None:
        found = self._messages.get((chat_id, message_id))
        if found is None:
            found = self._keyboards.get(chat_id, {}).get(message_id)
        return found

    def last_keyboard_message(self, chat_id: int) -> dict[str, Any] | None:
        """The bot's latest message to ``chat_id`` that still carries an inline keyboard."""
        keyboards = self._keyboards.get(chat_id)
        return keyboards[max(keyboards)] if keyboards else None

    def _require_chat(self, chat_id: int | None) -> int:
        if chat_id is None:
            raise _ApiError(400, "Bad Request: chat not found")
        return chat_id

    @staticmethod
    def _check_markup(params: dict[str, Any]) -> dict[str, Any] | None:
        """The inline keyboard markup to echo back, validated like Telegram does."""
        markup = params.get("reply_markup")
        if not isinstance(markup, dict) or "inline_keyboard" not in markup:
            return None
        for row in markup["inline_keyboard"]:
            for button in row:
                data = button.get("callback_data")
                if data is not None and not 1 <= len(str(data).encode()) <= 64:
                    raise _ApiError(400, "Bad Request: BUTTON_DATA_INVALID")
        return markup

    @staticmethod
    def _check_text(params: dict[str, Any], key: str, limit: int) -> str | None:
        text = params.get(key)
        if text is None:
            return None
        text = str(text)
        # Only the raw length is known; with a parse_mode the markup would not count.
        if not params.get("parse_mode") and _utf16_len(text) > limit:
            what = "message" if key == "text" else "message caption"
            raise _ApiError(400, f"Bad Request: {what} is too long")
        return text

    def _media(self, kind: str, value: Any) -> Any:
        n = next(self._ids)
        size = len(value) if isinstance(value, bytes) else 1024
        if isinstance(value, str) and not value.startswith(("http://", "https://")):
            file_id = value
        else:
            file_id = f"fake-{kind}-{n}"
            if isinstance(value, bytes) and self.record:
                self.files[file_id] = bytes(value)
        base = {"file_id": file_id, "file_unique_id": f"u-{file_id}", "file_size": size}
        if kind == "photo":
            return [
                {**base, "file_id": f"{file_id}-s", "file_unique_id": f"u-{file_id}-s",
                 "width": 90, "height": 90, "file_size": min(size, 1000)},
                {**base, "width": 800, "height": 600},
            ]  # fmt: skip
        if kind == "document":
            name = getattr(value, "filename", "") or "document"
            mime = getattr(value, "content_type", "") or mimetypes.guess_type(name)[0]
            return {**base, "file_name": name, "mime_type": mime or "application/octet-stream"}
        if kind in ("video", "animation"):
            return {**base, "width": 640, "height": 360, "duration": 5}
        if kind in ("audio", "voice"):
            return {**base, "duration": 3}
        if kind == "sticker":
            return {**base, "width": 512, "height": 512, "is_animated": False,
                    "is_video": False, "type": "regular"}  # fmt: skip
        return base

    def _send(self, params: dict[str, Any], chat_id: int | None) -> dict[str, Any]:
        chat_id = self._require_chat(chat_id)
        markup = self._check_markup(params)
        kind = next((k for k in _MEDIA_FIELD.values() if k in params), None)
        content: dict[str, Any]
        if "latitude" in params and "longitude" in params:
            content = {
                "location": {"latitude": params["latitude"], "longitude": params["longitude"]}
            }
        elif "phone_number" in params:
            contact = {
                "phone_number": params["phone_number"],
                "first_name": params.get("first_name"),
            }
            content = {"contact": contact}
        elif kind is not None:
            caption = self._check_text(params, "caption", _MAX_CAPTION)
            content = {kind: self._media(kind, params[kind])}
            if caption:
                content["caption"] = caption
        else:
            text = self._check_text(params, "text", _MAX_TEXT)
            if not text or not text.strip():
                raise _ApiError(400, "Bad Request: message text is empty")
            content = {"text": text}
        if markup is not None:
            content["reply_markup"] = markup
        msg = self._bot_message(chat_id) | content
        self._store(msg)
        return msg

    def _send_media_group(self, params: dict[str, Any], chat_id: int | None) -> list[Any]:
        chat_id = self._require_chat(chat_id)
        media = params.get("media")
        if not isinstance(media, list) or not 2 <= len(media) <= 10:
            raise _ApiError(400, "Bad Request: wrong number of media specified")
        group_id = str(next(self._ids))
        out = []
        for item in media:
            kind = item.get("type", "photo")
            msg = self._bot_message(chat_id)
            msg["media_group_id"] = group_id
            msg[kind] = self._media(kind, item.get("media"))
            if item.get("caption"):
                msg["caption"] = item["caption"]
            self._store(msg)
            out.append(msg)
        return out

    def _copy_message(self, params: dict[str, Any], chat_id: int | None) -> dict[str, int]:
        msg = self._copy(params, chat_id)
        if "caption" in params:
            msg["caption"] = params["caption"]
        markup = self._check_markup(params)
        if markup is not None:
            msg["reply_markup"] = markup
        self._store(msg)
        return {"message_id": msg["message_id"]}

    def _forward_message(self, params: dict[str, Any], chat_id: int | None) -> dict[str, Any]:
        msg = self._copy(params, chat_id)
        msg["forward_origin"] = {
            "type": "hidden_user",
            "sender_user_name": "Hidden",
            "date": msg["date"],
        }
        self._store(msg)
        return msg

    def _copy(self, params: dict[str, Any], chat_id: int | None) -> dict[str, Any]:
        chat_id = self._require_chat(chat_id)
        src_chat = _as_int(params.get("from_chat_id"))
        src_id = _as_int(params.get("message_id"))
        source = self._find_message(src_chat, src_id) if src_chat is not None and src_id else None
        msg = self._bot_message(chat_id)
        if source is not None:
            skip = {"message_id", "from", "chat", "date", "reply_markup", "edit_date"}
            msg.update({k: v for k, v in source.items() if k not in skip})
        return msg

    def _edit_text(self, params: dict[str, Any], chat_id: int | None) -> Any:
        return self._edit(params, chat_id, "text")

    def _edit_caption(self, params: dict[str, Any], chat_id: int | None) -> Any:
        return self._edit(params, chat_id, "caption")

    def _edit_markup(self, params: dict[str, Any], chat_id: int | None) -> Any:
        return self._edit(params, chat_id, None)

    def _edit(self, params: dict[str, Any], chat_id: int | None, what: str | None) -> Any:
        """editMessageText/Caption/ReplyMarkup: the edited message, validated like Telegram."""
        if "inline_message_id" in params:
            return True
        chat_id = self._require_chat(chat_id)
        message_id = _as_int(params.get("message_id"))
        if message_id is None:
            raise _ApiError(400, "Bad Request: message identifier is not specified")
        old = self._find_message(chat_id, message_id)
        if old is None:
            if self.record:  # every bot message is known, so the bot got the id wrong
                raise _ApiError(400, "Bad Request: message to edit not found")
            old = self._bot_message(chat_id) | {"message_id": message_id, "text": ""}
        new = {k: v for k, v in old.items() if k not in ("edit_date", "reply_markup")}
        if what == "text":
            if "text" not in old:
                raise _ApiError(400, "Bad Request: there is no text in the message to edit")
            text = self._check_text(params, "text", _MAX_TEXT)
            if not text or not text.strip():
                raise _ApiError(400, "Bad Request: message text is empty")
            new["text"] = text
        elif what == "caption":
            caption = self._check_text(params, "caption", _MAX_CAPTION)
            new.pop("caption", None)
            if caption:
                new["caption"] = caption
        markup = self._check_markup(params)
        if markup is not None:
            new["reply_markup"] = markup
        if all(new.get(k) == old.get(k) for k in ("text", "caption", "reply_markup")):
            raise _ApiError(400, _NOT_MODIFIED)
        new["edit_date"] = int(time.time())
        self._store(new)
        return new

    def _delete_message(self, params: dict[str, Any], chat_id: int | None) -> bool:
        chat_id = self._require_chat(chat_id)
        ids = params.get("message_ids") or [params.get("message_id")]
        for mid in ids:
            mid = _as_int(mid)
            if mid is not None:
                self._messages.pop((chat_id, mid), None)
                self._keyboards.get(chat_id, {}).pop(mid, None)
        return True

    def _get_file(self, params: dict[str, Any], chat_id: int | None) -> dict[str, Any]:
        file_id = str(params.get("file_id", ""))
        data = self.files.get(file_id)
        if data is None:
            raise _ApiError(400, "Bad Request: invalid file_id")
        return {
            "file_id": file_id,
            "file_unique_id": f"u-{file_id}",
            "file_size": len(data),
            "file_path": f"files/{file_id}",
        }

    def _delete_webhook(self, params: dict[str, Any], chat_id: int | None) -> bool:
        if params.get("drop_pending_updates") is True:
            self._queue.clear()
        return True

    @staticmethod
    def _commands_key(params: dict[str, Any]) -> str:
        scope = params.get("scope") or {"type": "default"}
        return json.dumps([scope, params.get("language_code") or ""], sort_keys=True)

    def _set_my_commands(self, params: dict[str, Any], chat_id: int | None) -> bool:
        commands = params.get("commands")
        if not isinstance(commands, list):
            raise _ApiError(400, "Bad Request: can't parse commands JSON object")
        self._commands[self._commands_key(params)] = commands
        return True

    def _delete_my_commands(self, params: dict[str, Any], chat_id: int | None) -> bool:
        self._commands.pop(self._commands_key(params), None)
        return True


# ---------------------------------------------------------------------------------------------
# Fake users
# ---------------------------------------------------------------------------------------------


class FakeUser:
    """A Telegram user in a private chat with the bot; builds and pushes updates."""

    def __init__(
        self,
        fake: FakeBotAPI,
        user_id: int,
        first_name: str = "Budi",
        language_code: str | None = "id",
        username: str | None = None,
    ) -> None:
        """Register the user and its private chat with ``fake``."""
        self.fake = fake
        self.id = user_id
        self.first_name = first_name
        self.user: dict[str, Any] = {"id": user_id, "is_bot": False, "first_name": first_name}
        if username is not None:
            self.user["username"] = username
        if language_code is not None:
            self.user["language_code"] = language_code
        self.chat: dict[str, Any] = {"id": user_id, "type": "private", "first_name": first_name}
        if username is not None:
            self.chat["username"] = username
        fake._chats[user_id] = self.chat
        self.last_message_id: int | None = None

    @property
    def chat_id(self) -> int:
        """The private chat id (== user id)."""
        return self.id

    # -- building blocks -------------------------------------------------------------------

    def _message(self, chat: dict[str, Any], **content: Any) -> dict[str, Any]:
        message_id = self.fake._new_message_id(chat["id"])
        if chat["id"] == self.id:
            self.last_message_id = message_id
        return {
            "message_id": message_id,
            "from": self.user,
            "chat": chat,
            "date": int(time.time()),
            **content,
        }

    @staticmethod
    def _text_content(s: str) -> dict[str, Any]:
        content: dict[str, Any] = {"text": s}
        if s.startswith("/") and len(s) > 1:
            command = s.split(maxsplit=1)[0]
            content["entities"] = [
                {"type": "bot_command", "offset": 0, "length": _utf16_len(command)}
            ]
        return content

    def _file(self, kind: str, content: bytes) -> dict[str, Any]:
        file_id = f"user-{kind}-{next(self.fake._ids)}"
        self.fake.files[file_id] = content
        return {"file_id": file_id, "file_unique_id": f"u-{file_id}", "file_size": len(content)}

    def _push_message(self, **content: Any) -> int:
        return self.fake.push({"message": self._message(self.chat, **content)})

    # -- updates ---------------------------------------------------------------------------

    def text(self, s: str) -> int:
        """Push a text message (a leading ``/command`` gets its bot_command entity)."""
        return self._push_message(**self._text_content(s))

    def command(self, s: str) -> int:
        """Push a command such as ``"/start abc"`` with a proper bot_command entity."""
        if not s.startswith("/"):
            s = "/" + s
        return self.text(s)

    def press(
        self, callback_data: str, message_id: int | None = None, *, check: bool = True
    ) -> int:
        """Push a callback_query for a button of the bot's last keyboard (or ``message_id``).

        With ``check`` a button with ``callback_data`` must exist on a message the fake knows.
        """
        fake = self.fake
        if message_id is None:
            found = fake.last_keyboard_message(self.id)
            if found is None:
                raise LookupError(
                    f"the bot sent no message with an inline keyboard to chat {self.id}; "
                    f"last requests:\n{fake.dump()}"
                )
        else:
            found = fake._find_message(self.id, message_id)
        message: dict[str, Any] = found or {
            "message_id": message_id,
            "from": fake.bot_user,
            "chat": self.chat,
            "date": int(time.time()),
            "text": "",
        }
        if check and found is not None:
            rows = message.get("reply_markup", {}).get("inline_keyboard", [])
            datas = [b.get("callback_data") for row in rows for b in row]
            if callback_data not in datas:
                raise ValueError(
                    f"message {message['message_id']} has no button with callback_data "
                    f"{callback_data!r}; it has {datas!r} (pass check=False to force)"
                )
        query_id = str(4_000_000_000_000_000 + next(fake._ids))
        fake._callback_chat[query_id] = self.id
        return fake.push(
            {
                "callback_query": {
                    "id": query_id,
                    "from": self.user,
                    "message": message,
                    "chat_instance": str(8_000_000_000_000_000 + self.id),
                    "data": callback_data,
                }
            }
        )

    def photo(self, caption: str | None = None, content: bytes = b"\xff\xd8fake-jpeg") -> int:
        """Push a photo message (two sizes)."""
        base = self._file("photo", content)
        sizes = [
            {**base, "file_id": base["file_id"] + "-s", "width": 90, "height": 90},
            {**base, "width": 1280, "height": 960},
        ]
        extra = {"caption": caption} if caption else {}
        return self._push_message(photo=sizes, **extra)

    def sticker(self, emoji: str = "👍") -> int:
        """Push a regular static sticker."""
        sticker = self._file("sticker", b"RIFFfake-webp") | {
            "width": 512,
            "height": 512,
            "is_animated": False,
            "is_video": False,
            "type": "regular",
            "emoji": emoji,
        }
        return self._push_message(sticker=sticker)

    def voice(self, duration: int = 3) -> int:
        """Push a voice note."""
        voice = self._file("voice", b"OggSfake") | {"duration": duration, "mime_type": "audio/ogg"}
        return self._push_message(voice=voice)

    def video(self, duration: int = 5) -> int:
        """Push a video."""
        video = self._file("video", b"fake-mp4") | {
            "width": 640,
            "height": 360,
            "duration": duration,
            "mime_type": "video/mp4",
        }
        return self._push_message(video=video)

    def location(self, lat: float, lon: float) -> int:
        """Push a location."""
        return self._push_message(location={"latitude": lat, "longitude": lon})

    def contact(self, phone: str, own: bool = True) -> int:
        """Push a contact; ``own`` means the user shared their own number."""
        contact: dict[str, Any] = {
            "phone_number": phone,
            "first_name": self.first_name if own else "Siti",
            "user_id": self.id if own else self.id + 1_000_000,
        }
        return self._push_message(contact=contact)

    def document(
        self,
        file_name: str = "x.pdf",
        content: bytes = b"%PDF-1.4 fake",
        caption: str | None = None,
    ) -> int:
        """Push a document; its bytes are downloadable through getFile."""
        mime = mimetypes.guess_type(file_name)[0] or "application/octet-stream"
        document = self._file("document", content) | {"file_name": file_name, "mime_type": mime}
        extra = {"caption": caption} if caption else {}
        return self._push_message(document=document, **extra)

    def edited(self, text: str) -> int:
        """Push an edited_message update editing the user's last message."""
        message_id = self.last_message_id or self.fake._new_message_id(self.id)
        now = int(time.time())
        return self.fake.push(
            {
                "edited_message": {
                    "message_id": message_id,
                    "from": self.user,
                    "chat": self.chat,
                    "date": now - 1,
                    "edit_date": now,
                    **self._text_content(text),
                }
            }
        )

    def group_text(self, s: str, group_id: int = -100123) -> int:
        """Push a message from this user in a group chat."""
        chat = self.fake._chats.get(group_id)
        if chat is None or chat.get("type") == "private":
            chat = self.fake._chat(group_id)
        return self.fake.push({"message": self._message(chat, **self._text_content(s))})

    def my_chat_member(self, status: str = "kicked") -> int:
        """Push a my_chat_member update; ``"kicked"`` blocks the bot, ``"member"`` unblocks."""
        old_status = "member" if status == "kicked" else "kicked"
        new: dict[str, Any] = {"user": self.fake.bot_user, "status": status}
        old: dict[str, Any] = {"user": self.fake.bot_user, "status": old_status}
        for member in (new, old):
            if member["status"] == "kicked":
                member["until_date"] = 0
        if status == "kicked":
            self.fake.blocked.add(self.id)
        elif status == "member":
            self.fake.blocked.discard(self.id)
        return self.fake.push(
            {
                "my_chat_member": {
                    "chat": self.chat,
                    "from": self.user,
                    "date": int(time.time()),
                    "old_chat_member": old,
                    "new_chat_member": new,
                }
            }
        )

    # -- push and wait ---------------------------------------------------------------------

    async def say(self, s: str, timeout: float = 15.0) -> list[Request]:
        """Send a text message and wait until the bot handled it."""
        return await self.fake.process(self.text(s), timeout)

    async def cmd(self, s: str, timeout: float = 15.0) -> list[Request]:
        """Send a command and wait until the bot handled it."""
        return await self.fake.process(self.command(s), timeout)

    async def tap(
        self, callback_data: str, message_id: int | None = None, timeout: float = 15.0
    ) -> list[Request]:
        """Press an inline button and wait until the bot handled it."""
        return await self.fake.process(self.press(callback_data, message_id), timeout)
