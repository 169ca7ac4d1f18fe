"""The terminal chat's driver: the real `umkm-bot` command with piped input and no token."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterable
from pathlib import Path


def terminal_config(language: str = "id", extra: str = "") -> str:
    """A config.toml for the terminal chat: its language and its own database."""
    return (f'[bot]\ndefault_language = "{language}"\n'
            f'[database]\npath = "chat.sqlite3"\n{extra}')


def umkm_bot(tmp_path: Path, *args: str, stdin: str | Iterable[str], config: str | None = None,
             env: dict | None = None) -> subprocess.CompletedProcess:
    """Run the console script with `config` (Indonesian by default), no token, typed `stdin`."""
    path = tmp_path / "config.toml"
    path.write_text(config if config is not None else terminal_config(), encoding="utf-8")
    script = shutil.which("umkm-bot", path=str(Path(sys.executable).parent))
    command = [script] if script else [sys.executable, "-m", "bot"]
    environment = {k: v for k, v in os.environ.items() if k not in ("BOT_TOKEN", "UMKM_BOT_DB")}
    environment.update(env or {})
    typed = stdin if isinstance(stdin, str) else "".join(f"{line}\n" for line in stdin)
    return subprocess.run([*command, "--config", str(path), *args], input=typed,
                          capture_output=True, text=True, timeout=60, env=environment)
