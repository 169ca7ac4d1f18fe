"""The one web server: /healthz follows readiness, routes and mounted apps are served, big
bodies are refused, a taken port is one clear error, and responses are not held back by Nagle
(the fake Graph API's neither)."""

from __future__ import annotations

import socket
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from bot.config import WebConfig
from handlers.web import WebServer, WebServerError, read_body
from tests.support.fakegraph import FakeGraph


async def echo_size(request: Request) -> Response:
    """Answer with the size of the body, or 413 when it is too large."""
    body = await read_body(request, limit=1000)
    if body is None:
        return PlainTextResponse("too large", status_code=413)
    return PlainTextResponse(str(len(body)))


async def test_healthz_routes_mounts_and_body_limit():
    web = WebServer(WebConfig(listen="127.0.0.1", port=0))
    web.route("/hook", echo_size)
    staff = Starlette(routes=[Route("/", lambda _r: PlainTextResponse("staff page"))])
    web.mount("/staf", staff)
    await web.start()
    try:
        async with httpx.AsyncClient(base_url=web.url, timeout=5) as client:
            starting = await client.get("/healthz")
            web.ready = True
            ready = await client.get("/healthz")
            small = await client.post("/hook", content=b"x" * 1000)
            large = await client.post("/hook", content=b"x" * 1001)
            page = await client.get("/staf/")
            missing = await client.get("/nothing")
        assert (starting.status_code, ready.status_code) == (503, 200)
        assert ready.json() == {"status": "ready"}
        assert (small.status_code, small.text) == (200, "1000")
        assert large.status_code == 413
        assert page.text == "staff page"
        assert missing.status_code == 404
    finally:
        await web.stop()
    with pytest.raises(ValueError, match="taken twice"):
        web.route("/hook", echo_size)


async def test_a_taken_port_is_one_clear_error():
    first = WebServer(WebConfig(listen="127.0.0.1", port=0))
    await first.start()
    try:
        second = WebServer(WebConfig(listen="127.0.0.1", port=first.port))
        with pytest.raises(WebServerError, match=r"cannot listen on 127\.0\.0\.1:\d+"):
            await second.start()
    finally:
        await first.stop()


def _nodelay(server: Any) -> list[int]:
    """TCP_NODELAY of each connection a uvicorn server holds open."""
    return [c.transport.get_extra_info("socket").getsockopt(socket.IPPROTO_TCP,
                                                            socket.TCP_NODELAY)
            for c in server.server_state.connections]


async def test_connections_send_at_once():
    """uvicorn writes a response's head and body apart: without TCP_NODELAY the body waited
    for the client's delayed ACK, 40 ms a response (a broadcast at 1,000 messages/s reached
    half of it)."""
    web = WebServer(WebConfig(listen="127.0.0.1", port=0))
    await web.start()
    try:
        async with FakeGraph() as graph, httpx.AsyncClient(timeout=5) as client:
            assert (await client.get(f"{web.url}/healthz")).status_code == 503
            assert (await client.get(f"{graph.url}/media/1")).status_code == 404
            assert _nodelay(web._server) == [1]
            assert _nodelay(graph._server) == [1]
    finally:
        await web.stop()
