"""A restricted interpreter for Camunda's ``${...}`` expression language (a JUEL subset).

Layer: ``expr`` (imports only ``cadenza.errors``). Conditions, topics, assignees and
input/output mappings are written as JUEL expressions in BPMN; this package parses them with a
lark LALR grammar once (``grammar``), compiles the tree into plain closures (``compiler``) and
evaluates those against a :class:`VariableScope` (``scope``). Nothing here reaches Python
attributes: properties resolve on dicts, lists and :class:`ElObject` only, and methods come from
small per-type whitelists (``access``).

Coercions and operators follow the JUEL 2.2 spec (§1.7-1.8) as Camunda uses it (``coercion``,
``operators``), with two deliberate simplifications: numbers are Python ``int`` (kept within
Java's ``long`` range) or ``float``, and division or remainder by zero is an error instead of
``Infinity``/``NaN``.

Cost is bounded without a runtime counter: the language has no loops, recursion or user
functions, so every compiled node runs at most once per evaluation and the node count is bounded
by the source length (:data:`MAX_SOURCE_LENGTH`); nesting is bounded by :data:`MAX_DEPTH`, so
evaluation never comes near Python's recursion limit (``limits`` states every bound).

This module is the public face: :class:`Expression` and :func:`compile_expression`.
"""

from __future__ import annotations

from functools import lru_cache

from cadenza.errors import ExpressionError
from cadenza.expr.el.coercion import to_text, type_name
from cadenza.expr.el.compiler import compile_body, constant
from cadenza.expr.el.composite import concatenate, scan
from cadenza.expr.el.failures import CompileError, EvalError, UnknownIdentifierError
from cadenza.expr.el.limits import MAX_DEPTH, MAX_SOURCE_LENGTH
from cadenza.expr.el.scope import ElObject, Eval, VariableScope

__all__ = [
    "MAX_DEPTH",
    "MAX_SOURCE_LENGTH",
    "ElObject",
    "Expression",
    "VariableScope",
    "compile_expression",
    "is_expression",
]


class Expression:
    """A compiled expression; immutable and safe to share between threads and evaluations."""

    __slots__ = ("_literal", "_run", "source")

    source: str
    _run: Eval
    _literal: bool

    def __init__(self, source: str, run: Eval, literal: bool) -> None:
        object.__setattr__(self, "source", source)
        object.__setattr__(self, "_run", run)
        object.__setattr__(self, "_literal", literal)

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError("Expression is immutable")

    def __repr__(self) -> str:
        return f"Expression({self.source!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Expression) and other.source == self.source

    def __hash__(self) -> int:
        return hash(self.source)

    @property
    def is_literal(self) -> bool:
        """True when the text contains no ``${...}`` / ``#{...}`` at all."""
        return self._literal

    def evaluate(self, scope: VariableScope) -> object:
        """The value of the expression: the raw value for a single ``${...}``, else a string.

        Raises:
            ExpressionError: unknown identifier, wrong operand types, unsupported method, ...
        """
        try:
            return self._run(scope)
        except UnknownIdentifierError as exc:
            raise ExpressionError(
                f"Unknown property used in expression: {self.source}. "
                f"Cause: Cannot resolve identifier '{exc.name}'"
            ) from exc
        except (EvalError, ArithmeticError, ValueError, TypeError, RecursionError) as exc:
            raise ExpressionError(f"Error while evaluating expression: {self.source}. Cause: {exc}") from exc

    def evaluate_bool(self, scope: VariableScope) -> bool:
        """Evaluate a condition; a non-boolean result is an error, as in Camunda."""
        result = self.evaluate(scope)
        if isinstance(result, bool):
            return result
        raise ExpressionError(
            f"condition expression returns non-Boolean: {to_text(result)} "
            f"({type_name(result)}) in {self.source}"
        )


def is_expression(text: str) -> bool:
    """True when ``text`` contains ``${`` or ``#{`` (i.e. is not a plain literal)."""
    return "${" in text or "#{" in text


def compile_expression(text: str) -> Expression:
    """Compile ``text`` (literal, a single ``${...}``, or composite text) once.

    Results are cached by text (expressions are immutable), so callers need not keep their own.

    Raises:
        ExpressionError: the text is too long, nested too deeply or not valid syntax; the
            message names the expression.
    """
    return _compile_cached(text)


@lru_cache(maxsize=2048)
def _compile_cached(text: str) -> Expression:
    if len(text) > MAX_SOURCE_LENGTH:
        raise ExpressionError(
            f"Error parsing '{text[:100]}...': expression longer than {MAX_SOURCE_LENGTH} characters"
        )
    if not is_expression(text):
        return Expression(text, constant(text), literal=True)
    try:
        parts = [p if isinstance(p, str) else compile_body(*p) for p in scan(text)]
    except CompileError as exc:
        raise ExpressionError(f"Error parsing '{text}': {exc}") from exc
    if not parts:
        return Expression(text, constant(""), literal=False)
    if len(parts) == 1:
        only = parts[0]
        return Expression(text, constant(only) if isinstance(only, str) else only, literal=False)
    return Expression(
        text,
        concatenate(tuple(constant(p) if isinstance(p, str) else p for p in parts)),
        literal=False,
    )
