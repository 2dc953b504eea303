"""Deploy-time checks the parser cannot make: every node has a behavior here (unsupported
elements were refused by the parser with a problem naming them), and every expression compiles.
A deployment that passes can always be started (Camunda Notice 34)."""

from __future__ import annotations

from collections.abc import Iterator

from cadenza.bpmn.model import (
    Activity,
    CallActivity,
    EndEvent,
    ErrorEventDefinition,
    FlowNode,
    ListParameterValue,
    MessageEventDefinition,
    ParameterValue,
    Process,
    ServiceTask,
    SignalEventDefinition,
    TextParameterValue,
    TimerEventDefinition,
    UserTask,
)
from cadenza.engine.behaviors import supported_node_types
from cadenza.engine.retries import parse_retry_cycle
from cadenza.engine.variables import compiled
from cadenza.errors import ExpressionError, Problem

__all__ = ["check_process"]


def _texts(value: ParameterValue) -> Iterator[str]:
    if isinstance(value, TextParameterValue):
        if value.text is not None:
            yield value.text
    elif isinstance(value, ListParameterValue):
        for item in value.items:
            yield from _texts(item)
    else:
        for _, item in value.entries:
            yield from _texts(item)


def _node_expressions(node: FlowNode) -> Iterator[str]:
    if node.name:
        yield node.name
    if node.io is not None:
        for parameter in (*node.io.inputs, *node.io.outputs):
            yield from _texts(parameter.value)
    if isinstance(node, ServiceTask):
        yield node.external.topic
        if node.external.priority:
            yield node.external.priority
        for definition in node.external.error_event_definitions:
            if definition.expression:
                yield definition.expression
    if isinstance(node, CallActivity):
        for text in (node.called_element, node.version, node.tenant_id, node.business_key):
            if text:
                yield text
        for mapping in (*node.inputs, *node.outputs):
            if mapping.source_expression:
                yield mapping.source_expression
    thrown = node.event_definition if isinstance(node, EndEvent) else None
    if isinstance(thrown, ErrorEventDefinition) and thrown.error_message:
        yield thrown.error_message
    trigger: object = getattr(node, "event_definition", None)
    if isinstance(trigger, TimerEventDefinition):
        yield trigger.expression
    if isinstance(trigger, MessageEventDefinition) and trigger.message_name:
        yield trigger.message_name
    if isinstance(trigger, SignalEventDefinition) and trigger.signal_name:
        yield trigger.signal_name
    loop = node.multi_instance if isinstance(node, Activity) else None
    if loop is not None:
        for text in (loop.loop_cardinality, loop.completion_condition):
            if text:
                yield text
    if isinstance(node, UserTask):
        for text in (
            node.assignee,
            node.candidate_users,
            node.candidate_groups,
            node.due_date,
            node.follow_up_date,
            node.priority,
            node.form_key,
        ):
            if text:
                yield text


def check_process(process: Process) -> list[Problem]:
    """Problems that make ``process`` impossible to run on this engine (empty = fine)."""
    problems: list[Problem] = []
    supported = supported_node_types()
    for node in process.nodes.values():
        if type(node) not in supported:
            problems.append(
                Problem(f"Element '{type(node).__name__}' is not supported by Cadenza yet", (node.id,))
            )
            continue
        if node.retry_time_cycle and "${" not in node.retry_time_cycle:
            try:
                parse_retry_cycle(node.retry_time_cycle)
            except ValueError as error:
                problems.append(Problem(f"Invalid failedJobRetryTimeCycle: {error}", (node.id,)))
        for text in _node_expressions(node):
            try:
                compiled(text)
            except ExpressionError as error:
                problems.append(Problem(f"Invalid expression: {error.message}", (node.id,)))
    if process.task_priority:
        try:
            compiled(process.task_priority)
        except ExpressionError as error:
            problems.append(Problem(f"Invalid expression: {error.message}", (process.id,)))
    for flow in process.flows.values():
        if flow.condition is not None:
            try:
                compiled(flow.condition)
            except ExpressionError as error:
                problems.append(Problem(f"Invalid expression: {error.message}", (flow.id,)))
    return problems
