"""Sequence flows: references, conditions, generated ids, incoming/outgoing order."""

from __future__ import annotations

from .xml_fixtures import parse_process, problem_messages

GATEWAY = """
<startEvent id="s" />
<sequenceFlow id="f0" sourceRef="s" targetRef="gw" />
<exclusiveGateway id="gw" default="fDefault" />
<sequenceFlow id="fYes" name="yes" sourceRef="gw" targetRef="e1">
  <conditionExpression xsi:type="tFormalExpression"><![CDATA[ ${amount > 1000} ]]></conditionExpression>
</sequenceFlow>
<sequenceFlow id="fDefault" sourceRef="gw" targetRef="e2" />
<endEvent id="e1" /><endEvent id="e2" />
"""


def test_flows_and_conditions() -> None:
    process = parse_process(GATEWAY)
    assert list(process.flows) == ["f0", "fYes", "fDefault"]
    yes = process.flow("fYes")
    assert yes.condition == "${amount > 1000}"
    assert yes.name == "yes"
    assert yes.source_ref == "gw"
    assert yes.target_ref == "e1"
    assert yes.scope_id == "p"
    assert process.flow("fDefault").condition is None
    gateway = process.node("gw")
    assert gateway.outgoing == ("fYes", "fDefault")
    assert gateway.default_flow == "fDefault"
    assert [flow.id for flow in process.outgoing(gateway)] == ["fYes", "fDefault"]


def test_juel_language_is_accepted() -> None:
    process = parse_process(
        """<startEvent id="s" /><sequenceFlow id="f" sourceRef="s" targetRef="e">
        <conditionExpression language="juel">${ok}</conditionExpression></sequenceFlow>
        <endEvent id="e" />"""
    )
    assert process.flow("f").condition == "${ok}"


def test_script_condition_language_is_unsupported() -> None:
    messages = problem_messages(
        """<startEvent id="s" /><sequenceFlow id="f" sourceRef="s" targetRef="e">
        <conditionExpression language="groovy">x == 1</conditionExpression></sequenceFlow>
        <endEvent id="e" />"""
    )
    assert messages == [
        "Condition language 'groovy' of sequence flow 'f' is not supported: "
        "Cadenza evaluates ${...} expressions only"
    ]


def test_external_script_condition_is_unsupported() -> None:
    messages = problem_messages(
        """<startEvent id="s" /><sequenceFlow id="f" sourceRef="s" targetRef="e">
        <conditionExpression camunda:resource="deployment://c.js" /></sequenceFlow>
        <endEvent id="e" />"""
    )
    assert messages == [
        "Script condition (camunda:resource) of sequence flow 'f' is not supported by Cadenza"
    ]


def test_flow_without_id_gets_a_generated_id() -> None:
    # Camunda deploys flows without ids (several of its engine tests do).
    process = parse_process(
        """<startEvent id="s" /><sequenceFlow sourceRef="s" targetRef="e" /><endEvent id="e" />"""
    )
    (flow_id,) = process.flows
    assert flow_id.startswith("_sequenceFlow")
    assert process.node("s").outgoing == (flow_id,)


def test_incoming_in_document_order_of_flows() -> None:
    process = parse_process(
        """<startEvent id="s" /><sequenceFlow id="a" sourceRef="s" targetRef="fork" />
        <parallelGateway id="fork" />
        <sequenceFlow id="b" sourceRef="fork" targetRef="join" />
        <sequenceFlow id="c" sourceRef="fork" targetRef="join" />
        <parallelGateway id="join" />
        <sequenceFlow id="d" sourceRef="join" targetRef="e" /><endEvent id="e" />"""
    )
    assert process.node("join").incoming == ("b", "c")
    assert process.node("fork").outgoing == ("b", "c")


def test_execution_listener_on_flow_is_unsupported() -> None:
    messages = problem_messages(
        """<startEvent id="s" /><sequenceFlow id="f" sourceRef="s" targetRef="e">
        <extensionElements><camunda:executionListener expression="${x}" event="take" />
        </extensionElements></sequenceFlow><endEvent id="e" />"""
    )
    assert messages == ["camunda:executionListener on sequenceFlow 'f' is not supported by Cadenza yet"]
