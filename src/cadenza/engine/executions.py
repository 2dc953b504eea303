"""The execution tree: adding and removing executions, concurrent paths, wait states.

These are the primitive tree edits the lifecycle operations, error propagation and event firing
share (see ``state`` for the tree rules). None of them moves a token; they only reshape the tree
and keep the unit of work informed.
"""

from __future__ import annotations

from cadenza.bpmn.model import Activity, FlowNode, SubProcess
from cadenza.engine.context import CommandContext
from cadenza.engine.incidents import incidents_gone_with
from cadenza.engine.records import (
    ExternalTaskDeleted,
    ExternalTaskSnapshot,
    JobDeleted,
    JobSnapshot,
    TaskSnapshot,
    UserTaskDeleted,
)
from cadenza.engine.state import Execution, IncidentType, InstanceGraph, Job
from cadenza.engine.triggers import move_token_waits
from cadenza.engine.variables import remove_task_variables, remove_variables_of

__all__ = [
    "add_child_execution",
    "add_execution",
    "concurrent_path",
    "delete_job",
    "is_live",
    "is_scope_node",
    "new_child",
    "remove_execution",
    "remove_jobs_and_subscriptions",
    "remove_wait_states",
]

DELETED = "deleted"
"""Camunda's ``TaskEntity.DELETE_REASON_DELETED``: what a cancelled task records by default"""


def is_scope_node(node: FlowNode) -> bool:
    """Whether running ``node`` needs its own scope execution (Camunda's ``isScope``): sub-processes,
    activities with an input/output mapping and activities with boundary events."""
    return (
        isinstance(node, SubProcess)
        or (node.io is not None and bool(node.io.inputs or node.io.outputs))
        or (isinstance(node, Activity) and bool(node.boundary_event_ids))
    )


def is_live(ctx: CommandContext, execution: Execution) -> bool:
    """False for an execution removed after an operation on it was queued (its scope was
    cancelled by an interrupting event, or its instance ended): the operation is dropped."""
    return execution.id in ctx.graph_of(execution).executions


def add_execution(ctx: CommandContext, graph: InstanceGraph, execution: Execution) -> Execution:
    graph.executions[execution.id] = execution
    ctx.uow.insert(execution)
    return execution


def new_child(ctx: CommandContext, parent: Execution, *, scope: bool) -> Execution:
    """A child of ``parent`` (not yet in the graph) on the same node as ``parent``."""
    return Execution(
        id=ctx.new_id(),
        process_instance_id=parent.process_instance_id,
        process_definition_id=parent.process_definition_id,
        parent_id=parent.id,
        activity_id=parent.activity_id,
        activity_instance_id=parent.activity_instance_id,
        is_scope=scope,
        is_concurrent=not scope,
        is_active=True,
        tenant_id=parent.tenant_id,
        suspended=parent.suspended,
        start_time=ctx.now(),
    )


def add_child_execution(ctx: CommandContext, parent: Execution, *, scope: bool) -> Execution:
    """A new child execution of ``parent`` (a scope execution, or a concurrent path)."""
    return add_execution(ctx, ctx.graph_of(parent), new_child(ctx, parent, scope=scope))


def remove_execution(ctx: CommandContext, graph: InstanceGraph, execution: Execution) -> None:
    remove_variables_of(ctx, graph, execution)
    remove_jobs_and_subscriptions(ctx, graph, execution)
    del graph.executions[execution.id]
    ctx.uow.delete(execution)


def delete_job(ctx: CommandContext, graph: InstanceGraph, job: Job) -> None:
    """Drop a job that will not run (with its ``failedJob`` incidents)."""
    del graph.jobs[job.id]
    ctx.uow.delete(job)
    ctx.emit(JobDeleted(ctx.now(), JobSnapshot.of(job)))
    incidents_gone_with(ctx, graph, job.id, IncidentType.FAILED_JOB.value)


def remove_jobs_and_subscriptions(ctx: CommandContext, graph: InstanceGraph, execution: Execution) -> None:
    """Drop every job and subscription of ``execution`` (it ends or stops waiting)."""
    for job in [j for j in graph.jobs.values() if j.execution_id == execution.id]:
        delete_job(ctx, graph, job)
    for sub in [s for s in graph.subscriptions.values() if s.execution_id == execution.id]:
        del graph.subscriptions[sub.id]
        ctx.uow.delete(sub)


def remove_wait_states(
    ctx: CommandContext, graph: InstanceGraph, execution: Execution, delete_reason: str | None = None
) -> None:
    """Drop what ``execution`` waits for: jobs, subscriptions, external and user tasks (with the
    tasks' variables and identity links, and the external tasks' incidents); the tasks record
    ``delete_reason`` (Camunda's ``deleted`` by default)."""
    reason = delete_reason or DELETED
    remove_jobs_and_subscriptions(ctx, graph, execution)
    for task in [t for t in graph.external_tasks.values() if t.execution_id == execution.id]:
        del graph.external_tasks[task.id]
        ctx.uow.delete(task)
        ctx.emit(ExternalTaskDeleted(ctx.now(), ExternalTaskSnapshot.of(task), reason))
        incidents_gone_with(ctx, graph, task.id, IncidentType.FAILED_EXTERNAL_TASK.value)
    for user_task in [t for t in graph.user_tasks.values() if t.execution_id == execution.id]:
        del graph.user_tasks[user_task.id]
        remove_task_variables(ctx, graph, user_task)
        for link in [link for link in graph.identity_links if link.task_id == user_task.id]:
            graph.identity_links.remove(link)
            ctx.uow.delete(link)
        ctx.uow.delete(user_task)
        ctx.emit(UserTaskDeleted(ctx.now(), TaskSnapshot.of(user_task), reason))


def concurrent_path(
    ctx: CommandContext, graph: InstanceGraph, holder: Execution
) -> tuple[Execution, Execution]:
    """A new concurrent execution in the scope where ``holder`` holds a token, for a
    non-interrupting handler. Returns (new path, the execution now holding ``holder``'s token).

    When ``holder`` is the scope execution itself (no parallel paths yet), its token moves to a
    new concurrent child first, as Camunda replaces a scope execution by concurrent children:
    its children, wait states and task variables follow the token.
    """
    if holder.is_concurrent:
        scope = graph.parent(holder)
        assert scope is not None
        ctx.uow.touch(scope)
        return add_child_execution(ctx, scope, scope=False), holder
    children = graph.children(holder)
    if holder.activity_id is None and children and all(c.is_concurrent for c in children):
        ctx.uow.touch(holder)
        return add_child_execution(ctx, holder, scope=False), holder
    token = add_child_execution(ctx, holder, scope=False)
    token.activity_id = holder.activity_id
    token.activity_instance_id = holder.activity_instance_id
    token.is_active = holder.is_active
    move_token_waits(ctx, graph, holder, token)
    for child in children:
        child.parent_id = token.id
    for task in graph.external_tasks.values():
        if task.execution_id == holder.id:
            task.execution_id = token.id
    for user_task in graph.user_tasks.values():
        if user_task.execution_id == holder.id:
            user_task.execution_id = token.id
            for variable in graph.task_variables.get(user_task.id, {}).values():
                variable.execution_id = token.id
    holder.activity_id = None
    holder.activity_instance_id = None
    holder.is_active = False
    return add_child_execution(ctx, holder, scope=False), token
