"""Staff manage sessions in the terminal chat: the same conversation as on Telegram."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

CONFIG = """[bot]
default_language = "id"
[database]
path = "chat.sqlite3"
[[sessions]]
key = "2099-03"
title = "Pelatihan Ekspor Maret 2099"
starts_at = "2099-03-04 09:00"
place = "Aula"
"""
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
    config = tmp_path / "config.toml"
    config.write_text(CONFIG, encoding="utf-8")
    script = shutil.which("umkm-bot", path=str(Path(sys.executable).parent))
    command = [script] if script else [sys.executable, "-m", "bot"]
    environment = {k: v for k, v in os.environ.items() if k not in ("BOT_TOKEN", "UMKM_BOT_DB")}
    return subprocess.run([*command, "--config", str(config), "chat"], input=stdin,
                          capture_output=True, text=True, timeout=60, env=environment)


def test_staff_create_a_session_in_the_terminal_and_config_seeds_once(tmp_path):
    done = chat(tmp_path, SCRIPT)
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "Pelatihan Ekspor Maret 2099" in out  # seeded from config.toml at start-up
    assert "Sesi baru · langkah 1 dari 4" in out
    assert "Mulai: Selasa, 6 Oktober 2099 pukul 09.00 WIB" in out
    assert "Sesi sudah dibuat" in out
    assert "Jadwal pelatihan ekspor" in out and "25 dari 25 kursi masih kosong" in out
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
