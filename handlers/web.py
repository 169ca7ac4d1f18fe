"""The bot's one web server: Starlette on uvicorn, in the bot's own event loop.

It carries every webhook (Telegram's in webhook mode, WhatsApp's), `GET /healthz` (503 until
the bot is ready, then 200) and whatever a feature mounts on it (the staff page). Channels add
their routes with `route`, a feature mounts a whole Starlette app with `mount`, before or after
`start`. uvicorn's own signal handling is switched off: `umkm-bot run` handles SIGINT/SIGTERM
and stops the server with everything else. TLS ends at the reverse proxy in front of it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
from collections.abc import Awaitable, Callable, Collection, Iterator

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.types import ASGIApp

from bot.config import WebConfig

log = logging.getLogger(__name__)
Endpoint = Callable[[Request], Awaitable[Response]]
BODY_LIMIT = 1024 * 1024  # bytes a webhook may post; Meta's and Telegram's are a few KB
START_TIMEOUT = 10.0  # seconds uvicorn may take to start serving
STOP_TIMEOUT = 5  # seconds requests in flight get to finish when the bot stops
# Seconds an idle connection is kept open: longer than clients keep theirs (httpx: 5 s, a reverse
# proxy's upstream pool: 60 s), so the server never closes one just as a request goes out on it.
KEEP_ALIVE = 75


class WebServerError(Exception):
    """The web server cannot start; the message says why, in one sentence."""


class _Server(uvicorn.Server):
    """uvicorn without its signal handlers: the bot's command line owns SIGINT and SIGTERM."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        """Leave the process's signal handlers alone."""
        yield


async def read_body(request: Request, limit: int = BODY_LIMIT) -> bytes | None:
    """The request body, or None when it is larger than `limit` bytes (read no further)."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        return None
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            return None
    return bytes(body)


class WebServer:
    """Routes, readiness and the uvicorn server of one bot process."""

    def __init__(self, config: WebConfig) -> None:
        self.config = config
        self.ready = False  # set by whoever started the bot, once every channel runs
        self.app = Starlette()
        self.app.add_route("/healthz", self.on_healthz, methods=["GET"])
        self._paths: set[str] = {"/healthz"}
        self._server: _Server | None = None
        self._task: asyncio.Task[None] | None = None
        self.port: int | None = None  # the port actually bound (config.port may be 0)

    def route(self, path: str, endpoint: Endpoint,
              methods: Collection[str] = ("POST",)) -> None:
        """Answer requests to `path` with `endpoint`."""
        if path in self._paths:
            raise ValueError(f"the web path {path} is taken twice")
        self._paths.add(path)
        self.app.add_route(path, endpoint, methods=list(methods))

    def mount(self, path: str, app: ASGIApp) -> None:
        """Serve a whole ASGI app (e.g. the staff page's Starlette app) under `path`."""
        if path in self._paths:
            raise ValueError(f"the web path {path} is taken twice")
        self._paths.add(path)
        self.app.mount(path, app)

    @property
    def url(self) -> str:
        """The server's local address, e.g. http://127.0.0.1:8080."""
        host = self.config.listen
        host = f"[{host}]" if ":" in host else host
        return f"http://{host}:{self.port if self.port is not None else self.config.port}"

    async def on_healthz(self, _request: Request) -> Response:
        """GET /healthz: 200 once the bot is ready, 503 while it starts or stops."""
        if self.ready:
            return JSONResponse({"status": "ready"})
        return JSONResponse({"status": "starting"}, status_code=503)

    def _bind(self) -> socket.socket:
        host, port = self.config.listen, self.config.port
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        # IPPROTO_TCP named, so asyncio sets TCP_NODELAY on each connection (only then):
        # uvicorn writes a response's head and body apart, and Nagle would hold the body
        # until the client's delayed ACK (40 ms on Linux).
        sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        try:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.bind((host, port))
            sock.listen(2048)
        except OSError as exc:
            sock.close()
            raise WebServerError(
                f"The web server cannot listen on {host}:{port} ({exc.strerror or exc}); "
                "change [web] listen or port (or PORT), or stop what uses it.") from None
        sock.setblocking(False)
        return sock

    async def start(self) -> None:
        """Listen and serve (in this event loop) until `stop`."""
        sock = self._bind()  # bound here, so a taken port is one clear error at start-up
        self.port = sock.getsockname()[1]
        config = uvicorn.Config(self.app, log_config=None, access_log=False, lifespan="off",
                                server_header=False, timeout_graceful_shutdown=STOP_TIMEOUT,
                                timeout_keep_alive=KEEP_ALIVE)
        self._server = _Server(config)
        self._task = asyncio.create_task(self._server.serve(sockets=[sock]))
        loop = asyncio.get_running_loop()
        deadline = loop.time() + START_TIMEOUT
        while not self._server.started:
            if self._task.done():
                self._task.result()  # raises what stopped it
                raise WebServerError("The web server stopped while starting.")
            if loop.time() > deadline:
                raise WebServerError("The web server did not start in time.")
            await asyncio.sleep(0.01)
        log.info("web server listening on %s", self.url)

    async def stop(self) -> None:
        """Stop serving; requests in flight get a few seconds to finish."""
        self.ready = False
        if self._server is None or self._task is None:
            return
        self._server.should_exit = True
        try:
            await asyncio.wait_for(self._task, STOP_TIMEOUT * 2)
        except TimeoutError:
            self._server.force_exit = True
            log.warning("web server did not stop in time")
        self._server = self._task = None
