"""The limits that bound what an expression may cost; each is stated here and nowhere else.

Part of the ``expr`` layer. The language has no loops, recursion or user functions, so every
compiled node runs at most once per evaluation: source length bounds the work, nesting depth
bounds the stack, and the regular expression limits bound ``matches()``.
"""

from __future__ import annotations

from typing import Final

__all__ = ["LONG_MAX", "LONG_MIN", "MAX_DEPTH", "MAX_MATCH_INPUT", "MAX_PATTERN", "MAX_SOURCE_LENGTH"]

MAX_SOURCE_LENGTH: Final = 10_000
"""Longest expression text accepted by :func:`compile_expression`."""

MAX_DEPTH: Final = 100
"""Deepest nesting (brackets, unary operators, ternaries, arguments) accepted at compile time."""

MAX_MATCH_INPUT: Final = 10_000
"""Longest text ``String.matches`` runs a regular expression over."""

MAX_PATTERN: Final = 1_000
"""Longest regular expression ``String.matches`` accepts."""

# Java's long: integer results outside it are an overflow error, as in Camunda.
LONG_MIN: Final = -(2**63)
LONG_MAX: Final = 2**63 - 1
