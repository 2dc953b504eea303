"""Decision results in Camunda's shape, with values typed as Camunda's DMN engine types them.

Layer: ``dmn``. A :class:`DecisionResult` holds the FEEL value of the decision (DMN semantics)
and Camunda's ``DmnDecisionResult``: a list of result entries, one per matched rule (one entry
for a literal expression or an aggregated COLLECT), each an ordered map output name → typed
value. Values are typed as Camunda 7 does: an output ``typeRef`` of ``string``, ``boolean``,
``integer``, ``long``, ``double`` or ``date`` converts the value (``DMN-01005`` if it cannot);
without one, a FEEL number is a ``Long`` when whole and a ``Double`` otherwise (Camunda's FEEL
integration), a date and time a ``Date``, a list or context an ``Object`` in JSON.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Final

from cadenza.dmn.errors import DmnEvaluationError
from cadenza.expr.values import TypedValue, ValueType, typed_value_from_python
from cadenza.feel import render, to_python

__all__ = ["DecisionResult", "camunda_value"]

_INT_RANGE: Final = (-(2**31), 2**31 - 1)
_LONG_RANGE: Final = (-(2**63), 2**63 - 1)


def _invalid(value: object, type_ref: str) -> DmnEvaluationError:
    return DmnEvaluationError(f"DMN-01005 Invalid value '{render(value)}' for clause with type '{type_ref}'.")


def _whole(value: object, bounds: tuple[int, int], type_ref: str) -> int:
    number: Decimal | None = None
    if type(value) is Decimal:
        number = value
    elif type(value) is str:
        try:
            number = Decimal(value.strip())
        except ArithmeticError:
            number = None
    if number is None or not number.is_finite() or number != number.to_integral_value():
        raise _invalid(value, type_ref)
    whole = int(number)
    if not bounds[0] <= whole <= bounds[1]:
        raise _invalid(value, type_ref)
    return whole


def _as_date(value: object, type_ref: str) -> datetime:
    if type(value) is datetime:
        assert isinstance(value, datetime)
        return value.astimezone(UTC) if value.tzinfo is not None else value.replace(tzinfo=UTC)
    if type(value) is date:
        assert isinstance(value, date)
        return datetime(value.year, value.month, value.day, tzinfo=UTC)
    if type(value) is str:
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            raise _invalid(value, type_ref) from None
        return parsed.astimezone(UTC) if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)
    raise _invalid(value, type_ref)


def camunda_value(value: object, type_ref: str | None = None) -> TypedValue:
    """The typed value Camunda's DMN engine returns for a FEEL value (and an output typeRef)."""
    if type(value) is str and type_ref in (None, "string"):
        return TypedValue(ValueType.STRING, value)
    kind = (type_ref or "").strip()
    if kind.startswith("feel:"):
        kind = kind[5:]
    if value is None:
        return TypedValue(ValueType.NULL, None)
    if kind == "string":
        text = value if type(value) is str else render(value)
        return TypedValue(ValueType.STRING, text)
    if kind == "boolean":
        if type(value) is bool:
            return TypedValue(ValueType.BOOLEAN, value)
        if type(value) is str and value.lower() in ("true", "false"):
            return TypedValue(ValueType.BOOLEAN, value.lower() == "true")
        raise _invalid(value, kind)
    if kind == "integer":
        return TypedValue(ValueType.INTEGER, _whole(value, _INT_RANGE, kind))
    if kind == "long":
        return TypedValue(ValueType.LONG, _whole(value, _LONG_RANGE, kind))
    if kind == "double":
        if type(value) is Decimal:
            return TypedValue(ValueType.DOUBLE, float(value))
        if type(value) is str:
            try:
                return TypedValue(ValueType.DOUBLE, float(value))
            except ValueError:
                raise _invalid(value, kind) from None
        raise _invalid(value, kind)
    if kind == "date":
        return TypedValue(ValueType.DATE, _as_date(value, kind))
    return _untyped(value)


def _untyped(value: object) -> TypedValue:
    if type(value) is Decimal:
        assert isinstance(value, Decimal)
        if value == value.to_integral_value() and _LONG_RANGE[0] <= value <= _LONG_RANGE[1]:
            return TypedValue(ValueType.LONG, int(value))
        return TypedValue(ValueType.DOUBLE, float(value))
    if type(value) is bool:
        return TypedValue(ValueType.BOOLEAN, value)
    if type(value) is str:
        return TypedValue(ValueType.STRING, value)
    if type(value) in (datetime, date):
        return TypedValue(ValueType.DATE, _as_date(value, "date"))
    if type(value) in (list, dict):
        return typed_value_from_python(_jsonable(value))
    return TypedValue(ValueType.STRING, render(value))


def _jsonable(value: object) -> object:
    plain = to_python(value)
    if isinstance(plain, list):
        return [_jsonable(item) for item in plain]
    if isinstance(plain, dict):
        return {key: _jsonable(item) for key, item in plain.items()}
    if isinstance(plain, datetime | date):
        return render(value)
    return plain


@dataclass(frozen=True)
class DecisionResult:
    """The result of evaluating one decision.

    Attributes:
        decision_id / decision_name: the evaluated decision.
        value: its FEEL value (DMN semantics: a single value, a context, or a list of them).
        result_list: Camunda's ``DmnDecisionResult``: one ordered map per result entry.
        matched_rule_ids: the matched rules of a decision table (for history), in rule order.
        collect_result: for COLLECT with an aggregator, the output name and aggregated value.
        required: the results of the decisions it required, by decision id.
    """

    decision_id: str
    decision_name: str
    value: object
    result_list: tuple[Mapping[str, TypedValue], ...]
    matched_rule_ids: tuple[str, ...] = ()
    collect_result: tuple[str, TypedValue] | None = None
    required: Mapping[str, DecisionResult] = field(default_factory=dict)

    def single_result(self) -> Mapping[str, TypedValue] | None:
        """Camunda's ``getSingleResult()``: the only entry map, None when empty, error for more."""
        if len(self.result_list) > 1:
            raise DmnEvaluationError(
                f"DMN-01008 Unable to get single decision result as it has more than one result: "
                f"{len(self.result_list)} results",
                decision_id=self.decision_id,
            )
        return self.result_list[0] if self.result_list else None

    def single_entry(self) -> TypedValue | None:
        """Camunda's ``getSingleEntryTyped()``: the only value of the only entry map."""
        result = self.single_result()
        if result is None:
            return None
        if len(result) > 1:
            raise DmnEvaluationError(
                "DMN-01010 Unable to get single decision result entry as it has more than one entry: "
                f"{list(result)}",
                decision_id=self.decision_id,
            )
        return next(iter(result.values()), None)

    def collect_entries(self, name: str) -> list[TypedValue]:
        """Camunda's ``collectEntries(name)``: that output's value from every entry map."""
        return [entry[name] for entry in self.result_list if name in entry]
