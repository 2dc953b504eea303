"""Structural validation: ids, flow references, default flows, start and end events."""

from __future__ import annotations

from cadenza.bpmn import Process, SequenceFlow, StartEvent
from cadenza.bpmn.validate import RefusedElement, find_duplicate_ids, validate_process

from .xml_fixtures import problem_messages, problems, wrap

START_END = '<startEvent id="s" /><sequenceFlow id="f" sourceRef="s" targetRef="e" /><endEvent id="e" />'


def test_duplicate_ids() -> None:
    found = problems(wrap(START_END + '<task id="e" /><sequenceFlow id="f" sourceRef="s" targetRef="e" />'))
    messages = [p.message for p in found]
    assert "Duplicate id 'e'" in messages
    assert "Duplicate id 'f'" in messages
    duplicate = next(p for p in found if p.message == "Duplicate id 'e'")
    assert duplicate.element_ids == ("e",)
    assert duplicate.line > 0


def test_duplicate_id_between_process_and_top_level() -> None:
    messages = problem_messages(START_END, top='<message id="s" name="m" />')
    assert messages == ["Duplicate id 's'"]


def test_find_duplicate_ids_reports_each_id_once() -> None:
    found = find_duplicate_ids([("a", 1), ("a", 2), ("a", 3), ("b", 4)])
    assert [(p.message, p.line) for p in found] == [("Duplicate id 'a'", 2)]


def test_missing_and_unknown_flow_references() -> None:
    found = problems(
        wrap(
            START_END
            + '<sequenceFlow id="g" targetRef="e" /><sequenceFlow id="h" sourceRef="s" targetRef="ghost" />'
        )
    )
    assert [(p.message, p.element_ids) for p in found] == [
        ("Sequence flow 'g' has no sourceRef", ("g",)),
        ("Invalid target 'ghost' of sequence flow 'h'", ("h", "ghost")),
    ]


def test_flow_crossing_scope_boundary() -> None:
    messages = problem_messages(
        """<startEvent id="s" /><sequenceFlow id="f" sourceRef="s" targetRef="inner_task" />
        <subProcess id="sub"><startEvent id="ss" /><task id="inner_task" /></subProcess>"""
    )
    assert messages == [
        "Sequence flow 'f' crosses a scope boundary: its target 'inner_task' is not in the "
        "same (sub-)process as the flow"
    ]


def test_flow_to_refused_element_is_not_reported_twice() -> None:
    messages = problem_messages(
        START_END + '<sequenceFlow id="g" sourceRef="s" targetRef="r" /><scriptTask id="r" />'
    )
    assert messages == ["scriptTask 'r' is not supported by Cadenza yet"]


def test_default_flow_must_be_outgoing() -> None:
    messages = problem_messages(
        """<startEvent id="s" /><sequenceFlow id="f" sourceRef="s" targetRef="t" />
        <task id="t" default="f" /><sequenceFlow id="g" sourceRef="t" targetRef="e" /><endEvent id="e" />"""
    )
    assert messages == ["Default sequence flow 'f' of 't' is not one of its outgoing sequence flows"]


def test_exclusive_gateway_rules() -> None:
    messages = problem_messages(
        """<startEvent id="s" /><sequenceFlow id="f" sourceRef="s" targetRef="gw" />
        <exclusiveGateway id="gw" default="d" />
        <sequenceFlow id="d" sourceRef="gw" targetRef="e">
          <conditionExpression>${a}</conditionExpression></sequenceFlow>
        <sequenceFlow id="n" sourceRef="gw" targetRef="e" />
        <endEvent id="e" /><exclusiveGateway id="dead" />
        <sequenceFlow id="x" sourceRef="e" targetRef="dead" />"""
    )
    assert (
        "Exclusive Gateway 'gw' has outgoing sequence flow 'd' which is the default flow "
        "but has a condition too." in messages
    )
    assert (
        "Exclusive Gateway 'gw' has outgoing sequence flow 'n' without condition "
        "which is not the default flow." in messages
    )
    assert "Exclusive Gateway 'dead' has no outgoing sequence flows." in messages
    assert "End event 'e' must not have outgoing sequence flows" in messages


def test_two_unconditional_flows_without_default() -> None:
    messages = problem_messages(
        """<startEvent id="s" /><sequenceFlow id="f" sourceRef="s" targetRef="gw" />
        <exclusiveGateway id="gw" /><sequenceFlow id="a" sourceRef="gw" targetRef="e" />
        <sequenceFlow id="b" sourceRef="gw" targetRef="e" /><endEvent id="e" />"""
    )
    assert len(messages) == 2


def test_single_unconditional_flow_besides_conditions_is_allowed() -> None:
    # Camunda only warns here (the flow works like a default when nothing else matches).
    problem_free = wrap(
        """<startEvent id="s" /><sequenceFlow id="f" sourceRef="s" targetRef="gw" />
        <exclusiveGateway id="gw" /><sequenceFlow id="a" sourceRef="gw" targetRef="e" />
        <sequenceFlow id="b" sourceRef="gw" targetRef="e">
          <conditionExpression>${x}</conditionExpression></sequenceFlow>
        <endEvent id="e" />"""
    )
    from cadenza.bpmn import parse_bpmn

    assert parse_bpmn(problem_free).processes[0].id == "p"


def test_start_event_count_per_scope() -> None:
    messages = problem_messages(
        """<startEvent id="s1" /><startEvent id="s2" />
        <subProcess id="sub"><task id="t" /></subProcess>"""
    )
    assert messages == [
        "Process 'p' has 2 none start events; exactly one is required",
        "Sub-process 'sub' has no none start event; exactly one is required",
    ]


def test_process_without_start_event() -> None:
    assert problem_messages('<task id="t" />') == [
        "Process 'p' has no none start event; exactly one is required"
    ]


def test_start_event_with_incoming_flow() -> None:
    messages = problem_messages(
        START_END.replace(
            "<endEvent", '<task id="t" /><sequenceFlow id="back" sourceRef="t" targetRef="s" /><endEvent'
        )
    )
    assert messages == ["Start event 's' must not have incoming sequence flows"]


def test_validate_process_directly() -> None:
    process = Process(
        id="p",
        nodes={"s": StartEvent(id="s", scope_id="p", outgoing=("f",))},
        flows={"f": SequenceFlow("f", "s", "x", scope_id="p")},
        start_event_id="s",
    )
    assert validate_process(process, refused={"x": RefusedElement("p", "boundaryEvent")}) == []
    found = validate_process(process, lines={"f": 7})
    assert [(p.message, p.line) for p in found] == [("Invalid target 'x' of sequence flow 'f'", 7)]
