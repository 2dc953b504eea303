"""FEEL syntax trees compiled into closures: ``run(env) -> value``, built once, run many times.

Layer: ``feel``. :func:`compile_node` walks the lark tree of :mod:`.grammar` once; every node
becomes a small closure over its children's closures, so evaluation does no tree walking, no
dispatch on node names and no parsing. Names resolve at run time through :class:`Env` (then the
built-in functions); everything else (literals, operators, the shape of ranges and contexts) is
fixed at compile time.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from itertools import product
from typing import Final

from lark import Token, Tree

from cadenza.feel import runtime as rt, temporal
from cadenza.feel.builtins import BUILTINS
from cadenza.feel.runtime import MISSING, Env, FeelSyntaxError
from cadenza.feel.types import FeelType, TypeSyntaxError, parse_type
from cadenza.feel.values import DECIMAL, Function, Range, feel_compare

__all__ = ["CompileContext", "Eval", "compile_node"]

Eval = Callable[[Env], object]


class CompileContext:
    """What compilation needs besides the tree: the depth limit and the named types."""

    def __init__(self, max_depth: int, types: Mapping[str, FeelType]) -> None:
        self.max_depth = max_depth
        self.types = types


def _trees(node: Tree[Token]) -> list[Tree[Token]]:
    return [child for child in node.children if isinstance(child, Tree)]


def _tokens(node: Tree[Token]) -> list[Token]:
    return [child for child in node.children if isinstance(child, Token)]


def _const(value: object) -> Eval:
    def run(env: Env) -> object:
        return value

    return run


def compile_node(node: Tree[Token] | Token, ctx: CompileContext, depth: int = 0) -> Eval:
    if depth > ctx.max_depth:
        raise FeelSyntaxError(f"expression nests deeper than the limit of {ctx.max_depth}")
    if isinstance(node, Token):
        raise FeelSyntaxError(f"unexpected {node.value!r}", node.start_pos)
    builder = _BUILDERS.get(str(node.data))
    if builder is None:
        raise FeelSyntaxError(f"unsupported construct '{node.data}'")
    return builder(node, ctx, depth + 1)


_Builder = Callable[[Tree[Token], CompileContext, int], Eval]


def _passthrough(node: Tree[Token], ctx: CompileContext, depth: int) -> Eval:
    return compile_node(_trees(node)[0], ctx, depth)


def _number(node: Tree[Token], ctx: CompileContext, depth: int) -> Eval:
    text = str(node.children[0])
    try:
        value = DECIMAL.create_decimal(text)
    except InvalidOperation:
        raise FeelSyntaxError(f"invalid number {text!r}") from None
    return _const(value)


def _string(node: Tree[Token], ctx: CompileContext, depth: int) -> Eval:
    return _const(str(node.children[0]))


def _at_literal(node: Tree[Token], ctx: CompileContext, depth: int) -> Eval:
    text = str(node.children[0])
    value = temporal.parse_temporal(text)
    if value is None:
        raise FeelSyntaxError(f'invalid temporal literal @"{text}"', node.children[0].start_pos)  # type: ignore[union-attr]
    return _const(value)


def _name(node: Tree[Token], ctx: CompileContext, depth: int) -> Eval:
    name = str(node.children[0])
    builtin = BUILTINS.get(name)
    dotted = name.split(".") if "." in name else None

    def run(env: Env) -> object:
        value = env.lookup(name)
        if value is MISSING:
            if dotted is not None:
                return rt.dotted_lookup(env, dotted)
            return builtin
        return value

    return run


def _binary(operation: Callable[[object, object], object]) -> _Builder:
    def build(node: Tree[Token], ctx: CompileContext, depth: int) -> Eval:
        left, right = (compile_node(child, ctx, depth) for child in _trees(node))

        def run(env: Env) -> object:
            return operation(left(env), right(env))

        return run

    return build


def _compare(node: Tree[Token], ctx: CompileContext, depth: int) -> Eval:
    left, right = (compile_node(child, ctx, depth) for child in _trees(node))
    operation = rt.COMPARISONS[str(_tokens(node)[0])]

    def run(env: Env) -> object:
        return operation(left(env), right(env))

    return run


def _negate(node: Tree[Token], ctx: CompileContext, depth: int) -> Eval:
    operand = compile_node(_trees(node)[0], ctx, depth)
    return lambda env: rt.negate(operand(env))


def _or(node: Tree[Token], ctx: CompileContext, depth: int) -> Eval:
    left, right = (compile_node(child, ctx, depth) for child in _trees(node))

    def run(env: Env) -> object:
        first = left(env)
        if first is True:
            return True
        return rt.disjunction([first, right(env)])

    return run


def _and(node: Tree[Token], ctx: CompileContext, depth: int) -> Eval:
    left, right = (compile_node(child, ctx, depth) for child in _trees(node))

    def run(env: Env) -> object:
        first = left(env)
        if first is False:
            return False
        return rt.conjunction([first, right(env)])

    return run


def _between(node: Tree[Token], ctx: CompileContext, depth: int) -> Eval:
    value, low, high = (compile_node(child, ctx, depth) for child in _trees(node))

    def run(env: Env) -> object:
        subject = value(env)
        return rt.conjunction([rt.greater_equal(subject, low(env)), rt.less_equal(subject, high(env))])

    return run


def _instance_of(node: Tree[Token], ctx: CompileContext, depth: int) -> Eval:
    value = compile_node(_trees(node)[0], ctx, depth)
    type_token = next(token for token in _tokens(node) if token.type == "TYPE")
    try:
        feel_type = parse_type(str(type_token), ctx.types)
    except TypeSyntaxError as error:
        raise FeelSyntaxError(str(error), type_token.start_pos) from None
    return lambda env: feel_type.conforms(value(env), constraints=False)


# ── unary tests (shared by input entries and the ``in`` operator) ──────────────────────────────

Test = Callable[[object, Env], object]


def _uses_input(node: Tree[Token] | Token) -> bool:
    if isinstance(node, Token):
        return node.type == "NAME" and node.value == "?"
    return any(_uses_input(child) for child in node.children)


def simple_test_parts(node: Tree[Token], ctx: CompileContext, depth: int) -> tuple[str, Eval]:
    operator = str(_tokens(node)[0])
    return operator, compile_node(_trees(node)[0], ctx, depth)


def range_of_simple(operator: str, endpoint: object) -> object:
    if operator == "<":
        return Range(None, False, endpoint, False)
    if operator == "<=":
        return Range(None, False, endpoint, True)
    if operator == ">":
        return Range(endpoint, False, None, False)
    if operator == ">=":
        return Range(endpoint, True, None, False)
    if operator == "=":
        return Range(endpoint, True, endpoint, True)
    return None


def compile_test(node: Tree[Token], ctx: CompileContext, depth: int) -> Test:
    """One positive unary test: ``< e``, an interval, or an expression (``?`` = the input)."""
    if node.data == "simple_test":
        operator, endpoint = simple_test_parts(node, ctx, depth)
        compare = rt.COMPARISONS[operator]
        return lambda value, env: compare(value, endpoint(env))
    expression = compile_node(node, ctx, depth)
    if _uses_input(node):

        def run_with_input(value: object, env: Env) -> object:
            result = expression(env.child({"?": value}))
            if type(result) is bool:
                return result
            return rt.test_value(result, value)

        return run_with_input

    def run(value: object, env: Env) -> object:
        result = expression(env)
        if type(result) is bool and type(value) is not bool:
            return result
        return rt.test_value(result, value)

    return run


def _in(node: Tree[Token], ctx: CompileContext, depth: int) -> Eval:
    subject_node, target = _trees(node)
    subject = compile_node(subject_node, ctx, depth)
    tests = [
        compile_test(_trees(child)[0] if child.data == "test_literal" else child, ctx, depth)
        for child in _trees(target)
    ]

    def run(env: Env) -> object:
        value = subject(env)
        results = [test(value, env) for test in tests]
        return rt.disjunction(results)

    return run


def _test_literal(node: Tree[Token], ctx: CompileContext, depth: int) -> Eval:
    operator, endpoint = simple_test_parts(_trees(node)[0], ctx, depth)
    return lambda env: range_of_simple(operator, endpoint(env))


# ── postfix: paths, filters, invocation ────────────────────────────────────────────────────────


def _path(node: Tree[Token], ctx: CompileContext, depth: int) -> Eval:
    base = compile_node(_trees(node)[0], ctx, depth)
    name = str(_tokens(node)[-1])
    return lambda env: rt.member(base(env), name)


def _filter(node: Tree[Token], ctx: CompileContext, depth: int) -> Eval:
    base_node, condition_node = _trees(node)
    base = compile_node(base_node, ctx, depth)
    condition = compile_node(condition_node, ctx, depth)

    def run(env: Env) -> object:
        items = base(env)
        if items is None:
            return None
        if type(items) is not list:
            items = [items]
        assert isinstance(items, list)
        index = condition(env)
        if type(index) is Decimal:
            assert isinstance(index, Decimal)
            if index != index.to_integral_value():
                return None
            position = int(index)
            if position > 0 and position <= len(items):
                return items[position - 1]
            if position < 0 and -position <= len(items):
                return items[position]
            return None
        selected: list[object] = []
        budget = env.budget
        for item in items:
            budget.spend()
            scope: dict[str, object] = dict(item) if type(item) is dict else {}
            scope["item"] = item
            if condition(env.child(scope)) is True:
                selected.append(item)
        return selected

    return run


def _callee(node: Tree[Token], ctx: CompileContext, depth: int) -> Eval:
    return compile_node(_trees(node)[0], ctx, depth)


def _call(node: Tree[Token], ctx: CompileContext, depth: int) -> Eval:
    trees = _trees(node)
    callee = compile_node(trees[0], ctx, depth)
    args = [compile_node(child, ctx, depth) for child in trees[1:]]

    def run(env: Env) -> object:
        return rt.invoke(callee(env), [arg(env) for arg in args], env)

    return run


def _call_named(node: Tree[Token], ctx: CompileContext, depth: int) -> Eval:
    trees = _trees(node)
    callee = compile_node(trees[0], ctx, depth)
    named: list[tuple[str, Eval]] = []
    for child in trees[1:]:
        named.append((str(_tokens(child)[0]), compile_node(_trees(child)[0], ctx, depth)))
    if len({name for name, _ in named}) != len(named):
        raise FeelSyntaxError("a parameter is named twice in one invocation")

    def run(env: Env) -> object:
        return rt.invoke_named(callee(env), {name: arg(env) for name, arg in named}, env)

    return run


# ── literals with structure ────────────────────────────────────────────────────────────────────


def _list(node: Tree[Token], ctx: CompileContext, depth: int) -> Eval:
    items = [compile_node(child, ctx, depth) for child in _trees(node)]
    return lambda env: [item(env) for item in items]


def _context(node: Tree[Token], ctx: CompileContext, depth: int) -> Eval:
    entries: list[tuple[str, Eval]] = []
    for entry in _trees(node):
        key = str(_tokens(entry)[0])
        if any(key == existing for existing, _ in entries):
            raise FeelSyntaxError(f"context key '{key}' appears twice")
        entries.append((key, compile_node(_trees(entry)[0], ctx, depth)))

    def run(env: Env) -> object:
        result: dict[str, object] = {}
        scope = env.child(result)
        for key, value in entries:
            result[key] = value(scope)
        return result

    return run


def _range(node: Tree[Token], ctx: CompileContext, depth: int) -> Eval:
    tokens = _tokens(node)
    start, end = (compile_node(child, ctx, depth) for child in _trees(node))
    start_included = tokens[0].type == "LSQB"
    end_included = tokens[-1].type == "RSQB"

    def run(env: Env) -> object:
        low, high = start(env), end(env)
        if low is None and high is None:
            return None
        if low is not None and high is not None and feel_compare(low, high) is None:
            return None
        return Range(low, start_included, high, end_included, null_endpoint=low is None or high is None)

    return run


def _if(node: Tree[Token], ctx: CompileContext, depth: int) -> Eval:
    condition, then, otherwise = (compile_node(child, ctx, depth) for child in _trees(node))
    return lambda env: then(env) if condition(env) is True else otherwise(env)


# ── iteration and quantifiers ──────────────────────────────────────────────────────────────────


class _InvalidDomainError(Exception):
    """An iteration domain FEEL cannot iterate (``1.5..3``, ``"a".."z"``): the result is null."""


def _date_steps(low: date, high: date, env: Env) -> list[object]:
    count = abs((high - low).days) + 1
    env.budget.spend(count)
    step = timedelta(days=1 if high >= low else -1)
    return [low + step * index for index in range(count)]


def _domain(node: Tree[Token], ctx: CompileContext, depth: int) -> tuple[str, Callable[[Env], list[object]]]:
    name = str(_tokens(node)[0])
    trees = _trees(node)
    if node.data == "iteration_range":
        low_eval, high_eval = (compile_node(child, ctx, depth) for child in trees)

        def numbers(env: Env) -> list[object]:
            low, high = low_eval(env), high_eval(env)
            if type(low) is date and type(high) is date:
                return _date_steps(low, high, env)
            if type(low) is not Decimal or type(high) is not Decimal:
                raise _InvalidDomainError
            assert isinstance(low, Decimal) and isinstance(high, Decimal)
            if low != low.to_integral_value() or high != high.to_integral_value():
                raise _InvalidDomainError
            step = 1 if high >= low else -1
            count = abs(int(high) - int(low)) + 1
            env.budget.spend(count)
            return [Decimal(value) for value in range(int(low), int(high) + step, step)]

        return name, numbers
    source = compile_node(trees[0], ctx, depth)

    def items(env: Env) -> list[object]:
        value = source(env)
        if value is None:
            return []
        if type(value) is Range:
            assert isinstance(value, Range)
            return _range_items(value, env)
        return value if type(value) is list else [value]

    return name, items


def _range_items(value: Range, env: Env) -> list[object]:
    low, high = value.start, value.end
    if type(low) is date and type(high) is date and low <= high:
        return _date_steps(low, high, env)
    if type(low) is not Decimal or type(high) is not Decimal:
        raise _InvalidDomainError
    assert isinstance(low, Decimal) and isinstance(high, Decimal)
    if low > high or low != low.to_integral_value() or high != high.to_integral_value():
        raise _InvalidDomainError
    first = int(low) if value.start_included else int(low) + 1
    last = int(high) if value.end_included else int(high) - 1
    env.budget.spend(max(0, last - first + 1))
    return [Decimal(number) for number in range(first, last + 1)]


def _for(node: Tree[Token], ctx: CompileContext, depth: int) -> Eval:
    trees = _trees(node)
    domains = [_domain(child, ctx, depth) for child in trees[:-1]]
    body = compile_node(trees[-1], ctx, depth)

    def run(env: Env) -> object:
        results: list[object] = []
        scope: dict[str, object] = {"partial": results}
        inner = env.child(scope)

        def loop(index: int) -> None:
            if index == len(domains):
                env.budget.spend()
                results.append(body(inner))
                return
            name, domain = domains[index]
            for item in domain(inner):
                scope[name] = item
                loop(index + 1)

        try:
            loop(0)
        except _InvalidDomainError:
            return None
        return results

    return run


def _quantifier(every: bool) -> _Builder:
    def build(node: Tree[Token], ctx: CompileContext, depth: int) -> Eval:
        trees = _trees(node)
        domains = [_domain(child, ctx, depth) for child in trees[:-1]]
        condition = compile_node(trees[-1], ctx, depth)

        def run(env: Env) -> object:
            scope: dict[str, object] = {}
            inner = env.child(scope)
            try:
                lists = [domain(inner) for _, domain in domains]
            except _InvalidDomainError:
                return None
            names = [name for name, _ in domains]
            for combination in product(*lists):
                env.budget.spend()
                scope.update(zip(names, combination, strict=True))
                result = condition(inner)
                if every and result is not True:
                    return False
                if not every and result is True:
                    return True
            return every

        return run

    return build


# ── function definitions ───────────────────────────────────────────────────────────────────────


def _function(node: Tree[Token], ctx: CompileContext, depth: int) -> Eval:
    params_node, body_node = _trees(node)
    names: list[str] = []
    types: list[FeelType | None] = []
    for param in _trees(params_node):
        tokens = _tokens(param)
        names.append(str(tokens[0]))
        type_token = next((token for token in tokens if token.type == "TYPE"), None)
        if type_token is None:
            types.append(None)
            continue
        try:
            types.append(parse_type(str(type_token), ctx.types))
        except TypeSyntaxError as error:
            raise FeelSyntaxError(str(error), type_token.start_pos) from None
    if len(set(names)) != len(names):
        raise FeelSyntaxError("a function parameter is named twice")
    body = compile_node(body_node, ctx, depth)
    parameters = tuple(names)

    def run(env: Env) -> object:
        return make_function("anonymous function", parameters, tuple(types), body, env)

    return run


def make_function(
    name: str,
    parameters: tuple[str, ...],
    types: tuple[FeelType | None, ...],
    body: Eval,
    env: Env,
) -> Function:
    def call(args: list[object]) -> object:
        if len(args) != len(parameters):
            return None
        bound: dict[str, object] = {}
        for index, parameter in enumerate(parameters):
            value = args[index] if index < len(args) else None
            declared = types[index] if index < len(types) else None
            if declared is not None and value is not None and not declared.conforms(value):
                return None
            bound[parameter] = value
        return body(env.child(bound))

    return Function(name, parameters, call, parameter_types=types, exact_arity=True)


def _external(node: Tree[Token], ctx: CompileContext, depth: int) -> Eval:
    raise FeelSyntaxError("external functions (Java or PMML) are not supported by Cadenza")


_BUILDERS: Final[dict[str, _Builder]] = {
    "expression": _passthrough,
    "primary": lambda node, ctx, depth: compile_node(_trees(node)[0], ctx, depth),
    "number": _number,
    "string": _string,
    "true": lambda node, ctx, depth: _const(True),
    "false": lambda node, ctx, depth: _const(False),
    "null": lambda node, ctx, depth: _const(None),
    "at_literal": _at_literal,
    "name": _name,
    "plus": _binary(rt.plus),
    "minus": _binary(rt.minus),
    "times": _binary(rt.times),
    "divide": _binary(rt.divide),
    "power": _binary(rt.power),
    "negate": _negate,
    "compare": _compare,
    "or_": _or,
    "and_": _and,
    "between": _between,
    "in_": _in,
    "instance_of": _instance_of,
    "test_literal": _test_literal,
    "path": _path,
    "filter": _filter,
    "call": _call,
    "call_named": _call_named,
    "list": _list,
    "context": _context,
    "range": _range,
    "if_": _if,
    "for_": _for,
    "some": _quantifier(every=False),
    "every": _quantifier(every=True),
    "function": _function,
    "external_function": _external,
}
