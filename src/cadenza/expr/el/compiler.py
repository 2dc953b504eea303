"""Compilation of a syntax tree into plain closures, once per expression text.

Part of the ``expr`` layer. Each grammar rule has a builder returning an ``Eval`` closure; the
closures call ``operators``, ``coercion`` and ``access``, so evaluating is a walk over Python
functions with no tree left. Nesting is checked here against ``MAX_DEPTH``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Final

from lark import Token, Tree

from cadenza.expr.el.access import call_method, get_index, get_property
from cadenza.expr.el.coercion import is_empty, to_boolean
from cadenza.expr.el.failures import CompileError, UnknownIdentifierError
from cadenza.expr.el.grammar import parse_tree
from cadenza.expr.el.limits import LONG_MAX, MAX_DEPTH
from cadenza.expr.el.operators import BINARY_OPERATORS, negate
from cadenza.expr.el.scope import Eval, VariableScope

__all__ = ["compile_body", "compile_tree", "constant"]


_STRING_ESCAPE: Final = re.compile(r"\\(.)", re.DOTALL)


def _unescape(match: re.Match[str]) -> str:
    char = match.group(1)
    return char if char in "\\'\"" else match.group(0)


def constant(value: object) -> Eval:
    """A closure returning ``value`` whatever the scope."""
    return lambda scope: value


def _children(tree: Tree[Token]) -> list[Tree[Token]]:
    return [c for c in tree.children if isinstance(c, Tree)]


def _token(tree: Tree[Token], index: int = 0) -> str:
    tokens = [c for c in tree.children if isinstance(c, Token)]
    return str(tokens[index])


def compile_tree(node: Tree[Token], depth: int) -> Eval:
    """The closure for ``node``; ``depth`` counts the nesting above it."""
    if depth > MAX_DEPTH:
        raise CompileError(f"expression nested deeper than {MAX_DEPTH} levels")
    builder = _BUILDERS.get(str(node.data))
    if builder is None:  # pragma: no cover - every grammar rule has a builder
        raise CompileError(f"unsupported construct '{node.data}'")
    return builder(node, depth + 1)


def _build_var(node: Tree[Token], depth: int) -> Eval:
    name = _token(node)
    if name.startswith("_"):
        raise CompileError(f"access to '{name}' is not allowed")

    def run(scope: VariableScope) -> object:
        if scope.has_variable(name):
            return scope.get_variable(name)
        raise UnknownIdentifierError(name)

    return run


def _build_int(node: Tree[Token], depth: int) -> Eval:
    digits = _token(node).lstrip("0")
    # a long has at most 19 digits; longer text is refused before int() (which itself refuses
    # more than 4300 digits with a ValueError)
    if len(digits) > len(str(LONG_MAX)) or int(digits or "0") > LONG_MAX:
        shown = digits if len(digits) <= 40 else f"{digits[:20]}... ({len(digits)} digits)"
        raise CompileError(f"integer literal {shown} does not fit into a long")
    return constant(int(digits or "0"))


def _build_float(node: Tree[Token], depth: int) -> Eval:
    return constant(float(_token(node)))


def _build_str(node: Tree[Token], depth: int) -> Eval:
    return constant(_STRING_ESCAPE.sub(_unescape, _token(node)[1:-1]))


def _build_cond(node: Tree[Token], depth: int) -> Eval:
    test, if_true, if_false = (compile_tree(c, depth) for c in _children(node))

    def run(scope: VariableScope) -> object:
        return if_true(scope) if to_boolean(test(scope)) else if_false(scope)

    return run


def _build_or(node: Tree[Token], depth: int) -> Eval:
    operands = tuple(compile_tree(c, depth) for c in _children(node))

    def run(scope: VariableScope) -> object:
        return any(to_boolean(operand(scope)) for operand in operands)

    return run


def _build_and(node: Tree[Token], depth: int) -> Eval:
    operands = tuple(compile_tree(c, depth) for c in _children(node))

    def run(scope: VariableScope) -> object:
        return all(to_boolean(operand(scope)) for operand in operands)

    return run


def _build_binary_chain(node: Tree[Token], depth: int) -> Eval:
    items = node.children
    first = compile_tree(items[0], depth)  # type: ignore[arg-type]
    steps = tuple(
        (BINARY_OPERATORS[items[i].type], compile_tree(items[i + 1], depth))  # type: ignore[union-attr, arg-type]
        for i in range(1, len(items), 2)
    )

    def run(scope: VariableScope) -> object:
        value = first(scope)
        for apply, operand in steps:
            value = apply(value, operand(scope))
        return value

    return run


def _build_neg(node: Tree[Token], depth: int) -> Eval:
    operand = compile_tree(_children(node)[-1], depth)
    return lambda scope: negate(operand(scope))


def _build_not(node: Tree[Token], depth: int) -> Eval:
    operand = compile_tree(_children(node)[-1], depth)
    return lambda scope: not to_boolean(operand(scope))


def _build_empty(node: Tree[Token], depth: int) -> Eval:
    operand = compile_tree(_children(node)[-1], depth)
    return lambda scope: is_empty(operand(scope))


_Step = Callable[[object, VariableScope], object]


def _build_step(node: Tree[Token], depth: int) -> _Step:
    kind = str(node.data)
    if kind == "index":
        key = compile_tree(_children(node)[0], depth)
        return lambda value, scope: get_index(value, key(scope))
    name = _token(node)
    if name.startswith("_"):
        raise CompileError(f"access to '{name}' is not allowed")
    if kind == "prop":
        return lambda value, scope: get_property(value, name)
    args_tree = _children(node)
    args = tuple(compile_tree(a, depth + 1) for a in _children(args_tree[0])) if args_tree else ()

    def call(value: object, scope: VariableScope) -> object:
        return call_method(value, name, [arg(scope) for arg in args])

    return call


def _build_postfix(node: Tree[Token], depth: int) -> Eval:
    base_node, *step_nodes = _children(node)
    base = compile_tree(base_node, depth)
    steps = tuple(_build_step(s, depth) for s in step_nodes)

    def run(scope: VariableScope) -> object:
        value = base(scope)
        for step in steps:
            value = step(value, scope)
        return value

    return run


_BUILDERS: Final[Mapping[str, Callable[[Tree[Token], int], Eval]]] = {
    "var": _build_var,
    "int_lit": _build_int,
    "float_lit": _build_float,
    "str_lit": _build_str,
    "true_lit": lambda node, depth: constant(True),
    "false_lit": lambda node, depth: constant(False),
    "null_lit": lambda node, depth: constant(None),
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


def compile_body(body: str, offset: int) -> Eval:
    """Parse and compile one ``${...}`` body; ``offset`` places it in the whole text."""
    return compile_tree(parse_tree(body, offset), 0)
