"""Definitions: processes, executability, process attributes, top-level errors, the table."""

from __future__ import annotations

from pathlib import Path

import pytest

from cadenza.bpmn import ELEMENT_HANDLERS, ErrorDefinition, ServiceTask, parse_bpmn
from cadenza.bpmn.namespaces import bpmn
from cadenza.errors import ParseError

from .xml_fixtures import definitions, parse, parse_process, problem_messages, problems, wrap

SIMPLE = '<startEvent id="s" /><sequenceFlow id="f" sourceRef="s" targetRef="e" /><endEvent id="e" />'

RESOURCES = Path(__file__).resolve().parents[2] / "resources" / "bpmn_parser"


def test_process_attributes() -> None:
    process = parse_process(
        SIMPLE,
        process_attrs='name="Order" camunda:versionTag="v1.2" camunda:historyTimeToLive="30" '
        'camunda:taskPriority="10" camunda:candidateStarterUsers="kermit" '
        'camunda:candidateStarterGroups="sales,management" camunda:isStartableInTasklist="false"',
    )
    assert process.id == "p"
    assert process.name == "Order"
    assert process.is_executable is True
    assert process.version_tag == "v1.2"
    assert process.history_time_to_live == 30
    assert process.task_priority == "10"
    assert process.candidate_starter_users == "kermit"
    assert process.candidate_starter_groups == "sales,management"
    assert process.startable_in_tasklist is False


def test_process_defaults() -> None:
    process = parse_process(SIMPLE)
    assert process.version_tag is None
    assert process.history_time_to_live is None
    assert process.startable_in_tasklist is True
    assert process.task_priority is None


def test_history_time_to_live_iso_days() -> None:
    process = parse_process(SIMPLE, process_attrs='camunda:historyTimeToLive="P5D"')
    assert process.history_time_to_live == 5


@pytest.mark.parametrize("value", ["PT5H", "five", "-1", "P1Y"])
def test_bad_history_time_to_live(value: str) -> None:
    messages = problem_messages(SIMPLE, process_attrs=f'camunda:historyTimeToLive="{value}"')
    assert messages == [f"Cannot parse historyTimeToLive: {value}"]


def test_non_executable_processes_are_skipped_unvalidated() -> None:
    xml = definitions(
        f"""<process id="a" isExecutable="false"><boundaryEvent id="x" /></process>
        <process id="b">{SIMPLE}</process>"""
    )
    result = parse(xml)
    # A missing isExecutable means executable, as in Camunda.
    assert [process.id for process in result.processes] == ["b"]
    assert result.target_namespace == "http://example.org"


def test_no_executable_process_gives_empty_definitions() -> None:
    result = parse(definitions('<process id="a" isExecutable="false" />'))
    assert result.processes == ()


def test_multiple_executable_processes() -> None:
    prefixed = SIMPLE.replace('id="', 'id="t_').replace('Ref="', 'Ref="t_')
    xml = definitions(
        f"""<process id="one" isExecutable="true">{SIMPLE}</process>
        <process id="two" isExecutable="true">{prefixed}</process>"""
    )
    result = parse(xml)
    assert [process.id for process in result.processes] == ["one", "two"]
    assert result.process("two").start_event_id == "t_s"
    with pytest.raises(KeyError):
        result.process("three")


def test_top_level_errors_and_ignored_elements() -> None:
    top = """
    <error id="err1" errorCode="CARD_DECLINED" name="Declined" camunda:errorMessage="No money" />
    <error id="err2" />
    <message id="m" name="msg" /><signal id="sig" name="s" /><itemDefinition id="i" />
    <collaboration id="c"><participant id="part" processRef="p" /></collaboration>
    <dataStore id="ds" /><category id="cat" />
    <bpmndi:BPMNDiagram id="d"><bpmndi:BPMNPlane id="pl" bpmnElement="p" /></bpmndi:BPMNDiagram>
    """
    result = parse(wrap(SIMPLE, top=top))
    assert result.errors == {
        "err1": ErrorDefinition("err1", "CARD_DECLINED", "Declined", "No money"),
        "err2": ErrorDefinition("err2", None),
    }


def test_all_problems_are_reported_at_once() -> None:
    found = problems(
        wrap(
            """<startEvent id="s" /><boundaryEvent id="b" attachedToRef="s" />
            <serviceTask id="t" camunda:class="X" />
            <sequenceFlow id="f" sourceRef="s" targetRef="nowhere" />"""
        )
    )
    assert len(found) == 3
    assert all(problem.resource == "test.bpmn" for problem in found)


def test_parse_error_message_is_camunda_like() -> None:
    with pytest.raises(ParseError) as caught:
        parse_bpmn(wrap("<boundaryEvent id='b' /><startEvent id='s' />"), "order.bpmn")
    assert caught.value.message.startswith("ENGINE-09005 Could not parse BPMN process. Errors:")
    assert "order.bpmn" in caught.value.message
    assert caught.value.status == 400


def test_wrong_root_element() -> None:
    found = problems(b'<?xml version="1.0"?><html><body /></html>')
    assert found[0].message.startswith("Resource is not a BPMN 2.0 model")


def test_old_bpmn_namespace_is_not_bpmn() -> None:
    found = problems(b'<definitions xmlns="http://schema.omg.org/spec/BPMN/2.0" />')
    assert len(found) == 1


def test_process_without_id() -> None:
    messages = [p.message for p in problems(definitions("<process isExecutable='true' />"))]
    assert messages == ["Element 'process' has no 'id' attribute"]


def test_node_without_id() -> None:
    assert problem_messages("<startEvent />") == [
        "Element 'startEvent' has no 'id' attribute",
        "Process 'p' has no none start event; exactly one is required",
    ]


def test_handler_table_is_keyed_by_qualified_tag() -> None:
    assert bpmn("userTask") in ELEMENT_HANDLERS
    assert bpmn("boundaryEvent") in ELEMENT_HANDLERS
    assert bpmn("scriptTask") not in ELEMENT_HANDLERS
    assert all(tag.startswith("{http://www.omg.org/spec/BPMN/20100524/MODEL}") for tag in ELEMENT_HANDLERS)


def test_resource_file_with_prefixed_namespace() -> None:
    result = parse_bpmn((RESOURCES / "order_external_tasks.bpmn").read_bytes(), "order.bpmn")
    process = result.process("order")
    charge = process.node("charge")
    assert isinstance(charge, ServiceTask)
    assert charge.external.topic == "charge-card"
    assert [d.error_code for d in charge.external.error_event_definitions] == ["CARD_DECLINED"]
    assert process.node("decide").default_flow == "toShip"
    assert process.history_time_to_live == 180
