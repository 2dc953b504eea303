"""JUEL's type coercions (spec §1.7) as Camunda applies them, and Java type names for messages.

Part of the ``expr`` layer. Numbers are Python ``int`` (kept within Java's ``long``) or
``float``; text follows ``coerceToString``, truth ``coerceToBoolean``. Operators and methods
coerce their operands through these, so every conversion rule lives in one place.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime
from typing import Final

import orjson

from cadenza.expr.el.failures import EvalError
from cadenza.expr.el.limits import LONG_MAX, LONG_MIN

__all__ = [
    "checked_long",
    "is_empty",
    "is_number",
    "java_equals",
    "to_boolean",
    "to_number",
    "to_text",
    "type_name",
]

_INT_TEXT: Final = re.compile(r"[+-]?[0-9]{1,30}")
_FLOAT_TEXT: Final = re.compile(
    r"\s*[+-]?(?:[0-9]+\.?[0-9]*(?:[eE][+-]?[0-9]+)?|\.[0-9]+(?:[eE][+-]?[0-9]+)?)\s*"
)

_TYPE_NAMES: Final[Mapping[type, str]] = {
    str: "String",
    bool: "Boolean",
    int: "Long",
    float: "Double",
    list: "List",
    tuple: "List",
    dict: "Map",
    datetime: "Date",
    bytes: "byte[]",
}


def type_name(value: object) -> str:
    """The Java type name of a value, as Camunda's messages say it."""
    if value is None:
        return "null"
    return _TYPE_NAMES.get(type(value), type(value).__name__)


def checked_long(value: int) -> int:
    """``value`` if it fits into a long, else the overflow error."""
    if LONG_MIN <= value <= LONG_MAX:
        return value
    raise EvalError("numeric overflow: result does not fit into a long")


def is_number(value: object) -> bool:
    """An int or float, but not a bool (Python's bool is an int, Java's Boolean is not)."""
    return isinstance(value, int | float) and not isinstance(value, bool)


def to_number(value: object) -> int | float:
    """coerceToNumber: null and '' are 0, numeric strings parse, anything else fails."""
    if isinstance(value, bool):
        raise EvalError(f"Cannot coerce Boolean '{to_text(value)}' to a number")
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return value
    if value is None:
        return 0
    if isinstance(value, str):
        if value == "":
            return 0
        if _INT_TEXT.fullmatch(value):
            return checked_long(int(value))
        if _FLOAT_TEXT.fullmatch(value):
            return float(value)
        raise EvalError(f"Cannot coerce '{value}' of type String to a number")
    raise EvalError(f"Cannot coerce {type_name(value)} to a number")


def to_boolean(value: object) -> bool:
    """coerceToBoolean: null and '' are false, strings follow Boolean.valueOf."""
    if isinstance(value, bool):
        return value
    if value is None:
        return False
    if isinstance(value, str):
        return value.lower() == "true"
    raise EvalError(f"Cannot coerce {type_name(value)} to Boolean")


def to_text(value: object) -> str:
    """coerceToString, used for composite text and string-typed method arguments."""
    if isinstance(value, str):
        return value
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, dict | list | tuple):
        try:
            return orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS).decode()
        except TypeError:
            return str(value)
    if isinstance(value, datetime):
        return value.isoformat()
    return str(value)


def is_empty(value: object) -> bool:
    """The ``empty`` operator: null, or an empty string or collection."""
    if value is None:
        return True
    if isinstance(value, str | list | tuple | dict | bytes | set | frozenset):
        return len(value) == 0
    return False


def java_equals(left: object, right: object) -> bool:
    """Object.equals as collections use it: booleans never equal numbers."""
    if isinstance(left, bool) or isinstance(right, bool):
        return type(left) is type(right) and left == right
    return bool(left == right)
