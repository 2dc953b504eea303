"""Handlers for events: start, end, boundary, intermediate catch and throw events.

Part of the ``bpmn`` layer. Each handler checks which event definitions its kind of event
accepts (Camunda's rules) and builds the node; a message end or throw event with
``camunda:type="external"`` is an external task and is handed to ``tasks.external_task``.
"""

from __future__ import annotations

from typing import Any

from lxml import etree

from cadenza.bpmn.builder import Handler, NodeSpec, ProcessBuilder, is_event_sub_process
from cadenza.bpmn.camunda import attr
from cadenza.bpmn.elements.event_definitions import (
    CATCH_LOCALS,
    catch_definition,
    check_event_children,
    event_definitions,
    trigger_definition,
)
from cadenza.bpmn.elements.tasks import external_task
from cadenza.bpmn.model import (
    BoundaryEvent,
    EndEvent,
    ErrorEventDefinition,
    EscalationEventDefinition,
    EventDefinition,
    IntermediateCatchEvent,
    IntermediateThrowEvent,
    SignalEventDefinition,
    StartEvent,
    TerminateEventDefinition,
)
from cadenza.bpmn.namespaces import bpmn, local_name
from cadenza.bpmn.problems import shorten

__all__ = ["HANDLERS"]


def _start_event(builder: ProcessBuilder, element: etree._Element, node_id: str) -> NodeSpec | None:
    definitions = event_definitions(element)
    parent = element.getparent()
    in_event_sub_process = is_event_sub_process(parent)
    event_definition: EventDefinition | None = None
    if definitions:
        if not in_event_sub_process:
            # Only none start events start an embedded sub-process; a process's start event
            # may wait for one timer, message or signal.
            in_process = parent is not None and parent.tag == bpmn("process")
            if not in_process or len(definitions) != 1 or local_name(definitions[0].tag) not in CATCH_LOCALS:
                for definition in definitions:
                    builder.refuse_child(definition, node_id)
                return None
            event_definition = catch_definition(builder, definitions[0], node_id)
            if event_definition is None:
                return None
        else:
            ok, event_definition = trigger_definition(
                builder, element, node_id, what="start event", catch=CATCH_LOCALS
            )
            if not ok:
                return None
    elif in_event_sub_process:
        builder.report(
            f"Event sub-process start event '{shorten(node_id)}' needs an event definition "
            "(a none start event cannot trigger it)",
            element,
            (node_id,),
        )
        return None
    fields = _event_fields(builder, element, node_id, event_definition, io_allowed=False)
    fields["form_key"] = attr(element, "formKey")
    fields["initiator"] = attr(element, "initiator")
    interrupting = (element.get("isInterrupting") or "true").strip().lower() != "false"
    if isinstance(event_definition, ErrorEventDefinition) and not interrupting:
        builder.report("Error start event of an event sub-process must be interrupting", element, (node_id,))
        return None
    fields["is_interrupting"] = interrupting
    return NodeSpec(StartEvent, fields)


def _end_event(builder: ProcessBuilder, element: etree._Element, node_id: str) -> NodeSpec | None:
    definitions = event_definitions(element)
    event_definition: EventDefinition | None = None
    if len(definitions) == 1 and definitions[0].tag == bpmn("terminateEventDefinition"):
        event_definition = TerminateEventDefinition()
    elif _is_external_message_throw(element, definitions):
        return external_task(builder, element, node_id)
    elif len(definitions) == 1 and definitions[0].tag == bpmn("messageEventDefinition"):
        pass  # Camunda: a message end event without an implementation ends like a none end event
    elif definitions:
        ok, trigger = trigger_definition(
            builder, element, node_id, what="end event", catch=("signalEventDefinition",)
        )
        if not ok:
            return None
        event_definition = trigger
        if isinstance(trigger, ErrorEventDefinition) and not _throwable_error(
            builder, element, node_id, trigger
        ):
            return None
        if not _throwable_escalation(builder, element, node_id, trigger):
            return None
    fields = _event_fields(builder, element, node_id, event_definition)
    io = fields["io"]
    if io is not None and io.outputs:
        builder.report("camunda:outputParameter not allowed for element type 'endEvent'", element, (node_id,))
    return NodeSpec(EndEvent, fields)


def _throwable_error(
    builder: ProcessBuilder, element: etree._Element, node_id: str, definition: ErrorEventDefinition
) -> bool:
    # Camunda BpmnParse: a throwing error event needs an errorRef naming an error with a code.
    if definition.error_ref is None:
        builder.report("'errorRef' attribute is mandatory on error end event", element, (node_id,))
        return False
    if not definition.error_code:
        builder.report(
            "'errorCode' is mandatory on errors referenced by throwing error event definitions, "
            f"but the error '{shorten(definition.error_ref)}' does not define one.",
            element,
            (node_id,),
        )
        return False
    return True


def _throwable_escalation(
    builder: ProcessBuilder, element: etree._Element, node_id: str, definition: EventDefinition | None
) -> bool:
    # Camunda BpmnParse: a throwing escalation event needs an escalation with a code.
    if isinstance(definition, EscalationEventDefinition) and definition.escalation_code is None:
        builder.report("escalationCode is mandatory on a throwing escalation event", element, (node_id,))
        return False
    return True


def _boundary_event(builder: ProcessBuilder, element: etree._Element, node_id: str) -> NodeSpec | None:
    attached_to = element.get("attachedToRef")
    if not attached_to:
        builder.report(
            f"Boundary event '{shorten(node_id)}' has no 'attachedToRef' attribute", element, (node_id,)
        )
        return None
    ok, trigger = trigger_definition(builder, element, node_id, what="boundary event", catch=CATCH_LOCALS)
    if not ok:
        return None
    if isinstance(trigger, TerminateEventDefinition):
        builder.refuse_child(event_definitions(element)[0], node_id)
        return None
    if trigger is None:
        builder.report(f"Boundary event '{shorten(node_id)}' has no event definition", element, (node_id,))
        return None
    cancel = (element.get("cancelActivity") or "true").strip().lower() != "false"
    if isinstance(trigger, ErrorEventDefinition) and not cancel:
        builder.report(
            'An error boundary event is always interrupting (cancelActivity="false" is not allowed)',
            element,
            (node_id,),
        )
        return None
    fields = _event_fields(builder, element, node_id, trigger, io_allowed=False)
    fields.update(attached_to=attached_to, cancel_activity=cancel)
    return NodeSpec(BoundaryEvent, fields)


def _intermediate_throw_event(
    builder: ProcessBuilder, element: etree._Element, node_id: str
) -> NodeSpec | None:
    definitions = event_definitions(element)
    if _is_external_message_throw(element, definitions):
        return external_task(builder, element, node_id)
    if len(definitions) == 1 and definitions[0].tag == bpmn("messageEventDefinition"):
        # without an implementation it passes the token on like a none throw event
        return NodeSpec(IntermediateThrowEvent, _event_fields(builder, element, node_id, None))
    ok, trigger = trigger_definition(
        builder, element, node_id, what="intermediate throw event", catch=("signalEventDefinition",)
    )
    if not ok:
        return None
    if not isinstance(trigger, EscalationEventDefinition | SignalEventDefinition | None):
        builder.refuse_child(event_definitions(element)[0], node_id)
        return None
    if not _throwable_escalation(builder, element, node_id, trigger):
        return None
    return NodeSpec(IntermediateThrowEvent, _event_fields(builder, element, node_id, trigger))


def _is_external_message_throw(element: etree._Element, definitions: list[etree._Element]) -> bool:
    """A message end/throw event with ``camunda:type="external"``: it runs as an external task."""
    return (
        len(definitions) == 1
        and definitions[0].tag == bpmn("messageEventDefinition")
        and (attr(element, "type") or "").lower() == "external"
    )


def _intermediate_catch_event(
    builder: ProcessBuilder, element: etree._Element, node_id: str
) -> NodeSpec | None:
    definitions = event_definitions(element)
    if len(definitions) != 1:
        builder.report(
            f"Intermediate catch event '{shorten(node_id)}' needs exactly one event definition",
            element,
            (node_id,),
        )
        return None
    if local_name(definitions[0].tag) not in CATCH_LOCALS:
        builder.refuse_child(definitions[0], node_id)
        return None
    definition = catch_definition(builder, definitions[0], node_id)
    if definition is None:
        return None
    return NodeSpec(IntermediateCatchEvent, _event_fields(builder, element, node_id, definition))


def _event_fields(
    builder: ProcessBuilder,
    element: etree._Element,
    node_id: str,
    definition: EventDefinition | None,
    *,
    io_allowed: bool = True,
) -> dict[str, Any]:
    """What every event node has once its definition is known: the common fields, checked
    children and the ``event_definition``."""
    check_event_children(builder, element, node_id)
    fields = builder.node_fields(element, node_id, io_allowed=io_allowed)
    fields["event_definition"] = definition
    return fields


HANDLERS: dict[str, Handler] = {
    bpmn("startEvent"): _start_event,
    bpmn("endEvent"): _end_event,
    bpmn("intermediateCatchEvent"): _intermediate_catch_event,
    bpmn("boundaryEvent"): _boundary_event,
    bpmn("intermediateThrowEvent"): _intermediate_throw_event,
}
