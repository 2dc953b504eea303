"""Compiling FEEL: expressions and unary tests, with the limits checked at compile time.

Layer: ``feel``. :func:`compile_expression` and :func:`compile_unary_tests` parse once and return
objects that evaluate many times. Unary tests get fast paths for the cells decision tables are
made of (``-``, a literal, ``< 10``, ``[1..5]``, a list of string literals), so matching a rule
costs a type check and a comparison; anything else runs the general closure.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any, Final

from lark import Token, Tree
from lark.exceptions import LarkError, UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, UnexpectedToken

from cadenza.feel import runtime as rt
from cadenza.feel.builtins import BUILTINS
from cadenza.feel.compiler import CompileContext, Eval, compile_node, compile_test
from cadenza.feel.grammar import parser
from cadenza.feel.lexer import FeelLexError, KnownNames, tokenize
from cadenza.feel.runtime import DEFAULT_LIMITS, Budget, Env, FeelSyntaxError, Limits
from cadenza.feel.types import FeelType
from cadenza.feel.values import Range, YearsMonths

__all__ = [
    "BUILTIN_NAMES",
    "CompiledExpression",
    "CompiledTests",
    "compile_expression",
    "compile_unary_tests",
    "known_names",
]

_EXTRA_NAMES: Final = (
    "start included",
    "end included",
    "time offset",
    "start position",
    "grouping separator",
    "decimal separator",
    "new item",
    "date and time",
    "days and time duration",
    "years and months duration",
)

BUILTIN_NAMES: Final = frozenset(BUILTINS) | frozenset(_EXTRA_NAMES)


def known_names(extra: Iterable[str] = ()) -> KnownNames:
    """The names the tokenizer may read as one name: the built-ins plus ``extra``."""
    return KnownNames.of([*BUILTIN_NAMES, *extra])


_DEFAULT_KNOWN: Final = known_names()
_NO_TYPES: Final[Mapping[str, FeelType]] = {}


def _parse(text: str, start: str, known: KnownNames, limits: Limits) -> Tree[Token]:
    if len(text) > limits.max_source_length:
        raise FeelSyntaxError(f"expression is longer than the limit of {limits.max_source_length} characters")
    try:
        tokens = tokenize(text, known)
        if not tokens:
            raise FeelSyntaxError("empty expression", 0)
        return parser().parse(tokens, start=start)
    except FeelLexError as error:
        raise FeelSyntaxError(f"{error} at position {error.position}", error.position) from None
    except UnexpectedToken as error:
        token = error.token
        if token.type == "$END":
            raise FeelSyntaxError("unexpected end of expression", len(text)) from None
        position = token.start_pos if isinstance(token.start_pos, int) else None
        raise FeelSyntaxError(f"unexpected '{token.value}' at position {position}", position) from None
    except (UnexpectedEOF, UnexpectedCharacters, UnexpectedInput):
        raise FeelSyntaxError("unexpected end of expression", len(text)) from None
    except LarkError as error:
        raise FeelSyntaxError(f"invalid expression: {type(error).__name__}") from None


@dataclass(frozen=True, eq=False)
class CompiledExpression:
    """A compiled FEEL expression; ``run(env)`` evaluates it in a scope chain."""

    source: str
    run: Eval
    limits: Limits = DEFAULT_LIMITS

    def evaluate(self, variables: Mapping[str, object] | None = None, budget: Budget | None = None) -> object:
        """Evaluate with FEEL values bound to names (see :mod:`cadenza.feel.convert`)."""
        env = Env(variables or {}, None, budget or Budget(self.limits))
        try:
            return self.run(env)
        except RecursionError:
            raise rt.FeelEvaluationError("FEEL evaluation nested too deeply") from None


def compile_expression(
    text: str,
    *,
    names: KnownNames | None = None,
    types: Mapping[str, FeelType] | None = None,
    limits: Limits = DEFAULT_LIMITS,
) -> CompiledExpression:
    """Compile a FEEL expression. Raises :class:`FeelSyntaxError` (with a position)."""
    tree = _parse(text, "expression", names or _DEFAULT_KNOWN, limits)
    run = compile_node(tree, CompileContext(limits.max_depth, types or _NO_TYPES))
    return CompiledExpression(text, run, limits)


Matcher = Callable[[object, Env], bool]


@dataclass(frozen=True, eq=False)
class CompiledTests:
    """Compiled unary tests; ``matches(value, env)`` is True only for a definite match."""

    source: str
    matches: Matcher
    is_any: bool = False
    literals: frozenset[tuple[type, object]] | None = None
    """For tests that are only literals (``"a","b"``, ``5``, ``true``): the values, keyed by
    type, so a decision table can index its rules by them."""
    interval: Range | None = None
    """For one comparison with a number constant (``< 10``) or an interval of number
    constants (``[1..5]``): that range, so a decision table can index its rules by it."""


def _always(value: object, env: Env) -> bool:
    return True


_NOT: Final = re.compile(r"\s*not\s*\((.*)\)\s*", re.DOTALL)
_SCALARS: Final = (Decimal, str, bool, date, datetime, time, timedelta, YearsMonths)


def _balanced(text: str) -> bool:
    depth = 0
    in_string = False
    escaped = False
    for char in text:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
            continue
        if char == '"':
            in_string = True
        elif char in "([{":
            depth += 1
        elif char in ")]}":
            depth -= 1
            if depth < 0:
                return False
    return depth == 0


def compile_unary_tests(
    text: str,
    *,
    names: KnownNames | None = None,
    types: Mapping[str, FeelType] | None = None,
    limits: Limits = DEFAULT_LIMITS,
) -> CompiledTests:
    """Compile unary tests (``-``, ``not(...)``, comma lists of tests). Raises FeelSyntaxError."""
    stripped = text.strip()
    if stripped in ("-", ""):
        return CompiledTests(text, _always, is_any=True)
    negated = _NOT.fullmatch(text)
    if negated is not None and _balanced(negated[1]):
        inner = _compile_positive(negated[1], names, types, limits)

        def negation(value: object, env: Env) -> bool:
            result = inner(value, env)
            return result is False

        return CompiledTests(text, negation)
    positive = _compile_positive(text, names, types, limits)

    def matches(value: object, env: Env) -> bool:
        return positive(value, env) is True

    return CompiledTests(
        text,
        _fast(positive, matches),
        literals=getattr(positive, "literals", None),
        interval=getattr(positive, "interval", None),
    )


def _fast(positive: Callable[[object, Env], object], matches: Matcher) -> Matcher:
    fast = getattr(positive, "fast", None)
    return fast if fast is not None else matches


def _compile_positive(
    text: str,
    names: KnownNames | None,
    types: Mapping[str, FeelType] | None,
    limits: Limits,
) -> Callable[[object, Env], object]:
    tree = _parse(text, "unary_tests", names or _DEFAULT_KNOWN, limits)
    ctx = CompileContext(limits.max_depth, types or _NO_TYPES)
    nodes = [child for child in tree.children if isinstance(child, Tree)]
    tests = [compile_test(node, ctx, 1) for node in nodes]
    constants = [_constant(node) for node in nodes]
    if len(tests) == 1:
        test = tests[0]
        fast = _fast_single(nodes[0], constants[0])
        if fast is not None:
            setattr(test, "fast", fast)  # noqa: B010
        if constants[0] is not None:
            value = constants[0].value
            setattr(test, "literals", frozenset({(type(value), value)}))  # noqa: B010
        interval = _interval(nodes[0])
        if interval is not None:
            setattr(test, "interval", interval)  # noqa: B010
        return test
    if all(isinstance(c, _Constant) and type(c.value) is str for c in constants):
        choices = frozenset(c.value for c in constants)  # type: ignore[union-attr]

        def one_of(value: object, env: Env) -> object:
            return type(value) is str and value in choices

        setattr(one_of, "fast", lambda value, env: type(value) is str and value in choices)  # noqa: B010
        setattr(one_of, "literals", frozenset((str, choice) for choice in choices))  # noqa: B010
        return one_of

    def any_of(value: object, env: Env) -> object:
        results = [test(value, env) for test in tests]
        return rt.disjunction(results)

    return any_of


@dataclass(frozen=True)
class _Constant:
    value: object


def _constant(node: Tree[Token]) -> _Constant | None:
    kind = str(node.data)
    if kind == "string":
        return _Constant(str(node.children[0]))
    if kind == "number":
        return _Constant(Decimal(str(node.children[0])))
    if kind in ("true", "false"):
        return _Constant(kind == "true")
    if kind == "negate":
        inner = [child for child in node.children if isinstance(child, Tree)]
        if len(inner) == 1 and inner[0].data == "number":
            return _Constant(-Decimal(str(inner[0].children[0])))
    return None


_ORDER: Final[dict[str, Callable[[Any, Any], bool]]] = {
    "<": lambda v, c: v < c,
    "<=": lambda v, c: v <= c,
    ">": lambda v, c: v > c,
    ">=": lambda v, c: v >= c,
    "=": lambda v, c: v == c,
    "!=": lambda v, c: v != c,
}


def _interval(node: Tree[Token]) -> Range | None:
    if node.data == "simple_test":
        operator = str(next(child for child in node.children if isinstance(child, Token)))
        operand = next(child for child in node.children if isinstance(child, Tree))
        bound = _constant(operand)
        if operator not in ("<", "<=", ">", ">=") or bound is None or type(bound.value) is not Decimal:
            return None
        value = bound.value
        if operator in ("<", "<="):
            return Range(None, False, value, operator == "<=")
        return Range(value, operator == ">=", None, False)
    if node.data == "range":
        ends = [child for child in node.children if isinstance(child, Tree)]
        tokens = [child for child in node.children if isinstance(child, Token)]
        low, high = (_constant(end) for end in ends)
        if low is None or high is None or type(low.value) is not Decimal or type(high.value) is not Decimal:
            return None
        if low.value > high.value:
            return None
        return Range(low.value, tokens[0].type == "LSQB", high.value, tokens[-1].type == "RSQB")
    return None


def _fast_single(node: Tree[Token], constant: _Constant | None) -> Matcher | None:
    """A specialised matcher for one test on a number or string constant, or None."""
    if constant is not None:
        expected = constant.value
        kind = type(expected)
        return lambda value, env: type(value) is kind and value == expected
    if node.data == "simple_test":
        operator = str(next(child for child in node.children if isinstance(child, Token)))
        operand = next(child for child in node.children if isinstance(child, Tree))
        bound = _constant(operand)
        if bound is None or type(bound.value) is not Decimal:
            return None
        limit = bound.value
        compare: Callable[[object, object], bool] = _ORDER[operator]
        return lambda value, env: type(value) is Decimal and compare(value, limit)
    if node.data == "range":
        ends = [child for child in node.children if isinstance(child, Tree)]
        tokens = [child for child in node.children if isinstance(child, Token)]
        low, high = (_constant(end) for end in ends)
        if low is None or high is None or type(low.value) is not Decimal or type(high.value) is not Decimal:
            return None
        span = Range(low.value, tokens[0].type == "LSQB", high.value, tokens[-1].type == "RSQB")
        a, b = span.start, span.end
        if span.start_included and span.end_included:
            return lambda value, env: type(value) is Decimal and a <= value <= b  # type: ignore[operator]
        return lambda value, env: type(value) is Decimal and span.contains(value) is True
    return None
