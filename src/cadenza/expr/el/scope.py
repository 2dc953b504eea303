"""What expressions see: the variable scope and the engine objects they may call.

Part of the ``expr`` layer. The engine implements these protocols (an execution's variables,
``execution``, ``externalTask``); nothing else of Python is reachable from an expression.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol, runtime_checkable

__all__ = ["ElObject", "Eval", "VariableScope"]


class VariableScope(Protocol):
    """Where identifiers are resolved (an execution's variables, plus engine-provided objects)."""

    def has_variable(self, name: str) -> bool: ...

    def get_variable(self, name: str) -> object: ...


@runtime_checkable
class ElObject(Protocol):
    """Objects the engine exposes to expressions (e.g. ``execution``, ``externalTask``)."""

    def el_call(self, method: str, args: list[object]) -> object:
        """Call ``method``; raise :class:`~cadenza.errors.ExpressionError` for unknown methods."""
        ...

    def el_property(self, name: str) -> object: ...


Eval = Callable[[VariableScope], object]
"""A compiled expression node: evaluates against a scope."""
