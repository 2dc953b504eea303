"""Waiting for events: timer jobs, async-continuation jobs and message/signal subscriptions.

Where a wait is registered (as in Camunda):
- an intermediate catch event or a receive task: on the execution that waits there;
- after an event-based gateway: on the execution waiting at the gateway, one per target event;
- a boundary event: on the activity's *scope execution* (going with it when it ends);
- an event sub-process start event: on the scope execution of the enclosing process or
  sub-process, for as long as that scope runs;
- a start event of the process: on no execution (created at deployment, see ``start_events``).

What happens when a wait fires is ``firing``'s (Camunda ``EventSubscriptionDeclaration`` /
``TimerDeclarationImpl`` create the waits, their ``EventHandler``s fire them).
"""

from __future__ import annotations

import uuid
from datetime import datetime

from cadenza.bpmn.model import (
    Activity,
    BoundaryEvent,
    FlowNode,
    MessageEventDefinition,
    Process,
    ReceiveTask,
    SignalEventDefinition,
    StartEvent,
    TimerEventDefinition,
)
from cadenza.engine.context import CommandContext
from cadenza.engine.definitions import DeployedProcess
from cadenza.engine.records import JobCreated, JobDue, JobSnapshot
from cadenza.engine.state import EventSubscription, Execution, InstanceGraph, Job
from cadenza.engine.timers import next_cycle_date, parse_duration, parse_time_date
from cadenza.engine.variables import compiled, evaluate
from cadenza.errors import ExpressionError, ProcessEngineError

__all__ = [
    "TIMER_BOUNDARY",
    "TIMER_CATCH",
    "TIMER_ESP",
    "TIMER_START",
    "find_subscriptions",
    "is_scope_level",
    "job_definition_id",
    "move_token_waits",
    "new_job",
    "register_boundary_events",
    "register_catch",
    "register_event_based_gateway",
    "register_event_sub_processes",
    "timer_due",
]

TIMER_CATCH = "timer-intermediate-transition"
TIMER_BOUNDARY = "timer-transition"
TIMER_START = "timer-start-event"
TIMER_ESP = "timer-start-event-subprocess"


def job_definition_id(process_definition_id: str, activity_id: str, handler_type: str) -> str:
    """Deterministic id of the job definition of an activity (created at deployment)."""
    return uuid.uuid5(uuid.NAMESPACE_URL, f"{process_definition_id}\n{activity_id}\n{handler_type}").hex


class _NoVariables:
    """Expressions of start timers see no variables."""

    def has_variable(self, name: str) -> bool:
        return False

    def get_variable(self, name: str) -> object:
        raise ExpressionError(f"Cannot resolve identifier '{name}'")


def _text_of(ctx: CommandContext, execution: Execution | None, source: str) -> object:
    if execution is None:
        return compiled(source).evaluate(_NoVariables())
    return evaluate(ctx, ctx.graph_of(execution), execution, source)


def timer_due(
    ctx: CommandContext, execution: Execution | None, definition: TimerEventDefinition, node_id: str
) -> tuple[datetime | None, str | None]:
    """Due date and repeat text of a timer (expressions evaluated now, on ``execution``)."""
    value = _text_of(ctx, execution, definition.expression)
    try:
        if definition.kind == "timeDate":
            if isinstance(value, datetime):
                return value, None
            return parse_time_date(str(value)), None
        if definition.kind == "timeDuration":
            return ctx.now() + parse_duration(str(value)), None
        return next_cycle_date(str(value), ctx.now())
    except ValueError as error:
        raise ProcessEngineError(
            f"Cannot parse timer '{node_id}' ({definition.kind} {value!r}): {error}"
        ) from error


def new_job(
    ctx: CommandContext,
    deployed: DeployedProcess,
    execution: Execution | None,
    node: FlowNode,
    *,
    handler_type: str,
    job_type: str,
    configuration: str | None = None,
    due_date: datetime | None = None,
    repeat: str | None = None,
    graph: InstanceGraph | None = None,
) -> Job:
    """Create a job for ``node`` (on ``execution`` if given) and announce it after commit."""
    job = Job(
        id=ctx.new_id(),
        type=job_type,
        handler_type=handler_type,
        create_time=ctx.now(),
        handler_configuration=configuration,
        process_instance_id=execution.process_instance_id if execution else None,
        execution_id=execution.id if execution else None,
        process_definition_id=deployed.definition.id,
        process_definition_key=deployed.definition.key,
        activity_id=node.id,
        due_date=due_date,
        repeat=repeat,
        suspended=execution.suspended if execution else deployed.definition.suspended,
        exclusive=node.exclusive,
        job_definition_id=job_definition_id(deployed.definition.id, node.id, handler_type),
        tenant_id=deployed.definition.tenant_id,
    )
    if execution is not None:
        (graph or ctx.graph_of(execution)).jobs[job.id] = job
    ctx.uow.insert(job)
    ctx.emit(JobCreated(ctx.now(), JobSnapshot.of(job)))
    ctx.emit(JobDue(ctx.now(), job.id, due_date))
    return job


def _schedule_timer(
    ctx: CommandContext, execution: Execution, node: FlowNode, definition: TimerEventDefinition, handler: str
) -> None:
    due, repeat = timer_due(ctx, execution, definition, node.id)
    if due is None:
        return  # R0: never fires
    if handler == TIMER_CATCH or (isinstance(node, BoundaryEvent) and node.cancel_activity):
        repeat = None  # fires once
    if isinstance(node, StartEvent) and node.is_interrupting:
        repeat = None
    new_job(
        ctx,
        ctx.deployed(execution),
        execution,
        node,
        handler_type=handler,
        job_type="timer",
        configuration=node.id,
        due_date=due,
        repeat=repeat,
    )


def _subscribe(
    ctx: CommandContext,
    execution: Execution,
    node: FlowNode,
    definition: MessageEventDefinition | SignalEventDefinition,
) -> EventSubscription:
    source = (
        definition.message_name if isinstance(definition, MessageEventDefinition) else definition.signal_name
    )
    assert source is not None
    name = _text_of(ctx, execution, source)
    if name is None or str(name) == "":
        raise ProcessEngineError(f"Event name of '{node.id}' evaluated to {name!r}")
    subscription = EventSubscription(
        id=ctx.new_id(),
        event_type="message" if isinstance(definition, MessageEventDefinition) else "signal",
        event_name=str(name),
        activity_id=node.id,
        created=ctx.now(),
        execution_id=execution.id,
        process_instance_id=execution.process_instance_id,
        process_definition_id=execution.process_definition_id,
        tenant_id=execution.tenant_id,
    )
    ctx.graph_of(execution).subscriptions[subscription.id] = subscription
    ctx.uow.insert(subscription)
    return subscription


def _register(ctx: CommandContext, execution: Execution, node: FlowNode, handler: str) -> None:
    definition = getattr(node, "event_definition", None)
    if isinstance(node, ReceiveTask):
        definition = node.message
    if isinstance(definition, TimerEventDefinition):
        _schedule_timer(ctx, execution, node, definition, handler)
    elif isinstance(definition, MessageEventDefinition | SignalEventDefinition):
        _subscribe(ctx, execution, node, definition)


def register_catch(ctx: CommandContext, execution: Execution, node: FlowNode) -> None:
    """An intermediate catch event or receive task starts waiting on ``execution``."""
    _register(ctx, execution, node, TIMER_CATCH)


def register_event_based_gateway(ctx: CommandContext, execution: Execution, gateway: FlowNode) -> None:
    process = ctx.deployed(execution).process
    for flow in process.outgoing(gateway):
        target = process.node(flow.target_ref)
        _register(ctx, execution, target, TIMER_CATCH)


def register_boundary_events(ctx: CommandContext, scope: Execution, activity: Activity) -> None:
    """Timer, message and signal boundary events of ``activity``, on its scope execution."""
    process = ctx.deployed(scope).process
    for boundary in process.boundary_events(activity.id):
        _register(ctx, scope, boundary, TIMER_BOUNDARY)


def register_event_sub_processes(ctx: CommandContext, scope: Execution, scope_id: str) -> None:
    """Timer, message and signal start events of the event sub-processes of a scope."""
    process = ctx.deployed(scope).process
    for esp in process.event_sub_processes(scope_id):
        start = process.scope_start_event(esp.id)
        if start is not None:
            _register(ctx, scope, start, TIMER_ESP)


def is_scope_level(process: Process, activity_id: str | None) -> bool:
    """Whether a wait at ``activity_id`` belongs to the scope (boundary event, event sub-process
    start event) rather than to the token waiting on the execution."""
    node = process.nodes.get(activity_id or "")
    return isinstance(node, BoundaryEvent | StartEvent)


def move_token_waits(ctx: CommandContext, graph: InstanceGraph, holder: Execution, token: Execution) -> None:
    """The token of ``holder`` moved to the new child ``token``: its waits follow it."""
    process = ctx.deployed(holder).process
    for job in graph.jobs.values():
        if job.execution_id == holder.id and not is_scope_level(process, job.activity_id):
            job.execution_id = token.id
    for sub in graph.subscriptions.values():
        if sub.execution_id == holder.id and not is_scope_level(process, sub.activity_id):
            sub.execution_id = token.id


def find_subscriptions(ctx: CommandContext, event_type: str, event_name: str) -> list[EventSubscription]:
    """Subscriptions to an event: those in the database and those created in this command."""
    found = {s.id: s for s in ctx.uow.find_event_subscriptions(event_type, event_name)}
    for graph in ctx.loaded_graphs():
        for sub in graph.subscriptions.values():
            if sub.event_type == event_type and sub.event_name == event_name:
                found[sub.id] = sub
    return sorted(found.values(), key=lambda s: (s.created, s.id))
