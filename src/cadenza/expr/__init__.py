"""Expressions and typed values (layer ``expr``: imports nothing from cadenza but ``errors``).

``el`` compiles and evaluates Camunda ``${...}`` expressions safely; ``values`` converts
Camunda typed variable values between the REST wire, the engine and the database.
"""

from __future__ import annotations

from cadenza.expr.el import ElObject, Expression, VariableScope, compile_expression, is_expression
from cadenza.expr.values import (
    StoredValue,
    TypedValue,
    ValueType,
    expression_value,
    format_date,
    from_stored,
    parse_date,
    to_stored,
    typed_value_from_dto,
    typed_value_from_python,
    typed_value_to_dto,
)

__all__ = [
    "ElObject",
    "Expression",
    "StoredValue",
    "TypedValue",
    "ValueType",
    "VariableScope",
    "compile_expression",
    "expression_value",
    "format_date",
    "from_stored",
    "is_expression",
    "parse_date",
    "to_stored",
    "typed_value_from_dto",
    "typed_value_from_python",
    "typed_value_to_dto",
]
