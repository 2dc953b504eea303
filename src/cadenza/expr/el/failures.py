"""Internal failures of compiling and evaluating; ``Expression`` turns them into ExpressionError.

Part of the ``expr`` layer. They carry no expression text: the public ``Expression`` adds the
source once, so a message names the whole expression, not the fragment that failed.
"""

from __future__ import annotations

__all__ = ["CompileError", "EvalError", "UnknownIdentifierError"]


class EvalError(Exception):
    """An evaluation failure; :meth:`Expression.evaluate` adds the source text to it."""


class UnknownIdentifierError(EvalError):
    """An identifier the scope does not know; reported in Camunda's words ("Unknown property...")."""

    def __init__(self, name: str) -> None:
        super().__init__(name)
        self.name = name


class CompileError(Exception):
    """The text is not a valid expression, or is nested too deeply."""
