"""Start and end events: none start, none/terminate end, refused event definitions."""

from __future__ import annotations

from cadenza.bpmn import EndEvent, StartEvent, TerminateEventDefinition

from .xml_fixtures import parse_process, problem_messages, problems, wrap

FLOW = """
<startEvent id="start" name="Start" camunda:formKey="embedded:app:start.html"
            camunda:initiator="starter" camunda:asyncBefore="true">
  <documentation>Begins here</documentation>
</startEvent>
<sequenceFlow id="f1" sourceRef="start" targetRef="end" />
<endEvent id="end" name="Done" />
"""


def test_none_start_and_end_event() -> None:
    process = parse_process(FLOW)
    start = process.node("start")
    end = process.node("end")
    assert isinstance(start, StartEvent)
    assert start.name == "Start"
    assert start.form_key == "embedded:app:start.html"
    assert start.initiator == "starter"
    assert start.async_before is True
    assert start.documentation == "Begins here"
    assert start.outgoing == ("f1",)
    assert start.incoming == ()
    assert start.scope_id == "p"
    assert isinstance(end, EndEvent)
    assert end.incoming == ("f1",)
    assert end.terminate is False
    assert end.event_definition is None
    assert process.start_event_id == "start"
    assert process.node_ids == ("start", "end")
    assert process.scope_start_event("p") is start


def test_terminate_end_event() -> None:
    process = parse_process(
        """<startEvent id="s" /><sequenceFlow id="f" sourceRef="s" targetRef="e" />
        <endEvent id="e"><terminateEventDefinition id="td" /></endEvent>"""
    )
    end = process.node("e")
    assert isinstance(end, EndEvent)
    assert end.terminate is True
    assert isinstance(end.event_definition, TerminateEventDefinition)


def test_message_start_event_needs_a_named_message() -> None:
    found = problems(
        wrap(
            """<startEvent id="s"><messageEventDefinition id="md" messageRef="m" /></startEvent>
            <sequenceFlow id="f" sourceRef="s" targetRef="e" /><endEvent id="e" />"""
        )
    )
    # One problem only: no follow-up "no none start event" or "invalid source" noise.
    assert [p.message for p in found] == [
        "Cannot have a message event definition without a message name ('s')"
    ]
    assert found[0].element_ids == ("s",)
    assert found[0].line > 0
    assert found[0].resource == "test.bpmn"


def test_error_end_event_without_error_ref_is_refused() -> None:
    messages = problem_messages(
        """<startEvent id="s" /><sequenceFlow id="f" sourceRef="s" targetRef="e" />
        <endEvent id="e"><errorEventDefinition /></endEvent>"""
    )
    assert messages == ["'errorRef' attribute is mandatory on error end event"]


def test_timer_and_signal_start_events_each_reported() -> None:
    messages = problem_messages(
        """<startEvent id="s1"><timerEventDefinition /></startEvent>
        <startEvent id="s2"><signalEventDefinition /></startEvent>"""
    )
    assert "Timer needs exactly one of timeDate, timeDuration or timeCycle with a value" in messages
    assert "signalEventDefinition of 's2' must reference a signal with a name" in messages


def test_intermediate_throw_signal_event_needs_a_signal() -> None:
    found = problems(
        wrap(
            """<startEvent id="s" /><sequenceFlow id="f1" sourceRef="s" targetRef="t" />
            <intermediateThrowEvent id="t"><signalEventDefinition /></intermediateThrowEvent>
            <sequenceFlow id="f2" sourceRef="t" targetRef="e" /><endEvent id="e" />"""
        )
    )
    assert [p.message for p in found] == ["signalEventDefinition of 't' must reference a signal with a name"]
    assert found[0].element_ids == ("t",)


def test_input_output_on_start_event_is_refused() -> None:
    messages = problem_messages(
        """<startEvent id="s"><extensionElements><camunda:inputOutput>
        <camunda:inputParameter name="a">1</camunda:inputParameter>
        </camunda:inputOutput></extensionElements></startEvent>"""
    )
    assert messages == ["camunda:inputOutput mapping unsupported for element type 'startEvent'"]


def test_output_parameter_on_end_event_is_refused() -> None:
    messages = problem_messages(
        """<startEvent id="s" /><sequenceFlow id="f" sourceRef="s" targetRef="e" />
        <endEvent id="e"><extensionElements><camunda:inputOutput>
        <camunda:outputParameter name="a">1</camunda:outputParameter>
        </camunda:inputOutput></extensionElements></endEvent>"""
    )
    assert messages == ["camunda:outputParameter not allowed for element type 'endEvent'"]
