"""The decision table's column index (literal lookups, interval segments) matches what testing
every input entry one by one gives, for any input."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given, settings, strategies as st

from cadenza.dmn import compile_definitions, parse_dmn
from cadenza.feel import Budget, Env, to_feel

_CELLS = [
    "-",
    "< 10",
    "<= 10",
    "> 10",
    ">= 10",
    "[5..10]",
    "(5..10)",
    "]5..10]",
    "[10..20[",
    "10",
    "-3.5",
    "< -3.5",
    '"a", "b"',
    '"b"',
    "true",
    "false",
    "null",
    "not(10)",
    "[1, 2, 10]",
    "? > 7",
    "< 10, > 15",
]


def _model(cells: list[str]) -> bytes:
    escaped = [cell.replace("<", "&lt;").replace(">", "&gt;") for cell in cells]
    rules = "".join(
        f'<rule id="r{i}"><inputEntry><text>{cell}</text></inputEntry>'
        f"<outputEntry><text>{i}</text></outputEntry></rule>"
        for i, cell in enumerate(escaped)
    )
    return (
        '<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/" id="d" name="d" namespace="n">'
        '<decision id="t" name="t"><decisionTable id="table" hitPolicy="RULE ORDER">'
        '<input id="i"><inputExpression><text>x</text></inputExpression></input><output id="o" name="o"/>'
        f"{rules}</decisionTable></decision></definitions>"
    ).encode()


TABLE = compile_definitions(parse_dmn(_model(_CELLS))).decisions["t"].table
assert TABLE is not None

values = st.one_of(
    st.none(),
    st.booleans(),
    st.sampled_from(["a", "b", "c"]),
    st.integers(-30, 30),
    st.decimals(-30, 30, places=2, allow_nan=False, allow_infinity=False),
    st.sampled_from([Decimal(5), Decimal(10), Decimal(20), Decimal("-3.5"), Decimal(15)]),
)


@settings(max_examples=300, deadline=None)
@given(values)
def test_index_agrees_with_one_by_one_matching(value: object) -> None:
    assert TABLE is not None
    feel_value = to_feel(value)
    env = Env({"x": feel_value}, None, Budget())
    expected = [
        rule.id for rule in TABLE.rules if all(test.matches(feel_value, env) for _, test in rule.tests)
    ]
    assert [rule.id for rule in TABLE.match(env)] == expected
