"""Parsing error/escalation events, event sub-processes and call activities."""

from __future__ import annotations

from cadenza.bpmn.model import (
    Activity,
    BoundaryEvent,
    CallActivity,
    CallParameter,
    EndEvent,
    ErrorEventDefinition,
    EscalationEventDefinition,
    StartEvent,
    SubProcess,
)

from .xml_fixtures import parse, parse_process, problem_messages, wrap

_TASK = '<startEvent id="s"/><sequenceFlow id="f" sourceRef="s" targetRef="t"/><userTask id="t"/>'


def test_error_boundary_event_resolves_code_and_registers_on_the_activity() -> None:
    process = parse(
        wrap(
            _TASK + '<boundaryEvent id="b" attachedToRef="t"><errorEventDefinition errorRef="e" '
            'camunda:errorCodeVariable="code" camunda:errorMessageVariable="msg"/></boundaryEvent>',
            top='<error id="e" errorCode="E-1"/>',
        )
    ).processes[0]

    boundary = process.node("b")
    assert isinstance(boundary, BoundaryEvent)
    assert boundary.attached_to == "t" and boundary.cancel_activity
    assert boundary.event_definition == ErrorEventDefinition("e", "E-1", None, "code", "msg")
    task = process.node("t")
    assert isinstance(task, Activity) and task.boundary_event_ids == ("b",)


def test_unknown_error_ref_is_the_code_and_missing_ref_is_catch_all() -> None:
    process = parse_process(
        _TASK
        + '<boundaryEvent id="b1" attachedToRef="t"><errorEventDefinition errorRef="raw"/></boundaryEvent>'
        '<boundaryEvent id="b2" attachedToRef="t"><errorEventDefinition/></boundaryEvent>'
    )

    first, second = process.node("b1"), process.node("b2")
    assert isinstance(first, BoundaryEvent) and isinstance(second, BoundaryEvent)
    assert isinstance(first.event_definition, ErrorEventDefinition)
    assert first.event_definition.error_code == "raw"
    assert isinstance(second.event_definition, ErrorEventDefinition)
    assert second.event_definition.error_code is None


def test_non_interrupting_escalation_boundary_and_escalation_codes() -> None:
    process = parse(
        wrap(
            _TASK + '<boundaryEvent id="b" attachedToRef="t" cancelActivity="false">'
            '<escalationEventDefinition escalationRef="x" camunda:escalationCodeVariable="v"/>'
            "</boundaryEvent>",
            top='<escalation id="x" escalationCode="X-1"/>',
        )
    ).processes[0]

    boundary = process.node("b")
    assert isinstance(boundary, BoundaryEvent) and not boundary.cancel_activity
    assert boundary.event_definition == EscalationEventDefinition("x", "X-1", "v")


def test_timer_and_message_boundary_events_need_their_definition() -> None:
    messages = problem_messages(
        _TASK + '<boundaryEvent id="b" attachedToRef="t"><timerEventDefinition/></boundaryEvent>'
        '<boundaryEvent id="m" attachedToRef="t"><messageEventDefinition/></boundaryEvent>'
    )

    assert messages == [
        "Timer needs exactly one of timeDate, timeDuration or timeCycle with a value",
        "Cannot have a message event definition without a message name ('m')",
    ]


def test_non_interrupting_error_boundary_is_refused() -> None:
    messages = problem_messages(
        _TASK + '<boundaryEvent id="b" attachedToRef="t" cancelActivity="false">'
        "<errorEventDefinition/></boundaryEvent>"
    )

    assert messages == [
        'An error boundary event is always interrupting (cancelActivity="false" is not allowed)'
    ]


def test_boundary_event_attached_to_unknown_activity_is_refused() -> None:
    messages = problem_messages(
        _TASK + '<boundaryEvent id="b" attachedToRef="nope"><errorEventDefinition/></boundaryEvent>'
    )

    assert messages == [
        "Invalid reference in 'attachedToRef' attribute of boundary event 'b': 'nope' is not an activity "
        "in the same scope"
    ]


def test_event_sub_process_with_error_start_event() -> None:
    process = parse_process(
        _TASK + '<subProcess id="esp" triggeredByEvent="true"><startEvent id="es"><errorEventDefinition/>'
        '</startEvent><sequenceFlow id="g" sourceRef="es" targetRef="h"/><userTask id="h"/></subProcess>'
    )

    esp = process.node("esp")
    assert isinstance(esp, SubProcess) and esp.triggered_by_event and esp.start_event_id == "es"
    start = process.node("es")
    assert isinstance(start, StartEvent) and start.is_interrupting
    assert process.event_sub_processes(process.id) == [esp]
    assert process.start_event_id == "s"


def test_error_start_event_outside_an_event_sub_process_is_refused() -> None:
    assert problem_messages('<startEvent id="s"><errorEventDefinition/></startEvent>') == [
        "errorEventDefinition on startEvent 's' is not supported by Cadenza yet"
    ]


def test_error_end_event_carries_code_and_message() -> None:
    process = parse(
        wrap(
            '<startEvent id="s"/><sequenceFlow id="f" sourceRef="s" targetRef="e"/>'
            '<endEvent id="e"><errorEventDefinition errorRef="err"/></endEvent>',
            top='<error id="err" errorCode="C" camunda:errorMessage="${why}"/>',
        )
    ).processes[0]

    end = process.node("e")
    assert isinstance(end, EndEvent)
    assert end.event_definition == ErrorEventDefinition("err", "C", "${why}")


def test_call_activity_with_bindings_and_mappings() -> None:
    process = parse_process(
        '<startEvent id="s"/><sequenceFlow id="f" sourceRef="s" targetRef="c"/>'
        '<callActivity id="c" calledElement="child" camunda:calledElementBinding="version" '
        'camunda:calledElementVersion="2" camunda:calledElementTenantId="t1"><extensionElements>'
        '<camunda:in businessKey="#{execution.processBusinessKey}"/>'
        '<camunda:in source="a" target="b"/><camunda:in variables="all" local="true"/>'
        '<camunda:out sourceExpression="${x + 1}" target="y"/></extensionElements></callActivity>'
    )

    call = process.node("c")
    assert isinstance(call, CallActivity)
    assert (call.called_element, call.binding, call.version, call.tenant_id) == (
        "child",
        "version",
        "2",
        "t1",
    )
    assert call.business_key == "#{execution.processBusinessKey}"
    assert call.inputs == (
        CallParameter(source="a", target="b"),
        CallParameter(all_variables=True, local=True),
    )
    assert call.outputs == (CallParameter(source_expression="${x + 1}", target="y"),)


def test_call_activity_version_binding_needs_a_version() -> None:
    messages = problem_messages(
        '<startEvent id="s"/><sequenceFlow id="f" sourceRef="s" targetRef="c"/>'
        '<callActivity id="c" calledElement="child" camunda:calledElementBinding="version"/>'
    )

    assert messages == [
        "Missing attribute 'calledElementVersion' when 'calledElementBinding' has value 'version'"
    ]
