"""Timer arithmetic: due dates of ``timeDate``, ``timeDuration`` and ``timeCycle`` timers.

Camunda's ``DurationHelper``/``CronExpression`` with our own code: ISO 8601 dates and durations,
repeating intervals ``R3/PT1H``, ``R/PT10M`` and ``R2/2026-01-01T10:00:00Z/PT1H``, and Quartz
cron expressions (``0 0 9 * * ?``: seconds minutes hours day-of-month month day-of-week [year]).
Everything is computed from a given "now" (the engine clock), never from the wall clock.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from cadenza.expr.values import parse_date

__all__ = [
    "CronExpression",
    "Cycle",
    "is_cron",
    "next_cycle_date",
    "parse_cycle",
    "parse_duration",
    "parse_time_date",
]

_DURATION = re.compile(
    r"P(?:(?P<years>\d+)Y)?(?:(?P<months>\d+)M)?(?:(?P<weeks>\d+)W)?(?:(?P<days>\d+)D)?"
    r"(?:T(?:(?P<hours>\d+)H)?(?:(?P<minutes>\d+)M)?(?:(?P<seconds>\d+(?:[.,]\d+)?)S)?)?"
)


def parse_duration(text: str) -> timedelta:
    """An ISO 8601 duration (``P2D``, ``PT1H30M``; years and months as 365 and 30 days)."""
    stripped = text.strip()
    match = _DURATION.fullmatch(stripped)
    if match is None or stripped in ("P", "PT") or stripped.endswith("T"):
        raise ValueError(f"not an ISO 8601 duration: {text!r}")
    parts = {k: float(v.replace(",", ".")) for k, v in match.groupdict().items() if v}
    days = parts.get("years", 0) * 365 + parts.get("months", 0) * 30 + parts.get("weeks", 0) * 7
    return timedelta(
        days=days + parts.get("days", 0),
        hours=parts.get("hours", 0),
        minutes=parts.get("minutes", 0),
        seconds=parts.get("seconds", 0),
    )


def parse_time_date(text: str) -> datetime:
    """An ISO 8601 date-time (without zone: UTC)."""
    return parse_date(text.strip())


# ── cycles ─────────────────────────────────────────────────────────────────────────────────────


@dataclass(frozen=True, slots=True)
class Cycle:
    """``R<n>/[start/]<duration>``: ``remaining`` None = unbounded."""

    remaining: int | None
    interval: timedelta
    start: datetime | None = None

    def text_after_firing(self) -> str | None:
        """The repeat text for the next timer after one firing (None when this was the last)."""
        if self.remaining is not None and self.remaining <= 1:
            return None
        count = "" if self.remaining is None else str(self.remaining - 1)
        seconds = self.interval.total_seconds()
        return f"R{count}/PT{seconds:g}S"


def is_cron(text: str) -> bool:
    return not text.strip().upper().startswith("R")


def parse_cycle(text: str) -> Cycle:
    parts = text.strip().split("/")
    if not parts[0].upper().startswith("R") or len(parts) not in (2, 3):
        raise ValueError(f"not an ISO 8601 repeating interval: {text!r}")
    count = parts[0][1:]
    remaining = int(count) if count else None
    if remaining is not None and remaining < 0:
        raise ValueError(f"negative repetitions in {text!r}")
    if len(parts) == 3:
        return Cycle(remaining, parse_duration(parts[2]), parse_time_date(parts[1]))
    return Cycle(remaining, parse_duration(parts[1]))


def next_cycle_date(text: str, now: datetime) -> tuple[datetime | None, str | None]:
    """The first due date of a ``timeCycle`` and the repeat text for after it fires.

    Returns (None, None) for ``R0/...`` (never fires).
    """
    if is_cron(text):
        return CronExpression(text).next_after(now), text.strip()
    cycle = parse_cycle(text)
    if cycle.remaining == 0:
        return None, None
    if cycle.start is not None and cycle.start > now:
        return cycle.start, cycle.text_after_firing()
    return now + cycle.interval, cycle.text_after_firing()


# ── Quartz cron ────────────────────────────────────────────────────────────────────────────────

_MONTHS = {m.upper(): i for i, m in enumerate(calendar.month_abbr) if m}
_DAYS = {"SUN": 1, "MON": 2, "TUE": 3, "WED": 4, "THU": 5, "FRI": 6, "SAT": 7}


def _field(text: str, low: int, high: int, names: dict[str, int] | None = None) -> set[int] | None:
    """Values of one cron field; None for ``?`` (no restriction)."""
    if text == "?":
        return None
    values: set[int] = set()
    for item in text.split(","):
        step = 1
        if "/" in item:
            item, step_text = item.split("/", 1)
            step = int(step_text)
            if step <= 0:
                raise ValueError("cron step must be positive")
        if item in ("*", ""):
            start, end = low, high
        elif "-" in item:
            a, b = item.split("-", 1)
            start, end = _value(a, names), _value(b, names)
        else:
            start = _value(item, names)
            end = high if step != 1 else start
        if not (low <= start <= high and low <= end <= high):
            raise ValueError(f"cron value out of range in {text!r}")
        values.update(range(start, end + 1, step))
    return values


def _value(text: str, names: dict[str, int] | None) -> int:
    upper = text.strip().upper()
    if names is not None and upper in names:
        return names[upper]
    return int(upper)


class CronExpression:
    """A Quartz cron expression without ``L``, ``W`` and ``#`` (refused with ValueError)."""

    def __init__(self, text: str) -> None:
        fields = text.split()
        if len(fields) not in (6, 7):
            raise ValueError(f"not a cron expression: {text!r}")
        for item in fields:
            bare = re.sub("|".join([*_MONTHS, *_DAYS]), "", item.upper())
            if any(c in bare for c in "LW#"):
                raise ValueError(f"cron features L, W and # are not supported: {text!r}")
        self.text = text
        self.seconds = _field(fields[0], 0, 59) or set(range(60))
        self.minutes = _field(fields[1], 0, 59) or set(range(60))
        self.hours = _field(fields[2], 0, 23) or set(range(24))
        self.days = _field(fields[3], 1, 31)
        self.months = _field(fields[4], 1, 12, _MONTHS) or set(range(1, 13))
        self.weekdays = _field(fields[5], 1, 7, _DAYS)
        self.years = _field(fields[6], 1970, 2199) if len(fields) == 7 else None

    def _day_matches(self, day: datetime) -> bool:
        quartz_weekday = (day.isoweekday() % 7) + 1  # Sunday = 1
        day_ok = self.days is None or day.day in self.days
        week_ok = self.weekdays is None or quartz_weekday in self.weekdays
        if self.days is not None and self.weekdays is not None:
            return day_ok and week_ok
        return day_ok and week_ok

    def next_after(self, now: datetime) -> datetime:
        """The first matching time strictly after ``now`` (within ten years)."""
        start = now.replace(microsecond=0) + timedelta(seconds=1)
        day = start.replace(hour=0, minute=0, second=0)
        for _ in range(366 * 10):
            if (
                day.month in self.months
                and (self.years is None or day.year in self.years)
                and self._day_matches(day)
            ):
                for hour in sorted(self.hours):
                    for minute in sorted(self.minutes):
                        for second in sorted(self.seconds):
                            candidate = day.replace(hour=hour, minute=minute, second=second)
                            if candidate >= start:
                                return candidate
            day += timedelta(days=1)
        raise ValueError(f"cron expression {self.text!r} never fires")
