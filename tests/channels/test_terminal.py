"""The terminal chat, driven by piped input through the real `umkm-bot` command."""

from __future__ import annotations

import sqlite3

import pytest

from tests.support.script import ELIGIBLE
from tests.support.terminal import terminal_config, umkm_bot

pytestmark = pytest.mark.slow  # each test runs the command in a process of its own
# Buttons are numbered; typed answers are plain lines: consent, the questionnaire, "Submit".
SCRIPT = ["/start", "1", *ELIGIBLE.lines(), "1"]


@pytest.mark.parametrize(("language", "first_line", "result"), [
    ("id", "BOT_TOKEN maupun WHATSAPP_TOKEN belum diatur, jadi ini chat lokal di terminal",
     "Selamat, Budi Santoso! Batik Sekar memenuhi semua syarat"),
    ("en", "Neither BOT_TOKEN nor WHATSAPP_TOKEN is set, so this is the local terminal chat",
     "Good news, Budi Santoso! Batik Sekar meets every requirement"),
])
def test_run_without_a_token_opens_the_terminal_chat_and_reaches_a_result(
    tmp_path, language, first_line, result
):
    done = umkm_bot(tmp_path, "run", stdin=SCRIPT, config=terminal_config(language))
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[0].startswith(first_line)
    assert result in done.stdout
    assert "[1]" in done.stdout  # buttons as numbered choices
    db = sqlite3.connect(tmp_path / "chat.sqlite3")
    row = db.execute("SELECT channel, eligible FROM owners").fetchone()
    answers = dict(db.execute("SELECT question_id, value FROM answers").fetchall())
    db.close()
    assert row == ("terminal", 1)
    assert answers["nib"] == '"1234567890123"' and answers["phone"] == '"+6281234567890"'


def test_the_terminal_resumes_the_same_conversation_in_a_new_process(tmp_path):
    first = umkm_bot(tmp_path, "chat", stdin="/start\n1\n1\nBudi Santoso\n",
                     config=terminal_config("en"))
    assert "What is the name of your business?" in first.stdout
    second = umkm_bot(tmp_path, "chat", stdin="/lanjut\n", config=terminal_config("en"))
    assert "3/12 · What is the name of your business?" in second.stdout
    assert not second.stdout.startswith("Neither BOT_TOKEN")  # `chat` does not announce it
