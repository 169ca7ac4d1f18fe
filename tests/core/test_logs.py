"""Logs: one line per event, and never the token, what owners typed, names, phones or NIBs."""

from __future__ import annotations

import io
import json
import logging
import sqlite3

import pytest

from bot.logs import HIDDEN, SafeFormatter, setup_logging
from tests.support.fakebotapi import FakeBotAPI
from tests.support.harness import TOKEN, Chat, running_bot, telegram_config
from tests.support.script import ELIGIBLE

pytestmark = pytest.mark.filterwarnings(
    "ignore:.*retry_after.*:telegram.warnings.PTBDeprecationWarning"
)
# Everything the owner of the conversation below types or shares, in the forms it may take.
PERSONAL = ["Budi Santoso", "Batik Sekar", "1234567890123", "1234 5678 90123", "+6281234567890",
            "81234567890", "20 kodi", "Toko Rahasia"]
ELIGIBLE_EN = ELIGIBLE.steps("en")


@pytest.fixture
def restore_logging():
    """Put the root logger back as pytest had it."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    libraries = {name: logging.getLogger(name).level for name in logging.root.manager.loggerDict}
    yield
    root.handlers[:] = handlers
    root.setLevel(level)
    for name, old in libraries.items():
        logging.getLogger(name).setLevel(old)


def record(message: str, *args, exc: BaseException | None = None) -> logging.LogRecord:
    """A log record as a logger would make it."""
    exc_info = (type(exc), exc, exc.__traceback__) if exc else None
    return logging.LogRecord("bot.test", logging.ERROR, __file__, 1, message, args, exc_info)


def raised(exc: BaseException) -> BaseException:
    """`exc` with a traceback."""
    try:
        raise exc
    except BaseException as caught:
        return caught


def test_a_record_is_one_line_with_secrets_masked_and_owner_words_hidden():
    formatter = SafeFormatter([TOKEN])
    typed = PERSONAL[0]
    try:
        try:
            int(typed)
        except ValueError as inner:
            raise sqlite3.OperationalError("database is locked") from inner
    except sqlite3.OperationalError as outer:
        line = formatter.format(record("request to /bot%s failed\nsecond line", TOKEN, exc=outer))
    assert "\n" not in line and "\\n" in line
    assert TOKEN not in line and "/bot***" in line
    assert "Budi Santoso" not in line and HIDDEN in line
    assert "database is locked" in line  # system messages stay: they are what one debugs
    assert "ValueError" in line and "test_logs.py" in line  # the frames stay too


def test_json_lines_parse_and_keep_the_screened_traceback():
    formatter = SafeFormatter([TOKEN], as_json=True)
    phone = PERSONAL[3]
    line = formatter.format(record("failed", exc=raised(KeyError(phone))))
    entry = json.loads(line)
    assert entry["level"] == "ERROR" and entry["message"] == "failed"
    assert "KeyError" in entry["error"] and phone not in line


@pytest.mark.parametrize("as_json", [False, True])
async def test_a_whole_conversation_at_debug_logs_no_personal_data(
        tmp_path, restore_logging, as_json):
    stream = io.StringIO()
    async with FakeBotAPI() as fake:
        config = telegram_config(tmp_path, fake, extra=(
            f'[logging]\nlevel = "DEBUG"\njson = {"true" if as_json else "false"}\n'))
        setup_logging(config, stream=stream)
        async with running_bot(fake, config) as channel:
            chat = Chat(fake, 1001, "en")
            await chat.run([("cmd", "/start"), ("tap", "I agree"), *ELIGIBLE_EN[:4]])
            original = channel.core.db.owners.save_step

            async def broken(owner_id, save, *args, **kwargs):
                raise RuntimeError(f"cannot store {save} for owner {owner_id}")

            channel.core.db.owners.save_step = broken
            await chat.do("say", "1234567890123")
            assert "Sorry, something went wrong" in chat.text()
            channel.core.db.owners.save_step = original
            await chat.run([*ELIGIBLE_EN[4:], ("tap", "Submit")])
            assert "Good news" in chat.text()
            await chat.run([("cmd", "/datasaya"), ("say", "Toko Rahasia"), ("cmd", "/hapusdata"),
                            ("tap", "Yes, delete")])
    output = stream.getvalue()
    lines = output.splitlines()
    assert any("failed" in line and "RuntimeError" in line for line in lines)
    assert any("owner 1 submitted the questionnaire: eligible=True" in line for line in lines)
    assert any("owner 1 erased their data" in line for line in lines)
    assert sum("from owner 1 answered with" in line for line in lines) >= 20
    assert TOKEN not in output
    for personal in PERSONAL:
        assert personal not in output, personal
    if as_json:
        assert all(json.loads(line)["logger"] for line in lines)
