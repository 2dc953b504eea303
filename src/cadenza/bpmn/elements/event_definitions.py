"""Event definitions: what an event waits for or throws (timer, message, signal, error, ...).

Part of the ``bpmn`` layer. Events of every kind share these readers; the event handlers in
``events.py`` decide which definitions each kind of event accepts. References to top-level
errors, escalations, messages and signals are resolved here, as Camunda resolves them.
"""

from __future__ import annotations

from lxml import etree

from cadenza.bpmn import camunda as ext
from cadenza.bpmn.builder import NODE_IGNORED, ProcessBuilder
from cadenza.bpmn.model import (
    ErrorEventDefinition,
    EscalationEventDefinition,
    EventDefinition,
    MessageEventDefinition,
    SignalEventDefinition,
    TimerEventDefinition,
)
from cadenza.bpmn.namespaces import bpmn, local_name
from cadenza.bpmn.problems import shorten
from cadenza.bpmn.tree import bpmn_children, element_text

__all__ = [
    "CATCH_LOCALS",
    "catch_definition",
    "check_event_children",
    "error_event_definition",
    "escalation_event_definition",
    "event_definitions",
    "is_event_definition",
    "local_ref",
    "trigger_definition",
]


def is_event_definition(local: str) -> bool:
    """True for a BPMN event definition child (``timerEventDefinition``, ...)."""
    return local.endswith("EventDefinition") or local == "eventDefinitionRef"


def event_definitions(element: etree._Element) -> list[etree._Element]:
    """The BPMN event definition children of an event, in document order."""
    return [child for child, local in bpmn_children(element) if is_event_definition(local)]


def error_event_definition(builder: ProcessBuilder, definition: etree._Element) -> ErrorEventDefinition:
    """An ``errorEventDefinition`` with its code resolved as Camunda does (§3.1 item 3)."""
    ref = definition.get("errorRef") or None
    code: str | None = None
    message: str | None = None
    if ref is not None:
        error = builder.errors.get(ref)
        code = error.error_code if error is not None else ref
        message = error.error_message if error is not None else None
    return ErrorEventDefinition(
        error_ref=ref,
        error_code=code,
        error_message=message,
        error_code_variable=ext.attr(definition, "errorCodeVariable"),
        error_message_variable=ext.attr(definition, "errorMessageVariable"),
    )


def escalation_event_definition(
    builder: ProcessBuilder, definition: etree._Element
) -> EscalationEventDefinition:
    ref = definition.get("escalationRef") or None
    code: str | None = None
    if ref is not None:
        escalation = builder.escalations.get(ref)
        code = escalation.escalation_code if escalation is not None else ref
    return EscalationEventDefinition(
        escalation_ref=ref,
        escalation_code=code,
        escalation_code_variable=ext.attr(definition, "escalationCodeVariable"),
    )


_TIMER_KINDS = ("timeDate", "timeDuration", "timeCycle")


def local_ref(ref: str | None) -> str | None:
    """A reference attribute without its namespace prefix (``tns:newInvoice``), None if empty."""
    if not ref or not ref.strip():
        return None
    return ref.strip().rsplit(":", 1)[-1]


# The reference attribute of a message or signal event definition, and Camunda's problem text.
_NAMED_REFERENCES = {
    "messageEventDefinition": (
        "messageRef",
        "Cannot have a message event definition without a message name ('{id}')",
    ),
    "signalEventDefinition": (
        "signalRef",
        "signalEventDefinition of '{id}' must reference a signal with a name",
    ),
}


def catch_definition(
    builder: ProcessBuilder, definition: etree._Element, node_id: str
) -> TimerEventDefinition | MessageEventDefinition | SignalEventDefinition | None:
    """A timer, message or signal event definition; None after reporting a problem."""
    local = local_name(definition.tag)
    if local == "timerEventDefinition":
        found = [
            (kind, element_text(child).strip())
            for child, kind in bpmn_children(definition)
            if kind in _TIMER_KINDS
        ]
        if len(found) != 1 or not found[0][1]:
            builder.report(
                "Timer needs exactly one of timeDate, timeDuration or timeCycle with a value",
                definition,
                (node_id,),
            )
            return None
        return TimerEventDefinition(found[0][0], found[0][1])
    if local in _NAMED_REFERENCES:
        # Messages and signals are caught by name: the reference must name a declared one.
        attribute, problem = _NAMED_REFERENCES[local]
        ref = local_ref(definition.get(attribute))
        names = builder.messages if local == "messageEventDefinition" else builder.signals
        name = names.get(ref) if ref else None
        if not name:
            builder.report(problem.format(id=shorten(node_id)), definition, (node_id,))
            return None
        if local == "messageEventDefinition":
            return MessageEventDefinition(ref, name)
        return SignalEventDefinition(ref, name, ext.bool_attr(definition, "async", False))
    builder.refuse_child(definition, node_id)
    return None


CATCH_LOCALS = ("timerEventDefinition", "messageEventDefinition", "signalEventDefinition")
"""The event definitions an event can wait for (``catch_definition`` reads them)."""


def trigger_definition(
    builder: ProcessBuilder,
    element: etree._Element,
    node_id: str,
    *,
    what: str,
    catch: tuple[str, ...] = (),
) -> tuple[bool, EventDefinition | None]:
    """The single event definition of an event (error/escalation, plus the ``catch`` kinds);
    (False, None) after a problem."""
    definitions = event_definitions(element)
    if not definitions:
        return True, None
    if len(definitions) > 1:
        builder.report(f"Multiple event definitions on {what} '{shorten(node_id)}'", element, (node_id,))
        return False, None
    definition = definitions[0]
    if definition.tag == bpmn("errorEventDefinition"):
        return True, error_event_definition(builder, definition)
    if definition.tag == bpmn("escalationEventDefinition"):
        return True, escalation_event_definition(builder, definition)
    if local_name(definition.tag) in catch:
        found = catch_definition(builder, definition, node_id)
        return found is not None, found
    if local_name(definition.tag) == "compensateEventDefinition":
        builder.report(
            f"Compensation ('{shorten(node_id)}') is not supported by Cadenza",
            definition,
            (node_id,),
        )
        return False, None
    builder.refuse_child(definition, node_id)
    return False, None


def check_event_children(builder: ProcessBuilder, element: etree._Element, node_id: str) -> None:
    """Report BPMN children of an event that are neither event definitions nor ignorable."""
    for child, local in bpmn_children(element):
        if not is_event_definition(local) and local not in NODE_IGNORED:
            builder.refuse_child(child, node_id)
