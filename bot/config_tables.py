"""Typed reads from the tables of `config.toml`: every error is one sentence naming the file,
the table and the key (`ConfigError`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from bot.config_values import ConfigError

_OFFSET = re.compile(r"^\s*(\d{1,4})\s*([mhd])\s*$")
_OFFSET_UNITS = {"m": 60, "h": 3600, "d": 86400}


class Section:
    """Typed reads from one TOML table; every error names the file, table and key."""

    def __init__(self, source: str, name: str, data: Any, known: set[str]) -> None:
        self.source, self.name = source, name
        if data is None:
            data = {}
        if not isinstance(data, Mapping):
            raise ConfigError(f"{source}: [{name}] must be a table.")
        unknown = sorted(set(data) - known)
        if unknown:
            raise ConfigError(f"{source}: [{name}] has an unknown key '{unknown[0]}'.")
        self.data = data

    def fail(self, key: str, expected: str) -> ConfigError:
        """Build the one-sentence error for `key`."""
        return ConfigError(f"{self.source}: [{self.name}] {key} must be {expected}.")

    def str(self, key: str, default: str, choices: tuple[str, ...] = ()) -> str:
        """A string, optionally one of `choices`."""
        value = self.data.get(key, default)
        if not isinstance(value, str) or (choices and value not in choices):
            raise self.fail(key, "one of " + ", ".join(f'"{c}"' for c in choices)
                            if choices else "a string")
        return value

    def number(self, key: str, default: float, low: float, high: float) -> float:
        """A number between `low` and `high`."""
        value = self.data.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int | float) or not (
            low <= value <= high
        ):
            raise self.fail(key, f"a number from {low:g} to {high:g}")
        return float(value)

    def int(self, key: str, default: int, low: int, high: int) -> int:
        """A whole number between `low` and `high`."""
        value = self.data.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise self.fail(key, f"a whole number from {low} to {high}")
        return value

    def bool(self, key: str, default: bool) -> bool:
        """true or false."""
        value = self.data.get(key, default)
        if not isinstance(value, bool):
            raise self.fail(key, "true or false")
        return value


def parse_offset(text: str) -> int:
    """Turn a reminder offset such as "7d", "2h" or "30m" into seconds."""
    match = _OFFSET.match(text) if isinstance(text, str) else None
    if not match or int(match.group(1)) == 0:
        raise ValueError(text)
    return int(match.group(1)) * _OFFSET_UNITS[match.group(2)]


def url(section: Section, key: str, default: str) -> str:
    """An http:// or https:// URL, without a trailing slash."""
    value = section.str(key, default).rstrip("/")
    if not re.match(r"^https?://[^\s/]+", value):
        raise section.fail(key, "an http:// or https:// URL")
    return value
