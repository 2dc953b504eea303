"""A restricted interpreter for Camunda's ``${...}`` expression language (a JUEL subset).

Layer: ``expr`` (imports only ``cadenza.errors``). Conditions, topics, assignees and
input/output mappings are written as JUEL expressions in BPMN; this module parses them with a
lark LALR grammar once, compiles the tree into plain closures and evaluates those against a
:class:`VariableScope`. Nothing here reaches Python attributes: properties resolve on dicts,
lists and :class:`ElObject` only, and methods come from small per-type whitelists.

Coercions follow the JUEL 2.2 spec (§1.7-1.8) as Camunda uses it, with two deliberate
simplifications: numbers are Python ``int`` (kept within Java's ``long`` range) or ``float``, and
division or remainder by zero is an error instead of ``Infinity``/``NaN``.

Cost is bounded without a runtime counter: the language has no loops, recursion or user
functions, so every compiled node runs at most once per evaluation and the node count is bounded
by the source length (:data:`MAX_SOURCE_LENGTH`); nesting is bounded by :data:`MAX_DEPTH`, so
evaluation never comes near Python's recursion limit.
"""

from __future__ import annotations

import math
import operator
import re
from collections.abc import Callable, Mapping
from datetime import datetime
from functools import lru_cache
from typing import Any, Final, Protocol, runtime_checkable

import orjson
from lark import Lark, Token, Tree
from lark.exceptions import LarkError, UnexpectedCharacters, UnexpectedEOF, UnexpectedToken

from cadenza.errors import ExpressionError

__all__ = [
    "MAX_DEPTH",
    "MAX_SOURCE_LENGTH",
    "ElObject",
    "Expression",
    "VariableScope",
    "compile_expression",
    "is_expression",
]

MAX_SOURCE_LENGTH: Final = 10_000
"""Longest expression text accepted by :func:`compile_expression`."""

MAX_DEPTH: Final = 100
"""Deepest nesting (brackets, unary operators, ternaries, arguments) accepted at compile time."""

_MAX_MATCH_INPUT: Final = 10_000
_MAX_PATTERN: Final = 1_000
_LONG_MIN: Final = -(2**63)
_LONG_MAX: Final = 2**63 - 1
_JAVA_WHITESPACE: Final = "".join(chr(c) for c in range(0x21))  # String.trim() strips <= ' '


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


_Eval = Callable[[VariableScope], object]


class _EvalError(Exception):
    """An evaluation failure; :meth:`Expression.evaluate` adds the source text to it."""


class _UnknownIdentifierError(_EvalError):
    def __init__(self, name: str) -> None:
        super().__init__(name)
        self.name = name


# --------------------------------------------------------------------------------------------
# Grammar. Keywords are plain string terminals: lark turns a NAME that spells one into that
# keyword, so "order" stays an identifier while "or" is the operator. Same-precedence chains are
# written as repetitions, which gives flat children lists (a+b+c+... never nests).

_GRAMMAR: Final = r"""
?start: ternary

?ternary: or_expr
        | or_expr "?" ternary ":" ternary   -> cond

?or_expr: and_expr ((_OROR | _OR_KW) and_expr)*
?and_expr: eq_expr ((_ANDAND | _AND_KW) eq_expr)*
?eq_expr: rel_expr ((EQ | NE | EQ_KW | NE_KW) rel_expr)*
?rel_expr: add_expr ((LT | GT | LE | GE | LT_KW | GT_KW | LE_KW | GE_KW) add_expr)*
?add_expr: mul_expr ((PLUS | MINUS) mul_expr)*
?mul_expr: unary ((STAR | SLASH | DIV_KW | PERCENT | MOD_KW) unary)*

?unary: postfix
      | MINUS unary                 -> neg
      | (_BANG | _NOT_KW) unary     -> not_
      | _EMPTY_KW unary             -> empty

?postfix: primary (prop | call | index)*
prop: "." NAME
call: "." NAME "(" [args] ")"
index: "[" ternary "]"
args: ternary ("," ternary)*

?primary: "(" ternary ")"
        | NAME        -> var
        | INT         -> int_lit
        | DECIMAL     -> float_lit
        | STRING      -> str_lit
        | "true"      -> true_lit
        | "false"     -> false_lit
        | "null"      -> null_lit

_OROR: "||"
_OR_KW: "or"
_ANDAND: "&&"
_AND_KW: "and"
_BANG: "!"
_NOT_KW: "not"
_EMPTY_KW: "empty"
EQ: "=="
NE: "!="
EQ_KW: "eq"
NE_KW: "ne"
LT: "<"
GT: ">"
LE: "<="
GE: ">="
LT_KW: "lt"
GT_KW: "gt"
LE_KW: "le"
GE_KW: "ge"
PLUS: "+"
MINUS: "-"
STAR: "*"
SLASH: "/"
DIV_KW: "div"
PERCENT: "%"
MOD_KW: "mod"

NAME: /[^\W\d]\w*/
DECIMAL.2: /[0-9]+\.[0-9]*(?:[eE][+-]?[0-9]+)?|\.[0-9]+(?:[eE][+-]?[0-9]+)?|[0-9]+[eE][+-]?[0-9]+/
INT: /[0-9]+/
STRING: /'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*"/s

%ignore /\s+/
"""

_PARSER: Final = Lark(_GRAMMAR, parser="lalr", lexer="contextual", maybe_placeholders=True)


# --------------------------------------------------------------------------------------------
# Coercions (JUEL spec §1.7)

_INT_TEXT: Final = re.compile(r"[+-]?[0-9]{1,30}")
_FLOAT_TEXT: Final = re.compile(
    r"\s*[+-]?(?:[0-9]+\.?[0-9]*(?:[eE][+-]?[0-9]+)?|\.[0-9]+(?:[eE][+-]?[0-9]+)?)\s*"
)

_TYPE_NAMES: Final[Mapping[type, str]] = {
    str: "String",
    bool: "Boolean",
    int: "Long",
    float: "Double",
    list: "List",
    tuple: "List",
    dict: "Map",
    datetime: "Date",
    bytes: "byte[]",
}


def _type_name(value: object) -> str:
    if value is None:
        return "null"
    return _TYPE_NAMES.get(type(value), type(value).__name__)


def _long(value: int) -> int:
    if _LONG_MIN <= value <= _LONG_MAX:
        return value
    raise _EvalError("numeric overflow: result does not fit into a long")


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _number(value: object) -> int | float:
    """coerceToNumber: null and '' are 0, numeric strings parse, anything else fails."""
    if isinstance(value, bool):
        raise _EvalError(f"Cannot coerce Boolean '{_text(value)}' to a number")
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return value
    if value is None:
        return 0
    if isinstance(value, str):
        if value == "":
            return 0
        if _INT_TEXT.fullmatch(value):
            return _long(int(value))
        if _FLOAT_TEXT.fullmatch(value):
            return float(value)
        raise _EvalError(f"Cannot coerce '{value}' of type String to a number")
    raise _EvalError(f"Cannot coerce {_type_name(value)} to a number")


def _boolean(value: object) -> bool:
    """coerceToBoolean: null and '' are false, strings follow Boolean.valueOf."""
    if isinstance(value, bool):
        return value
    if value is None:
        return False
    if isinstance(value, str):
        return value.lower() == "true"
    raise _EvalError(f"Cannot coerce {_type_name(value)} to Boolean")


def _text(value: object) -> str:
    """coerceToString, used for composite text and string-typed method arguments."""
    if isinstance(value, str):
        return value
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, dict | list | tuple):
        try:
            return orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS).decode()
        except TypeError:
            return str(value)
    if isinstance(value, datetime):
        return value.isoformat()
    return str(value)


def _empty(value: object) -> bool:
    if value is None:
        return True
    if isinstance(value, str | list | tuple | dict | bytes | set | frozenset):
        return len(value) == 0
    return False


def _java_equals(left: object, right: object) -> bool:
    """Object.equals as collections use it: booleans never equal numbers."""
    if isinstance(left, bool) or isinstance(right, bool):
        return type(left) is type(right) and left == right
    return bool(left == right)


# --------------------------------------------------------------------------------------------
# Operators (JUEL spec §1.7.1, §1.8)


def _arith(
    int_op: Callable[[int, int], int], float_op: Callable[[float, float], float]
) -> Callable[[object, object], object]:
    def apply(left: object, right: object) -> object:
        if left is None and right is None:
            return 0
        x, y = _number(left), _number(right)
        if isinstance(x, float) or isinstance(y, float):
            return float_op(float(x), float(y))
        return _long(int_op(x, y))

    return apply


def _divide(left: object, right: object) -> object:
    if left is None and right is None:
        return 0
    x, y = float(_number(left)), float(_number(right))
    if y == 0:
        raise _EvalError("Division by zero")
    return x / y


def _remainder(left: object, right: object) -> object:
    if left is None and right is None:
        return 0
    x, y = _number(left), _number(right)
    if y == 0:
        raise _EvalError("Division by zero")
    if isinstance(x, float) or isinstance(y, float):
        return math.fmod(x, y)
    r = abs(x) % abs(y)  # Java's % truncates: the sign follows the dividend
    return -r if x < 0 else r


def _negate(value: object) -> object:
    number = _number(value)
    return -number if isinstance(number, float) else _long(-number)


def _equals(left: object, right: object) -> bool:
    if left is right:
        return True
    if left is None or right is None:
        return False
    if type(left) is str and type(right) is str:
        return left == right
    if _is_number(left) or _is_number(right):
        return _number(left) == _number(right)
    if isinstance(left, bool) or isinstance(right, bool):
        return _boolean(left) == _boolean(right)
    if isinstance(left, str) or isinstance(right, str):
        return _text(left) == _text(right)
    return bool(left == right)


def _not_equals(left: object, right: object) -> bool:
    return not _equals(left, right)


def _ordered(left: object, right: object) -> tuple[Any, Any] | None:
    """The operands made comparable, or None when either is null (every comparison is false)."""
    if left is None or right is None:
        return None
    if _is_number(left) or _is_number(right):
        return _number(left), _number(right)
    if isinstance(left, str) or isinstance(right, str):
        return _text(left), _text(right)
    if (isinstance(left, bool) and isinstance(right, bool)) or (
        isinstance(left, datetime) and isinstance(right, datetime)
    ):
        return left, right
    raise _EvalError(f"Cannot compare {_type_name(left)} with {_type_name(right)}")


def _relation(compare: Callable[[Any, Any], bool]) -> Callable[[object, object], bool]:
    def apply(left: object, right: object) -> bool:
        pair = _ordered(left, right)
        return pair is not None and compare(pair[0], pair[1])

    return apply


_BINARY: Final[Mapping[str, Callable[[object, object], object]]] = {
    "EQ": _equals,
    "EQ_KW": _equals,
    "NE": _not_equals,
    "NE_KW": _not_equals,
    "LT": _relation(operator.lt),
    "LT_KW": _relation(operator.lt),
    "GT": _relation(operator.gt),
    "GT_KW": _relation(operator.gt),
    "LE": _relation(operator.le),
    "LE_KW": _relation(operator.le),
    "GE": _relation(operator.ge),
    "GE_KW": _relation(operator.ge),
    "PLUS": _arith(operator.add, operator.add),
    "MINUS": _arith(operator.sub, operator.sub),
    "STAR": _arith(operator.mul, operator.mul),
    "SLASH": _divide,
    "DIV_KW": _divide,
    "PERCENT": _remainder,
    "MOD_KW": _remainder,
}


# --------------------------------------------------------------------------------------------
# Property access and whitelisted methods


def _check_name(name: str) -> str:
    if name.startswith("_"):
        raise _EvalError(f"Access to '{name}' is not allowed")
    return name


def _get_property(base: object, name: str) -> object:
    if isinstance(base, Mapping):
        return base.get(name)
    if base is None:  # JUEL: a property of null is null
        return None
    if not isinstance(base, str | int | float | list | tuple) and isinstance(base, ElObject):
        return base.el_property(name)
    raise _EvalError(f"Cannot resolve property '{name}' on type {_type_name(base)}")


def _list_index(key: object) -> int:
    if isinstance(key, bool) or key is None:
        raise _EvalError(f"Cannot use {_type_name(key)} as a list index")
    number = _number(key)
    return int(number)


def _get_index(base: object, key: object) -> object:
    if isinstance(base, list | tuple):
        i = _list_index(key)
        return base[i] if 0 <= i < len(base) else None  # ListELResolver: out of range is null
    if isinstance(key, str):
        return _get_property(base, _check_name(key))
    if isinstance(base, Mapping):
        return base.get(key)
    if base is None:
        return None
    return _get_property(base, _text(key))


def _matches(text: str, pattern: object) -> bool:
    regex = _text(pattern)
    if len(text) > _MAX_MATCH_INPUT or len(regex) > _MAX_PATTERN:
        raise _EvalError("matches(): input or pattern too long")
    try:
        return re.fullmatch(regex, text) is not None
    except re.error as exc:
        raise _EvalError(f"matches(): invalid pattern '{regex}': {exc}") from exc


def _substring(text: str, args: list[object]) -> str:
    begin = int(_number(args[0]))
    end = int(_number(args[1])) if len(args) > 1 else len(text)
    if begin < 0 or end > len(text) or begin > end:
        raise _EvalError(f"substring({begin}, {end}) out of range for length {len(text)}")
    return text[begin:end]


def _index_of(text: str, args: list[object]) -> int:
    start = max(0, int(_number(args[1]))) if len(args) > 1 else 0
    return text.find(_text(args[0]), start)


def _equals_ignore_case(text: str, args: list[object]) -> bool:
    other = args[0]
    return isinstance(other, str) and text.lower() == other.lower()


def _list_get(items: list[object], args: list[object]) -> object:
    i = _list_index(args[0])
    if not 0 <= i < len(items):
        raise _EvalError(f"Index {i} out of bounds for length {len(items)}")
    return items[i]


_Method = tuple[int, int, Callable[[Any, list[object]], object]]

_STRING_METHODS: Final[Mapping[str, _Method]] = {
    "contains": (1, 1, lambda s, a: _text(a[0]) in s),
    "startsWith": (1, 1, lambda s, a: s.startswith(_text(a[0]))),
    "endsWith": (1, 1, lambda s, a: s.endswith(_text(a[0]))),
    "equals": (1, 1, lambda s, a: isinstance(a[0], str) and s == a[0]),
    "equalsIgnoreCase": (1, 1, _equals_ignore_case),
    "isEmpty": (0, 0, lambda s, a: not s),
    "length": (0, 0, lambda s, a: len(s)),
    "toUpperCase": (0, 0, lambda s, a: s.upper()),
    "toLowerCase": (0, 0, lambda s, a: s.lower()),
    "trim": (0, 0, lambda s, a: s.strip(_JAVA_WHITESPACE)),
    "substring": (1, 2, _substring),
    "indexOf": (1, 2, _index_of),
    "matches": (1, 1, lambda s, a: _matches(s, a[0])),
}

_LIST_METHODS: Final[Mapping[str, _Method]] = {
    "size": (0, 0, lambda items, a: len(items)),
    "contains": (1, 1, lambda items, a: any(_java_equals(x, a[0]) for x in items)),
    "isEmpty": (0, 0, lambda items, a: not items),
    "get": (1, 1, _list_get),
}

_MAP_METHODS: Final[Mapping[str, _Method]] = {
    "size": (0, 0, lambda m, a: len(m)),
    "containsKey": (1, 1, lambda m, a: a[0] in m),
    "get": (1, 1, lambda m, a: m.get(a[0])),
    "isEmpty": (0, 0, lambda m, a: not m),
}

_NO_METHODS: Final[Mapping[str, _Method]] = {}


def _call_method(base: object, name: str, args: list[object]) -> object:
    if isinstance(base, str):
        table = _STRING_METHODS
    elif isinstance(base, Mapping):
        table = _MAP_METHODS
    elif isinstance(base, list | tuple):
        table = _LIST_METHODS
    elif base is None:
        raise _EvalError(f"Cannot call method {name} on null")
    elif not isinstance(base, int | float) and isinstance(base, ElObject):
        return base.el_call(name, args)
    else:
        table = _NO_METHODS
    method = table.get(name)
    if method is None:
        raise _EvalError(f"method {name} not supported on type {_type_name(base)}")
    low, high, fn = method
    if not low <= len(args) <= high:
        expected = str(low) if low == high else f"{low} to {high}"
        raise _EvalError(f"method {name} expects {expected} argument(s), got {len(args)}")
    return fn(base, args)


# --------------------------------------------------------------------------------------------
# Compilation of the lark tree into closures


class _CompileError(Exception):
    pass


_STRING_ESCAPE: Final = re.compile(r"\\(.)", re.DOTALL)


def _unescape(match: re.Match[str]) -> str:
    char = match.group(1)
    return char if char in "\\'\"" else match.group(0)


def _const(value: object) -> _Eval:
    return lambda scope: value


def _children(tree: Tree[Token]) -> list[Tree[Token]]:
    return [c for c in tree.children if isinstance(c, Tree)]


def _token(tree: Tree[Token], index: int = 0) -> str:
    tokens = [c for c in tree.children if isinstance(c, Token)]
    return str(tokens[index])


def _compile(node: Tree[Token], depth: int) -> _Eval:
    if depth > MAX_DEPTH:
        raise _CompileError(f"expression nested deeper than {MAX_DEPTH} levels")
    builder = _BUILDERS.get(str(node.data))
    if builder is None:  # pragma: no cover - every grammar rule has a builder
        raise _CompileError(f"unsupported construct '{node.data}'")
    return builder(node, depth + 1)


def _build_var(node: Tree[Token], depth: int) -> _Eval:
    name = _token(node)
    if name.startswith("_"):
        raise _CompileError(f"access to '{name}' is not allowed")

    def run(scope: VariableScope) -> object:
        if scope.has_variable(name):
            return scope.get_variable(name)
        raise _UnknownIdentifierError(name)

    return run


def _build_int(node: Tree[Token], depth: int) -> _Eval:
    digits = _token(node).lstrip("0")
    # a long has at most 19 digits; longer text is refused before int() (which itself refuses
    # more than 4300 digits with a ValueError)
    if len(digits) > len(str(_LONG_MAX)) or int(digits or "0") > _LONG_MAX:
        shown = digits if len(digits) <= 40 else f"{digits[:20]}... ({len(digits)} digits)"
        raise _CompileError(f"integer literal {shown} does not fit into a long")
    return _const(int(digits or "0"))


def _build_float(node: Tree[Token], depth: int) -> _Eval:
    return _const(float(_token(node)))


def _build_str(node: Tree[Token], depth: int) -> _Eval:
    return _const(_STRING_ESCAPE.sub(_unescape, _token(node)[1:-1]))


def _build_cond(node: Tree[Token], depth: int) -> _Eval:
    test, if_true, if_false = (_compile(c, depth) for c in _children(node))

    def run(scope: VariableScope) -> object:
        return if_true(scope) if _boolean(test(scope)) else if_false(scope)

    return run


def _build_or(node: Tree[Token], depth: int) -> _Eval:
    operands = tuple(_compile(c, depth) for c in _children(node))

    def run(scope: VariableScope) -> object:
        return any(_boolean(operand(scope)) for operand in operands)

    return run


def _build_and(node: Tree[Token], depth: int) -> _Eval:
    operands = tuple(_compile(c, depth) for c in _children(node))

    def run(scope: VariableScope) -> object:
        return all(_boolean(operand(scope)) for operand in operands)

    return run


def _build_binary_chain(node: Tree[Token], depth: int) -> _Eval:
    items = node.children
    first = _compile(items[0], depth)  # type: ignore[arg-type]
    steps = tuple(
        (_BINARY[items[i].type], _compile(items[i + 1], depth))  # type: ignore[union-attr, arg-type]
        for i in range(1, len(items), 2)
    )

    def run(scope: VariableScope) -> object:
        value = first(scope)
        for apply, operand in steps:
            value = apply(value, operand(scope))
        return value

    return run


def _build_neg(node: Tree[Token], depth: int) -> _Eval:
    operand = _compile(_children(node)[-1], depth)
    return lambda scope: _negate(operand(scope))


def _build_not(node: Tree[Token], depth: int) -> _Eval:
    operand = _compile(_children(node)[-1], depth)
    return lambda scope: not _boolean(operand(scope))


def _build_empty(node: Tree[Token], depth: int) -> _Eval:
    operand = _compile(_children(node)[-1], depth)
    return lambda scope: _empty(operand(scope))


_Step = Callable[[object, VariableScope], object]


def _build_step(node: Tree[Token], depth: int) -> _Step:
    kind = str(node.data)
    if kind == "index":
        key = _compile(_children(node)[0], depth)
        return lambda value, scope: _get_index(value, key(scope))
    name = _token(node)
    if name.startswith("_"):
        raise _CompileError(f"access to '{name}' is not allowed")
    if kind == "prop":
        return lambda value, scope: _get_property(value, name)
    args_tree = _children(node)
    args = tuple(_compile(a, depth + 1) for a in _children(args_tree[0])) if args_tree else ()

    def call(value: object, scope: VariableScope) -> object:
        return _call_method(value, name, [arg(scope) for arg in args])

    return call


def _build_postfix(node: Tree[Token], depth: int) -> _Eval:
    base_node, *step_nodes = _children(node)
    base = _compile(base_node, depth)
    steps = tuple(_build_step(s, depth) for s in step_nodes)

    def run(scope: VariableScope) -> object:
        value = base(scope)
        for step in steps:
            value = step(value, scope)
        return value

    return run


_BUILDERS: Final[Mapping[str, Callable[[Tree[Token], int], _Eval]]] = {
    "var": _build_var,
    "int_lit": _build_int,
    "float_lit": _build_float,
    "str_lit": _build_str,
    "true_lit": lambda node, depth: _const(True),
    "false_lit": lambda node, depth: _const(False),
    "null_lit": lambda node, depth: _const(None),
    "cond": _build_cond,
    "or_expr": _build_or,
    "and_expr": _build_and,
    "eq_expr": _build_binary_chain,
    "rel_expr": _build_binary_chain,
    "add_expr": _build_binary_chain,
    "mul_expr": _build_binary_chain,
    "neg": _build_neg,
    "not_": _build_not,
    "empty": _build_empty,
    "postfix": _build_postfix,
}


# --------------------------------------------------------------------------------------------
# Composite text: literal parts and ${...} / #{...} parts


def _scan(text: str) -> list[tuple[str, int] | str]:
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
                    raise _CompileError(f"expression nested deeper than {MAX_DEPTH} levels")
            elif char in ")]":
                depth -= 1
            elif char == "}":
                break
            j += 1
        else:
            raise _CompileError(f"missing '}}' for the expression starting at position {i}")
        if literal:
            parts.append("".join(literal))
            literal = []
        parts.append((text[i + 2 : j], i + 2))
        i = j + 1
    if literal:
        parts.append("".join(literal))
    return parts


def _parse(body: str, offset: int) -> _Eval:
    try:
        tree = _PARSER.parse(body)
    except UnexpectedToken as exc:
        found = "end of expression" if exc.token.type == "$END" else f"'{exc.token}'"
        raise _CompileError(
            f"syntax error at position {offset + (exc.pos_in_stream or len(body))}, encountered {found}"
        ) from exc
    except UnexpectedCharacters as exc:
        raise _CompileError(
            f"syntax error at position {offset + (exc.pos_in_stream or 0)}, encountered '{exc.char}'"
        ) from exc
    except UnexpectedEOF as exc:
        raise _CompileError(
            f"syntax error at position {offset + len(body)}, encountered end of expression"
        ) from exc
    except LarkError as exc:  # pragma: no cover - other lark failures
        raise _CompileError(f"syntax error: {exc}") from exc
    return _compile(tree, 0)


def _concat(parts: tuple[_Eval, ...]) -> _Eval:
    def run(scope: VariableScope) -> object:
        return "".join([_text(part(scope)) for part in parts])

    return run


class Expression:
    """A compiled expression; immutable and safe to share between threads and evaluations."""

    __slots__ = ("_literal", "_run", "source")

    source: str
    _run: _Eval
    _literal: bool

    def __init__(self, source: str, run: _Eval, literal: bool) -> None:
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
        except _UnknownIdentifierError as exc:
            raise ExpressionError(
                f"Unknown property used in expression: {self.source}. "
                f"Cause: Cannot resolve identifier '{exc.name}'"
            ) from exc
        except (_EvalError, ArithmeticError, ValueError, TypeError, RecursionError) as exc:
            raise ExpressionError(f"Error while evaluating expression: {self.source}. Cause: {exc}") from exc

    def evaluate_bool(self, scope: VariableScope) -> bool:
        """Evaluate a condition; a non-boolean result is an error, as in Camunda."""
        result = self.evaluate(scope)
        if isinstance(result, bool):
            return result
        raise ExpressionError(
            f"condition expression returns non-Boolean: {_text(result)} "
            f"({_type_name(result)}) in {self.source}"
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
        return Expression(text, _const(text), literal=True)
    try:
        parts = [p if isinstance(p, str) else _parse(*p) for p in _scan(text)]
    except _CompileError as exc:
        raise ExpressionError(f"Error parsing '{text}': {exc}") from exc
    if not parts:
        return Expression(text, _const(""), literal=False)
    if len(parts) == 1:
        only = parts[0]
        return Expression(text, _const(only) if isinstance(only, str) else only, literal=False)
    return Expression(
        text,
        _concat(tuple(_const(p) if isinstance(p, str) else p for p in parts)),
        literal=False,
    )
