"""What an owner goes through: the scripted eligible owner and the not-eligible one, from /start
to the result, in-process on the real core and a temporary SQLite file.

Figures (Indonesian, the owners' language): actions (taps, typed answers and commands), every
character the owner has to read (message text and button labels), and the longest message in
characters and lines. `owner_*` is the eligible batik maker; `not_eligible_owner_*` the fish
smoker from outside the city. Targets (issue 12): at most 2,000 characters to the result for
the eligible owner; no message over 600 characters or 12 lines.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from bot.cli import FEATURES
from bot.config import load_config
from bot.core import Core
from bot.i18n import Catalogs
from bot.storage import Database
from tests.support.walkthrough import ELIGIBLE, NOT_ELIGIBLE, Walk, figures


async def walk(script: dict, workdir: Path, language: str = "id") -> Walk:
    """One scripted owner on a fresh database."""
    path = workdir / "config.toml"
    path.write_text('[database]\npath = "owner.sqlite3"\n', encoding="utf-8")
    config = load_config(path, env={})
    config.database.unlink(missing_ok=True)
    db = await Database.open(config.database)
    try:
        done = Walk(Core(config, db, Catalogs(config.time_zone), FEATURES), language=language)
        await done.answer(script)
        return done
    finally:
        await db.close()


async def run() -> list[tuple[str, float | int]]:
    """Walk both owners; one line per figure."""
    out: list[tuple[str, float | int]] = []
    with tempfile.TemporaryDirectory() as tmp:
        for prefix, script in (("owner", ELIGIBLE), ("not_eligible_owner", NOT_ELIGIBLE)):
            f = figures(await walk(dict(script), Path(tmp)))
            out += [(f"{prefix}_actions_to_result", f.actions),
                    (f"{prefix}_chars_to_result", f.chars),
                    (f"{prefix}_messages_to_result", f.messages),
                    (f"{prefix}_longest_message_chars", f.longest_chars),
                    (f"{prefix}_longest_message_lines", f.longest_lines)]
    return out
