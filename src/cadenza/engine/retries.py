"""Failed-job retries (Camunda ``DefaultJobRetryCmd`` with ``camunda:failedJobRetryTimeCycle``).

Without a retry cycle a failed job loses one retry and stays due (retried at the next
acquisition). With a cycle, the first failure sets the retries to the cycle's count (``R5/PT5M``:
5; a list ``PT1M,PT5M,PT10M``: length + 1) before decrementing, and the job is due again after
the cycle's interval (for a list, the intervals in order).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from cadenza.engine.timers import parse_cycle, parse_duration

__all__ = ["RetryCycle", "RetryDecision", "next_retry", "parse_retry_cycle"]

DEFAULT_RETRIES = 3


@dataclass(frozen=True, slots=True)
class RetryCycle:
    retries: int
    intervals: tuple[timedelta, ...]


@dataclass(frozen=True, slots=True)
class RetryDecision:
    retries: int
    due_date: datetime | None


def parse_retry_cycle(text: str) -> RetryCycle:
    """``R3/PT5M`` or ``PT1M,PT5M,PT10M``; raises ValueError for anything else."""
    stripped = text.strip()
    if stripped.upper().startswith("R"):
        cycle = parse_cycle(stripped)
        if cycle.remaining is None:
            raise ValueError(f"a retry cycle needs a repetition count: {text!r}")
        return RetryCycle(cycle.remaining, (cycle.interval,))
    intervals = tuple(parse_duration(part) for part in stripped.split(",") if part.strip())
    if not intervals:
        raise ValueError(f"empty retry cycle: {text!r}")
    return RetryCycle(len(intervals) + 1, intervals)


def next_retry(
    cycle_text: str | None,
    *,
    retries: int,
    first_failure: bool,
    due_date: datetime | None,
    now: datetime,
) -> RetryDecision:
    """Retries and due date of a job after a failure.

    Args:
        cycle_text: the evaluated ``failedJobRetryTimeCycle`` or None.
        retries: the job's retries before this failure.
        first_failure: whether the job never failed before (Camunda: no exception message yet).
        due_date: the job's due date (kept without a cycle).
        now: the engine clock.
    """
    if cycle_text is None:
        return RetryDecision(max(retries - 1, 0), due_date)
    cycle = parse_retry_cycle(cycle_text)
    if first_failure:
        retries = cycle.retries
    left = max(retries - 1, 0)
    if len(cycle.intervals) == 1:
        interval = cycle.intervals[0]
    else:
        index = min(max(len(cycle.intervals) - left, 0), len(cycle.intervals) - 1)
        interval = cycle.intervals[index]
    return RetryDecision(left, now + interval)
