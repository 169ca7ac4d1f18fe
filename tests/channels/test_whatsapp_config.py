"""WhatsApp's configuration and `umkm-bot check`: one sentence for what is missing, the token and
number checked against the (fake) Graph API."""

from __future__ import annotations

import io

import pytest

from bot.config import ConfigError, load_config
from bot.maintenance import check
from handlers.telegram import identify
from handlers.whatsapp import identify as identify_whatsapp
from tests.support.config import write_config
from tests.support.fakegraph import FakeGraph
from tests.support.wabot import whatsapp_env


def test_defaults_and_environment(tmp_path):
    config = load_config(write_config(tmp_path), env={})
    assert not config.whatsapp.enabled
    assert (config.web.listen, config.web.port) == ("127.0.0.1", 8080)
    assert (config.whatsapp.api_url, config.whatsapp.webhook_path) == (
        "https://graph.facebook.com", "/whatsapp")
    on = load_config(write_config(tmp_path, '[whatsapp]\napi_version = "v25.0"\n'), env={
        "WHATSAPP_TOKEN": "t", "WHATSAPP_APP_SECRET": "s", "WHATSAPP_VERIFY_TOKEN": "v",
        "WHATSAPP_PHONE_NUMBER_ID": "106540352242922", "PORT": "9090",
        "WHATSAPP_API_BASE_URL": "http://127.0.0.1:5000/"})
    assert on.whatsapp.enabled and on.whatsapp.api_version == "25.0"
    assert on.whatsapp.api_url == "http://127.0.0.1:5000" and on.web.port == 9090
    assert "'t'" not in repr(on.whatsapp) and "'s'" not in repr(on.whatsapp)


@pytest.mark.parametrize(("env", "message"), [
    ({"WHATSAPP_TOKEN": "t"}, "WHATSAPP_TOKEN is set, so WHATSAPP_APP_SECRET and "
     "WHATSAPP_VERIFY_TOKEN and WHATSAPP_PHONE_NUMBER_ID"),
    ({"WHATSAPP_TOKEN": "t", "WHATSAPP_APP_SECRET": "s", "WHATSAPP_VERIFY_TOKEN": "v",
      "WHATSAPP_PHONE_NUMBER_ID": "+62 811 2000"}, "not the phone number"),
    ({"WHATSAPP_API_BASE_URL": "graph"}, "WHATSAPP_API_BASE_URL must be an http"),
    ({"PORT": "eighty"}, "PORT must be a port number"),
])
def test_what_is_missing_or_wrong_is_one_sentence(tmp_path, env, message):
    with pytest.raises(ConfigError, match=message) as caught:
        load_config(write_config(tmp_path), env=env)
    assert str(caught.value).count(". ") == 0


async def run_check(path, env) -> tuple[int, list[str]]:
    """Run the checks; the exit code and the printed lines."""
    out = io.StringIO()
    code = await check(path, env, out, identify, identify_whatsapp=identify_whatsapp)
    return code, out.getvalue().splitlines()


async def test_check_asks_the_graph_api_about_the_token_and_number(tmp_path):
    path = write_config(tmp_path)
    async with FakeGraph() as graph:
        code, lines = await run_check(path, whatsapp_env(graph))
        assert code == 0
        assert lines[-2] == "ok   telegram: no BOT_TOKEN set: Telegram is off"
        assert lines[-1].startswith("ok   whatsapp: the token sends as Dindagkop-UKM Kota "
                                    "Pekalongan (+62 811-2000-3000); webhook at /whatsapp")
        assert any(r.path.endswith(f"/v26.0/{graph.phone_number_id}") for r in graph.requests)
        wrong = {**whatsapp_env(graph), "WHATSAPP_TOKEN": "EAAG-revoked"}
        code, lines = await run_check(path, wrong)
    assert code == 1
    assert lines[-1].startswith(f"FAIL whatsapp: GET /v26.0/{graph.phone_number_id} at "
                                "http://127.0.0.1")
    assert "EAAG-revoked" not in "\n".join(lines)
