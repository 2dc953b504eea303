"""FEEL (Friendly Enough Expression Language, DMN 1.5 chapter 10): an interpreter of its own.

Layer: ``feel``, a core layer beside ``bpmn`` and ``expr``; it imports nothing from cadenza and
does no I/O. Text is tokenized knowing the names in scope (:mod:`.lexer`), parsed by a lark LALR
grammar (:mod:`.grammar`), compiled once into closures (:mod:`.compiler`) and evaluated many
times against a scope chain with a cost budget (:mod:`.runtime`). No Python ``eval``/``exec``
anywhere. Values are described in :mod:`.values`.
"""

from __future__ import annotations

from cadenza.feel.api import (
    BUILTIN_NAMES,
    CompiledExpression,
    CompiledTests,
    compile_expression,
    compile_unary_tests,
    known_names,
)
from cadenza.feel.convert import to_feel, to_python
from cadenza.feel.lexer import KnownNames
from cadenza.feel.runtime import (
    DEFAULT_LIMITS,
    Budget,
    Env,
    FeelBudgetError,
    FeelError,
    FeelEvaluationError,
    FeelSyntaxError,
    Limits,
)
from cadenza.feel.types import FeelType, TypeSyntaxError, parse_type
from cadenza.feel.values import Function, Range, YearsMonths, feel_equals, render

__all__ = [
    "BUILTIN_NAMES",
    "DEFAULT_LIMITS",
    "Budget",
    "CompiledExpression",
    "CompiledTests",
    "Env",
    "FeelBudgetError",
    "FeelError",
    "FeelEvaluationError",
    "FeelSyntaxError",
    "FeelType",
    "Function",
    "KnownNames",
    "Limits",
    "Range",
    "TypeSyntaxError",
    "YearsMonths",
    "compile_expression",
    "compile_unary_tests",
    "feel_equals",
    "known_names",
    "parse_type",
    "render",
    "to_feel",
    "to_python",
]
