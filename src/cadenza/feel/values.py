"""FEEL values in Python: the value model, equality, ordering and the ``string()`` rendering.

Layer: ``feel`` (imports only ``cadenza.errors``). Every FEEL value is one of:

============================  ================================================================
FEEL type                     Python value
============================  ================================================================
null                          ``None``
number                        ``decimal.Decimal`` (34 significant digits, IEEE 754 decimal128)
string                        ``str``
boolean                       ``bool``
date                          ``datetime.date`` (never a ``datetime``)
time                          ``datetime.time`` (naive, or with a fixed offset or a ``ZoneInfo``)
date and time                 ``datetime.datetime`` (naive = local, or offset / ``ZoneInfo``)
days and time duration        ``datetime.timedelta``
years and months duration     :class:`YearsMonths`
list                          ``list`` (never mutated once built)
context                       ``dict`` with ``str`` keys, in entry order
range                         :class:`Range`
function                      :class:`Function`
============================  ================================================================

Comparisons return ``None`` (FEEL null) when the operands are not comparable, as the spec says;
they never raise.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone, tzinfo
from decimal import Context, Decimal, InvalidOperation
from typing import Final
from zoneinfo import ZoneInfo

__all__ = [
    "DECIMAL",
    "Function",
    "Range",
    "YearsMonths",
    "feel_compare",
    "feel_equals",
    "is_number",
    "render",
    "type_name",
]

DECIMAL: Final = Context(prec=34, Emax=6144, Emin=-6143)
"""FEEL numbers: IEEE 754-2008 decimal128 (34 digits, round half even)."""


@dataclass(frozen=True, slots=True)
class YearsMonths:
    """A years-and-months duration, held as a signed count of months."""

    months: int

    def __str__(self) -> str:
        return render(self)


@dataclass(frozen=True, slots=True)
class Range:
    """A FEEL range (interval); an absent end point (``None``) is unbounded."""

    start: object
    start_included: bool
    end: object
    end_included: bool
    null_endpoint: bool = False
    """True for a literal written with ``null`` as an end point (which contains nothing)."""

    def contains(self, value: object) -> bool | None:
        """True when ``value`` lies in the range, None when it cannot be compared."""
        if value is None or self.null_endpoint:
            return None
        if self.start is not None:
            order = feel_compare(self.start, value)
            if order is None:
                return None
            if order > 0 or (order == 0 and not self.start_included):
                return False
        if self.end is not None:
            order = feel_compare(value, self.end)
            if order is None:
                return None
            if order > 0 or (order == 0 and not self.end_included):
                return False
        return True


@dataclass(eq=False, slots=True)
class Function:
    """A FEEL function value: a built-in, a user-defined ``function(...)``, a BKM or service.

    ``call(args)`` takes the positional arguments; ``parameters`` names them for named
    invocation (``None`` for built-ins of variable arity). ``variadic`` built-ins accept any
    count (then ``parameters`` names only the leading ones).
    """

    name: str
    parameters: tuple[str, ...] | None
    call: Callable[[list[object]], object]
    variadic: bool = False
    parameter_types: tuple[object, ...] | None = None
    exact_arity: bool = False
    """User functions: a call must pass every parameter (named calls fill the rest with null)."""
    scope_call: Callable[[dict[str, object]], object] | None = None
    """A business knowledge model without formal parameters: an invocation's bindings become
    names in its scope (DMN models written that way exist, e.g. in the TCK)."""
    aliases: Mapping[str, str] | None = None
    """Other spec names of a parameter, for named invocation (``keys`` for ``key``)."""

    def __repr__(self) -> str:
        return f"Function({self.name})"


def is_number(value: object) -> bool:
    return type(value) is Decimal


def type_name(value: object) -> str:
    """The FEEL type name of a value, as ``instance of`` and error messages write it."""
    if value is None:
        return "Null"
    kind = type(value)
    name = _TYPE_NAMES.get(kind)
    if name is not None:
        return name
    if isinstance(value, datetime):
        return "date and time"
    if isinstance(value, date):
        return "date"
    if isinstance(value, time):
        return "time"
    if isinstance(value, list):
        return "list"
    if isinstance(value, Mapping):
        return "context"
    return kind.__name__


_TYPE_NAMES: Final[dict[type, str]] = {
    Decimal: "number",
    str: "string",
    bool: "boolean",
    date: "date",
    datetime: "date and time",
    time: "time",
    timedelta: "days and time duration",
    YearsMonths: "years and months duration",
    list: "list",
    dict: "context",
    Range: "range",
    Function: "function",
}


# ── time zones ─────────────────────────────────────────────────────────────────────────────────

_REFERENCE_DAY: Final = date(1970, 1, 1)


def time_offset(value: time) -> timedelta | None:
    """The UTC offset of a time of day (a zone id is taken at its offset on 1970-01-01)."""
    zone = value.tzinfo
    if zone is None:
        return None
    if isinstance(zone, ZoneInfo):
        return datetime.combine(_REFERENCE_DAY, value.replace(tzinfo=None), zone).utcoffset()
    return zone.utcoffset(None)


def _time_key(value: time) -> timedelta:
    seconds = timedelta(
        hours=value.hour, minutes=value.minute, seconds=value.second, microseconds=value.microsecond
    )
    offset = time_offset(value)
    return seconds if offset is None else seconds - offset


# ── equality and order ─────────────────────────────────────────────────────────────────────────


def feel_equals(left: object, right: object) -> bool | None:
    """FEEL ``=``: True/False for values of one type, None (null) for incomparable ones."""
    if left is None or right is None:
        return left is None and right is None
    lk, rk = type(left), type(right)
    if lk is not rk:
        return None
    if lk is Decimal or lk is str or lk is bool or lk is date or lk is timedelta or lk is YearsMonths:
        return left == right
    if lk is datetime:
        assert isinstance(left, datetime) and isinstance(right, datetime)
        if (left.tzinfo is None) != (right.tzinfo is None):
            return None
        return left == right
    if lk is time:
        assert isinstance(left, time) and isinstance(right, time)
        if (left.tzinfo is None) != (right.tzinfo is None):
            return None
        return _time_key(left) == _time_key(right)
    if lk is list:
        assert isinstance(left, list) and isinstance(right, list)
        if len(left) != len(right):
            return False
        return _all_equal(zip(left, right, strict=True))
    if lk is dict:
        assert isinstance(left, dict) and isinstance(right, dict)
        if left.keys() != right.keys():
            return False
        return _all_equal((left[key], right[key]) for key in left)
    if lk is Range:
        assert isinstance(left, Range) and isinstance(right, Range)
        return (
            left.start_included == right.start_included
            and left.end_included == right.end_included
            and left.null_endpoint == right.null_endpoint
            and _same(left.start, right.start)
            and _same(left.end, right.end)
        )
    return left is right


def _same(left: object, right: object) -> bool:
    return feel_equals(left, right) is True


def _all_equal(pairs: object) -> bool | None:
    unknown = False
    for a, b in pairs:  # type: ignore[attr-defined]
        same = feel_equals(a, b)
        if same is False:
            return False
        if same is None:
            unknown = True
    return None if unknown else True


def feel_compare(left: object, right: object) -> int | None:
    """-1/0/1 for ordered values of one type, None when FEEL cannot order them."""
    if left is None or right is None:
        return None
    lk = type(left)
    if lk is not type(right):
        return None
    if lk is Decimal or lk is str or lk is date or lk is timedelta:
        result: int = (left > right) - (left < right)  # type: ignore[operator]
        return result
    if lk is YearsMonths:
        assert isinstance(left, YearsMonths) and isinstance(right, YearsMonths)
        return (left.months > right.months) - (left.months < right.months)
    if lk is datetime:
        assert isinstance(left, datetime) and isinstance(right, datetime)
        if (left.tzinfo is None) != (right.tzinfo is None):
            return None
        return (left > right) - (left < right)
    if lk is time:
        assert isinstance(left, time) and isinstance(right, time)
        if (left.tzinfo is None) != (right.tzinfo is None):
            return None
        a, b = _time_key(left), _time_key(right)
        return (a > b) - (a < b)
    return None


# ── rendering (the FEEL string() function) ─────────────────────────────────────────────────────


def render_number(value: Decimal) -> str:
    if not value.is_finite():
        return str(value)
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _render_offset(zone: tzinfo | None, offset: timedelta | None) -> str:
    if zone is None:
        return ""
    if isinstance(zone, ZoneInfo):
        return "@" + zone.key
    if offset is None:
        return ""
    if offset == timedelta(0):
        return "Z"
    sign = "-" if offset < timedelta(0) else "+"
    total = abs(int(offset.total_seconds()))
    hours, rest = divmod(total, 3600)
    minutes, seconds = divmod(rest, 60)
    text = f"{sign}{hours:02d}:{minutes:02d}"
    return text + (f":{seconds:02d}" if seconds else "")


def _render_clock(value: time | datetime) -> str:
    text = f"{value.hour:02d}:{value.minute:02d}:{value.second:02d}"
    if value.microsecond:
        text += f".{value.microsecond:06d}".rstrip("0")
    return text


def render_date(value: date) -> str:
    year = value.year
    return f"{year:04d}-{value.month:02d}-{value.day:02d}"


def render_duration(value: timedelta) -> str:
    micros = (value.days * 86400 + value.seconds) * 1_000_000 + value.microseconds
    sign = "-" if micros < 0 else ""
    micros = abs(micros)
    seconds, fraction = divmod(micros, 1_000_000)
    days, seconds = divmod(seconds, 86400)
    hours, seconds = divmod(seconds, 3600)
    minutes, seconds = divmod(seconds, 60)
    text = "P"
    if days:
        text += f"{days}D"
    clock = ""
    if hours:
        clock += f"{hours}H"
    if minutes:
        clock += f"{minutes}M"
    if seconds or fraction:
        clock += f"{seconds}" + (f".{fraction:06d}".rstrip("0") if fraction else "") + "S"
    if clock:
        text += "T" + clock
    if text == "P":
        text = "PT0S"
    return sign + text


def render_years_months(value: YearsMonths) -> str:
    sign = "-" if value.months < 0 else ""
    years, months = divmod(abs(value.months), 12)
    text = ""
    if years:
        text += f"{years}Y"
    if months or not years:
        text += f"{months}M"
    return f"{sign}P{text}"


def render(value: object, *, nested: bool = False) -> str:
    """The text FEEL's ``string(value)`` gives (lists and contexts in FEEL literal syntax)."""
    if value is None:
        return "null"
    kind = type(value)
    if kind is str:
        assert isinstance(value, str)
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"' if nested else value
    if kind is bool:
        return "true" if value else "false"
    if kind is Decimal:
        assert isinstance(value, Decimal)
        return render_number(value)
    if kind is date:
        assert isinstance(value, date)
        return render_date(value)
    if kind is datetime:
        assert isinstance(value, datetime)
        return (
            render_date(value)
            + "T"
            + _render_clock(value)
            + _render_offset(value.tzinfo, value.utcoffset() if value.tzinfo else None)
        )
    if kind is time:
        assert isinstance(value, time)
        return _render_clock(value) + _render_offset(value.tzinfo, time_offset(value))
    if kind is timedelta:
        assert isinstance(value, timedelta)
        return render_duration(value)
    if kind is YearsMonths:
        assert isinstance(value, YearsMonths)
        return render_years_months(value)
    if kind is list:
        assert isinstance(value, list)
        return "[" + ", ".join(render(item, nested=True) for item in value) + "]"
    if kind is dict:
        assert isinstance(value, dict)
        return "{" + ", ".join(f"{key}: {render(item, nested=True)}" for key, item in value.items()) + "}"
    if kind is Range:
        assert isinstance(value, Range)
        opening = "[" if value.start_included else "("
        closing = "]" if value.end_included else ")"
        start = "null" if value.start is None else render(value.start, nested=True)
        end = "null" if value.end is None else render(value.end, nested=True)
        return f"{opening}{start}..{end}{closing}"
    if kind is Function:
        assert isinstance(value, Function)
        return f"function {value.name}"
    return str(value)


def to_decimal(value: int | float | str) -> Decimal | None:
    """A Python number as a FEEL number (None for NaN and infinities, which FEEL lacks)."""
    try:
        number = DECIMAL.create_decimal(value) if not isinstance(value, float) else Decimal(repr(value))
    except (InvalidOperation, ValueError):
        return None
    if not number.is_finite():
        return None
    return DECIMAL.plus(number)


def fixed_zone(offset: timedelta) -> tzinfo:
    return timezone(offset)


def flatten(items: Sequence[object]) -> list[object]:
    out: list[object] = []
    for item in items:
        if isinstance(item, list):
            out.extend(flatten(item))
        else:
            out.append(item)
    return out
