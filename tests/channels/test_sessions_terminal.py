"""Staff manage sessions in the terminal chat: the same conversation as on Telegram."""

from __future__ import annotations

import sqlite3
import subprocess
from pathlib import Path

import pytest

from tests.support.terminal import terminal_config, umkm_bot

pytestmark = pytest.mark.slow  # the command runs in a process of its own
CONFIG = terminal_config("id", """[[sessions]]
key = "2099-03"
title = "Pelatihan Ekspor Maret 2099"
starts_at = "2099-03-04 09:00"
place = "Aula"
""")
# The terminal's user is staff: /sesi, then numbered buttons and typed answers.
SCRIPT = """/sesi
2
Pelatihan Ekspor Oktober 2099
6/10/2099 09.00
Aula Dindagkop-UKM, Jl. Sriwijaya No. 44
25
1
/jadwal
"""


def chat(tmp_path: Path, stdin: str) -> subprocess.CompletedProcess:
    """Run `umkm-bot chat` with a config that seeds one session."""
    return umkm_bot(tmp_path, "chat", stdin=stdin, config=CONFIG)


def test_staff_create_a_session_in_the_terminal_and_config_seeds_once(tmp_path):
    done = chat(tmp_path, SCRIPT)
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "Pelatihan Ekspor Maret 2099" in out  # seeded from config.toml at start-up
    assert "Sesi baru · langkah 1 dari 4" in out
    assert "Mulai: Selasa, 6 Oktober 2099 pukul 09.00 WIB" in out
    assert "Sesi sudah dibuat" in out
    # /jadwal for someone who has not checked yet: the sessions in short and how to qualify.
    assert "📅 Selasa, 6 Oktober 2099: Pelatihan Ekspor Oktober 2099" in out
    assert "Bisakah saya ikut?" in out
    again = chat(tmp_path, "/sesi\n")  # a second start: the seeded session is not added twice
    assert again.returncode == 0, again.stderr
    db = sqlite3.connect(tmp_path / "chat.sqlite3")
    rows = db.execute("SELECT key, title, capacity, status FROM sessions ORDER BY starts_at")
    sessions = rows.fetchall()
    actions = [r[0] for r in db.execute("SELECT action FROM audit_log")]
    db.close()
    assert sessions == [("2099-03", "Pelatihan Ekspor Maret 2099", 30, "open"),
                        (None, "Pelatihan Ekspor Oktober 2099", 25, "open")]
    assert actions == ["session.create"]
