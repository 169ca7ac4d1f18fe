"""Logging: one line per event, optionally JSON; never the token, never what owners wrote.

Owners appear in logs only by internal id. Libraries that would print request URLs (which carry
the bot token) or whole updates are kept at WARNING, and every line is scrubbed of the secrets
should they appear anyway. A traceback keeps its frames but shows the message of an exception
only when it comes from a library whose messages are known to hold no personal data: a message
such as "invalid literal for int(): 'Budi Santoso'" would otherwise carry an owner's words.
"""

from __future__ import annotations

import json
import logging
import re
import sys
import traceback
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import TextIO

from bot.config import Config

# Exceptions from these modules describe the system (a locked database, a refused request, a
# network failure), never what an owner typed.
SAFE_MESSAGE_MODULES = ("sqlite3", "aiosqlite", "telegram", "httpx", "httpcore", "asyncio",
                        "ssl", "socket", "apscheduler", "bot.storage", "bot.delivery")
# pywa logs whole updates (names, phone numbers, what owners wrote) at DEBUG and INFO.
NOISY_LIBRARIES = ("httpx", "httpcore", "telegram", "apscheduler", "aiosqlite", "tornado",
                   "hpack", "pywa", "pywa_async", "uvicorn")
# A phone number that reached a log line anyway (a WhatsApp wa_id, a typed number): masked.
PHONE = re.compile(r"(?<![\w.+])(?:(?:\+?62[ .-]?|0)8\d(?:[ .-]?\d){6,11}|\+\d(?:[ .-]?\d){7,14})"
                   r"(?!\w)")
HIDDEN = "(message hidden: it may quote what an owner wrote)"


def exception_message(exc: BaseException) -> str:
    """The exception's message when it cannot hold personal data, else a placeholder."""
    module = type(exc).__module__
    safe = isinstance(exc, OSError) or module.startswith(SAFE_MESSAGE_MODULES)
    return str(exc) if safe else HIDDEN


def describe_exception(exc: BaseException) -> str:
    """A traceback (with its causes) whose exception messages are screened."""
    chain: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and current not in chain:
        chain.append(current)
        current = current.__cause__ or (
            None if current.__suppress_context__ else current.__context__)
    parts = []
    for link in reversed(chain):
        frames = "".join(traceback.format_tb(link.__traceback__))
        name = f"{type(link).__module__}.{type(link).__qualname__}".removeprefix("builtins.")
        parts.append(f"Traceback (most recent call last):\n{frames}{name}: "
                     f"{exception_message(link)}")
    return "\nwhich caused:\n".join(parts)


class SafeFormatter(logging.Formatter):
    """One line per record (plain or JSON), secrets masked, exception messages screened."""

    def __init__(self, secrets: Iterable[str] = (), *, as_json: bool = False) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s: %(message)s")
        self.secrets = [s for s in secrets if s]
        self.as_json = as_json

    def format(self, record: logging.LogRecord) -> str:
        """Render a record on one line."""
        message = record.getMessage()
        error = describe_exception(record.exc_info[1]) if record.exc_info and \
            record.exc_info[1] is not None else ""
        if self.as_json:
            entry = {
                "time": datetime.fromtimestamp(record.created, UTC).isoformat(
                    timespec="milliseconds"),
                "level": record.levelname,
                "logger": record.name,
                "message": message,
            }
            if error:
                entry["error"] = error
            line = json.dumps(entry, ensure_ascii=False)
        else:
            line = f"{self.formatTime(record)} {record.levelname} {record.name}: {message}"
            if error:
                line += "\n" + error
            # One event, one line: a multi-line message cannot pass for several events.
            line = line.replace("\\", "\\\\").replace("\r", "\\r").replace("\n", "\\n")
        for secret in self.secrets:
            line = line.replace(secret, "***")
        return PHONE.sub("<phone>", line)


def setup_logging(config: Config, *, quiet: bool = False, stream: TextIO | None = None) -> None:
    """Configure the root logger from config (quiet: warnings only, for the terminal chat)."""
    handler = logging.StreamHandler(stream or sys.stderr)
    wa = config.whatsapp
    handler.setFormatter(SafeFormatter([config.telegram.token, config.telegram.webhook_secret,
                                        wa.token, wa.app_secret, wa.verify_token],
                                       as_json=config.logging.json))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    level = config.logging.level
    root.setLevel("WARNING" if quiet and level != "DEBUG" else level)
    for noisy in NOISY_LIBRARIES:
        logging.getLogger(noisy).setLevel(max(logging.WARNING, root.level))
