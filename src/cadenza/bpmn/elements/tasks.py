"""Handlers for tasks without people: task, manualTask, receiveTask and the external tasks.

Part of the ``bpmn`` layer. serviceTask, sendTask and businessRuleTask run only as external
tasks (``camunda:type="external"``): Cadenza runs no Java delegates, connectors or DMN in
process, and says so naming the implementation it found. User tasks are in ``user_tasks.py``.
"""

from __future__ import annotations

from collections.abc import Callable

from lxml import etree

from cadenza.bpmn import camunda as ext
from cadenza.bpmn.builder import IO_AND_PROPERTIES, Handler, NodeSpec, ProcessBuilder
from cadenza.bpmn.elements.event_definitions import local_ref
from cadenza.bpmn.model import (
    ExternalTaskImplementation,
    FlowNode,
    ManualTask,
    MessageEventDefinition,
    ReceiveTask,
    ServiceTask,
    Task,
)
from cadenza.bpmn.namespaces import bpmn, local_name
from cadenza.bpmn.problems import shorten

__all__ = ["HANDLERS", "external_task"]

_EXTERNAL_ONLY = 'is not supported: Cadenza runs external tasks only (camunda:type="external")'


def _pass_through_task(
    cls: type[FlowNode],
) -> Callable[[ProcessBuilder, etree._Element, str], NodeSpec | None]:
    def handle(builder: ProcessBuilder, element: etree._Element, node_id: str) -> NodeSpec | None:
        builder.check_children(element, node_id)
        return NodeSpec(cls, builder.node_fields(element, node_id, default=True))

    return handle


def external_task(builder: ProcessBuilder, element: etree._Element, node_id: str) -> NodeSpec | None:
    """serviceTask / sendTask / businessRuleTask: only ``camunda:type="external"`` runs."""
    local = local_name(element.tag)
    builder.check_children(element, node_id, frozenset({"messageEventDefinition"}))
    extensions = builder.extensions(
        element,
        node_id,
        allow=IO_AND_PROPERTIES | {"errorEventDefinition", "connector"},
        ignore=frozenset({"field"}),
    )
    implementation: str | None = None
    # Camunda checks class, expression and delegateExpression before type: they win.
    for name in ("class", "delegateExpression", "expression", "decisionRef"):
        if ext.attr(element, name) is not None:
            implementation = f"camunda:{name}"
            break
    task_type = ext.attr(element, "type")
    if implementation is None and extensions.connector:
        implementation = "camunda:connector"
    if implementation is None and (task_type or "").lower() != "external":
        implementation = f'camunda:type="{shorten(task_type)}"' if task_type else "no camunda:type"
    if implementation is not None:
        builder.report(
            f"{local} '{shorten(node_id)}' ({implementation}) {_EXTERNAL_ONLY}",
            element,
            (node_id,),
        )
        return None
    topic = ext.attr(element, "topic")
    if topic is None or not topic.strip():
        builder.report(
            "External tasks must specify a 'topic' attribute in the camunda namespace",
            element,
            (node_id,),
        )
        return None
    error_definitions = tuple(
        ext.parse_error_event_definition(definition, builder.errors)
        for definition in extensions.error_event_definitions
    )
    fields = builder.common_fields(element, extensions, default=True)
    fields["external"] = ExternalTaskImplementation(
        topic=topic,
        priority=ext.attr(element, "taskPriority"),
        error_event_definitions=error_definitions,
    )
    fields["element_type"] = local
    return NodeSpec(ServiceTask, fields)


def _receive_task(builder: ProcessBuilder, element: etree._Element, node_id: str) -> NodeSpec | None:
    builder.check_children(element, node_id)
    extensions = builder.extensions(element, node_id)
    message: MessageEventDefinition | None = None
    ref = local_ref(element.get("messageRef"))
    if ref is not None:
        name = builder.messages.get(ref)
        if not name:
            builder.report(
                f"Receive task '{shorten(node_id)}' references an unknown message '{shorten(ref)}'",
                element,
                (node_id,),
            )
            return None
        message = MessageEventDefinition(ref, name)
    fields = builder.common_fields(element, extensions, default=True)
    fields["message"] = message
    return NodeSpec(ReceiveTask, fields)


HANDLERS: dict[str, Handler] = {
    bpmn("task"): _pass_through_task(Task),
    bpmn("manualTask"): _pass_through_task(ManualTask),
    bpmn("receiveTask"): _receive_task,
    bpmn("serviceTask"): external_task,
    bpmn("sendTask"): external_task,
    bpmn("businessRuleTask"): external_task,
}
