"""Time source for the whole engine (kernel layer).

Nothing else in Cadenza calls ``datetime.now()``: timers, lock expiry and retry timeouts all
read the clock they are given, so tests can move time instead of sleeping.
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from typing import Protocol

__all__ = ["Clock", "SettableClock", "SystemClock"]


class Clock(Protocol):
    def now(self) -> datetime:
        """The current time, timezone-aware UTC, truncated to milliseconds like Camunda."""
        ...


def _truncate_ms(value: datetime) -> datetime:
    return value.replace(microsecond=value.microsecond // 1000 * 1000)


class SystemClock:
    """The wall clock."""

    def now(self) -> datetime:
        return _truncate_ms(datetime.now(UTC))


class SettableClock:
    """A clock that stands still until told to move (Camunda's ``ClockUtil.setCurrentTime``)."""

    def __init__(self, start: datetime | None = None) -> None:
        self._lock = threading.Lock()
        self._now = _truncate_ms(start or datetime.now(UTC))

    def now(self) -> datetime:
        with self._lock:
            return self._now

    def set(self, value: datetime) -> None:
        with self._lock:
            self._now = _truncate_ms(value)

    def advance(self, delta: timedelta) -> datetime:
        with self._lock:
            self._now = _truncate_ms(self._now + delta)
            return self._now
