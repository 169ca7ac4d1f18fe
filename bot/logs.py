"""Logging: one line per event, optionally JSON; never the token, never what owners wrote.

Owners appear in logs only by internal id. Libraries that would print request URLs (which carry
the bot token) are kept at WARNING, and a filter masks the token should it appear anyway.
"""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime

from bot.config import Config


class Redact(logging.Filter):
    """Mask secrets in every record that passes."""

    def __init__(self, secrets: list[str]) -> None:
        super().__init__()
        self.secrets = [s for s in secrets if s]

    def filter(self, record: logging.LogRecord) -> bool:
        """Replace secrets in the formatted message."""
        if self.secrets:
            message = record.getMessage()
            for secret in self.secrets:
                message = message.replace(secret, "***")
            record.msg, record.args = message, ()
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line."""

    def format(self, record: logging.LogRecord) -> str:
        """Render a record as JSON."""
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info:
            entry["error"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


def setup_logging(config: Config, *, quiet: bool = False) -> None:
    """Configure the root logger from config (quiet: warnings only, for the terminal chat)."""
    handler = logging.StreamHandler(sys.stderr)
    handler.addFilter(Redact([config.telegram.token, config.telegram.webhook_secret]))
    if config.logging.json:
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    level = config.logging.level
    root.setLevel("WARNING" if quiet and level != "DEBUG" else level)
    for noisy in ("httpx", "httpcore", "telegram", "apscheduler", "aiosqlite", "tornado"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, root.level))
