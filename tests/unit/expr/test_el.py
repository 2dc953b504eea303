"""Unit tests for ``cadenza.expr.el``: the restricted ``${...}`` interpreter."""

from __future__ import annotations

import contextlib
from datetime import UTC, datetime

import pytest
from hypothesis import given, settings, strategies as st

from cadenza.errors import ExpressionError
from cadenza.expr.el import MAX_DEPTH, Expression, compile_expression, is_expression

__all__: list[str] = []


class Scope:
    """A plain dict-backed VariableScope."""

    def __init__(self, **variables: object) -> None:
        self.variables = variables

    def has_variable(self, name: str) -> bool:
        return name in self.variables

    def get_variable(self, name: str) -> object:
        return self.variables[name]


class FakeExecution:
    """A tiny ElObject standing in for the engine's ``execution``."""

    def __init__(self, variables: dict[str, object]) -> None:
        self.variables = variables

    def el_call(self, method: str, args: list[object]) -> object:
        if method == "getVariable":
            return self.variables.get(str(args[0]))
        raise ExpressionError(f"method {method} not supported on execution")

    def el_property(self, name: str) -> object:
        if name == "id":
            return "exec-1"
        raise ExpressionError(f"Cannot resolve property '{name}' on execution")


VARIABLES: dict[str, object] = {
    "a": 1,
    "b": "2",
    "f": 2.5,
    "name": "World",
    "text": "  Hello World  ",
    "items": [1, 2, 3],
    "order": {"amount": 150, "lines": [{"sku": "x1"}], "tags": []},
    "yes": True,
    "no": False,
    "nothing": None,
    "empty_text": "",
    "word": "abc",
    "when": datetime(2024, 1, 2, tzinfo=UTC),
    "later": datetime(2024, 1, 3, tzinfo=UTC),
}


def ev(source: str, **extra: object) -> object:
    return compile_expression(source).evaluate(Scope(**{**VARIABLES, **extra}))


def fails(source: str, **extra: object) -> str:
    with pytest.raises(ExpressionError) as info:
        ev(source, **extra)
    return info.value.message


# ---------------------------------------------------------------------------------------------
# literals and composite text


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("${true}", True),
        ("${false}", False),
        ("${null}", None),
        ("${42}", 42),
        ("${1.5}", 1.5),
        ("${.5}", 0.5),
        ("${1e3}", 1000.0),
        ("${'single'}", "single"),
        ('${"double"}', "double"),
        (r"${'it\'s'}", "it's"),
        (r'${"say \"hi\""}', 'say "hi"'),
        (r"${'back\\slash'}", "back\\slash"),
        ("${'a}b'}", "a}b"),
    ],
)
def test_evaluate_literal_returns_value(source: str, expected: object) -> None:
    assert ev(source) == expected
    assert type(ev(source)) is type(expected)


def test_evaluate_plain_text_returns_text_and_is_literal() -> None:
    expression = compile_expression("just text")
    assert expression.is_literal
    assert expression.evaluate(Scope()) == "just text"


def test_evaluate_single_expression_returns_raw_value() -> None:
    assert ev("${items}") == [1, 2, 3]
    assert not compile_expression("${items}").is_literal


def test_evaluate_composite_text_concatenates_coerced_values() -> None:
    assert ev("Hello ${name}!") == "Hello World!"
    assert ev("${a}-${yes}-${nothing}-${f}") == "1-true--2.5"
    assert ev("#{name} and ${name}") == "World and World"


def test_evaluate_escaped_dollar_brace_keeps_literal() -> None:
    assert ev(r"cost: \${a} is ${a}") == "cost: ${a} is 1"


@pytest.mark.parametrize(
    ("text", "expected"),
    [("${a}", True), ("#{a}", True), ("x ${a} y", True), ("plain", False), ("$ {a}", False)],
)
def test_is_expression_detects_markers(text: str, expected: bool) -> None:
    assert is_expression(text) is expected


def test_compile_expression_same_text_returns_equal_immutable_expression() -> None:
    first = compile_expression("${a + 1}")
    assert first == compile_expression("${a + 1}")
    assert hash(first) == hash(Expression("${a + 1}", lambda scope: None, False))
    assert first.source == "${a + 1}"
    with pytest.raises(AttributeError):
        first.source = "x"  # type: ignore[misc]


# ---------------------------------------------------------------------------------------------
# operators and precedence


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("${1 + 2}", 3),
        ("${5 - 7}", -2),
        ("${3 * 4}", 12),
        ("${7 / 2}", 3.5),
        ("${8 div 2}", 4.0),
        ("${7 % 3}", 1),
        ("${7 mod 3}", 1),
        ("${-7 % 3}", -1),
        ("${7.5 % 2}", 1.5),
        ("${-a}", -1),
        ("${- -a}", 1),
        ("${-f}", -2.5),
        ("${a + f}", 3.5),
        ("${a + b}", 3),
        ("${b * '1.5'}", 3.0),
        ("${nothing + nothing}", 0),
        ("${nothing + 1}", 1),
        ("${'' + 1}", 1),
    ],
)
def test_evaluate_arithmetic_returns_juel_result(source: str, expected: object) -> None:
    result = ev(source)
    assert result == expected
    assert type(result) is type(expected)


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("${1 + 2 * 3}", 7),
        ("${(1 + 2) * 3}", 9),
        ("${10 - 4 - 3}", 3),
        ("${12 / 2 / 3}", 2.0),
        ("${-2 * 3}", -6),
        ("${1 + 2 < 4}", True),
        ("${1 < 2 == true}", True),
        ("${true || false && false}", True),
        ("${(true || false) && false}", False),
        ("${a == 1 ? 'one' : 'other'}", "one"),
        ("${false ? 1 : true ? 2 : 3}", 2),
        ("${a > 0 || nothing > 1 ? 'x' : 'y'}", "x"),
        ("${not false and false}", False),
        ("${!(false and false)}", True),
        ("${empty items == false}", True),
    ],
)
def test_evaluate_precedence_follows_juel(source: str, expected: object) -> None:
    assert ev(source) == expected


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("${1 == 1}", True),
        ("${1 eq 1.0}", True),
        ("${1 != 2}", True),
        ("${1 ne 1}", False),
        ("${a == '1'}", True),
        ("${b == 2}", True),
        ("${b == 2.0}", True),
        ("${word == 'abc'}", True),
        ("${word == 'abd'}", False),
        ("${nothing == null}", True),
        ("${nothing == 0}", False),
        ("${a == null}", False),
        ("${yes == 'true'}", True),
        ("${no == 'true'}", False),
        ("${yes == true}", True),
        ("${items == items}", True),
        ("${'1' == '01'}", False),
    ],
)
def test_evaluate_equality_applies_juel_coercion(source: str, expected: bool) -> None:
    assert ev(source) is expected


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("${1 < 2}", True),
        ("${2 lt 1}", False),
        ("${2 > 1}", True),
        ("${1 gt 1}", False),
        ("${1 <= 1}", True),
        ("${2 le 1}", False),
        ("${1 >= 1}", True),
        ("${0 ge 1}", False),
        ("${order.amount > 100}", True),
        ("${b < 10}", True),
        ("${'10' > 9}", True),
        ("${'abc' < 'abd'}", True),
        ("${'b' > 'abc'}", True),
        ("${nothing < 1}", False),
        ("${nothing >= nothing}", False),
        ("${when < later}", True),
        ("${false < true}", True),
    ],
)
def test_evaluate_comparison_orders_numbers_strings_dates(source: str, expected: bool) -> None:
    assert ev(source) is expected


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("${true && true}", True),
        ("${true and false}", False),
        ("${false || true}", True),
        ("${false or false}", False),
        ("${!true}", False),
        ("${not nothing}", True),
        ("${'true' && yes}", True),
        ("${empty_text || 'TRUE'}", True),
    ],
)
def test_evaluate_logic_coerces_to_boolean(source: str, expected: bool) -> None:
    assert ev(source) is expected


def test_evaluate_and_false_left_short_circuits() -> None:
    assert ev("${false && missing}") is False
    assert ev("${no and order.x.y()}") is False


def test_evaluate_or_true_left_short_circuits() -> None:
    assert ev("${true || missing}") is True


def test_evaluate_ternary_evaluates_only_chosen_branch() -> None:
    assert ev("${yes ? 1 : missing}") == 1
    assert ev("${no ? missing : 2}") == 2


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("${empty nothing}", True),
        ("${empty empty_text}", True),
        ("${empty order.tags}", True),
        ("${empty order.missing}", True),
        ("${empty items}", False),
        ("${empty word}", False),
        ("${empty a}", False),
        ("${not empty order}", True),
    ],
)
def test_evaluate_empty_checks_null_and_emptiness(source: str, expected: bool) -> None:
    assert ev(source) is expected


@pytest.mark.parametrize(
    "source",
    [
        "${1 / 0}",
        "${1 div 0.0}",
        "${1 % 0}",
        "${1.5 mod 0}",
        "${word + 1}",
        "${yes + 1}",
        "${-word}",
        "${word == 1}",
        "${yes == 1}",
        "${items < 1}",
        "${items < order}",
        "${items && true}",
        "${a ? 1 : 2}",
        "${9223372036854775807 + 1}",
    ],
)
def test_evaluate_invalid_operands_raises_expression_error(source: str) -> None:
    assert fails(source).startswith(f"Error while evaluating expression: {source}. Cause: ")


# ---------------------------------------------------------------------------------------------
# identifiers, properties, indexing


def test_evaluate_unknown_variable_raises_camunda_message() -> None:
    assert fails("${x}") == "Unknown property used in expression: ${x}. Cause: Cannot resolve identifier 'x'"


def test_evaluate_unknown_variable_in_composite_names_whole_source() -> None:
    assert fails("Hi ${missing}!") == (
        "Unknown property used in expression: Hi ${missing}!. Cause: Cannot resolve identifier 'missing'"
    )


def test_evaluate_keyword_prefixed_identifier_resolves_variable() -> None:
    assert ev("${order.amount}", order={"amount": 1}) == 1
    assert ev("${notes}", notes="n") == "n"
    assert ev("${android}", android=1) == 1


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("${order.amount}", 150),
        ("${order['amount']}", 150),
        ('${order["lines"][0].sku}', "x1"),
        ("${order.lines[0]['sku']}", "x1"),
        ("${items[1]}", 2),
        ("${items['2']}", 3),
        ("${items[5]}", None),
        ("${items[-1]}", None),
        ("${order.missing}", None),
        ("${nothing.anything}", None),
        ("${order[nothing]}", None),
    ],
)
def test_evaluate_property_and_index_access_resolves_value(source: str, expected: object) -> None:
    assert ev(source) == expected


def test_evaluate_property_on_string_raises_expression_error() -> None:
    assert "Cannot resolve property 'join' on type String" in fails("${''.join}")


def test_evaluate_el_object_get_variable_delegates_to_el_call() -> None:
    execution = FakeExecution({"x": 7})
    assert ev("${execution.getVariable('x') + 1}", execution=execution) == 8
    assert ev("${execution.id}", execution=execution) == "exec-1"
    assert ev("${execution['id']}", execution=execution) == "exec-1"


def test_evaluate_el_object_unknown_method_raises_expression_error() -> None:
    message = fails("${execution.getClass()}", execution=FakeExecution({}))
    assert "method getClass not supported" in message


# ---------------------------------------------------------------------------------------------
# methods


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("${name.contains('orl')}", True),
        ("${name.startsWith('Wo')}", True),
        ("${name.endsWith('x')}", False),
        ("${name.equals('World')}", True),
        ("${name.equals(1)}", False),
        ("${name.equalsIgnoreCase('WORLD')}", True),
        ("${name.isEmpty()}", False),
        ("${empty_text.isEmpty()}", True),
        ("${name.length()}", 5),
        ("${name.toUpperCase()}", "WORLD"),
        ("${name.toLowerCase()}", "world"),
        ("${text.trim()}", "Hello World"),
        ("${name.substring(1)}", "orld"),
        ("${name.substring(1, 3)}", "or"),
        ("${name.indexOf('o')}", 1),
        ("${name.indexOf('z')}", -1),
        ("${name.indexOf('o', 2)}", -1),
        ("${word.matches('[a-c]+')}", True),
        ("${word.matches('ab')}", False),
        ("${items.size()}", 3),
        ("${items.contains(2)}", True),
        ("${items.contains(true)}", False),
        ("${items.isEmpty()}", False),
        ("${items.get(0)}", 1),
        ("${order.size()}", 3),
        ("${order.containsKey('amount')}", True),
        ("${order.get('amount')}", 150),
        ("${order.get('none')}", None),
        ("${order.tags.isEmpty()}", True),
        ("${name.toUpperCase().substring(0, 2).toLowerCase()}", "wo"),
    ],
)
def test_evaluate_whitelisted_method_returns_java_result(source: str, expected: object) -> None:
    assert ev(source) == expected


@pytest.mark.parametrize(
    ("source", "fragment"),
    [
        ("${name.join('x')}", "method join not supported on type String"),
        ("${name.getClass()}", "method getClass not supported"),
        ("${items.append(4)}", "method append not supported on type List"),
        ("${order.keys()}", "method keys not supported on type Map"),
        ("${a.toString()}", "method toString not supported on type Long"),
        ("${nothing.length()}", "Cannot call method length on null"),
        ("${name.substring(9)}", "out of range"),
        ("${name.substring()}", "expects 1 to 2 argument(s), got 0"),
        ("${name.length(1)}", "expects 0 argument(s), got 1"),
        ("${items.get(3)}", "out of bounds"),
        ("${word.matches('(')}", "invalid pattern"),
    ],
)
def test_evaluate_unsupported_or_bad_method_call_raises_expression_error(source: str, fragment: str) -> None:
    assert fragment in fails(source)


def test_evaluate_matches_long_input_raises_expression_error() -> None:
    assert "too long" in fails("${long.matches('a*')}", long="a" * 20_000)


# ---------------------------------------------------------------------------------------------
# forbidden things and limits


@pytest.mark.parametrize(
    "source",
    [
        "${x.__class__}",
        "${__import__}",
        "${name.__len__()}",
        "${_private}",
        "${order._secret}",
    ],
)
def test_compile_underscore_names_raises_expression_error(source: str) -> None:
    with pytest.raises(ExpressionError, match="not allowed"):
        compile_expression(source)


def test_evaluate_underscore_key_in_brackets_raises_expression_error() -> None:
    assert "not allowed" in fails("${order['__class__']}")
    assert "not allowed" in fails("${word[k]}", k="__class__")


@pytest.mark.parametrize(
    "source",
    [
        "${1 +}",
        "${}",
        "${a b}",
        "${(1}",
        "${'open}",
        "${a.}",
        "${a..b}",
        "${f(1)}",
        "${1 ? 2}",
        "${a",
        "${a ! b}",
        "${a @ b}",
        "${a = 1}",
        "${99999999999999999999}",
    ],
)
def test_compile_syntax_error_raises_expression_error_naming_source(source: str) -> None:
    with pytest.raises(ExpressionError) as info:
        compile_expression(source)
    assert info.value.message.startswith(f"Error parsing '{source}'")


def test_compile_syntax_error_reports_position() -> None:
    with pytest.raises(ExpressionError, match=r"position 9, encountered '\*'"):
        compile_expression("ab ${1 + * 2}")


def test_compile_too_long_source_raises_expression_error() -> None:
    with pytest.raises(ExpressionError, match="longer than"):
        compile_expression("${" + "a + " * 3000 + "a}")


@pytest.mark.parametrize(
    "source",
    [
        "${" + "(" * 4000 + "1" + ")" * 4000 + "}",
        "${" + "1 + (" * 150 + "1" + ")" * 150 + "}",
        "${" + "-" * 500 + "1}",
        "${" + "!" * 500 + "true}",
        "${" + "a[" * 200 + "0" + "]" * 200 + "}",
        "${" + "true ? 1 : " * 200 + "2}",
    ],
)
def test_compile_deep_nesting_raises_expression_error(source: str) -> None:
    with pytest.raises(ExpressionError, match="nested deeper"):
        compile_expression(source)


def test_compile_long_flat_chain_evaluates_without_recursion() -> None:
    source = "${" + " + ".join(["1"] * 2000) + "}"
    assert compile_expression(source).evaluate(Scope()) == 2000


def test_compile_nesting_at_limit_evaluates() -> None:
    depth = MAX_DEPTH // 4
    source = "${" + "(1 + " * depth + "1" + ")" * depth + "}"
    assert compile_expression(source).evaluate(Scope()) == depth + 1


# ---------------------------------------------------------------------------------------------
# evaluate_bool


def test_evaluate_bool_boolean_result_returns_it() -> None:
    assert compile_expression("${a == 1}").evaluate_bool(Scope(**VARIABLES)) is True


@pytest.mark.parametrize("source", ["${a}", "${'true'}", "true", "${nothing}"])
def test_evaluate_bool_non_boolean_result_raises_expression_error(source: str) -> None:
    with pytest.raises(ExpressionError, match="non-Boolean"):
        compile_expression(source).evaluate_bool(Scope(**VARIABLES))


# ---------------------------------------------------------------------------------------------
# properties: nothing escapes as a non-ExpressionError

_ATOMS = st.sampled_from(
    [
        "a",
        "b",
        "f",
        "word",
        "items",
        "order",
        "yes",
        "nothing",
        "1",
        "0",
        "2.5",
        "'x'",
        "'3'",
        "null",
        "true",
        "items[0]",
        "order.amount",
        "name.length()",
        "empty items",
    ]
)
_OPS = st.sampled_from(
    ["+", "-", "*", "/", "%", "==", "!=", "<", ">", "<=", ">=", "&&", "||", "div", "mod", "and"]
)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(_OPS, _ATOMS), max_size=6), _ATOMS, st.booleans())
def test_evaluate_random_expression_returns_or_raises_expression_error(
    tail: list[tuple[str, str]], head: str, negate: bool
) -> None:
    body = head + "".join(f" {op} {atom}" for op, atom in tail)
    source = "${" + ("!(" + body + ")" if negate else body) + "}"
    with contextlib.suppress(ExpressionError):
        ev(source)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=60))
def test_compile_arbitrary_text_returns_or_raises_expression_error(text: str) -> None:
    try:
        expression = compile_expression("${" + text + "}")
    except ExpressionError:
        return
    with contextlib.suppress(ExpressionError):
        expression.evaluate(Scope(**VARIABLES))
