"""Exclusive and parallel gateways."""

from __future__ import annotations

from cadenza.bpmn import ExclusiveGateway, ParallelGateway

from .xml_fixtures import parse_process, problem_messages


def test_parallel_gateway_ignores_default_attribute_and_keeps_conditions() -> None:
    process = parse_process(
        """<startEvent id="s" /><sequenceFlow id="a" sourceRef="s" targetRef="fork" />
        <parallelGateway id="fork" default="b" camunda:asyncAfter="true" />
        <sequenceFlow id="b" sourceRef="fork" targetRef="e1">
          <conditionExpression>${ignored}</conditionExpression></sequenceFlow>
        <sequenceFlow id="c" sourceRef="fork" targetRef="e2" />
        <endEvent id="e1" /><endEvent id="e2" />"""
    )
    fork = process.node("fork")
    assert isinstance(fork, ParallelGateway)
    assert fork.default_flow is None
    assert fork.async_after is True
    # Camunda ignores conditions out of a parallel gateway; the text is kept, not an error.
    assert process.flow("b").condition == "${ignored}"


def test_exclusive_gateway_with_conditions_and_no_default() -> None:
    process = parse_process(
        """<startEvent id="s" /><sequenceFlow id="a" sourceRef="s" targetRef="gw" />
        <exclusiveGateway id="gw" name="Which?" />
        <sequenceFlow id="b" sourceRef="gw" targetRef="e">
          <conditionExpression>${x}</conditionExpression></sequenceFlow>
        <sequenceFlow id="c" sourceRef="gw" targetRef="e" />
        <endEvent id="e" />"""
    )
    gateway = process.node("gw")
    assert isinstance(gateway, ExclusiveGateway)
    assert gateway.name == "Which?"
    assert gateway.default_flow is None


def test_unsupported_gateways() -> None:
    messages = problem_messages(
        """<startEvent id="s" /><inclusiveGateway id="i" /><eventBasedGateway id="eb" />
        <complexGateway id="c" />"""
    )
    assert messages == ["complexGateway 'c' is not supported by Cadenza yet"]


def test_input_output_on_gateway_is_refused() -> None:
    messages = problem_messages(
        """<startEvent id="s" /><sequenceFlow id="a" sourceRef="s" targetRef="g" />
        <parallelGateway id="g"><extensionElements><camunda:inputOutput>
        <camunda:inputParameter name="x">1</camunda:inputParameter></camunda:inputOutput>
        </extensionElements></parallelGateway>"""
    )
    assert messages == ["camunda:inputOutput mapping unsupported for element type 'parallelGateway'"]
