"""DMN parsing and compilation: what is refused, and what the problems name."""

from __future__ import annotations

import pytest

from cadenza.dmn import DmnParseError, compile_definitions, parse_dmn
from cadenza.dmn.model import Context, DecisionTable, HitPolicy, Invocation, LiteralExpression

DMN13 = "https://www.omg.org/spec/DMN/20191111/MODEL/"


def _model(body: str, namespace: str = DMN13) -> bytes:
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<definitions xmlns="{namespace}" '
        'xmlns:camunda="http://camunda.org/schema/1.0/dmn" id="defs" name="Test" '
        f'namespace="http://cadenza.test">{body}</definitions>'
    ).encode()


def _table(rule_cell: str = "&gt; 5", output: str = '"a"', policy: str = "UNIQUE") -> str:
    return (
        f'<decision id="d1" name="D1"><decisionTable id="t1" hitPolicy="{policy}">'
        '<input id="i1"><inputExpression><text>x</text></inputExpression></input>'
        '<output id="o1" name="out"/>'
        f'<rule id="rule1"><inputEntry><text>{rule_cell}</text></inputEntry>'
        f"<outputEntry><text>{output}</text></outputEntry></rule>"
        "</decisionTable></decision>"
    )


def _problems(xml: bytes) -> list[tuple[str, tuple[str, ...]]]:
    with pytest.raises(DmnParseError) as caught:
        compile_definitions(parse_dmn(xml, "test.dmn"), resource_name="test.dmn")
    assert caught.value.status == 400
    assert caught.value.resource == "test.dmn"
    return [(p.message, p.element_ids) for p in caught.value.problems]


@pytest.mark.parametrize(
    "namespace",
    [
        "http://www.omg.org/spec/DMN/20151101/dmn.xsd",
        "http://www.omg.org/spec/DMN/20180521/MODEL/",
        DMN13,
        "https://www.omg.org/spec/DMN/20211108/MODEL/",
        "https://www.omg.org/spec/DMN/20230324/MODEL/",
    ],
)
def test_every_dmn_namespace_parses(namespace: str) -> None:
    definitions = parse_dmn(_model(_table(), namespace))
    table = definitions.decisions[0].expression
    assert isinstance(table, DecisionTable)
    assert table.hit_policy is HitPolicy.UNIQUE
    assert table.rules[0].id == "rule1"


def test_doctype_is_refused() -> None:
    xml = (
        b'<?xml version="1.0"?><!DOCTYPE definitions [<!ENTITY x "y">]>' + _model(_table()).split(b"?>", 1)[1]
    )
    assert _problems(xml) == [("DOCTYPE is not allowed in DMN resources", ())]


def test_malformed_xml_is_refused() -> None:
    problems = _problems(b"<definitions><decision></definitions>")
    assert problems[0][0] == "Resource is not well-formed XML"


def test_a_bpmn_document_is_not_a_dmn_model() -> None:
    bpmn = b'<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL"/>'
    assert _problems(bpmn) == [("Resource is not a DMN 1.1-1.5 'definitions' document", ())]


def test_unknown_hit_policy_names_decision_and_table() -> None:
    assert _problems(_model(_table(policy="SOMETIMES"))) == [
        ("Unknown hit policy 'SOMETIMES' in decision table", ("d1", "t1"))
    ]


def test_aggregation_without_collect_is_refused() -> None:
    body = _table().replace('hitPolicy="UNIQUE"', 'hitPolicy="FIRST" aggregation="SUM"')
    assert _problems(_model(body)) == [
        ("Aggregation 'SUM' is only allowed with hit policy COLLECT", ("d1", "t1"))
    ]


def test_feel_syntax_error_in_input_entry_names_decision_and_rule() -> None:
    [(message, ids)] = _problems(_model(_table(rule_cell="&gt; (5")))
    assert message.startswith("FEEL syntax error in input entry 1 of rule 'rule1'")
    assert ids == ("d1", "rule1")


def test_feel_syntax_error_in_output_entry_names_decision_and_rule() -> None:
    [(message, ids)] = _problems(_model(_table(output='"a" +')))
    assert message == "FEEL syntax error in output entry 1 of rule 'rule1': unexpected end of expression"
    assert ids == ("d1", "rule1")


def test_every_problem_is_reported_at_once() -> None:
    body = _table(rule_cell="&gt;&gt;", output="1 +").replace('id="d1"', 'id="d1" ')
    messages = [message for message, _ in _problems(_model(body))]
    assert len(messages) == 2


def test_unsupported_expression_language_is_refused() -> None:
    body = _table().replace("<inputEntry>", '<inputEntry expressionLanguage="javascript">')
    [(message, ids)] = _problems(_model(body))
    assert message == "Expression language 'javascript' of input entry 1 of rule 'rule1' is not supported"
    assert ids == ("d1", "rule1")


def test_required_decision_cycle_is_refused() -> None:
    decisions = "".join(
        f'<decision id="{a}" name="{a}"><informationRequirement><requiredDecision href="#{b}"/>'
        f"</informationRequirement><literalExpression><text>1</text></literalExpression></decision>"
        for a, b in (("a", "b"), ("b", "c"), ("c", "a"))
    )
    problems = _problems(_model(decisions))
    assert problems == [("Required decisions form a cycle: a -> b -> c -> a", ("a", "b", "c"))]


def test_dangling_requirement_is_refused() -> None:
    body = (
        '<decision id="a" name="a"><informationRequirement><requiredInput href="#missing"/>'
        "</informationRequirement><literalExpression><text>1</text></literalExpression></decision>"
    )
    assert _problems(_model(body)) == [("Required input 'missing' does not exist", ("a", "missing"))]


def test_rule_with_wrong_number_of_entries_is_refused() -> None:
    body = _table().replace("<outputEntry>", "<inputEntry><text>1</text></inputEntry><outputEntry>")
    [(message, ids)] = _problems(_model(body))
    assert message == "Rule has 2 input entries but the table has 1 inputs"
    assert ids == ("d1", "t1", "rule1")


def test_java_function_kind_is_refused_as_unsupported() -> None:
    body = (
        '<businessKnowledgeModel id="bkm" name="bkm"><encapsulatedLogic kind="Java">'
        '<context><contextEntry><variable name="class"/><literalExpression><text>"java.lang.Math"</text>'
        "</literalExpression></contextEntry></context></encapsulatedLogic></businessKnowledgeModel>"
    )
    [(message, ids)] = _problems(_model(body))
    assert message == "Function kind 'Java' is not supported by Cadenza"
    assert ids == ("bkm",)


def test_camunda_attributes_and_boxed_expressions_are_parsed() -> None:
    body = (
        '<decision id="d" name="D" camunda:historyTimeToLive="P180D" camunda:versionTag="1.0">'
        '<context id="c"><contextEntry><variable name="a"/><literalExpression><text>1</text>'
        '</literalExpression></contextEntry><contextEntry><invocation id="inv"><literalExpression>'
        '<text>f</text></literalExpression><binding><parameter name="p"/><literalExpression><text>a</text>'
        "</literalExpression></binding></invocation></contextEntry></context></decision>"
    )
    decision = parse_dmn(_model(body)).decisions[0]
    assert (decision.history_time_to_live, decision.version_tag) == ("P180D", "1.0")
    assert isinstance(decision.expression, Context)
    first, last = decision.expression.entries
    assert first.variable is not None and first.variable.name == "a"
    assert isinstance(first.value, LiteralExpression)
    assert last.variable is None and isinstance(last.value, Invocation)
    assert last.value.bindings[0].parameter.name == "p"


def test_oversized_resource_is_refused() -> None:
    with pytest.raises(DmnParseError, match="larger than the limit of 100 bytes"):
        parse_dmn(_model(_table()), max_bytes=100)
