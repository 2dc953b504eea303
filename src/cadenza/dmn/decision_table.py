"""Decision table evaluation and the hit policies U, A, P, F, R, O and C (with SUM/MIN/MAX/COUNT).

Layer: ``dmn``. A :class:`TableRunner` holds the compiled table: input expressions, per rule the
non-``-`` input entries as matchers and the output entries as closures. Evaluation computes the
inputs once, tests the rules (stopping at a rule's first failing cell), evaluates the outputs of
the matching rules only, then applies the hit policy:

- UNIQUE: more than one match is Camunda's ``DMN-03001`` error; ANY: matches with different
  outputs are ``DMN-03002``; FIRST: the first match in rule order;
- PRIORITY / OUTPUT ORDER: by the order of each output's ``outputValues`` (DMN 1.5 §8.2.11;
  Camunda 7 lacks both); RULE ORDER and COLLECT: every match, in rule order;
- COLLECT with an aggregator: SUM/MIN/MAX/COUNT over the single output, nulls ignored; Camunda's
  result types it Integer, Long or Double (``AbstractCollectNumberHitPolicyHandler``).

The FEEL value of a table follows DMN: one output gives the value, several give a context; a
single-hit table gives that (or its default outputs, or null), a multi-hit one a list.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Final

from cadenza.dmn.errors import DmnEvaluationError, DmnHitPolicyError
from cadenza.dmn.model import Aggregation, HitPolicy
from cadenza.dmn.results import camunda_value
from cadenza.expr.values import TypedValue, ValueType
from cadenza.feel import Env, FeelType, feel_equals, render
from cadenza.feel.values import DECIMAL, Range, feel_compare

__all__ = ["CellTest", "OutputSpec", "RuleSpec", "TableOutcome", "TableRunner"]

Eval = Callable[[Env], object]
Matcher = Callable[[object, Env], bool]


@dataclass(frozen=True)
class OutputSpec:
    name: str
    type_ref: str | None
    feel_type: FeelType | None
    priorities: tuple[object, ...] | None
    default: Eval | None


@dataclass(frozen=True)
class CellTest:
    """One input entry: its matcher, plus what lets the table index it (see :class:`_Column`)."""

    matches: Matcher
    literals: frozenset[tuple[type, object]] | None = None
    interval: Range | None = None


@dataclass(frozen=True)
class RuleSpec:
    id: str
    tests: tuple[tuple[int, CellTest], ...]
    outputs: tuple[Eval | None, ...]


_HASHABLE: Final = frozenset({str, bool, Decimal, date, datetime, time, timedelta})


class _Column:
    """The input entries of one column, as bit masks over the rules (bit i = rule i).

    ``-`` cells are always set; literal cells (``"gold","silver"``, ``5``, ``true``) are one
    dictionary lookup for all rules; number intervals and comparisons with number constants
    (``[18..65)``, ``< 10``) are one binary search over the column's end points, each segment
    between them carrying the mask of the intervals that contain it; other cells run their
    matcher, only for rules still alive.
    """

    def __init__(self, index: int) -> None:
        self.index = index
        self.always = 0
        self.literals: dict[tuple[type, object], int] = {}
        self.others: list[tuple[Matcher, int]] = []
        self._intervals: list[tuple[Range, int]] = []
        self.points: list[Decimal] = []
        self.segments: list[int] = []

    def add(self, bit: int, test: CellTest | None) -> None:
        if test is None:
            self.always |= bit
        elif test.literals is not None:
            for key in test.literals:
                self.literals[key] = self.literals.get(key, 0) | bit
        elif test.interval is not None:
            self._intervals.append((test.interval, bit))
        else:
            self.others.append((test.matches, bit))

    def seal(self) -> None:
        """Segment the number line at every end point: segment 2k+1 is the point k itself,
        segment 2k the open stretch below it (the last one above the last point)."""
        if not self._intervals:
            return
        ends = {end for interval, _ in self._intervals for end in (interval.start, interval.end)}
        points: list[Decimal] = sorted(end for end in ends if isinstance(end, Decimal))
        samples: list[Decimal] = []
        for k, point in enumerate(points):
            below = point - 1 if k == 0 else (points[k - 1] + point) / 2
            samples += [below, point]
        samples.append(points[-1] + 1 if points else Decimal(0))
        self.points = points
        self.segments = [
            sum(bit for interval, bit in self._intervals if interval.contains(sample) is True)
            for sample in samples
        ]

    def mask(self, value: object, env: Env, alive: int) -> int:
        result = self.always
        kind = type(value)
        if self.literals and kind in _HASHABLE:
            result |= self.literals.get((kind, value), 0)
        if self.segments and kind is Decimal:
            points = self.points
            k = bisect_left(points, value)  # type: ignore[call-overload]
            exact = k < len(points) and points[k] == value
            result |= self.segments[2 * k + 1 if exact else 2 * k]
        for matches, bit in self.others:
            if bit & alive and not bit & result and matches(value, env):
                result |= bit
        return result


@dataclass(frozen=True)
class TableOutcome:
    value: object
    matched_rule_ids: tuple[str, ...]
    rows: tuple[dict[str, object], ...]
    collect: tuple[str, object] | None = None
    camunda_collect: TypedValue | None = None


class TableRunner:
    """A compiled decision table; :meth:`run` evaluates it in a scope."""

    def __init__(
        self,
        *,
        decision_id: str,
        hit_policy: HitPolicy,
        aggregation: Aggregation | None,
        inputs: tuple[Eval, ...],
        rules: tuple[RuleSpec, ...],
        outputs: tuple[OutputSpec, ...],
    ) -> None:
        self.decision_id = decision_id
        self.hit_policy = hit_policy
        self.aggregation = aggregation
        self.inputs = inputs
        self.rules = rules
        self.outputs = outputs
        self.single_hit = hit_policy in (HitPolicy.UNIQUE, HitPolicy.ANY, HitPolicy.FIRST, HitPolicy.PRIORITY)
        self.columns = [_Column(index) for index in range(len(inputs))]
        for position, rule in enumerate(rules):
            cells: dict[int, CellTest] = dict(rule.tests)
            for column in self.columns:
                column.add(1 << position, cells.get(column.index))
        for column in self.columns:
            column.seal()
        self.all_rules = (1 << len(rules)) - 1
        self.output_types = {spec.name: spec.type_ref for spec in outputs}

    def match(self, env: Env) -> list[RuleSpec]:
        """The matching rules, in rule order (only the first one for FIRST)."""
        alive = self.all_rules
        for column, evaluate in zip(self.columns, self.inputs, strict=True):
            if not alive:
                return []
            alive &= column.mask(evaluate(env), env, alive)
        matched: list[RuleSpec] = []
        rules = self.rules
        while alive:
            lowest = alive & -alive
            matched.append(rules[lowest.bit_length() - 1])
            if self.hit_policy is HitPolicy.FIRST:
                break
            alive ^= lowest
        return matched

    def run(self, env: Env, *, raise_errors: bool = True) -> TableOutcome:
        matched = self.match(env)
        raw = [self._outputs(rule, env) for rule in matched]
        try:
            return self._apply(matched, raw, env)
        except DmnEvaluationError:
            if raise_errors:
                raise
            return TableOutcome(None, tuple(rule.id for rule in matched), ())

    def _outputs(self, rule: RuleSpec, env: Env) -> list[object]:
        return [None if output is None else output(env) for output in rule.outputs]

    def _value(self, row: list[object]) -> object:
        """The FEEL value of a row: outputs coerced to their FEEL types (raw values stay for
        Camunda's typed result, which converts them its own way)."""
        coerced = [
            value if spec.feel_type is None or value is None else spec.feel_type.coerce(value)
            for spec, value in zip(self.outputs, row, strict=True)
        ]
        if len(self.outputs) == 1:
            return coerced[0]
        return {spec.name: value for spec, value in zip(self.outputs, coerced, strict=True)}

    def _camunda_row(self, rule: RuleSpec, row: list[object]) -> dict[str, object]:
        return {
            spec.name: value
            for spec, value, output in zip(self.outputs, row, rule.outputs, strict=True)
            if output is not None
        }

    def _apply(self, matched: list[RuleSpec], rows: list[list[object]], env: Env) -> TableOutcome:
        policy = self.hit_policy
        if policy is HitPolicy.UNIQUE and len(matched) > 1:
            raise DmnHitPolicyError(
                "DMN-03001 Hit policy 'UNIQUE' only allows a single rule to match. Actually match rules: "
                f"'{', '.join(rule.id for rule in matched)}' (decision '{self.decision_id}').",
                decision_id=self.decision_id,
                rule_ids=tuple(rule.id for rule in matched),
            )
        if policy is HitPolicy.ANY and len(matched) > 1:
            first = rows[0]
            if any(
                not all(feel_equals(a, b) is True for a, b in zip(first, row, strict=True))
                for row in rows[1:]
            ):
                raise DmnHitPolicyError(
                    "DMN-03002 Hit policy 'ANY' only allows multiple matching rules with equal output. "
                    f"Matching rules: '{', '.join(rule.id for rule in matched)}' "
                    f"(decision '{self.decision_id}').",
                    decision_id=self.decision_id,
                    rule_ids=tuple(rule.id for rule in matched),
                )
            matched, rows = matched[:1], rows[:1]
        if policy is HitPolicy.PRIORITY and len(matched) > 1:
            ranked = sorted(range(len(matched)), key=lambda i: self._rank(rows[i]))
            matched, rows = [matched[ranked[0]]], [rows[ranked[0]]]
        if policy is HitPolicy.OUTPUT_ORDER:
            ranked = sorted(range(len(matched)), key=lambda i: self._rank(rows[i]))
            matched, rows = [matched[i] for i in ranked], [rows[i] for i in ranked]
        ids = tuple(rule.id for rule in matched)
        camunda_rows = tuple(self._camunda_row(rule, row) for rule, row in zip(matched, rows, strict=True))
        if policy is HitPolicy.COLLECT and self.aggregation is not None:
            if not rows and any(spec.default is not None for spec in self.outputs):
                return TableOutcome(self._defaults(env), ids, ())
            return self._aggregate(ids, rows, camunda_rows)
        if self.single_hit:
            if rows:
                return TableOutcome(self._value(rows[0]), ids, camunda_rows)
            return TableOutcome(self._defaults(env), ids, ())
        return TableOutcome([self._value(row) for row in rows], ids, camunda_rows)

    def _defaults(self, env: Env) -> object:
        if all(spec.default is None for spec in self.outputs):
            return None
        row = [None if spec.default is None else spec.default(env) for spec in self.outputs]
        return self._value(row)

    def _rank(self, row: list[object]) -> tuple[int, ...]:
        ranks: list[int] = []
        for spec, value in zip(self.outputs, row, strict=True):
            priorities = spec.priorities
            if not priorities:
                continue
            position = next(
                (index for index, item in enumerate(priorities) if feel_equals(item, value) is True),
                len(priorities),
            )
            ranks.append(position)
        return tuple(ranks)

    def _aggregate(
        self, ids: tuple[str, ...], rows: list[list[object]], camunda_rows: tuple[dict[str, object], ...]
    ) -> TableOutcome:
        assert self.aggregation is not None
        if len(self.outputs) > 1:
            raise DmnHitPolicyError(
                f"DMN-03004 Unable to execute aggregation '{self.aggregation}' on compound decision output. "
                f"Only one output value allowed (decision '{self.decision_id}').",
                decision_id=self.decision_id,
                rule_ids=ids,
            )
        spec = self.outputs[0]
        values = [value for value in (self._value(row) for row in rows) if value is not None]
        aggregated = _feel_aggregate(self.aggregation, values, self.decision_id)
        typed = [
            camunda_value(entry[spec.name], spec.type_ref) for entry in camunda_rows if spec.name in entry
        ]
        camunda = _camunda_aggregate(self.aggregation, typed, self.decision_id)
        return TableOutcome(aggregated, ids, camunda_rows, (spec.name, aggregated), camunda)


def _feel_aggregate(aggregation: Aggregation, values: list[object], decision_id: str) -> object:
    if aggregation is Aggregation.COUNT:
        return Decimal(len(values))
    if not values:
        return None
    if aggregation is Aggregation.SUM:
        if any(type(value) is not Decimal for value in values):
            raise DmnHitPolicyError(
                f"DMN-03006 Unable to convert value '{render(values)}' to a support aggregatable type "
                f"(decision '{decision_id}').",
                decision_id=decision_id,
            )
        total = Decimal(0)
        for value in values:
            total = DECIMAL.add(total, value)  # type: ignore[arg-type]
        return total
    best = values[0]
    for value in values[1:]:
        order = feel_compare(value, best)
        if order is None:
            raise DmnHitPolicyError(
                f"DMN-03006 Unable to convert value '{render(values)}' to a support aggregatable type "
                f"(decision '{decision_id}').",
                decision_id=decision_id,
            )
        if (order < 0) if aggregation is Aggregation.MIN else (order > 0):
            best = value
    return best


def _camunda_aggregate(
    aggregation: Aggregation, typed: list[TypedValue], decision_id: str
) -> TypedValue | None:
    """Camunda's collect aggregation over typed values: Integer, else Long, else Double."""
    if aggregation is Aggregation.COUNT:
        return TypedValue(ValueType.INTEGER, len(typed))
    values = [tv for tv in typed if tv.type is not ValueType.NULL]
    if not values:
        return None
    kinds = {tv.type for tv in values}
    numbers: list[int | float] = []
    for tv in values:
        if not isinstance(tv.value, int | float) or isinstance(tv.value, bool):
            raise DmnHitPolicyError(
                f"DMN-03006 Unable to convert value '{tv.value}' to a support aggregatable type "
                f"(decision '{decision_id}').",
                decision_id=decision_id,
            )
        numbers.append(tv.value)
    if kinds <= {ValueType.INTEGER}:
        kind = ValueType.INTEGER
    elif kinds <= {ValueType.INTEGER, ValueType.LONG} and all(isinstance(n, int) for n in numbers):
        kind = ValueType.LONG
    else:
        kind = ValueType.DOUBLE
        numbers = [float(n) for n in numbers]
    if aggregation is Aggregation.SUM:
        result: int | float = sum(numbers)
    elif aggregation is Aggregation.MIN:
        result = min(numbers)
    else:
        result = max(numbers)
    return TypedValue(kind, result)
