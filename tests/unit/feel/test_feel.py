"""The FEEL interpreter: expressions, unary tests, built-ins, temporal values and limits."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from decimal import Decimal

import pytest

from cadenza.feel import (
    Budget,
    Env,
    FeelBudgetError,
    FeelEvaluationError,
    FeelSyntaxError,
    Limits,
    Range,
    YearsMonths,
    compile_expression,
    compile_unary_tests,
    known_names,
    render,
    to_feel,
)


def feel(text: str, **variables: object) -> object:
    names = known_names(variables)
    return compile_expression(text, names=names).evaluate({k: to_feel(v) for k, v in variables.items()})


def D(text: str) -> Decimal:  # noqa: N802 - reads like a literal
    return Decimal(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1 + 2 * 3", D("7")),
        ("(1 + 2) * 3", D("9")),
        ("10 / 4", D("2.5")),
        ("1 / 3", D("0.3333333333333333333333333333333333")),
        ("0.1 + 0.2", D("0.3")),
        ("2 ** 10", D("1024")),
        ("-3 ** 2", D("9")),
        ("2 ** 3 ** 2", D("64")),
        ("1.23e4", D("12300")),
        ("10 / 0", None),
        ("1 + null", None),
        ('1 + "a"', None),
        ('"a" + "b"', "ab"),
        ("-(5)", D("-5")),
    ],
)
def test_arithmetic_has_decimal_semantics_and_propagates_null(text: str, expected: object) -> None:
    assert feel(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("true and null", None),
        ("false and null", False),
        ("true or null", True),
        ("false or null", None),
        ('1 = "1"', None),
        ("null = null", True),
        ("1 = null", False),
        ("[1, 2] = [1, 2]", True),
        ("{a: 1} = {a: 1}", True),
        ("1 < 2", True),
        ('"a" < 1', None),
        ("5 between 1 and 10", True),
        ("5 in [1..10]", True),
        ("5 in (5..10]", False),
        ("5 in (1, 5, 9)", True),
        ("5 in < 10", True),
        ("1 in [[2..4], [1..3]]", True),
        ("[1, 2] instance of list<number>", True),
        ('"a" instance of number', False),
        ("null instance of Any", False),
        ('@"2020-01-01" instance of date', True),
        ("(< 10) = (null..10)", False),
    ],
)
def test_logic_comparison_and_membership(text: str, expected: object) -> None:
    assert feel(text) == expected


def test_control_flow_iteration_and_quantifiers() -> None:
    assert feel('if 1 > 2 then "a" else "b"') == "b"
    assert feel("if null then 1 else 2") == D("2")
    assert feel("for i in 1..3 return i * 2") == [D(2), D(4), D(6)]
    assert feel("for i in 3..1 return i") == [D(3), D(2), D(1)]
    assert feel("for x in [1, 2], y in [10, 20] return x + y") == [D(11), D(21), D(12), D(22)]
    assert feel("for i in 0..4 return if i = 0 then 1 else i * partial[-1]") == [
        D(1),
        D(1),
        D(2),
        D(6),
        D(24),
    ]
    assert feel("for i in 1.5..3 return i") is None
    assert feel("some x in [1, 2, 3] satisfies x > 2") is True
    assert feel("every x in [1, 2, 3] satisfies x > 2") is False


def test_filters_paths_and_contexts() -> None:
    people = [{"name": "Ann", "age": 30}, {"name": "Bob", "age": 17}]
    assert feel("people[age >= 18].name", people=people) == ["Ann"]
    assert feel("people[1].name", people=people) == "Ann"
    assert feel("people[-1].age", people=people) == D(17)
    assert feel("[1, 2, 3][item > 1]") == [D(2), D(3)]
    assert feel("[1, 2, 3][5]") is None
    assert feel('{first name: "Ann", greeting: "Hi " + first name}.greeting') == "Hi Ann"
    assert feel("{a: {b: 1}}.a.b") == D(1)
    assert feel('date("2024-03-05").month') == D(3)
    assert feel('duration("P1DT2H").hours') == D(2)
    assert feel("[1..5].start included") is True


def test_names_with_spaces_are_resolved_against_the_scope() -> None:
    assert feel("Monthly Income * 12", **{"Monthly Income": 100}) == D(1200)
    assert feel("Loan Amount - Down Payment", **{"Loan Amount": 10, "Down Payment": 3}) == D(7)


def test_function_definitions_and_named_invocation() -> None:
    assert feel("(function(a, b) a - b)(5, 3)") == D(2)
    assert feel("(function(a, b) a - b)(b: 5, a: 3)") == D(-2)
    assert feel('(function(a: number) a + 1)("x")') is None
    assert feel('substring(string: "hello", start position: 2, length: 3)') == "ell"
    assert feel("{f: function(n) if n <= 1 then 1 else n * f(n - 1), r: f(5)}.r") == D(120)
    assert feel("sort([3, 1, 2], function(x, y) x > y)") == [D(3), D(2), D(1)]
    assert feel("nope(1)") is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('string length("héllo")', D(5)),
        ('upper case("abc")', "ABC"),
        ('substring before("foobar", "bar")', "foo"),
        ('replace("abc", "(b)", "[$1]")', "a[b]c"),
        ('matches("abc", "^a.c$")', True),
        ('split("a,b;c", "[,;]")', ["a", "b", "c"]),
        ('string join(["a", null, "b"], ", ")', "a, b"),
        ("sum([1, 2, 3])", D(6)),
        ("sum([])", None),
        ("mean(1, 2, 3, 4)", D("2.5")),
        ("median([3, 1, 2])", D(2)),
        ("mode([1, 2, 2, 3])", [D(2)]),
        ("count([1, 2])", D(2)),
        ("min([3, 1])", D(1)),
        ('max("a", "b")', "b"),
        ("all([true, null])", None),
        ("any([false, true])", True),
        ("sublist([1, 2, 3], 2)", [D(2), D(3)]),
        ("append([1], 2, 3)", [D(1), D(2), D(3)]),
        ("distinct values([1, 1, 2])", [D(1), D(2)]),
        ("flatten([[1, [2]], 3])", [D(1), D(2), D(3)]),
        ("index of([1, 2, 1], 1)", [D(1), D(3)]),
        ("list replace([1, 2], 1, 9)", [D(9), D(2)]),
        ("decimal(1/3, 2)", D("0.33")),
        ("floor(-1.5)", D(-2)),
        ("round half up(2.5, 0)", D(3)),
        ("modulo(-5, 3)", D(1)),
        ("sqrt(16)", D(4)),
        ("odd(3)", True),
        ('number("1,000.5", ",", ".")', D("1000.5")),
        ("string(1.50)", "1.5"),
        ('get value({a: 1}, "a")', D(1)),
        ('context put({a: 1}, "b", 2)', {"a": D(1), "b": D(2)}),
        ('context([{key: "a", value: 1}])', {"a": D(1)}),
        ("get entries({a: 1})", [{"key": "a", "value": D(1)}]),
        ("before(1, [2..5])", True),
        ("overlaps([1..5], [4..8])", True),
        ("includes([1..10], [2..3])", True),
        ("not(true)", False),
        ('range("[1..3]")', Range(D(1), True, D(3), True)),
        ('range("[3..1]")', None),
        ('range("[date(string(\\"2020-01-01\\"))..1]")', None),
        ('string join("a", "X")', "a"),
        ("sublist(1, 1)", [D(1)]),
        ('upper case(["bob"])', "BOB"),
        ("round up(5.5, 6176)", D("5.5")),
        ("date(year: 2017, month: 8, day: 30)", date(2017, 8, 30)),
        ('context put(context: {a: {b: 0}}, keys: ["a", "b"], value: 1)', {"a": {"b": D(1)}}),
        ('matches("Mary\\u000DJones", "Mary.Jones")', False),
        ('matches("hello world", "hello[ ]world ", "x")', True),
        ('matches("abcd", "(asd)[\\1]")', None),
    ],
)
def test_builtins(text: str, expected: object) -> None:
    assert feel(text) == expected


def test_temporal_values_and_arithmetic() -> None:
    assert feel('date("2024-01-31") + duration("P1M")') == date(2024, 2, 29)
    assert feel('date and time("2024-01-01T10:00:00") + duration("PT90M")') == datetime(2024, 1, 1, 11, 30)  # noqa: DTZ001 - FEEL local time
    assert feel('date("2024-03-01") - date("2024-02-01")') == timedelta(days=29)
    assert feel('@"P1Y2M" + @"P1M"') == YearsMonths(15)
    assert feel('years and months duration(date("2020-01-15"), date("2021-03-14"))') == YearsMonths(13)
    assert feel('time("10:30:00+02:00")') == time(10, 30, tzinfo=timezone(timedelta(hours=2)))
    assert feel('time("10:30:00Z") = time("11:30:00+01:00")') is True
    assert feel('date and time("2024-01-01T10:00:00") < date and time("2024-01-01T11:00:00")') is True
    assert feel('date and time("2024-01-01T10:00:00") < date and time("2024-01-01T11:00:00Z")') is None
    assert feel('duration("P1D") * 2') == timedelta(days=2)
    assert feel('day of week(date("2024-03-04"))') == "Monday"
    assert (
        render(feel('date and time("2024-03-04T05:06:07@Europe/Paris")'))
        == "2024-03-04T05:06:07@Europe/Paris"
    )
    assert render(feel('duration("PT36H")')) == "P1DT12H"
    assert feel('date("2024-02-30")') is None


@pytest.mark.parametrize(
    ("tests", "value", "matches"),
    [
        ("-", "anything", True),
        ("", None, True),
        ("< 10", 5, True),
        ("< 10", 10, False),
        ("< 10", None, False),
        ("[1..10]", 10, True),
        ("]1..10[", 10, False),
        ("(1..10]", 1, False),
        ('"a", "b"', "b", True),
        ('"a", "b"', "c", False),
        ('not("a", "b")', "c", True),
        ('not("a", "b")', "a", False),
        ("? > 5", 6, True),
        ("count(?) > 1", [1, 2], True),
        ("5", 5, True),
        ("5", "5", False),
        ("true", True, True),
        ("false", True, False),
        ("null", None, True),
        ("[1, 2, 3]", 2, True),
        ("< 10, > 20", 25, True),
        ('date("2024-01-01")', date(2024, 1, 1), True),
        ("> x", 3, False),
    ],
)
def test_unary_tests(tests: str, value: object, matches: bool) -> None:
    env = Env({"x": Decimal(5)}, None, Budget())
    assert compile_unary_tests(tests).matches(to_feel(value), env) is matches


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("1 +", "unexpected end of expression"),
        ("(1 + 2", "unexpected end of expression"),
        ("1 ) 2", "unexpected ')' at position 2"),
        ('"open', "unterminated string literal at position 0"),
        ("1 # 2", "unexpected character '#' at position 2"),
        ('@"not a date"', 'invalid temporal literal @"not a date"'),
        ("{a: 1, a: 2}", "context key 'a' appears twice"),
        ("function(a) external {java: {}}", "external functions (Java or PMML) are not supported by Cadenza"),
    ],
)
def test_syntax_errors_name_the_problem_and_position(text: str, message: str) -> None:
    with pytest.raises(FeelSyntaxError) as caught:
        compile_expression(text)
    assert str(caught.value) == message


def test_source_length_and_depth_are_limited_at_compile_time() -> None:
    with pytest.raises(FeelSyntaxError, match="longer than the limit of 10 characters"):
        compile_expression("1 + 2 + 3 + 4", limits=Limits(max_source_length=10))
    with pytest.raises(FeelSyntaxError, match="nests deeper than the limit of 20"):
        compile_expression("(" * 30 + "1" + ")" * 30, limits=Limits(max_depth=20))


def test_evaluation_steps_and_recursion_are_bounded() -> None:
    loop = compile_expression("for i in 1..100000 return i", limits=Limits(max_steps=1000))
    with pytest.raises(FeelBudgetError, match="limit of 1000 steps"):
        loop.evaluate()
    nested = compile_expression("count(for a in 1..100, b in 1..100, c in 1..100 return 1)")
    with pytest.raises(FeelBudgetError):
        nested.evaluate(budget=Budget(Limits(max_steps=50_000)))
    recursion = compile_expression("{f: function(n) f(n + 1), r: f(1)}.r", limits=Limits(max_call_depth=20))
    with pytest.raises(FeelEvaluationError):
        recursion.evaluate()


def test_evaluation_time_is_bounded() -> None:
    slow = compile_expression(
        "for a in 1..3000, b in 1..3000 return a", limits=Limits(max_seconds=0.05, max_steps=10**9)
    )
    with pytest.raises(FeelBudgetError, match="time limit"):
        slow.evaluate()


def test_compiled_expressions_are_reusable() -> None:
    expression = compile_expression("a * 2", names=known_names(["a"]))
    assert [expression.evaluate({"a": Decimal(n)}) for n in range(3)] == [D(0), D(2), D(4)]
    assert compile_expression("[1..2]").evaluate() == Range(D(1), True, D(2), True)
