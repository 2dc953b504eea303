"""Acquisition pacing: how long the executor idles between acquisitions (Camunda's
``BackoffJobAcquisitionStrategy``, simplified): no wait while jobs come, an exponentially
growing idle wait when nothing is due (capped, and never past the next known due date), reset
by a wake-up."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

__all__ = ["Backoff"]


@dataclass
class Backoff:
    initial: float = 0.05
    maximum: float = 5.0
    factor: float = 2.0
    _current: float = field(default=0.0, init=False)

    def acquired(self, count: int) -> float:
        """Seconds to wait after an acquisition that locked ``count`` jobs."""
        if count:
            self._current = 0.0
            return 0.0
        grown = min(self._current * self.factor, self.maximum)
        self._current = self.initial if self._current == 0.0 else grown
        return self._current

    def reset(self) -> None:
        self._current = 0.0

    @staticmethod
    def until(due: datetime | None, now: datetime, wait: float) -> float:
        """``wait``, shortened so the executor looks again when the next job falls due."""
        if due is None:
            return wait
        return max(0.0, min(wait, (due - now).total_seconds()))
