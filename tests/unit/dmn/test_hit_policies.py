"""Decision table evaluation: hit policies and result mapping, after Camunda's
``DmnDecisionTableEvaluationTest`` / ``HitPolicyTest`` (models of our own in tests/resources/dmn)."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from tests.support import RESOURCES

from cadenza.dmn import (
    CompiledDefinitions,
    DmnEvaluationError,
    DmnHitPolicyError,
    compile_definitions,
    evaluate_decision,
    parse_dmn,
)
from cadenza.expr.values import TypedValue, ValueType


@pytest.fixture(scope="module")
def model() -> CompiledDefinitions:
    return compile_definitions(parse_dmn((RESOURCES / "dmn" / "hit_policies.dmn").read_bytes()))


def _plain(entries: tuple[object, ...]) -> list[dict[str, tuple[str, object]]]:
    out = []
    for entry in entries:
        assert isinstance(entry, dict)
        out.append({name: (value.type.value, value.value) for name, value in entry.items()})
    return out


@pytest.mark.parametrize(("x", "expected"), [(1, "low"), (5, "mid"), (10, "mid"), (11, "high")])
def test_unique_single_match(model: CompiledDefinitions, x: int, expected: str) -> None:
    result = evaluate_decision(model, "unique", {"x": x})
    assert result.value == expected
    assert _plain(result.result_list) == [{"result": ("String", expected)}]
    assert len(result.matched_rule_ids) == 1


def test_unique_no_match_gives_empty_result(model: CompiledDefinitions) -> None:
    result = evaluate_decision(model, "unique", {"x": None})
    assert result.value is None
    assert result.result_list == ()
    assert result.single_result() is None


def test_unique_with_two_matches_is_an_error_naming_decision_and_rules(model: CompiledDefinitions) -> None:
    with pytest.raises(DmnHitPolicyError) as caught:
        evaluate_decision(model, "uniqueOverlap", {"x": 6})
    assert "DMN-03001" in caught.value.message
    assert caught.value.decision_id == "uniqueOverlap"
    assert caught.value.rule_ids == ("uniqueOverlap_r1", "uniqueOverlap_r2")
    assert "uniqueOverlap_r1, uniqueOverlap_r2" in caught.value.message


def test_unique_violation_is_null_in_specification_mode(model: CompiledDefinitions) -> None:
    assert evaluate_decision(model, "uniqueOverlap", {"x": 6}, errors="null").value is None


def test_any_with_equal_outputs_returns_the_first(model: CompiledDefinitions) -> None:
    result = evaluate_decision(model, "anyEqual", {"x": 6})
    assert result.value == "same"
    assert result.matched_rule_ids == ("anyEqual_r1",)


def test_any_with_different_outputs_is_an_error(model: CompiledDefinitions) -> None:
    with pytest.raises(DmnHitPolicyError, match="DMN-03002"):
        evaluate_decision(model, "anyDifferent", {"x": 6})
    assert evaluate_decision(model, "anyDifferent", {"x": 1}).value == "a"


def test_first_takes_the_first_match_in_rule_order(model: CompiledDefinitions) -> None:
    assert evaluate_decision(model, "first", {"x": 6}).value == "a"
    assert evaluate_decision(model, "first", {"x": 1}).value == "b"
    assert evaluate_decision(model, "first", {"x": -1}).value == "c"


@pytest.mark.parametrize("decision", ["ruleOrder", "collect"])
def test_rule_order_and_collect_return_every_match(model: CompiledDefinitions, decision: str) -> None:
    result = evaluate_decision(model, decision, {"x": 6})
    assert result.value == ["a", "b", "c"]
    assert _plain(result.result_list) == [
        {"result": ("String", "a")},
        {"result": ("String", "b")},
        {"result": ("String", "c")},
    ]
    assert result.collect_entries("result") == [
        TypedValue(ValueType.STRING, "a"),
        TypedValue(ValueType.STRING, "b"),
        TypedValue(ValueType.STRING, "c"),
    ]
    assert evaluate_decision(model, decision, {"x": -1}).value == ["c"]


@pytest.mark.parametrize(
    ("decision", "x", "value"),
    [
        ("collectSum", 6, 35),
        ("collectSum", 1, 25),
        ("collectMin", 6, 5),
        ("collectMax", 6, 20),
        ("collectMax", -1, 5),
        ("collectCount", 6, 3),
        ("collectCount", 1, 2),
    ],
)
def test_collect_aggregations_are_integers_for_integer_outputs(
    model: CompiledDefinitions, decision: str, x: int, value: int
) -> None:
    result = evaluate_decision(model, decision, {"x": x})
    assert result.value == Decimal(value)
    assert _plain(result.result_list) == [{"result": ("Integer", value)}]
    assert result.collect_result == ("result", TypedValue(ValueType.INTEGER, value))
    assert result.single_entry() == TypedValue(ValueType.INTEGER, value)


def test_collect_sum_of_doubles_and_of_untyped_whole_numbers(model: CompiledDefinitions) -> None:
    assert _plain(evaluate_decision(model, "collectSumDouble", {"x": 6}).result_list) == [
        {"result": ("Double", 3.5)}
    ]
    assert _plain(evaluate_decision(model, "collectSumUntyped", {"x": 6}).result_list) == [
        {"result": ("Long", 3)}
    ]


def test_collect_sum_of_strings_is_an_error(model: CompiledDefinitions) -> None:
    with pytest.raises(DmnHitPolicyError, match="DMN-03006"):
        evaluate_decision(model, "collectSumStrings", {"x": 1})


def test_priority_picks_the_highest_output_value(model: CompiledDefinitions) -> None:
    result = evaluate_decision(model, "priority", {"x": 6})
    assert result.value == "high"
    assert result.matched_rule_ids == ("priority_r2",)
    assert evaluate_decision(model, "priority", {"x": 1}).value == "medium"


def test_output_order_sorts_matches_by_output_values(model: CompiledDefinitions) -> None:
    result = evaluate_decision(model, "outputOrder", {"x": 6})
    assert result.value == ["high", "medium", "low"]
    assert result.matched_rule_ids == ("outputOrder_r2", "outputOrder_r3", "outputOrder_r1")


def test_compound_outputs_keep_column_order_and_drop_empty_entries(model: CompiledDefinitions) -> None:
    small = evaluate_decision(model, "compound", {"x": 3, "status": "gold"})
    assert small.value == {"reason": "small gold", "score": Decimal(1)}
    assert list(small.result_list[0]) == ["reason", "score"]
    assert _plain(small.result_list) == [{"reason": ("String", "small gold"), "score": ("Long", 1)}]
    large = evaluate_decision(model, "compound", {"x": 7, "status": "gold"})
    assert _plain(large.result_list) == [{"reason": ("String", "large"), "score": ("Double", 2.5)}]
    empty = evaluate_decision(model, "compound", {"x": 3, "status": "silver"})
    assert _plain(empty.result_list) == [{"reason": ("String", "")}]
    with pytest.raises(DmnEvaluationError, match="DMN-01010"):
        small.single_entry()


def test_outputs_are_typed_by_their_type_ref(model: CompiledDefinitions) -> None:
    result = evaluate_decision(model, "typedOutputs", {"x": 1})
    assert _plain(result.result_list) == [
        {
            "asInteger": ("Integer", 5),
            "asLong": ("Long", 5),
            "asDouble": ("Double", 5.0),
            "asString": ("String", "5"),
            "asBoolean": ("Boolean", True),
            "asDate": ("Date", datetime(2024, 3, 1, 10, 0, tzinfo=UTC)),
        }
    ]


def test_an_output_that_does_not_fit_its_type_is_an_error(model: CompiledDefinitions) -> None:
    with pytest.raises(
        DmnEvaluationError, match="DMN-01005 Invalid value 'abc' for clause with type 'integer'"
    ) as caught:
        evaluate_decision(model, "badInteger", {"x": 1})
    assert caught.value.message.endswith("(decision 'badInteger', rule 'badInteger_r1')")
    assert (caught.value.decision_id, caught.value.rule_ids) == ("badInteger", ("badInteger_r1",))


def test_literal_expression_result_is_named_by_its_variable(model: CompiledDefinitions) -> None:
    result = evaluate_decision(model, "literal", {"x": 7})
    assert result.value == Decimal(15)
    assert _plain(result.result_list) == [{"total": ("Long", 15)}]
    assert evaluate_decision(model, "Literal", {"x": 0.25}).result_list[0]["total"] == TypedValue(
        ValueType.DOUBLE, 1.5
    )


def test_required_decision_is_evaluated_first_and_bound_by_name_and_output(
    model: CompiledDefinitions,
) -> None:
    winter = evaluate_decision(model, "dish", {"month": 12})
    assert winter.value == "Stew"
    assert winter.matched_rule_ids == ("stew",)
    assert winter.required["season"].matched_rule_ids == ("winter",)
    assert evaluate_decision(model, "dish", {"month": 5}).value == "Other salad"


def test_juel_input_expression_and_entries(model: CompiledDefinitions) -> None:
    assert evaluate_decision(model, "juel", {"order": {"amount": 500}}).value is True
    big = evaluate_decision(model, "juel", {"order": {"amount": 5000}})
    assert big.value is False
    assert big.matched_rule_ids == ("juel_big",)


def test_typed_values_are_accepted_as_variables(model: CompiledDefinitions) -> None:
    result = evaluate_decision(model, "unique", {"x": TypedValue(ValueType.INTEGER, 11)})
    assert result.value == "high"


def test_camunda_dmn_11_model(model: CompiledDefinitions) -> None:
    invoice = compile_definitions(parse_dmn((RESOURCES / "dmn" / "dmn11_camunda.dmn").read_bytes()))
    decision = invoice.decisions["invoiceClassification"]
    assert (decision.history_time_to_live, decision.version_tag) == ("5", "2.1")
    result = evaluate_decision(invoice, "invoiceClassification", {"amount": 300.0, "invoiceCategory": "Misc"})
    assert _plain(result.result_list) == [{"invoiceClassification": ("String", "budget")}]
    travel = evaluate_decision(
        invoice, "invoiceClassification", {"amount": 9, "invoiceCategory": "Travel Expenses"}
    )
    assert travel.matched_rule_ids == ("DecisionRule_0hjeon4",)


def test_unknown_decision_is_an_error(model: CompiledDefinitions) -> None:
    with pytest.raises(DmnEvaluationError, match="No decision with id or name 'nope'"):
        evaluate_decision(model, "nope", {})


def test_variables_nested_too_deeply_are_an_evaluation_error(model: CompiledDefinitions) -> None:
    deep: list[object] = []
    for _ in range(100_000):
        deep = [deep]
    with pytest.raises(DmnEvaluationError, match="nest too deeply"):
        evaluate_decision(model, "unique", {"x": 1, "deep": deep})


def test_juel_evaluation_error_names_the_decision(model: CompiledDefinitions) -> None:
    with pytest.raises(DmnEvaluationError, match="Cannot resolve identifier 'order'") as caught:
        evaluate_decision(model, "juel", {})
    assert caught.value.decision_id == "juel"
    assert caught.value.message.startswith("Evaluation of decision 'juel' failed")
