"""What happens when a wait fires: a timer job runs, a message or signal is delivered.

Firing runs the same lifecycle operations as any other trigger: leave the catch event, cancel
the activity and take an interrupting boundary event, or fork a new concurrent path for a
non-interrupting one; a start event of the process starts a new instance (Camunda's
``EventHandler``s). Where the waits come from is ``triggers``'.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from cadenza.bpmn.model import (
    BoundaryEvent,
    EventBasedGateway,
    FlowNode,
    IntermediateCatchEvent,
    Process,
    ReceiveTask,
    StartEvent,
    SubProcess,
)
from cadenza.engine.activity_instances import activity_ended, activity_started
from cadenza.engine.context import CommandContext
from cadenza.engine.definitions import DeployedProcess
from cadenza.engine.executions import concurrent_path, delete_job, remove_execution
from cadenza.engine.lifecycle import cancel_scope_children, enter_node, leave_node, start_process_instance
from cadenza.engine.state import EventSubscription, Execution
from cadenza.engine.triggers import find_subscriptions, is_scope_level
from cadenza.engine.variables import set_variables
from cadenza.errors import ProcessEngineError
from cadenza.expr.values import TypedValue

__all__ = ["deliver", "fire", "start_by_event", "throw_signal"]


def _pass_catch(ctx: CommandContext, execution: Execution, node: FlowNode) -> None:
    """Enter a catch event after an event-based gateway and leave it at once (it fired)."""
    activity_ended(ctx, execution)  # the gateway
    execution.activity_id = node.id
    execution.activity_instance_id = f"{node.id}:{ctx.new_id()}"
    activity_started(ctx, execution, node)
    leave_node(ctx, execution, node)


def fire(
    ctx: CommandContext,
    execution: Execution,
    activity_id: str,
    *,
    variables: Mapping[str, TypedValue] | None = None,
    local_variables: Mapping[str, TypedValue] | None = None,
    keep: Iterable[str] = (),
) -> None:
    """An event waited for at ``activity_id`` on ``execution`` happened: move the process on.

    ``variables`` are set non-locally on the receiving execution first (message payloads),
    ``local_variables`` locally. Subscriptions/jobs whose ids are in ``keep`` survive (repeating
    timers and non-interrupting subscriptions are kept by the caller).
    """
    graph = ctx.graph_of(execution)
    process = ctx.deployed(execution).process
    node = process.node(activity_id)
    if variables:
        set_variables(ctx, graph, execution, variables)
    if local_variables:
        set_variables(ctx, graph, execution, local_variables, local=True)
    if isinstance(node, BoundaryEvent):
        attached = graph.parent(execution)
        assert attached is not None
        if node.cancel_activity:
            cancel_scope_children(ctx, execution)
            remove_execution(ctx, graph, execution)
            activity_ended(ctx, attached, canceled=True)
            attached.is_active = True
            ctx.plan(enter_node, attached, node)
        else:
            path, _ = concurrent_path(ctx, graph, attached)
            ctx.plan(enter_node, path, node)
        return
    if isinstance(node, StartEvent):
        esp = process.node(node.scope_id)
        assert isinstance(esp, SubProcess)
        if node.is_interrupting:
            cancel_scope_children(ctx, execution)
            ctx.plan(enter_node, execution, esp)
        else:
            path, _ = concurrent_path(ctx, graph, execution)
            ctx.plan(enter_node, path, esp)
        return
    kept = set(keep)
    at_gateway = isinstance(process.nodes.get(execution.activity_id or ""), EventBasedGateway)
    for job in [j for j in graph.jobs.values() if j.execution_id == execution.id and j.id not in kept]:
        if not is_scope_level(process, job.activity_id):
            delete_job(ctx, graph, job)
    for sub in [s for s in graph.subscriptions.values() if s.execution_id == execution.id]:
        if sub.id not in kept and not is_scope_level(process, sub.activity_id):
            del graph.subscriptions[sub.id]
            ctx.uow.delete(sub)
    if at_gateway:
        ctx.plan(_pass_catch, execution, node)
        return
    if not isinstance(node, IntermediateCatchEvent | ReceiveTask):
        raise ProcessEngineError(f"Activity '{activity_id}' does not wait for an event")
    ctx.plan(leave_node, execution, node)


def start_by_event(
    ctx: CommandContext,
    deployed: DeployedProcess,
    start_event_id: str,
    *,
    business_key: str | None = None,
    variables: Mapping[str, TypedValue] | None = None,
) -> Execution:
    """Start an instance at a message, signal or timer start event of the process."""
    node = deployed.process.node(start_event_id)
    assert isinstance(node, StartEvent)
    root, _ = start_process_instance(
        ctx, deployed, business_key=business_key, variables=dict(variables or {}), start_event=node
    )
    return root


def _keeps_subscription(process: Process, activity_id: str) -> bool:
    node = process.nodes.get(activity_id)
    if isinstance(node, BoundaryEvent):
        return not node.cancel_activity
    return isinstance(node, StartEvent) and not node.is_interrupting


def deliver(
    ctx: CommandContext,
    subscription: EventSubscription,
    *,
    variables: Mapping[str, TypedValue] | None = None,
    local_variables: Mapping[str, TypedValue] | None = None,
    business_key: str | None = None,
) -> Execution | None:
    """Deliver a message or signal to one subscription. Returns the execution it reached (the
    new instance's root for a start event), None if the subscription is gone meanwhile."""
    if subscription.execution_id is None:
        assert subscription.process_definition_id is not None
        deployed = ctx.definitions.deployed_process(subscription.process_definition_id)
        return start_by_event(
            ctx, deployed, subscription.activity_id, business_key=business_key, variables=variables
        )
    assert subscription.process_instance_id is not None
    graph = ctx.graph(subscription.process_instance_id)
    live = graph.subscriptions.get(subscription.id)
    if live is None or live.execution_id is None:
        return None
    execution = graph.executions[live.execution_id]
    process = ctx.deployed(execution).process
    keep = [live.id] if _keeps_subscription(process, live.activity_id) else []
    if not keep:
        del graph.subscriptions[live.id]
        ctx.uow.delete(live)
    fire(ctx, execution, live.activity_id, variables=variables, local_variables=local_variables, keep=keep)
    return execution


def throw_signal(
    ctx: CommandContext,
    name: str,
    *,
    variables: Mapping[str, TypedValue] | None = None,
    tenant_id: str | None = None,
    without_tenant_id: bool = False,
) -> None:
    """Broadcast a signal to every signal subscription and signal start event (no receiver is
    not an error)."""
    for subscription in find_subscriptions(ctx, "signal", name):
        if tenant_id is not None and subscription.tenant_id != tenant_id:
            continue
        if without_tenant_id and subscription.tenant_id is not None:
            continue
        deliver(ctx, subscription, variables=variables)
