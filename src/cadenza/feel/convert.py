"""Python values in and out of FEEL.

Layer: ``feel``. Callers hand in plain Python values (process variables: ``int``, ``float``,
``str``, ``bool``, ``datetime``, ``dict``, ``list``...); :func:`to_feel` makes FEEL values of
them (numbers become ``Decimal``) and :func:`to_python` goes back (whole numbers to ``int``,
others to ``float``, as Camunda's FEEL integration unpacks them to ``Long``/``Double``).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from cadenza.feel.values import Function, Range, YearsMonths, render, to_decimal

__all__ = ["to_feel", "to_python"]

_EXACT = 10**34


def to_feel(value: object) -> object:
    """A FEEL value for a Python value (``None`` for what FEEL cannot represent)."""
    kind = type(value)
    if kind is int:
        return Decimal(value) if -_EXACT < value < _EXACT else to_decimal(value)  # type: ignore[arg-type,operator]
    if value is None or kind is str or kind is bool:
        return value
    if isinstance(value, int):
        return to_decimal(value) if abs(value) < 10**34 else Decimal(value)
    if isinstance(value, float):
        return to_decimal(value)
    if isinstance(value, Decimal):
        return value if value.is_finite() else None
    if isinstance(value, date | time | timedelta | YearsMonths | Range | Function):
        return value
    if isinstance(value, Mapping):
        return {str(key): to_feel(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [to_feel(item) for item in value]
    return None


def to_python(value: object) -> object:
    """A plain Python value for a FEEL value (temporal values other than dates as text)."""
    if value is None or isinstance(value, str | bool):
        return value
    if isinstance(value, Decimal):
        if value == value.to_integral_value() and abs(value) < 2**63:
            return int(value)
        return float(value)
    if isinstance(value, datetime | date):
        return value
    if isinstance(value, list):
        return [to_python(item) for item in value]
    if isinstance(value, dict):
        return {key: to_python(item) for key, item in value.items()}
    return render(value)
