"""FEEL dates, times and durations: parsing of their literal texts, arithmetic and properties.

Layer: ``feel``. ``date``, ``time``, ``date and time`` and both duration types follow DMN 1.5
§10.3.2.3 and the XML Schema lexical forms it cites: a time carries no zone, a fixed offset
(``Z``, ``+02:00``) or an IANA zone id (``@Europe/Paris``); a date and time without either is
local; durations are ``days and time`` (``P1DT2H``) or ``years and months`` (``P1Y2M``), never
both. Precision is the microsecond (Python's ``datetime``); texts with more fraction digits are
truncated. Every function returns ``None`` (FEEL null) for text or operands it cannot use.
"""

from __future__ import annotations

import calendar
import re
from datetime import UTC, date, datetime, time, timedelta, timezone, tzinfo
from decimal import Decimal
from typing import Final
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from cadenza.feel.values import DECIMAL, YearsMonths, is_number, time_offset

__all__ = [
    "add",
    "parse_date",
    "parse_date_time",
    "parse_duration",
    "parse_temporal",
    "parse_time",
    "subtract",
    "temporal_property",
]

_DATE: Final = re.compile(r"(-?(?:[1-9][0-9]{4,8}|[0-9]{4}))-([0-9]{2})-([0-9]{2})")
_TIME: Final = re.compile(
    r"([0-9]{2}):([0-9]{2}):([0-9]{2})(?:\.([0-9]+))?"
    r"(?:(Z)|([+-])([0-9]{2}):([0-9]{2})(?::([0-9]{2}))?|@([A-Za-z0-9_+\-/]+))?"
)
_DURATION: Final = re.compile(
    r"(-)?P(?:([0-9]+)Y)?(?:([0-9]+)M)?(?:([0-9]+)D)?"
    r"(?:T(?:([0-9]+)H)?(?:([0-9]+)M)?(?:([0-9]+)(?:\.([0-9]*))?S)?)?"
)
_MAX_DURATION_DAYS: Final = 999_999_999


def zone_of(name: str) -> tzinfo | None:
    if name in ("UTC", "Z"):
        return UTC
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return None


def parse_date(text: str) -> date | None:
    match = _DATE.fullmatch(text)
    if match is None:
        return None
    try:
        return date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        return None


def _zone(match: re.Match[str]) -> tzinfo | bool | None:
    """The zone of a time match: a tzinfo, None (local) or False (invalid)."""
    if match[5]:
        return UTC
    if match[6]:
        hours, minutes = int(match[7]), int(match[8])
        seconds = int(match[9] or 0)
        if hours > 18 or minutes > 59 or seconds > 59:
            return False
        offset = timedelta(hours=hours, minutes=minutes, seconds=seconds)
        if offset > timedelta(hours=18):
            return False
        return timezone(-offset if match[6] == "-" else offset)
    if match[10]:
        zone = zone_of(match[10])
        return False if zone is None else zone
    return None


def _clock(match: re.Match[str]) -> tuple[int, int, int, int] | None:
    hour, minute, second = int(match[1]), int(match[2]), int(match[3])
    micros = int((match[4] or "0")[:6].ljust(6, "0"))
    if hour == 24 and minute == 0 and second == 0 and micros == 0:
        hour = 0
    if hour > 23 or minute > 59 or second > 59:
        return None
    return hour, minute, second, micros


def parse_time(text: str) -> time | None:
    match = _TIME.fullmatch(text)
    if match is None:
        return None
    clock = _clock(match)
    zone = _zone(match)
    if clock is None or zone is False:
        return None
    assert zone is not True
    return time(*clock, tzinfo=zone)


def parse_date_time(text: str) -> datetime | None:
    head, sep, tail = text.partition("T")
    day = parse_date(head)
    if day is None:
        return None
    if not sep:
        return datetime(day.year, day.month, day.day)
    match = _TIME.fullmatch(tail)
    if match is None:
        return None
    clock = _clock(match)
    zone = _zone(match)
    if clock is None or zone is False:
        return None
    assert zone is not True
    try:
        moment = datetime(day.year, day.month, day.day, *clock, tzinfo=zone)
    except ValueError:
        return None
    if match[1] == "24":
        moment += timedelta(days=1)
    return moment


def parse_duration(text: str) -> timedelta | YearsMonths | None:
    match = _DURATION.fullmatch(text)
    if match is None or text.endswith(("P", "T")):
        return None
    negative = match[1] is not None
    years, months, days, hours, minutes, seconds, fraction = match.groups()[1:]
    if years is None and months is None:
        if days is None and hours is None and minutes is None and seconds is None:
            return None
        micros = int((fraction or "0")[:6].ljust(6, "0"))
        try:
            value = timedelta(
                days=int(days or 0),
                hours=int(hours or 0),
                minutes=int(minutes or 0),
                seconds=int(seconds or 0),
                microseconds=micros,
            )
        except OverflowError:
            return None
        return -value if negative else value
    if days is not None or hours is not None or minutes is not None or seconds is not None:
        return None
    total = int(years or 0) * 12 + int(months or 0)
    return YearsMonths(-total if negative else total)


def parse_temporal(text: str) -> object:
    """The value of an ``@"..."`` literal: a date, time, date and time or duration."""
    stripped = text.strip()
    if stripped.startswith(("P", "-P")):
        return parse_duration(stripped)
    if "T" in stripped.split("@", 1)[0]:
        return parse_date_time(stripped)
    if ":" in stripped:
        return parse_time(stripped)
    return parse_date(stripped)


# ── arithmetic ─────────────────────────────────────────────────────────────────────────────────


def _add_months(moment: date, months: int) -> date | None:
    index = moment.year * 12 + moment.month - 1 + months
    year, month = divmod(index, 12)
    if not 1 <= year <= 9999:
        return None
    day = min(moment.day, calendar.monthrange(year, month + 1)[1])
    return moment.replace(year=year, month=month + 1, day=day)


def _shift(moment: datetime, delta: timedelta) -> datetime | None:
    try:
        if isinstance(moment.tzinfo, ZoneInfo):
            zone = moment.tzinfo
            utc = moment.astimezone(UTC) + delta
            return utc.astimezone(zone)
        return moment + delta
    except OverflowError:
        return None


def _time_shift(moment: time, delta: timedelta) -> time:
    base = datetime.combine(date(2000, 1, 1), moment.replace(tzinfo=None)) + delta
    return base.time().replace(tzinfo=moment.tzinfo)


def add(left: object, right: object) -> object:
    """``left + right`` for temporal operands (None when FEEL does not define the sum)."""
    lk, rk = type(left), type(right)
    if lk is timedelta and rk is timedelta:
        assert isinstance(left, timedelta) and isinstance(right, timedelta)
        try:
            return left + right
        except OverflowError:
            return None
    if lk is YearsMonths and rk is YearsMonths:
        assert isinstance(left, YearsMonths) and isinstance(right, YearsMonths)
        return YearsMonths(left.months + right.months)
    if lk in (timedelta, YearsMonths) and rk in (date, datetime, time):
        return add(right, left)
    if lk is datetime:
        assert isinstance(left, datetime)
        if rk is timedelta:
            assert isinstance(right, timedelta)
            return _shift(left, right)
        if rk is YearsMonths:
            assert isinstance(right, YearsMonths)
            shifted = _add_months(left.date(), right.months)
            return None if shifted is None else datetime.combine(shifted, left.timetz())
        return None
    if lk is date:
        assert isinstance(left, date)
        if rk is timedelta:
            assert isinstance(right, timedelta)
            moment = _shift(datetime(left.year, left.month, left.day), right)
            return None if moment is None else moment.date()
        if rk is YearsMonths:
            assert isinstance(right, YearsMonths)
            return _add_months(left, right.months)
        return None
    if lk is time and rk is timedelta:
        assert isinstance(left, time) and isinstance(right, timedelta)
        return _time_shift(left, right)
    return None


def _negate(value: object) -> object:
    if type(value) is timedelta:
        assert isinstance(value, timedelta)
        return -value
    if type(value) is YearsMonths:
        assert isinstance(value, YearsMonths)
        return YearsMonths(-value.months)
    return None


def _as_datetime(value: date, like: datetime) -> datetime:
    return datetime(value.year, value.month, value.day, tzinfo=like.tzinfo)


def subtract(left: object, right: object) -> object:
    """``left - right`` for temporal operands (None when FEEL does not define it)."""
    lk, rk = type(left), type(right)
    if rk in (timedelta, YearsMonths) and lk in (date, datetime, time, timedelta, YearsMonths):
        if lk in (timedelta, YearsMonths) and lk is not rk:
            return None
        return add(left, _negate(right))
    if lk is date and rk is datetime:
        assert isinstance(left, date) and isinstance(right, datetime)
        left = _as_datetime(left, right)
        lk = datetime
    elif lk is datetime and rk is date:
        assert isinstance(left, datetime) and isinstance(right, date)
        right = _as_datetime(right, left)
        rk = datetime
    if lk is datetime and rk is datetime:
        assert isinstance(left, datetime) and isinstance(right, datetime)
        if (left.tzinfo is None) != (right.tzinfo is None):
            return None
        return left - right
    if lk is date and rk is date:
        assert isinstance(left, date) and isinstance(right, date)
        return left - right
    if lk is time and rk is time:
        assert isinstance(left, time) and isinstance(right, time)
        if (left.tzinfo is None) != (right.tzinfo is None):
            return None
        day = date(2000, 1, 1)
        a = datetime.combine(day, left.replace(tzinfo=None)) - (time_offset(left) or timedelta(0))
        b = datetime.combine(day, right.replace(tzinfo=None)) - (time_offset(right) or timedelta(0))
        return a - b
    return None


def _micros(value: timedelta) -> int:
    return (value.days * 86400 + value.seconds) * 1_000_000 + value.microseconds


def from_micros(micros: int | Decimal) -> timedelta | None:
    try:
        return timedelta(microseconds=int(micros))
    except (OverflowError, ValueError):
        return None


def seconds_of(value: timedelta) -> Decimal:
    return DECIMAL.divide(Decimal(_micros(value)), Decimal(1_000_000))


def multiply(duration: object, factor: Decimal) -> object:
    if type(duration) is timedelta:
        assert isinstance(duration, timedelta)
        return from_micros(DECIMAL.multiply(Decimal(_micros(duration)), factor).to_integral_value())
    if type(duration) is YearsMonths:
        assert isinstance(duration, YearsMonths)
        months = DECIMAL.multiply(Decimal(duration.months), factor)
        return YearsMonths(int(months.to_integral_value(rounding="ROUND_DOWN")))
    return None


def divide(duration: object, divisor: object) -> object:
    if is_number(divisor):
        assert isinstance(divisor, Decimal)
        if divisor == 0:
            return None
        if type(duration) is timedelta:
            assert isinstance(duration, timedelta)
            return from_micros(DECIMAL.divide(Decimal(_micros(duration)), divisor).to_integral_value())
        if type(duration) is YearsMonths:
            assert isinstance(duration, YearsMonths)
            months = DECIMAL.divide(Decimal(duration.months), divisor)
            return YearsMonths(int(months.to_integral_value(rounding="ROUND_DOWN")))
        return None
    if type(duration) is timedelta and type(divisor) is timedelta:
        assert isinstance(duration, timedelta) and isinstance(divisor, timedelta)
        if not divisor:
            return None
        return DECIMAL.divide(Decimal(_micros(duration)), Decimal(_micros(divisor)))
    if type(duration) is YearsMonths and type(divisor) is YearsMonths:
        assert isinstance(duration, YearsMonths) and isinstance(divisor, YearsMonths)
        if not divisor.months:
            return None
        return DECIMAL.divide(Decimal(duration.months), Decimal(divisor.months))
    return None


# ── properties (path expressions on temporal values) ───────────────────────────────────────────


def _zone_name(zone: tzinfo | None) -> object:
    if isinstance(zone, ZoneInfo):
        return zone.key
    return None


def _offset(moment: datetime | time) -> object:
    if moment.tzinfo is None:
        return None
    if isinstance(moment, datetime):
        return moment.utcoffset()
    return time_offset(moment)


def temporal_property(value: object, name: str) -> object:
    """``value.name`` for dates, times and durations (None for an unknown property)."""
    kind = type(value)
    if kind is date or kind is datetime:
        assert isinstance(value, date)
        if name == "year":
            return Decimal(value.year)
        if name == "month":
            return Decimal(value.month)
        if name == "day":
            return Decimal(value.day)
        if name == "weekday":
            return Decimal(value.isoweekday())
    if kind is datetime or kind is time:
        assert isinstance(value, datetime | time)
        if name == "hour":
            return Decimal(value.hour)
        if name == "minute":
            return Decimal(value.minute)
        if name == "second":
            return Decimal(value.second) + (
                DECIMAL.divide(Decimal(value.microsecond), Decimal(1_000_000)) if value.microsecond else 0
            )
        if name == "time offset":
            return _offset(value)
        if name == "timezone":
            return _zone_name(value.tzinfo)
    if kind is timedelta:
        assert isinstance(value, timedelta)
        micros = _micros(value)
        sign = -1 if micros < 0 else 1
        total = abs(micros) // 1_000_000
        parts = {
            "days": total // 86400,
            "hours": total % 86400 // 3600,
            "minutes": total % 3600 // 60,
            "seconds": total % 60,
        }
        if name in parts:
            return Decimal(sign * parts[name])
    if kind is YearsMonths:
        assert isinstance(value, YearsMonths)
        sign = -1 if value.months < 0 else 1
        if name == "years":
            return Decimal(sign * (abs(value.months) // 12))
        if name == "months":
            return Decimal(sign * (abs(value.months) % 12))
    return None


__all__ += ["divide", "from_micros", "multiply", "seconds_of", "zone_of"]
_ = _MAX_DURATION_DAYS
