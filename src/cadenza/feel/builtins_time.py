"""FEEL built-ins for dates, times, durations and ranges (DMN 1.5 §10.3.4.1, .6, .7, .9, .11).

Layer: ``feel``. Registered into :data:`cadenza.feel.builtins.BUILTINS`. ``now()`` and
``today()`` read the clock (UTC), the only built-ins that are not pure.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta, timezone
from decimal import ROUND_FLOOR, Decimal
from typing import Final
from zoneinfo import ZoneInfo

from cadenza.feel import temporal
from cadenza.feel.values import Range, YearsMonths, feel_compare, feel_equals, time_offset


def _register(
    name: str, *parameters: str, aliases: dict[str, str] | None = None
) -> Callable[[Callable[..., object]], object]:
    from cadenza.feel.builtins import builtin

    return builtin(name, *parameters, aliases=aliases)


_ABSENT: Final = object()


def _int(value: object) -> int | None:
    if type(value) is not Decimal:
        return None
    assert isinstance(value, Decimal)
    if value != value.to_integral_value():
        return None
    return int(value)


@_register("date", "from", "month", "day", aliases={"year": "from"})
def _date(value: object, month: object = _ABSENT, day: object = _ABSENT) -> object:
    if month is not _ABSENT or day is not _ABSENT:
        y, m, d = _int(value), _int(month), _int(day)
        if y is None or m is None or d is None:
            return None
        return date(y, m, d)
    if type(value) is str:
        return temporal.parse_date(value)
    if type(value) is datetime:
        return value.date()
    if type(value) is date:
        return value
    return None


def _combine(day: object, clock: object) -> object:
    if type(day) not in (date, datetime) or type(clock) is not time:
        return None
    assert isinstance(day, date) and isinstance(clock, time)
    base = day.date() if isinstance(day, datetime) else day
    return datetime.combine(base, clock)


@_register("date and time", "from", "time", aliases={"date": "from"})
def _date_and_time(value: object, clock: object = _ABSENT) -> object:
    if clock is not _ABSENT:
        return _combine(value, clock)
    if type(value) is str:
        return temporal.parse_date_time(value)
    if type(value) is datetime:
        return value
    if type(value) is date:
        assert isinstance(value, date)
        return datetime(value.year, value.month, value.day)
    return None


@_register("time", "from", "minute", "second", "offset", aliases={"hour": "from"})
def _time(value: object, minute: object = _ABSENT, second: object = _ABSENT, offset: object = None) -> object:
    if minute is not _ABSENT or second is not _ABSENT:
        hour, mins = _int(value), _int(minute)
        if hour is None or mins is None or type(second) is not Decimal:
            return None
        assert isinstance(second, Decimal)
        whole = int(second.to_integral_value(rounding=ROUND_FLOOR))
        micros = int((second - whole) * 1_000_000)
        zone = None
        if offset is not None:
            if type(offset) is not timedelta:
                return None
            assert isinstance(offset, timedelta)
            zone = timezone(offset)
        return time(hour, mins, whole, micros, tzinfo=zone)
    if type(value) is str:
        return temporal.parse_time(value)
    if type(value) is datetime:
        return value.timetz()
    if type(value) is date:
        return time(0, 0, 0, tzinfo=UTC)
    if type(value) is time:
        return value
    return None


@_register("duration", "from")
def _duration(value: object) -> object:
    if type(value) is not str:
        return None
    return temporal.parse_duration(value)


@_register("years and months duration", "from", "to")
def _years_and_months(start: object, end: object) -> object:
    if type(start) not in (date, datetime) or type(end) not in (date, datetime):
        return None
    assert isinstance(start, date) and isinstance(end, date)
    a = start.date() if isinstance(start, datetime) else start
    b = end.date() if isinstance(end, datetime) else end
    months = (b.year - a.year) * 12 + (b.month - a.month)
    if months > 0 and b.day < a.day:
        months -= 1
    elif months < 0 and b.day > a.day:
        months += 1
    return YearsMonths(months)


@_register("now")
def _now() -> object:
    return datetime.now(UTC)


@_register("today")
def _today() -> object:
    return datetime.now(UTC).date()


def _day(value: object) -> date | None:
    if type(value) is datetime:
        return value.date()
    if type(value) is date:
        return value
    return None


@_register("day of year", "date")
def _day_of_year(value: object) -> object:
    day = _day(value)
    return None if day is None else Decimal(day.timetuple().tm_yday)


@_register("day of week", "date")
def _day_of_week(value: object) -> object:
    day = _day(value)
    return None if day is None else calendar.day_name[day.weekday()]


@_register("week of year", "date")
def _week_of_year(value: object) -> object:
    day = _day(value)
    return None if day is None else Decimal(day.isocalendar()[1])


@_register("month of year", "date")
def _month_of_year(value: object) -> object:
    day = _day(value)
    return None if day is None else calendar.month_name[day.month]


@_register("last day of month", "date")
def _last_day_of_month(value: object) -> object:
    day = _day(value)
    if day is None:
        return None
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def _zone_identity(value: datetime | time) -> object:
    zone = value.tzinfo
    if zone is None:
        return None
    if isinstance(zone, ZoneInfo):
        return zone.key
    return time_offset(value) if isinstance(value, time) else value.utcoffset()


@_register("is", "value1", "value2")
def _is(left: object, right: object = None) -> object:
    if type(left) is not type(right):
        return False
    if type(left) in (datetime, time):
        assert isinstance(left, datetime | time) and isinstance(right, datetime | time)
        return left.replace(tzinfo=None) == right.replace(tzinfo=None) and _zone_identity(
            left
        ) == _zone_identity(right)
    return feel_equals(left, right) is True


_MAX_RANGE_TEXT: Final = 1_000
_STRING_LITERAL: Final = r'"(?:[^"\\]|\\.)*"'
_ENDPOINTS: Final = re.compile(
    rf"((?:{_STRING_LITERAL}|[^\"])*?)\.\.((?:{_STRING_LITERAL}|[^\"])*)", re.DOTALL
)
_ENDPOINT: Final = re.compile(
    rf"-?[0-9]+(?:\.[0-9]+)?|{_STRING_LITERAL}|@{_STRING_LITERAL}"
    rf"|[a-z][a-z ]*\(\s*{_STRING_LITERAL}\s*\)|null|"
)


@_register("range", "from")
def _range(text: object) -> object:
    """DMN 1.5 ``range(from)``: the range a range literal text denotes (no variables in scope)."""
    if type(text) is not str or len(text) > _MAX_RANGE_TEXT:
        return None
    assert isinstance(text, str)
    source = text.strip()
    if len(source) < 2 or source[0] not in "[(]" or source[-1] not in "])[":
        return None
    parts = _ENDPOINTS.fullmatch(source[1:-1])
    if parts is None or not all(_ENDPOINT.fullmatch(part.strip()) for part in parts.groups()):
        return None
    from cadenza.feel.api import compile_expression
    from cadenza.feel.runtime import Budget, FeelError, Limits

    limits = Limits(max_steps=1_000, max_seconds=0.1, max_call_depth=4)
    try:
        value = compile_expression(source, limits=limits).evaluate({}, Budget(limits))
    except FeelError:
        return None
    if type(value) is not Range:
        return None
    assert isinstance(value, Range)
    if value.null_endpoint and value.start is None and value.end is None:
        return None
    if value.start is not None and value.end is not None:
        order = feel_compare(value.start, value.end)
        if order is None or order > 0:
            return None
    return value


# ── range functions (DMN 1.4 §10.3.4.9); a point is a range [p..p] ─────────────────────────────

_LOW: Final = object()
_HIGH: Final = object()


def _cmp(a: object, b: object) -> int | None:
    if a is b and a in (_LOW, _HIGH):
        return 0
    if a is _LOW or b is _HIGH:
        return -1
    if a is _HIGH or b is _LOW:
        return 1
    return feel_compare(a, b)


class _Span:
    __slots__ = ("end", "end_in", "start", "start_in")

    def __init__(self, start: object, start_in: bool, end: object, end_in: bool) -> None:
        self.start, self.start_in, self.end, self.end_in = start, start_in, end, end_in


def _span(value: object) -> _Span | None:
    if value is None:
        return None
    if type(value) is Range:
        assert isinstance(value, Range)
        start = _LOW if value.start is None else value.start
        end = _HIGH if value.end is None else value.end
        return _Span(start, value.start_included, end, value.end_included)
    if feel_compare(value, value) is None:
        return None
    return _Span(value, True, value, True)


def _range_function(name: str, test: Callable[[_Span, _Span], bool | None]) -> None:
    def impl(left: object, right: object) -> object:
        a, b = _span(left), _span(right)
        if a is None or b is None:
            return None
        try:
            return test(a, b)
        except TypeError:
            return None

    _register(name, "point1", "point2")(impl)


def _lt(a: object, b: object) -> bool:
    order = _cmp(a, b)
    if order is None:
        raise TypeError
    return order < 0


def _eq(a: object, b: object) -> bool:
    order = _cmp(a, b)
    if order is None:
        raise TypeError
    return order == 0


def _before(a: _Span, b: _Span) -> bool:
    return _lt(a.end, b.start) or (_eq(a.end, b.start) and not (a.end_in and b.start_in))


def _meets(a: _Span, b: _Span) -> bool:
    return a.end_in and b.start_in and _eq(a.end, b.start)


def _overlaps(a: _Span, b: _Span) -> bool:
    return (_lt(b.start, a.end) or (_eq(a.end, b.start) and a.end_in and b.start_in)) and (
        _lt(a.start, b.end) or (_eq(a.start, b.end) and a.start_in and b.end_in)
    )


def _overlaps_before(a: _Span, b: _Span) -> bool:
    return (
        (_lt(a.start, b.start) or (_eq(a.start, b.start) and a.start_in and not b.start_in))
        and (_lt(b.start, a.end) or (_eq(a.end, b.start) and a.end_in and b.start_in))
        and (_lt(a.end, b.end) or (_eq(a.end, b.end) and (not a.end_in or b.end_in)))
    )


def _finishes(a: _Span, b: _Span) -> bool:
    return (
        a.end_in == b.end_in
        and _eq(a.end, b.end)
        and (_lt(b.start, a.start) or (_eq(a.start, b.start) and (not a.start_in or b.start_in)))
    )


def _includes(a: _Span, b: _Span) -> bool:
    return (_lt(a.start, b.start) or (_eq(a.start, b.start) and (a.start_in or not b.start_in))) and (
        _lt(b.end, a.end) or (_eq(a.end, b.end) and (a.end_in or not b.end_in))
    )


def _starts(a: _Span, b: _Span) -> bool:
    return (
        _eq(a.start, b.start)
        and a.start_in == b.start_in
        and (_lt(a.end, b.end) or (_eq(a.end, b.end) and (not a.end_in or b.end_in)))
    )


def _coincides(a: _Span, b: _Span) -> bool:
    return _eq(a.start, b.start) and _eq(a.end, b.end) and a.start_in == b.start_in and a.end_in == b.end_in


_range_function("before", _before)
_range_function("after", lambda a, b: _before(b, a))
_range_function("meets", _meets)
_range_function("met by", lambda a, b: _meets(b, a))
_range_function("overlaps", _overlaps)
_range_function("overlaps before", _overlaps_before)
_range_function("overlaps after", lambda a, b: _overlaps_before(b, a))
_range_function("finishes", _finishes)
_range_function("finished by", lambda a, b: _finishes(b, a))
_range_function("includes", _includes)
_range_function("during", lambda a, b: _includes(b, a))
_range_function("starts", _starts)
_range_function("started by", lambda a, b: _starts(b, a))
_range_function("coincides", _coincides)

_ = (timezone, feel_equals)
