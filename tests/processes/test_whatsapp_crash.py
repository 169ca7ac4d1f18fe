"""`umkm-bot run` on WhatsApp as a process: a message answered 200 and then lost to SIGKILL
(before the bot could answer it) is answered after the restart, once."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sys

import httpx

from tests.support.config import write_config
from tests.support.fakegraph import FakeGraph, FakeUser
from tests.support.wabot import whatsapp_env


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


async def start_bot(config, graph: FakeGraph, port: int) -> asyncio.subprocess.Process:
    """Start the bot process; return once /healthz says it is ready (bounded)."""
    env = {**os.environ, **whatsapp_env(graph), "PORT": str(port)}
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "--config", str(config), "run", env=env,
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE)
    async with httpx.AsyncClient(timeout=2) as client:
        for _ in range(400):  # 20 s at most
            if process.returncode is not None:
                raise AssertionError((await process.stderr.read()).decode())
            try:
                if (await client.get(f"http://127.0.0.1:{port}/healthz")).status_code == 200:
                    return process
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.05)
    process.kill()
    raise AssertionError("the bot did not become ready")


async def test_a_message_killed_after_its_200_is_answered_after_the_restart(tmp_path):
    config = write_config(tmp_path)
    port = free_port()
    async with FakeGraph() as graph:
        graph.webhook_url = f"http://127.0.0.1:{port}/whatsapp"
        first = await start_bot(config, graph, port)
        try:
            user = graph.user("6281234567050")
            graph.hold = asyncio.Event()  # Meta is slow: the answer cannot go out yet
            update = user.message("text", {"body": "halo"})
            response = await graph.post(update)
            assert response.status_code == 200  # stored, so acknowledged
            first.send_signal(signal.SIGKILL)
            await asyncio.wait_for(first.wait(), 10)
        finally:
            if first.returncode is None:
                first.kill()
                await first.wait()
        graph.hold.set()
        assert graph.reads == {} and graph.sent == []  # nothing reached the owner
        second = await start_bot(config, graph, port)
        try:
            message_id = FakeUser.id_of(update)
            await graph.wait_for(lambda: graph.reads.get(message_id), timeout=20)
            (welcome,) = graph.to(user)
            assert welcome.choice("consent:yes") is not None
            replies = await user.say("/bantuan")  # the restarted bot goes on as usual
            assert replies and graph.reads[message_id] == 1
        finally:
            second.send_signal(signal.SIGTERM)
            _out, err = await asyncio.wait_for(second.communicate(), 30)
    assert second.returncode == 0, err.decode()
    assert "Traceback" not in err.decode()
