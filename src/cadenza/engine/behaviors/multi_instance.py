"""Multi-instance activities (Camunda ``MultiInstanceActivityBehavior``).

The execution entering the activity waits, inactive, on it; below it a *body* scope execution
(activity id = the activity) holds ``nrOfInstances``, ``nrOfActiveInstances`` and
``nrOfCompletedInstances`` and the boundary events of the activity; below the body each
instance runs on its own child execution with local ``loopCounter`` and element variable.
Parallel: all instances start at once; sequential: the next starts when one completes. After
each completion the ``completionCondition`` is evaluated; when it holds (or all are done) the
remaining instances are cancelled and the entering execution leaves the activity.
"""

from __future__ import annotations

from cadenza.bpmn.model import Activity, FlowNode, MultiInstance
from cadenza.engine.activity_instances import runs_instance
from cadenza.engine.behavior import Behavior
from cadenza.engine.context import CommandContext
from cadenza.engine.executions import add_child_execution, remove_execution
from cadenza.engine.lifecycle import cancel_scope_children, execute_node_inner, take_outgoing_flows
from cadenza.engine.state import Execution, InstanceGraph, ProcessInstanceState
from cadenza.engine.triggers import register_boundary_events
from cadenza.engine.variables import (
    ExecutionScope,
    compiled,
    evaluate,
    get_variable,
    set_variable_local,
)
from cadenza.errors import ProcessEngineError
from cadenza.expr.values import expression_value, typed_value_from_python

__all__ = ["MultiInstanceBody", "instance_completed", "is_instance", "start_multi_instance"]


def _items(ctx: CommandContext, graph: InstanceGraph, execution: Execution, node: Activity) -> list[object]:
    loop = node.multi_instance
    assert loop is not None
    if loop.collection is not None:
        source = loop.collection.strip()
        if source.startswith(("${", "#{")):
            value = evaluate(ctx, graph, execution, source)
        else:
            found = get_variable(graph, execution, source)
            if found is None:
                raise ProcessEngineError(f"Variable '{source}' is not found")
            value = expression_value(found.value)
        if isinstance(value, dict):
            return list(value.values())
        if not isinstance(value, list | tuple):
            raise ProcessEngineError(
                f"Variable '{source}':{value!r} is not a Collection"
                if not source.startswith(("${", "#{"))
                else f"Collection expression of '{node.id}' did not yield a Collection"
            )
        return list(value)
    assert loop.loop_cardinality is not None
    raw = evaluate(ctx, graph, execution, loop.loop_cardinality)
    try:
        count = int(str(raw).strip())
    except ValueError as error:
        raise ProcessEngineError(f"Could not resolve loopCardinality expression '{raw}'") from error
    if count < 0:
        raise ProcessEngineError(
            f"Invalid number of instances: must be non-negative integer value, was {count}"
        )
    return list(range(count))


def _set_int(ctx: CommandContext, graph: InstanceGraph, execution: Execution, name: str, value: int) -> None:
    set_variable_local(ctx, graph, execution, name, typed_value_from_python(value))


def _get_int(graph: InstanceGraph, execution: Execution, name: str) -> int:
    found = graph.execution_variables.get(execution.id, {}).get(name)
    value = expression_value(found.value) if found is not None else 0
    return value if isinstance(value, int) else 0


def start_multi_instance(ctx: CommandContext, execution: Execution, node: Activity) -> None:
    loop = node.multi_instance
    assert loop is not None
    graph = ctx.graph_of(execution)
    items = _items(ctx, graph, execution, node)
    execution.is_active = False
    body = add_child_execution(ctx, execution, scope=True)
    body.activity_id = node.id
    body.is_active = False
    _set_int(ctx, graph, body, "nrOfInstances", len(items))
    _set_int(ctx, graph, body, "nrOfCompletedInstances", 0)
    _set_int(ctx, graph, body, "nrOfActiveInstances", 1 if loop.sequential and items else len(items))
    if node.boundary_event_ids:
        register_boundary_events(ctx, body, node)
    if not items:
        _leave(ctx, graph, body, execution, node)
        return
    if loop.sequential:
        _start_instance(ctx, graph, body, node, loop, 0, items[0])
        return
    for index, item in enumerate(items):
        _start_instance(ctx, graph, body, node, loop, index, item)


def _start_instance(
    ctx: CommandContext,
    graph: InstanceGraph,
    body: Execution,
    node: Activity,
    loop: MultiInstance,
    index: int,
    item: object,
) -> None:
    instance = add_child_execution(ctx, body, scope=False)
    instance.activity_id = node.id
    instance.activity_instance_id = f"{node.id}:{ctx.new_id()}"
    _set_int(ctx, graph, instance, "loopCounter", index)
    if loop.element_variable:
        set_variable_local(ctx, graph, instance, loop.element_variable, typed_value_from_python(item))
    ctx.plan(execute_node_inner, instance, node)


def is_instance(ctx: CommandContext, execution: Execution, node: Activity) -> bool:
    """Whether ``execution`` runs one instance of the multi-instance ``node``."""
    return runs_instance(ctx.graph_of(execution), execution, node)


def instance_completed(ctx: CommandContext, instance: Execution, node: Activity) -> None:
    loop = node.multi_instance
    assert loop is not None
    graph = ctx.graph_of(instance)
    body = graph.parent(instance)
    assert body is not None
    entered = graph.parent(body)
    assert entered is not None
    completed = _get_int(graph, body, "nrOfCompletedInstances") + 1
    total = _get_int(graph, body, "nrOfInstances")
    _set_int(ctx, graph, body, "nrOfCompletedInstances", completed)
    _set_int(ctx, graph, body, "nrOfActiveInstances", _get_int(graph, body, "nrOfActiveInstances") - 1)
    done = False
    if loop.completion_condition:
        done = compiled(loop.completion_condition).evaluate_bool(ExecutionScope(ctx, graph, instance))
    ctx.uow.touch(body)  # concurrent completions conflict here, one of them wins the last count
    cancel_scope_children(ctx, instance)
    remove_execution(ctx, graph, instance)
    if loop.sequential and not done and completed < total:
        _set_int(ctx, graph, body, "nrOfActiveInstances", 1)
        items = _items(ctx, graph, entered, node)
        _start_instance(
            ctx, graph, body, node, loop, completed, items[completed] if completed < len(items) else None
        )
        return
    if done or not graph.children(body):
        _leave(ctx, graph, body, entered, node)


def _leave(
    ctx: CommandContext, graph: InstanceGraph, body: Execution, entered: Execution, node: Activity
) -> None:
    cancel_scope_children(ctx, body)
    remove_execution(ctx, graph, body)
    entered.is_active = True
    take_outgoing_flows(ctx, entered, node)


class MultiInstanceBody(Behavior):
    """The behavior of a multi-instance activity as a whole (Camunda's multi-instance body): it
    starts the instances, counts them as they complete, and hands the other hooks to the
    behavior of one instance (``inner``)."""

    __slots__ = ("inner",)

    def __init__(self, inner: Behavior) -> None:
        self.inner = inner

    def execute(self, ctx: CommandContext, execution: Execution, node: FlowNode) -> None:
        assert isinstance(node, Activity)
        start_multi_instance(ctx, execution, node)

    def on_complete(self, ctx: CommandContext, execution: Execution, node: FlowNode) -> bool:
        assert isinstance(node, Activity)
        if not is_instance(ctx, execution, node):
            return False  # the body itself is done: the entering execution leaves the activity
        instance_completed(ctx, execution, node)
        return True

    def on_terminate(
        self, ctx: CommandContext, execution: Execution, node: FlowNode, state: ProcessInstanceState
    ) -> None:
        self.inner.on_terminate(ctx, execution, node, state)

    def on_called_instance_ended(
        self, ctx: CommandContext, caller: Execution, node: FlowNode, root: Execution
    ) -> None:
        self.inner.on_called_instance_ended(ctx, caller, node, root)
