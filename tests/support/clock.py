"""Clocks the tests control: by hand, at real speed from a set moment, or leaping ahead."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

SEPTEMBER = datetime(2027, 9, 1, 2, 0, tzinfo=UTC)  # 1 September 2027, 09:00 WIB


@dataclass
class Clock:
    """A clock the test moves by hand."""

    now: datetime = field(default_factory=lambda: SEPTEMBER)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        """Move time forward."""
        self.now += timedelta(**delta)


class RunningClock:
    """Runs at real speed from a moment the test sets (and moves): for jobs that fire."""

    def __init__(self, moment: datetime = SEPTEMBER) -> None:
        self.set(moment)

    def set(self, moment: datetime) -> None:
        """Jump to `moment`; time goes on from there."""
        self.base, self.started = moment, time.monotonic()

    def advance(self, **delta: float) -> None:
        """Jump forward."""
        self.set(self() + timedelta(**delta))

    def __call__(self) -> datetime:
        return self.base + timedelta(seconds=time.monotonic() - self.started)


class Ticking:
    """Moves a minute every time it is read, so that backoff waits pass at once."""

    def __init__(self, moment: datetime) -> None:
        self.now = moment

    def __call__(self) -> datetime:
        self.now += timedelta(minutes=1)
        return self.now
