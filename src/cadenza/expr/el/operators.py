"""JUEL's binary and unary operators (spec §1.7.1, §1.8), keyed by the grammar's token types.

Part of the ``expr`` layer. Division or remainder by zero is an error rather than
``Infinity``/``NaN``; integer results outside a long are an overflow error.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any, Final

from cadenza.expr.el.coercion import checked_long, is_number, to_boolean, to_number, to_text, type_name
from cadenza.expr.el.failures import EvalError

__all__ = ["BINARY_OPERATORS", "negate"]


def _arith(
    int_op: Callable[[int, int], int], float_op: Callable[[float, float], float]
) -> Callable[[object, object], object]:
    def apply(left: object, right: object) -> object:
        if left is None and right is None:
            return 0
        x, y = to_number(left), to_number(right)
        if isinstance(x, float) or isinstance(y, float):
            return float_op(float(x), float(y))
        return checked_long(int_op(x, y))

    return apply


def _divide(left: object, right: object) -> object:
    if left is None and right is None:
        return 0
    x, y = float(to_number(left)), float(to_number(right))
    if y == 0:
        raise EvalError("Division by zero")
    return x / y


def _remainder(left: object, right: object) -> object:
    if left is None and right is None:
        return 0
    x, y = to_number(left), to_number(right)
    if y == 0:
        raise EvalError("Division by zero")
    if isinstance(x, float) or isinstance(y, float):
        return math.fmod(x, y)
    r = abs(x) % abs(y)  # Java's % truncates: the sign follows the dividend
    return -r if x < 0 else r


def negate(value: object) -> object:
    """Unary minus."""
    number = to_number(value)
    return -number if isinstance(number, float) else checked_long(-number)


def _equals(left: object, right: object) -> bool:
    if left is right:
        return True
    if left is None or right is None:
        return False
    if type(left) is str and type(right) is str:
        return left == right
    if is_number(left) or is_number(right):
        return to_number(left) == to_number(right)
    if isinstance(left, bool) or isinstance(right, bool):
        return to_boolean(left) == to_boolean(right)
    if isinstance(left, str) or isinstance(right, str):
        return to_text(left) == to_text(right)
    return bool(left == right)


def _not_equals(left: object, right: object) -> bool:
    return not _equals(left, right)


def _ordered(left: object, right: object) -> tuple[Any, Any] | None:
    """The operands made comparable, or None when either is null (every comparison is false)."""
    if left is None or right is None:
        return None
    if is_number(left) or is_number(right):
        return to_number(left), to_number(right)
    if isinstance(left, str) or isinstance(right, str):
        return to_text(left), to_text(right)
    if (isinstance(left, bool) and isinstance(right, bool)) or (
        isinstance(left, datetime) and isinstance(right, datetime)
    ):
        return left, right
    raise EvalError(f"Cannot compare {type_name(left)} with {type_name(right)}")


def _relation(compare: Callable[[Any, Any], bool]) -> Callable[[object, object], bool]:
    def apply(left: object, right: object) -> bool:
        pair = _ordered(left, right)
        return pair is not None and compare(pair[0], pair[1])

    return apply


BINARY_OPERATORS: Final[Mapping[str, Callable[[object, object], object]]] = {
    "EQ": _equals,
    "EQ_KW": _equals,
    "NE": _not_equals,
    "NE_KW": _not_equals,
    "LT": _relation(operator.lt),
    "LT_KW": _relation(operator.lt),
    "GT": _relation(operator.gt),
    "GT_KW": _relation(operator.gt),
    "LE": _relation(operator.le),
    "LE_KW": _relation(operator.le),
    "GE": _relation(operator.ge),
    "GE_KW": _relation(operator.ge),
    "PLUS": _arith(operator.add, operator.add),
    "MINUS": _arith(operator.sub, operator.sub),
    "STAR": _arith(operator.mul, operator.mul),
    "SLASH": _divide,
    "DIV_KW": _divide,
    "PERCENT": _remainder,
    "MOD_KW": _remainder,
}
