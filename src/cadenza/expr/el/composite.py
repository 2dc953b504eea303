"""Composite text: literal parts and ``${...}`` / ``#{...}`` parts, joined as text.

Part of the ``expr`` layer. ``scan`` finds where each expression body starts and ends (JUEL's
escapes included) without parsing it; each body is then compiled on its own.
"""

from __future__ import annotations

from cadenza.expr.el.coercion import to_text
from cadenza.expr.el.failures import CompileError
from cadenza.expr.el.limits import MAX_DEPTH
from cadenza.expr.el.scope import Eval, VariableScope

__all__ = ["concatenate", "scan"]


def scan(text: str) -> list[tuple[str, int] | str]:
    """Split text into literal strings and (expression body, offset) pairs.

    ``\\${`` and ``\\#{`` stand for literal ``${`` / ``#{`` (JUEL). An expression ends at the
    first ``}`` outside a string literal.
    """
    parts: list[tuple[str, int] | str] = []
    literal: list[str] = []
    i, n = 0, len(text)
    while i < n:
        char = text[i]
        if char == "\\" and text.startswith(("${", "#{"), i + 1):
            literal.append(text[i + 1 : i + 3])
            i += 3
            continue
        if char not in "$#" or not text.startswith("{", i + 1):
            literal.append(char)
            i += 1
            continue
        j, quote, depth = i + 2, "", 0
        while j < n:
            char = text[j]
            if quote:
                if char == "\\":
                    j += 1
                elif char == quote:
                    quote = ""
            elif char in "'\"":
                quote = char
            elif char in "([":
                depth += 1
                if depth > MAX_DEPTH:
                    raise CompileError(f"expression nested deeper than {MAX_DEPTH} levels")
            elif char in ")]":
                depth -= 1
            elif char == "}":
                break
            j += 1
        else:
            raise CompileError(f"missing '}}' for the expression starting at position {i}")
        if literal:
            parts.append("".join(literal))
            literal = []
        parts.append((text[i + 2 : j], i + 2))
        i = j + 1
    if literal:
        parts.append("".join(literal))
    return parts


def concatenate(parts: tuple[Eval, ...]) -> Eval:
    """A closure joining the parts' values as text (``coerceToString``)."""

    def run(scope: VariableScope) -> object:
        return "".join([to_text(part(scope)) for part in parts])

    return run
