"""The life of a token: enter a node, run its behavior, leave it, take flows, end scopes.

These functions are the engine's atomic operations (Camunda's ``PvmAtomicOperation``s). They are
queued on the context's agenda, never called recursively for the next step, so a flow of any
length runs in constant stack depth.

Execution tree rules (as in Camunda):
- a token in a scope with no parallel paths is the scope execution itself;
- a fork turns the scope execution inactive and gives each path a *concurrent* child;
- a scope node (sub-process, activity with input/output mapping or with boundary events) gets a
  child *scope execution* while it runs; the execution that entered it waits, inactive, on the
  node. Boundary events are "registered" on that scope execution: cancelling it cancels the
  activity, and the waiting parent continues on the boundary event.
- ``camunda:asyncBefore`` stops a token at a node (activity ids set, nothing run) and creates an
  ``async-continuation`` job that later runs ``execute_node``; ``camunda:asyncAfter`` stops it
  when it is about to take the outgoing flows, and the job takes them. Timer jobs and message
  and signal subscriptions belong to executions (``engine.triggers``) and go with them.
- a call activity starts a separate process instance whose root has ``super_execution_id`` =
  the execution running the call activity; it completes the call activity when it ends, and is
  deleted with it when the call activity is cancelled.
"""

from __future__ import annotations

from cadenza.bpmn.model import (
    Activity,
    ExclusiveGateway,
    FlowNode,
    ListParameterValue,
    ParallelGateway,
    ParameterValue,
    Process,
    SequenceFlow,
    StartEvent,
    TextParameterValue,
)
from cadenza.engine.activity_instances import (
    activity_ended,
    activity_holder,
    activity_started,
    holds_running_activity,
)
from cadenza.engine.behavior import behavior_for
from cadenza.engine.called_instances import super_execution
from cadenza.engine.context import CommandContext
from cadenza.engine.definitions import DeployedProcess
from cadenza.engine.executions import (
    add_execution,
    is_live,
    is_scope_node,
    new_child,
    remove_execution,
    remove_wait_states,
)
from cadenza.engine.records import ProcessInstanceEnded, ProcessInstanceStarted
from cadenza.engine.state import Execution, InstanceGraph, Lineage, ProcessInstanceState
from cadenza.engine.triggers import new_job, register_boundary_events, register_event_sub_processes
from cadenza.engine.variables import (
    ExecutionScope,
    compiled,
    evaluate,
    set_variable,
    set_variable_local,
    set_variables,
)
from cadenza.errors import ProcessEngineError
from cadenza.expr.values import TypedValue, typed_value_from_python

__all__ = [
    "cancel_scope_children",
    "complete_activity",
    "complete_process_instance",
    "end_process_instance",
    "end_token",
    "enter_node",
    "execute_node",
    "execute_node_inner",
    "leave_node",
    "start_process_instance",
    "take_flow",
    "take_outgoing_flows",
    "terminate_scope",
    "trigger",
]


def _process(ctx: CommandContext, execution: Execution) -> Process:
    return ctx.deployed(execution).process


def _new_activity_instance_id(ctx: CommandContext, node: FlowNode) -> str:
    return f"{node.id}:{ctx.new_id()}"


# ── start ──────────────────────────────────────────────────────────────────────────────────────


def start_process_instance(
    ctx: CommandContext,
    deployed: DeployedProcess,
    *,
    business_key: str | None = None,
    variables: dict[str, TypedValue] | None = None,
    super_execution_id: str | None = None,
    instance_id: str | None = None,
    super_process_instance_id: str | None = None,
    root_process_instance_id: str | None = None,
    start_event: StartEvent | None = None,
) -> tuple[Execution, InstanceGraph]:
    """Create the process instance and plan its none start event. Runs when the agenda runs.

    ``super_execution_id`` and the two lineage ids are given for an instance started by a call
    activity; ``instance_id`` lets the call activity choose the id (see ``call_activity``).
    """
    definition, process = deployed.definition, deployed.process
    instance_id = instance_id or ctx.new_id()
    now = ctx.now()
    root = Execution(
        id=instance_id,
        process_instance_id=instance_id,
        process_definition_id=definition.id,
        business_key=business_key,
        tenant_id=definition.tenant_id,
        super_execution_id=super_execution_id,
        start_time=now,
    )
    graph = InstanceGraph(lineage=Lineage(super_process_instance_id, root_process_instance_id or instance_id))
    ctx.register_graph(instance_id, graph)
    add_execution(ctx, graph, root)
    start = start_event or process.scope_start_event(process.id)
    if start is None:
        raise ProcessEngineError(f"Process '{process.id}' has no none start event")
    ctx.emit(
        ProcessInstanceStarted(
            now,
            instance_id,
            definition.id,
            definition.key,
            business_key,
            start.id,
            ctx.user_id,
            super_process_instance_id,
            super_execution_id,
            root_process_instance_id or instance_id,
            definition.tenant_id,
        )
    )
    if variables:
        set_variables(ctx, graph, root, variables, local=True)
    if start.initiator:
        # Camunda sets the initiator variable even without an authenticated user (to null)
        set_variable_local(ctx, graph, root, start.initiator, typed_value_from_python(ctx.user_id))
    register_event_sub_processes(ctx, root, process.id)
    ctx.plan(enter_node, root, start)
    return root, graph


# ── entering and leaving nodes ─────────────────────────────────────────────────────────────────


def enter_node(ctx: CommandContext, execution: Execution, node: FlowNode) -> None:
    if not is_live(ctx, execution):
        return
    execution.activity_id = node.id
    execution.activity_instance_id = _new_activity_instance_id(ctx, node)
    execution.is_active = True
    if node.async_before:
        _async_job(ctx, execution, node, "async-before")
        return
    execute_node(ctx, execution, node)


def _async_job(ctx: CommandContext, execution: Execution, node: FlowNode, configuration: str) -> None:
    """End the transaction here for this token: a job continues it (Camunda's async continuation)."""
    new_job(
        ctx,
        ctx.deployed(execution),
        execution,
        node,
        handler_type="async-continuation",
        job_type="message",
        configuration=configuration,
    )


def execute_node_inner(ctx: CommandContext, execution: Execution, node: FlowNode) -> None:
    """Run one instance of a multi-instance activity (its boundary events are on the body)."""
    execute_node(ctx, execution, node, inner=True)


def execute_node(ctx: CommandContext, execution: Execution, node: FlowNode, *, inner: bool = False) -> None:
    """Run a node the token already entered: its scope execution (with input mappings and
    boundary events), then its behavior (or the multi-instance body around it)."""
    if not is_live(ctx, execution):
        return
    graph = ctx.graph_of(execution)
    if not inner and isinstance(node, Activity) and node.multi_instance is not None:
        activity_started(ctx, execution, node, body=True)
        behavior_for(node).execute(ctx, execution, node)  # the body starts the instances
        return
    activity_started(ctx, execution, node)
    if is_scope_node(node):
        scope = add_execution(ctx, graph, new_child(ctx, execution, scope=True))
        execution.is_active = False
        if node.io is not None:
            for parameter in node.io.inputs:
                value = _parameter_value(ctx, graph, execution, parameter.value)
                set_variable_local(ctx, graph, scope, parameter.name, value)
        execution = scope
        if isinstance(node, Activity) and node.boundary_event_ids and not inner:
            register_boundary_events(ctx, scope, node)
    behavior_for(node, inner=True).execute(ctx, execution, node)


def trigger(ctx: CommandContext, execution: Execution) -> None:
    """Signal a waiting execution to leave its current node (task completed, message...)."""
    if not is_live(ctx, execution):
        return
    process = _process(ctx, execution)
    assert execution.activity_id is not None
    node = process.node(execution.activity_id)
    leave_node(ctx, execution, node)


def leave_node(ctx: CommandContext, execution: Execution, node: FlowNode) -> None:
    """Leave ``node``: close its scope execution if it has one, then take outgoing flows."""
    if not is_live(ctx, execution):
        return
    if is_scope_node(node):
        _end_scope_execution(ctx, execution)
    else:
        take_outgoing_flows(ctx, execution, node)


def _end_scope_execution(ctx: CommandContext, scope: Execution) -> None:
    """The scope of a scope node finished: apply outputs, drop it, continue from its parent."""
    graph = ctx.graph_of(scope)
    parent = graph.parent(scope)
    assert parent is not None and parent.activity_id is not None
    node = _process(ctx, parent).node(parent.activity_id)
    if node.io is not None:
        for parameter in node.io.outputs:
            value = _parameter_value(ctx, graph, scope, parameter.value)
            set_variable(ctx, graph, parent, parameter.name, value)
    remove_execution(ctx, graph, scope)
    parent.is_active = True
    take_outgoing_flows(ctx, parent, node)


def _parameter_value(
    ctx: CommandContext, graph: InstanceGraph, execution: Execution, value: ParameterValue
) -> TypedValue:
    return typed_value_from_python(_parameter_python(ctx, graph, execution, value))


def _parameter_python(
    ctx: CommandContext, graph: InstanceGraph, execution: Execution, value: ParameterValue
) -> object:
    if isinstance(value, TextParameterValue):
        return None if value.text is None else evaluate(ctx, graph, execution, value.text)
    if isinstance(value, ListParameterValue):
        return [_parameter_python(ctx, graph, execution, item) for item in value.items]
    return {key: _parameter_python(ctx, graph, execution, item) for key, item in value.entries}


def take_outgoing_flows(
    ctx: CommandContext, execution: Execution, node: FlowNode, *, resumed: bool = False
) -> None:
    """The token on ``execution`` finished ``node``: choose the flows to take (conditions,
    default flow, gateway type) and take them (after an ``asyncAfter`` job, unless ``resumed``
    by that job)."""
    process = _process(ctx, execution)
    flows = process.outgoing(node)
    if not resumed:
        graph = ctx.graph_of(execution)
        activity_ended(ctx, execution, node, completed_scope=not flows and _ends_scope(graph, execution))
    if behavior_for(node).on_complete(ctx, execution, node):
        return
    if node.async_after and not resumed:
        execution.activity_id = node.id
        _async_job(ctx, execution, node, "async-after")
        return
    if not flows:
        end_token(ctx, execution)
        return
    if isinstance(node, ParallelGateway):
        selected = flows
    else:
        graph = ctx.graph_of(execution)
        selected = []
        for flow in flows:
            if flow.id == node.default_flow:
                continue
            if flow.condition is None or _condition_holds(ctx, graph, execution, flow):
                selected.append(flow)
                if isinstance(node, ExclusiveGateway):
                    break
        if not selected and node.default_flow is not None:
            selected = [process.flow(node.default_flow)]
        if not selected:
            raise ProcessEngineError(
                f"ENGINE-02004 No outgoing sequence flow for the element with id '{node.id}' "
                "could be selected for continuing the process."
            )
    if len(selected) == 1:
        ctx.plan(take_flow, execution, selected[0])
        return
    _fork(ctx, execution, selected)


def _condition_holds(
    ctx: CommandContext, graph: InstanceGraph, execution: Execution, flow: SequenceFlow
) -> bool:
    assert flow.condition is not None
    return compiled(flow.condition).evaluate_bool(ExecutionScope(ctx, graph, execution))


def _fork(ctx: CommandContext, execution: Execution, flows: list[SequenceFlow]) -> None:
    graph = ctx.graph_of(execution)
    # A path on its way is placed on its flow's target at once, so an inclusive join reached
    # by a sibling first sees that this path will still arrive (or will not).
    if execution.is_concurrent:
        parent = graph.parent(execution)
        assert parent is not None
        ctx.uow.touch(parent)
        ctx.plan(take_flow, execution, flows[0])
        for flow in flows[1:]:
            sibling = add_execution(ctx, graph, new_child(ctx, parent, scope=False))
            sibling.activity_id = flow.target_ref
            ctx.plan(take_flow, sibling, flow)
        return
    # the scope execution itself carries the token: it becomes the parent of the paths
    execution.is_active = False
    for flow in flows:
        child = add_execution(ctx, graph, new_child(ctx, execution, scope=False))
        child.activity_id = flow.target_ref
        ctx.plan(take_flow, child, flow)
    execution.activity_id = None
    execution.activity_instance_id = None


def take_flow(ctx: CommandContext, execution: Execution, flow: SequenceFlow) -> None:
    if not is_live(ctx, execution):
        return
    process = _process(ctx, execution)
    ctx.plan(enter_node, execution, process.node(flow.target_ref))


# ── ending ─────────────────────────────────────────────────────────────────────────────────────


def _ends_scope(graph: InstanceGraph, execution: Execution) -> bool:
    """Whether the end of ``execution``'s path ends its scope (no other path is left)."""
    if not execution.is_concurrent:
        return True
    scope = graph.parent(execution)
    return scope is None or len(graph.children(scope)) == 1


def complete_activity(ctx: CommandContext, execution: Execution) -> None:
    """The activity instance ``execution`` holds ends as completed, like a path ending there."""
    graph = ctx.graph_of(execution)
    execution = activity_holder(graph, execution)
    activity_ended(ctx, execution, completed_scope=_ends_scope(graph, execution))


def end_token(ctx: CommandContext, execution: Execution) -> None:
    """A path ends (none end event, or a node without outgoing flows)."""
    complete_activity(ctx, execution)
    graph = ctx.graph_of(execution)
    if execution.is_concurrent:
        scope = graph.parent(execution)
        assert scope is not None
        remove_execution(ctx, graph, execution)
        ctx.uow.touch(scope)
        if not graph.children(scope):
            _complete_scope(ctx, scope)
        else:
            _path_ended(ctx, graph, scope)
        return
    _complete_scope(ctx, execution)


def _path_ended(ctx: CommandContext, graph: InstanceGraph, scope: Execution) -> None:
    """A concurrent path of ``scope`` ended: a join waiting in ``scope`` may go on now."""
    process = _process(ctx, scope)
    for child in graph.children(scope):
        node = process.nodes.get(child.activity_id or "")
        if node is not None and not child.is_active and behavior_for(node).on_path_ended(ctx, child, node):
            return


def _complete_scope(ctx: CommandContext, scope: Execution) -> None:
    if scope.is_process_instance:
        complete_process_instance(ctx, scope)
    else:
        _end_scope_execution(ctx, scope)


def complete_process_instance(ctx: CommandContext, root: Execution) -> None:
    """The instance reached its end: close it, or let the call activity that started it
    continue the caller (it evaluates its ``camunda:out`` mappings before the instance goes)."""
    caller = super_execution(ctx, root)
    if caller is None:  # a top-level instance, or its caller is gone already (cancelled now)
        end_process_instance(ctx, root, ProcessInstanceState.COMPLETED)
        return
    assert caller.activity_id is not None
    node = _process(ctx, caller).node(caller.activity_id)
    behavior_for(node).on_called_instance_ended(ctx, caller, node, root)


def terminate_scope(ctx: CommandContext, execution: Execution) -> None:
    """A terminate end event: end every path of the enclosing scope, then complete the scope."""
    activity_ended(ctx, execution, completed_scope=True)
    graph = ctx.graph_of(execution)
    scope = graph.parent(execution) if execution.is_concurrent else execution
    assert scope is not None
    cancel_scope_children(ctx, scope)
    scope.is_active = True
    _complete_scope(ctx, scope)


def cancel_scope_children(
    ctx: CommandContext,
    scope: Execution,
    state: ProcessInstanceState = ProcessInstanceState.INTERNALLY_TERMINATED,
    delete_reason: str | None = None,
) -> None:
    """Remove every execution below ``scope`` with its tasks, external tasks and variables, and
    the wait state of ``scope`` itself, cancelling their activity instances (innermost first); a
    process instance called from any of them is deleted too (with ``state``). ``delete_reason``
    is what the deleted tasks record (None: Camunda's ``deleted``)."""
    graph = ctx.graph_of(scope)
    for child in graph.children(scope):
        cancel_scope_children(ctx, child, state, delete_reason)
        remove_execution(ctx, graph, child)
    running = holds_running_activity(graph, scope)
    remove_wait_states(ctx, graph, scope, delete_reason)
    node = _process(ctx, scope).nodes.get(scope.activity_id or "")
    if node is not None:
        behavior_for(node).on_terminate(ctx, scope, node, state)
    if running:
        activity_ended(ctx, scope, canceled=True)


def end_process_instance(
    ctx: CommandContext,
    root: Execution,
    state: ProcessInstanceState,
    delete_reason: str | None = None,
) -> None:
    """Remove all runtime state of the instance (and of instances it called); the record says
    how it ended."""
    graph = ctx.graph_of(root)
    cancel_scope_children(ctx, root, state, delete_reason)
    remove_execution(ctx, graph, root)
    ctx.emit(ProcessInstanceEnded(ctx.now(), root.id, root.process_definition_id, state, delete_reason))
