"""JUEL expressions in decisions (``expressionLanguage="juel"``), through :mod:`cadenza.expr.el`.

Layer: ``dmn``. Camunda 7 evaluates input expressions, input entries and output entries written
in JUEL with its EL engine; Cadenza uses its own EL interpreter. The variables are the decision's
scope (FEEL values turned into plain Python values), and an input entry sees the input value as
``cellInput`` (or the clause's ``camunda:inputVariable``). Text without ``${...}`` is taken as
one expression, as Camunda's JUEL entries are usually written.
"""

from __future__ import annotations

from collections.abc import Callable

from cadenza.errors import ExpressionError
from cadenza.expr.el import compile_expression, is_expression
from cadenza.feel import Env, to_feel, to_python
from cadenza.feel.runtime import MISSING

__all__ = ["JuelError", "compile_juel", "compile_juel_test"]


class JuelError(Exception):
    """A JUEL text that does not compile (the message is the EL interpreter's)."""


class _Scope:
    def __init__(self, env: Env, extra: dict[str, object] | None = None) -> None:
        self.env = env
        self.extra = extra or {}

    def has_variable(self, name: str) -> bool:
        return name in self.extra or self.env.lookup(name) is not MISSING

    def get_variable(self, name: str) -> object:
        if name in self.extra:
            return self.extra[name]
        return to_python(self.env.lookup(name))


def _compile(text: str) -> object:
    source = text if is_expression(text) else "${" + text + "}"
    try:
        return compile_expression(source)
    except ExpressionError as error:
        raise JuelError(error.message) from None


def compile_juel(text: str) -> Callable[[Env], object]:
    expression = _compile(text)

    def run(env: Env) -> object:
        return to_feel(expression.evaluate(_Scope(env)))  # type: ignore[attr-defined]

    return run


def compile_juel_test(text: str, input_variable: str) -> Callable[[object, Env], bool]:
    expression = _compile(text)

    def matches(value: object, env: Env) -> bool:
        scope = _Scope(env, {input_variable: to_python(value)})
        return expression.evaluate(scope) is True  # type: ignore[attr-defined]

    return matches
