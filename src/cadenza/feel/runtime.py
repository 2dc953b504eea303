"""What compiled FEEL runs on: scopes, the cost budget, operators and invocation.

Layer: ``feel``. A compiled expression is a closure ``run(env) -> value``; :class:`Env` is a
chain of name tables (a context's entries, a function's parameters, the caller's variables).
:class:`Budget` bounds the cost of one evaluation: every loop iteration, filter test and function
call spends a step, and the wall clock is read every 1,024 steps, so no expression runs for long
whatever its input. Operators follow DMN 1.5 §10.3.2: any operand of the wrong type, ``null``
included, gives ``null``; none of them raises.
"""

from __future__ import annotations

import time as _clock
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Final

from cadenza.feel import temporal
from cadenza.feel.values import (
    DECIMAL,
    Function,
    Range,
    YearsMonths,
    feel_compare,
    feel_equals,
)

__all__ = [
    "DEFAULT_LIMITS",
    "Budget",
    "Env",
    "FeelBudgetError",
    "FeelError",
    "FeelEvaluationError",
    "FeelSyntaxError",
    "Limits",
]


class FeelError(Exception):
    """Base of the FEEL errors (the DMN layer adds the decision and element ids)."""


class FeelSyntaxError(FeelError):
    """The text is not FEEL (or exceeds a compile-time limit); ``position`` is 0-based."""

    def __init__(self, message: str, position: int | None = None) -> None:
        super().__init__(message)
        self.position = position


class FeelEvaluationError(FeelError):
    """Evaluation was stopped: a budget ran out, or nesting went too deep."""


class FeelBudgetError(FeelEvaluationError):
    pass


@dataclass(frozen=True, slots=True)
class Limits:
    """Cost limits of FEEL compilation and evaluation; each one is configurable.

    Attributes:
        max_source_length: longest expression text compiled.
        max_depth: deepest syntax-tree nesting compiled.
        max_steps: loop iterations, filter tests and calls in one decision evaluation.
        max_seconds: wall-clock time of one decision evaluation.
        max_call_depth: nested FEEL function calls (recursion) in one evaluation.
        max_collection: longest list or string one built-in may produce.
    """

    max_source_length: int = 20_000
    max_depth: int = 80
    max_steps: int = 1_000_000
    max_seconds: float = 5.0
    max_call_depth: int = 48
    max_collection: int = 1_000_000


DEFAULT_LIMITS: Final = Limits()


class Budget:
    """The steps and time left to one evaluation (shared by all the expressions it runs)."""

    __slots__ = ("_deadline", "_next_check", "call_depth", "limits", "steps")

    def __init__(self, limits: Limits = DEFAULT_LIMITS) -> None:
        self.limits = limits
        self.steps = limits.max_steps
        self._deadline = _clock.monotonic() + limits.max_seconds
        self._next_check = self.steps - 1024
        self.call_depth = 0

    def spend(self, steps: int = 1) -> None:
        self.steps -= steps
        if self.steps <= self._next_check:
            if self.steps < 0:
                raise FeelBudgetError(f"FEEL evaluation exceeded the limit of {self.limits.max_steps} steps")
            self._next_check = self.steps - 1024
            if _clock.monotonic() > self._deadline:
                raise FeelBudgetError(
                    f"FEEL evaluation exceeded the time limit of {self.limits.max_seconds} s"
                )


_MISSING: Final = object()


class Env:
    """One scope of names; lookups walk outwards through ``parent``."""

    __slots__ = ("budget", "parent", "vars")

    def __init__(self, variables: Mapping[str, object], parent: Env | None, budget: Budget) -> None:
        self.vars = variables
        self.parent = parent
        self.budget = budget

    def lookup(self, name: str) -> object:
        """The value bound to ``name``, or the module's ``MISSING`` marker."""
        env: Env | None = self
        while env is not None:
            value = env.vars.get(name, _MISSING)
            if value is not _MISSING:
                return value
            env = env.parent
        return _MISSING

    def child(self, variables: Mapping[str, object]) -> Env:
        return Env(variables, self, self.budget)


MISSING: Final = _MISSING


# ── arithmetic ─────────────────────────────────────────────────────────────────────────────────


def plus(left: object, right: object) -> object:
    lk = type(left)
    if lk is Decimal and type(right) is Decimal:
        try:
            return DECIMAL.add(left, right)  # type: ignore[arg-type]
        except ArithmeticError:
            return None
    if lk is str and type(right) is str:
        return left + right  # type: ignore[operator]
    if left is None or right is None:
        return None
    return temporal.add(left, right)


def minus(left: object, right: object) -> object:
    if type(left) is Decimal and type(right) is Decimal:
        try:
            return DECIMAL.subtract(left, right)
        except ArithmeticError:
            return None
    if left is None or right is None:
        return None
    return temporal.subtract(left, right)


def times(left: object, right: object) -> object:
    lk, rk = type(left), type(right)
    if lk is Decimal and rk is Decimal:
        try:
            return DECIMAL.multiply(left, right)  # type: ignore[arg-type]
        except ArithmeticError:
            return None
    if rk is Decimal and lk in (timedelta, YearsMonths):
        assert isinstance(right, Decimal)
        return temporal.multiply(left, right)
    if lk is Decimal and rk in (timedelta, YearsMonths):
        assert isinstance(left, Decimal)
        return temporal.multiply(right, left)
    return None


def divide(left: object, right: object) -> object:
    lk, rk = type(left), type(right)
    if lk is Decimal and rk is Decimal:
        if not right:
            return None
        try:
            return DECIMAL.divide(left, right)  # type: ignore[arg-type]
        except ArithmeticError:
            return None
    if lk in (timedelta, YearsMonths):
        return temporal.divide(left, right)
    return None


def power(left: object, right: object) -> object:
    if type(left) is Decimal and type(right) is Decimal:
        assert isinstance(left, Decimal) and isinstance(right, Decimal)
        try:
            if right == right.to_integral_value() and abs(right) < 1_000_000_000:
                return DECIMAL.power(left, int(right))
            return DECIMAL.power(left, right)
        except ArithmeticError:
            return None
    return None


def negate(value: object) -> object:
    kind = type(value)
    if kind is Decimal:
        return DECIMAL.minus(value)  # type: ignore[arg-type]
    if kind is timedelta:
        return -value  # type: ignore[operator]
    if kind is YearsMonths:
        assert isinstance(value, YearsMonths)
        return YearsMonths(-value.months)
    return None


# ── comparison and logic ──────────────────────────────────────────────────────────────────────


def equals(left: object, right: object) -> bool | None:
    return feel_equals(left, right)


def not_equals(left: object, right: object) -> bool | None:
    same = feel_equals(left, right)
    return None if same is None else not same


def _ordered(test: Callable[[int], bool]) -> Callable[[object, object], bool | None]:
    def apply(left: object, right: object) -> bool | None:
        order = feel_compare(left, right)
        return None if order is None else test(order)

    return apply


less = _ordered(lambda order: order < 0)
less_equal = _ordered(lambda order: order <= 0)
greater = _ordered(lambda order: order > 0)
greater_equal = _ordered(lambda order: order >= 0)

COMPARISONS: Final[dict[str, Callable[[object, object], bool | None]]] = {
    "=": equals,
    "!=": not_equals,
    "<": less,
    "<=": less_equal,
    ">": greater,
    ">=": greater_equal,
}


def conjunction(values: list[object]) -> bool | None:
    unknown = False
    for value in values:
        if value is False:
            return False
        if value is not True:
            unknown = True
    return None if unknown else True


def disjunction(values: list[object]) -> bool | None:
    unknown = False
    for value in values:
        if value is True:
            return True
        if value is not False:
            unknown = True
    return None if unknown else False


def test_value(test: object, value: object) -> bool | None:
    """Whether ``value`` satisfies a unary-test *value* (range, list, or plain value)."""
    if type(test) is Range:
        assert isinstance(test, Range)
        return test.contains(value)
    if type(test) is list:
        assert isinstance(test, list)
        if type(value) is list and feel_equals(test, value) is True:
            return True
        return any(
            (item.contains(value) if type(item) is Range else feel_equals(item, value)) is True
            for item in test
        )
    return feel_equals(test, value)


# ── paths and invocation ───────────────────────────────────────────────────────────────────────

_RANGE_PROPERTIES: Final = {
    "start": lambda r: r.start,
    "end": lambda r: r.end,
    "start included": lambda r: r.start_included,
    "end included": lambda r: r.end_included,
}


def member(value: object, name: str) -> object:
    """``value.name``: a context entry, the property of a date/time/duration/range, or None."""
    kind = type(value)
    if kind is dict:
        return value.get(name)  # type: ignore[attr-defined]
    if kind is list:
        return [member(item, name) for item in value]  # type: ignore[attr-defined]
    if kind in (date, datetime, time, timedelta, YearsMonths):
        return temporal.temporal_property(value, name)
    if kind is Range:
        getter = _RANGE_PROPERTIES.get(name)
        return None if getter is None else getter(value)
    if isinstance(value, Mapping):
        return value.get(name)
    return None


def invoke(function: object, args: list[object], env: Env) -> object:
    if type(function) is not Function:
        return None
    assert isinstance(function, Function)
    budget = env.budget
    budget.spend()
    budget.call_depth += 1
    try:
        if budget.call_depth > budget.limits.max_call_depth:
            raise FeelBudgetError(
                f"FEEL evaluation exceeded the limit of {budget.limits.max_call_depth} nested calls"
            )
        return function.call(args)
    finally:
        budget.call_depth -= 1


def invoke_named(function: object, named: dict[str, object], env: Env) -> object:
    if type(function) is not Function:
        return None
    assert isinstance(function, Function)
    parameters = function.parameters
    if parameters is None:
        return None
    if function.aliases:
        aliases = function.aliases
        named = {aliases.get(name, name): value for name, value in named.items()}
    if any(name not in parameters for name in named):
        return None
    args: list[object] = []
    last = (
        len(parameters) - 1
        if function.exact_arity
        else max((parameters.index(name) for name in named), default=-1)
    )
    for index in range(last + 1):
        args.append(named.get(parameters[index]))
    return invoke(function, args, env)


def dotted_lookup(env: Env, parts: list[str]) -> object:
    """A known name with dots that is not bound (``Person.Age``) read as a path."""
    head = env.lookup(parts[0].strip())
    if head is MISSING:
        return None
    for part in parts[1:]:
        head = member(head, part.strip())
    return head
