"""The terminal chat, driven by piped input through the real `umkm-bot` command."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

# Buttons are numbered; typed answers are plain lines. An eligible batik maker:
SCRIPT = """/start
1
Budi Santoso
Batik Sekar
1
1
1234567890123
1
1
2
7
500 potong
1
1
1
1
1
081234567890
1
"""


def umkm_bot(tmp_path: Path, *args: str, stdin: str, language: str = "id",
             env: dict | None = None) -> subprocess.CompletedProcess:
    """Run the console script with a config of its own and no token."""
    config = tmp_path / "config.toml"
    config.write_text(f'[bot]\ndefault_language = "{language}"\n'
                      '[database]\npath = "chat.sqlite3"\n', encoding="utf-8")
    script = shutil.which("umkm-bot", path=str(Path(sys.executable).parent))
    command = [script] if script else [sys.executable, "-m", "bot"]
    environment = {k: v for k, v in os.environ.items() if k not in ("BOT_TOKEN", "UMKM_BOT_DB")}
    environment.update(env or {})
    return subprocess.run([*command, "--config", str(config), *args], input=stdin,
                          capture_output=True, text=True, timeout=60, env=environment)


@pytest.mark.parametrize(("language", "first_line", "result"), [
    ("id", "BOT_TOKEN belum diatur, jadi ini chat lokal di terminal",
     "Kabar baik, Budi Santoso! Batik Sekar memenuhi semua syarat"),
    ("en", "No BOT_TOKEN is set, so this is the local terminal chat",
     "Good news, Budi Santoso! Batik Sekar meets all the requirements"),
])
def test_run_without_a_token_opens_the_terminal_chat_and_reaches_a_result(
    tmp_path, language, first_line, result
):
    done = umkm_bot(tmp_path, "run", stdin=SCRIPT, language=language)
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
    first = umkm_bot(tmp_path, "chat", stdin="/start\n1\nBudi Santoso\n", language="en")
    assert "What is the name of your business?" in first.stdout
    second = umkm_bot(tmp_path, "chat", stdin="/lanjut\n", language="en")
    assert "Question 2 of 15" in second.stdout
    assert not second.stdout.startswith("No BOT_TOKEN")  # `chat` does not announce it
