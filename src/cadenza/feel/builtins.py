"""The FEEL built-in function library (DMN 1.5 §10.3.4): registry, numeric, string, boolean.

Layer: ``feel``. Every built-in is a :class:`~cadenza.feel.values.Function` whose parameter
names are the spec's, so named invocation works (``substring(string: "a", start position: 1)``).
A built-in given arguments of the wrong type or count returns null, never raises. List and
context functions live in :mod:`.builtins_lists`, date, time and range functions in
:mod:`.builtins_time`; both register into :data:`BUILTINS` through :func:`builtin`.
Regular expressions (``matches``, ``replace``, ``split``) use XML Schema / XPath syntax and run
under the ``regex`` module with a time limit (:data:`REGEX_TIMEOUT`), so no pattern can hang an
evaluation.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import (
    ROUND_CEILING,
    ROUND_DOWN,
    ROUND_FLOOR,
    ROUND_HALF_DOWN,
    ROUND_HALF_EVEN,
    ROUND_HALF_UP,
    ROUND_UP,
    Decimal,
    InvalidOperation,
)
from typing import Final

import regex

from cadenza.feel.values import DECIMAL, Function, render, to_decimal

__all__ = ["BUILTINS", "REGEX_TIMEOUT", "builtin"]

BUILTINS: dict[str, Function] = {}

REGEX_TIMEOUT: Final = 1.0
"""Seconds one regular-expression operation of a built-in may run."""

_MAX_TEXT: Final = 1_000_000

Impl = Callable[..., object]


def builtin(
    name: str, *parameters: str, variadic: bool = False, aliases: dict[str, str] | None = None
) -> Callable[[Impl], Impl]:
    """Register ``impl(*args)`` as the built-in ``name`` (positional args, spec names)."""

    def register(impl: Impl) -> Impl:
        def call(args: list[object]) -> object:
            try:
                return impl(*args)
            except TypeError:
                return None  # wrong number of arguments
            except (ArithmeticError, ValueError, OverflowError, IndexError, KeyError, RecursionError):
                return None

        BUILTINS[name] = Function(name, tuple(parameters), call, variadic=variadic, aliases=aliases)
        return impl

    return register


def _single(value: object) -> object:
    """A singleton list stands for its element where a scalar is expected (DMN 10.3.2.9.4)."""
    if type(value) is list and len(value) == 1:
        return value[0]
    return value


def _number(value: object) -> Decimal | None:
    value = _single(value)
    return value if type(value) is Decimal else None


def _integer(value: object) -> int | None:
    number = _number(value)
    if number is None or number != number.to_integral_value():
        return None
    return int(number)


def _text(value: object) -> str | None:
    value = _single(value)
    return value if type(value) is str else None


# ── boolean and conversion ─────────────────────────────────────────────────────────────────────


@builtin("not", "negand")
def _not(value: object) -> object:
    return (not value) if type(value) is bool else None


@builtin("string", "from")
def _string(value: object) -> object:
    if value is None:
        return None
    return render(value)


_GROUPING: Final = (" ", ",", ".", None)
_DECIMAL_SEPARATORS: Final = (".", ",", None)


@builtin("number", "from", "grouping separator", "decimal separator")
def _parse_number(text: object, grouping: object = None, decimal_sep: object = None) -> object:
    if type(text) is not str or grouping not in _GROUPING or decimal_sep not in _DECIMAL_SEPARATORS:
        return None
    if grouping is not None and grouping == decimal_sep:
        return None
    assert isinstance(text, str)
    if grouping is not None:
        assert isinstance(grouping, str)
        text = text.replace(grouping, "")
    if decimal_sep is not None and decimal_sep != ".":
        assert isinstance(decimal_sep, str)
        text = text.replace(decimal_sep, ".")
    if not regex.fullmatch(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?", text):
        return None
    return to_decimal(text)


# ── numeric ────────────────────────────────────────────────────────────────────────────────────


_ABSENT: Final = object()


def _rounding(name: str, mode: str, *, optional_scale: bool) -> None:
    def impl(value: object, scale: object = _ABSENT) -> object:
        number = _number(value)
        if number is None:
            return None
        if scale is _ABSENT:
            if not optional_scale:
                return None
            places: int | None = 0
        else:
            scale = _single(scale)
            places = int(scale) if type(scale) is Decimal else None
        if places is None or not -6111 <= places <= 6176:
            return None
        exponent = Decimal(1).scaleb(-places)
        try:
            return number.quantize(exponent, rounding=mode, context=DECIMAL)
        except InvalidOperation:
            # more places than 34 digits hold: the number has them all already
            return number if places > 0 else None

    builtin(name, "n", "scale")(impl)


_rounding("decimal", ROUND_HALF_EVEN, optional_scale=False)
_rounding("floor", ROUND_FLOOR, optional_scale=True)
_rounding("ceiling", ROUND_CEILING, optional_scale=True)
_rounding("round up", ROUND_UP, optional_scale=False)
_rounding("round down", ROUND_DOWN, optional_scale=False)
_rounding("round half up", ROUND_HALF_UP, optional_scale=False)
_rounding("round half down", ROUND_HALF_DOWN, optional_scale=False)


@builtin("abs", "n")
def _abs(value: object) -> object:
    if type(value) is Decimal:
        return abs(value)
    from datetime import timedelta

    from cadenza.feel.values import YearsMonths

    if type(value) is timedelta:
        return abs(value)
    if type(value) is YearsMonths:
        assert isinstance(value, YearsMonths)
        return YearsMonths(abs(value.months))
    return None


@builtin("modulo", "dividend", "divisor")
def _modulo(dividend: object, divisor: object) -> object:
    a, b = _number(dividend), _number(divisor)
    if a is None or b is None or not b:
        return None
    quotient = DECIMAL.divide(a, b).to_integral_value(rounding=ROUND_FLOOR)
    return DECIMAL.subtract(a, DECIMAL.multiply(b, quotient))


@builtin("sqrt", "number")
def _sqrt(value: object) -> object:
    number = _number(value)
    if number is None or number < 0:
        return None
    return number.sqrt(DECIMAL)


@builtin("log", "number")
def _log(value: object) -> object:
    number = _number(value)
    if number is None or number <= 0:
        return None
    return number.ln(DECIMAL)


@builtin("exp", "number")
def _exp(value: object) -> object:
    number = _number(value)
    return None if number is None else number.exp(DECIMAL)


@builtin("odd", "number")
def _odd(value: object) -> object:
    number = _integer(value)
    return None if number is None else number % 2 == 1


@builtin("even", "number")
def _even(value: object) -> object:
    number = _integer(value)
    return None if number is None else number % 2 == 0


# ── strings ────────────────────────────────────────────────────────────────────────────────────


@builtin("substring", "string", "start position", "length")
def _substring(value: object, start: object, length: object = None) -> object:
    text, position = _text(value), _number(start)
    if text is None or position is None:
        return None
    position = position.to_integral_value(rounding=ROUND_HALF_EVEN)
    first = int(position)
    if first == 0:
        first = 1
    index = first - 1 if first > 0 else len(text) + first
    if index < 0:
        index = 0
    if length is None:
        return text[index:]
    count = _number(length)
    if count is None or count < 0:
        return None
    return text[index : index + int(count.to_integral_value(rounding=ROUND_HALF_EVEN))]


@builtin("string length", "string")
def _string_length(value: object) -> object:
    text = _text(value)
    return None if text is None else Decimal(len(text))


@builtin("upper case", "string")
def _upper(value: object) -> object:
    text = _text(value)
    return None if text is None else text.upper()


@builtin("lower case", "string")
def _lower(value: object) -> object:
    text = _text(value)
    return None if text is None else text.lower()


@builtin("substring before", "string", "match")
def _before(value: object, match: object) -> object:
    text, needle = _text(value), _text(match)
    if text is None or needle is None:
        return None
    index = text.find(needle)
    return "" if index < 0 else text[:index]


@builtin("substring after", "string", "match")
def _after(value: object, match: object) -> object:
    text, needle = _text(value), _text(match)
    if text is None or needle is None:
        return None
    if needle == "":
        return text
    index = text.find(needle)
    return "" if index < 0 else text[index + len(needle) :]


@builtin("contains", "string", "match")
def _contains(value: object, match: object) -> object:
    text, needle = _text(value), _text(match)
    return None if text is None or needle is None else needle in text


@builtin("starts with", "string", "match")
def _starts(value: object, match: object) -> object:
    text, needle = _text(value), _text(match)
    return None if text is None or needle is None else text.startswith(needle)


@builtin("ends with", "string", "match")
def _ends(value: object, match: object) -> object:
    text, needle = _text(value), _text(match)
    return None if text is None or needle is None else text.endswith(needle)


def _pattern(pattern: object, flags: object) -> regex.Pattern[str] | None:
    if type(pattern) is not str or (flags is not None and type(flags) is not str):
        return None
    assert isinstance(pattern, str)
    options = 0
    literal = False
    for flag in flags or "":
        if flag == "i":
            options |= regex.IGNORECASE
        elif flag == "m":
            options |= regex.MULTILINE
        elif flag == "s":
            options |= regex.DOTALL
        elif flag == "x":
            options |= regex.VERBOSE
        elif flag == "q":
            literal = True
        else:
            return None
    if len(pattern) > 10_000:
        return None
    if options & regex.VERBOSE and not literal:
        # XPath's x flag removes every whitespace character from the pattern
        pattern = _strip_whitespace(pattern)
        options &= ~regex.VERBOSE
    if literal:
        source = regex.escape(pattern)
    else:
        translated = _xpath_pattern(
            pattern, dot_all=bool(options & regex.DOTALL), multiline=bool(options & regex.MULTILINE)
        )
        if translated is None:
            return None
        source = translated
    try:
        return regex.compile(source, options | regex.V0)
    except (regex.error, ValueError, OverflowError):
        return None


def _strip_whitespace(pattern: str) -> str:
    """XPath's ``x`` flag: whitespace goes, except inside character classes."""
    out: list[str] = []
    depth = 0
    escaped = False
    for char in pattern:
        if escaped:
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == "[":
            depth += 1
        elif char == "]" and depth:
            depth -= 1
        elif char in " \t\n\r" and not depth:
            continue
        out.append(char)
    return "".join(out)


def _xpath_pattern(pattern: str, *, dot_all: bool, multiline: bool) -> str | None:
    """XML Schema regex to Python ``regex``: ``$`` matches only at the end, ``\\i``/``\\c`` classes."""
    out: list[str] = []
    index = 0
    in_class = False
    while index < len(pattern):
        char = pattern[index]
        if char == "\\" and index + 1 < len(pattern):
            nxt = pattern[index + 1]
            if in_class and nxt.isdigit():
                return None  # a back-reference cannot stand in a character class
            if nxt == "p" and pattern.startswith("{Is", index + 2):
                out.append(r"\p{In")
                index += 5
                continue
            if nxt in "iI":
                out.append(r"[\p{L}_:]" if nxt == "i" else r"[^\p{L}_:]")
            elif nxt in "cC":
                out.append(r"[\w.:\-]" if nxt == "c" else r"[^\w.:\-]")
            else:
                out.append(pattern[index : index + 2])
            index += 2
            continue
        if char == "[":
            in_class = True
        elif char == "]":
            in_class = False
        elif char == "$" and not in_class:
            out.append("$" if multiline else r"(?![\s\S])")
            index += 1
            continue
        elif char == "." and not in_class and not dot_all:
            out.append(r"[^\n\r]")
            index += 1
            continue
        out.append(char)
        index += 1
    return "".join(out)


@builtin("matches", "input", "pattern", "flags")
def _matches(value: object, pattern: object, flags: object = None) -> object:
    text = _text(value)
    compiled = _pattern(pattern, flags)
    if text is None or compiled is None or len(text) > _MAX_TEXT:
        return None
    try:
        return compiled.search(text, timeout=REGEX_TIMEOUT) is not None
    except TimeoutError:
        return None


def _replacement(text: str) -> str | None:
    out: list[str] = []
    index = 0
    while index < len(text):
        char = text[index]
        if char == "\\":
            if index + 1 >= len(text) or text[index + 1] not in "\\$":
                return None
            out.append("\\\\" if text[index + 1] == "\\" else "$")
            index += 2
        elif char == "$":
            end = index + 1
            while end < len(text) and text[end].isdigit():
                end += 1
            if end == index + 1:
                return None
            out.append(f"\\g<{text[index + 1 : end]}>")
            index = end
        else:
            out.append(char)
            index += 1
    return "".join(out)


@builtin("replace", "input", "pattern", "replacement", "flags")
def _replace(value: object, pattern: object, replacement: object, flags: object = None) -> object:
    text = _text(value)
    compiled = _pattern(pattern, flags)
    if text is None or compiled is None or type(replacement) is not str or len(text) > _MAX_TEXT:
        return None
    assert isinstance(replacement, str)
    literal = flags is not None and "q" in str(flags)
    template = replacement.replace("\\", "\\\\") if literal else _replacement(replacement)
    if template is None:
        return None
    try:
        if compiled.fullmatch("", timeout=REGEX_TIMEOUT) is not None:
            return None  # a pattern matching the empty string is an error in XPath
        return compiled.sub(template, text, timeout=REGEX_TIMEOUT)
    except (TimeoutError, regex.error, IndexError):
        return None


@builtin("split", "string", "delimiter")
def _split(value: object, delimiter: object) -> object:
    text = _text(value)
    compiled = _pattern(delimiter, None)
    if text is None or compiled is None or len(text) > _MAX_TEXT:
        return None
    try:
        if compiled.fullmatch("", timeout=REGEX_TIMEOUT) is not None:
            return None
        return list(compiled.split(text, timeout=REGEX_TIMEOUT))
    except TimeoutError:
        return None


@builtin("string join", "list", "delimiter")
def _string_join(items: object, delimiter: object = None) -> object:
    if items is None or (delimiter is not None and type(delimiter) is not str):
        return None
    values = items if type(items) is list else [items]
    texts: list[str] = []
    for item in values:
        if item is None:
            continue
        if type(item) is not str:
            return None
        texts.append(item)
    return str(delimiter or "").join(texts)


# the other families register themselves on import
from cadenza.feel import builtins_lists as _lists, builtins_time as _time  # noqa: E402

_ = (_lists, _time)
