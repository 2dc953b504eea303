"""User-task commands: Camunda's rules for what people do with a waiting user task.

``camunda7-semantics.md`` §3.3 (Camunda ``TaskEntity``): a task claimed by someone else cannot be
claimed; a delegated (``PENDING``) task must be resolved, not completed; completion variables go
to the task's execution (non-local), resolution and form variables to the task scope
(non-local); the variables of a BPMN error or escalation are set on the execution before it is
thrown; nothing but reading happens on a suspended task.

The task is created by ``behaviors.tasks.UserTaskBehavior``. Who may act on it (authorization),
the shape of the input and stamping ``last_updated`` are the service's part. Every change is
recorded: ``UserTaskAssigned`` when the assignee changes, ``UserTaskUpdated`` when anything else
does, ``UserTaskCompleted``, ``IdentityLinkAdded``/``IdentityLinkDeleted`` for candidates.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from cadenza.engine.context import CommandContext
from cadenza.engine.error_propagation import propagate_escalation, throw_bpmn_error
from cadenza.engine.lifecycle import trigger
from cadenza.engine.records import (
    IdentityLinkAdded,
    IdentityLinkDeleted,
    TaskSnapshot,
    UserTaskAssigned,
    UserTaskCompleted,
    UserTaskUpdated,
)
from cadenza.engine.state import (
    DelegationState,
    IdentityLink,
    IdentityLinkType,
    InstanceGraph,
    UserTask,
)
from cadenza.engine.variables import (
    remove_task_variables,
    remove_variable,
    scope_chain,
    set_variable,
    set_variable_local,
    set_variables,
)
from cadenza.errors import BadUserRequestError, EngineError
from cadenza.expr.values import TypedValue

__all__ = [
    "DELEGATED_TASK_CANNOT_BE_COMPLETED",
    "TaskAlreadyClaimedError",
    "TaskUpdate",
    "add_identity_link",
    "claim",
    "complete",
    "complete_user_task",
    "delegate",
    "delete_identity_link",
    "ensure_active",
    "escalate",
    "handle_bpmn_error",
    "modify_task_variables",
    "resolve",
    "set_assignee",
    "set_owner",
    "submit_form",
    "update",
]

DELEGATED_TASK_CANNOT_BE_COMPLETED = "A delegated task cannot be completed, but should be resolved instead."


class TaskAlreadyClaimedError(EngineError):
    """Camunda ``TaskAlreadyClaimedException``. Camunda answers 500; this is a client error, so
    Cadenza answers 400 with Camunda's message."""

    camunda_type = "TaskAlreadyClaimedException"
    status = 400


@dataclass(frozen=True)
class TaskUpdate:
    """``PUT /task/{id}``: the new values of every changeable property (Camunda replaces all of
    them, so an absent property becomes null, or 0 for the priority)."""

    name: str | None = None
    description: str | None = None
    priority: int = 0
    assignee: str | None = None
    owner: str | None = None
    delegation_state: DelegationState | None = None
    due: datetime | None = None
    follow_up: datetime | None = None
    tenant_id: str | None = None


def _changed(ctx: CommandContext, task: UserTask, before: TaskSnapshot) -> None:
    """Record what changed on ``task`` since ``before``."""
    after = TaskSnapshot.of(task)
    if after == before:
        return
    now = ctx.now()
    if after.assignee != before.assignee:
        ctx.emit(UserTaskAssigned(now, after, before.assignee))
    if replace(after, assignee=before.assignee) != before:
        ctx.emit(UserTaskUpdated(now, after, before))


def ensure_active(task: UserTask) -> None:
    """Camunda ``ensureTaskActive``: a suspended task refuses every change."""
    if task.suspended:
        raise BadUserRequestError(
            f"Task with id '{task.id}' is suspended.",
            camunda_type="SuspendedEntityInteractionException",
        )


# ── assignment ──────────────────────────────────────────────────────────────────────────────────


def claim(ctx: CommandContext, task: UserTask, user_id: str | None) -> None:
    """Take the task; the same user claiming again is a no-op, ``None`` unclaims.

    Raises:
        TaskAlreadyClaimedError: somebody else has it.
    """
    ensure_active(task)
    if user_id is not None and task.assignee is not None and task.assignee != user_id:
        raise TaskAlreadyClaimedError(f"Task '{task.id}' is already claimed by someone else.")
    before = TaskSnapshot.of(task)
    task.assignee = user_id
    _changed(ctx, task, before)


def set_assignee(ctx: CommandContext, task: UserTask, user_id: str | None) -> None:
    """Assign the task to ``user_id`` (``None``: nobody), whoever had it before."""
    ensure_active(task)
    before = TaskSnapshot.of(task)
    task.assignee = user_id
    _changed(ctx, task, before)


def set_owner(ctx: CommandContext, task: UserTask, user_id: str | None) -> None:
    ensure_active(task)
    before = TaskSnapshot.of(task)
    task.owner = user_id
    _changed(ctx, task, before)


def delegate(ctx: CommandContext, task: UserTask, user_id: str) -> None:
    """Hand the task to ``user_id`` for help: state ``PENDING``; the current assignee becomes
    the owner unless the task already has one."""
    ensure_active(task)
    before = TaskSnapshot.of(task)
    if task.owner is None:
        task.owner = task.assignee
    task.assignee = user_id
    task.delegation_state = DelegationState.PENDING
    _changed(ctx, task, before)


def _resolved(ctx: CommandContext, task: UserTask) -> None:
    before = TaskSnapshot.of(task)
    task.delegation_state = DelegationState.RESOLVED
    task.assignee = task.owner
    _changed(ctx, task, before)


def resolve(
    ctx: CommandContext, graph: InstanceGraph, task: UserTask, variables: Mapping[str, TypedValue]
) -> None:
    """The delegate is done: state ``RESOLVED``, the task goes back to its owner. Variables are
    set from the task scope (non-local: a task-local variable is updated in place)."""
    ensure_active(task)
    execution = graph.executions[task.execution_id]
    for name, value in variables.items():
        set_variable(ctx, graph, execution, name, value, task)
    _resolved(ctx, task)


# ── completion ──────────────────────────────────────────────────────────────────────────────────


def complete_user_task(
    ctx: CommandContext, graph: InstanceGraph, task: UserTask, variables: Mapping[str, TypedValue]
) -> None:
    """A person finished: variables go to the task's execution (non-local), the task goes and
    the token moves on (planned on the agenda)."""
    execution = graph.executions[task.execution_id]
    set_variables(ctx, graph, execution, variables)
    del graph.user_tasks[task.id]
    remove_task_variables(ctx, graph, task)
    for link in [link for link in graph.identity_links if link.task_id == task.id]:
        graph.identity_links.remove(link)
        ctx.uow.delete(link)
    ctx.uow.delete(task)
    ctx.emit(UserTaskCompleted(ctx.now(), TaskSnapshot.of(task)))
    ctx.plan(trigger, execution)


def complete(
    ctx: CommandContext, graph: InstanceGraph, task: UserTask, variables: Mapping[str, TypedValue]
) -> None:
    """``TaskService.complete``: refused while the task is delegated and not resolved."""
    ensure_active(task)
    if task.delegation_state is DelegationState.PENDING:
        raise BadUserRequestError(DELEGATED_TASK_CANNOT_BE_COMPLETED, camunda_type="ProcessEngineException")
    complete_user_task(ctx, graph, task, variables)


def submit_form(
    ctx: CommandContext, graph: InstanceGraph, task: UserTask, variables: Mapping[str, TypedValue]
) -> bool:
    """Camunda ``FormService.submitTaskForm``: the values are set from the task scope
    (non-local), then a delegated task is resolved and any other task completed.

    Returns:
        Whether the task was completed (False: it was resolved and stays).
    """
    ensure_active(task)
    execution = graph.executions[task.execution_id]
    for name, value in variables.items():
        set_variable(ctx, graph, execution, name, value, task)
    if task.delegation_state is DelegationState.PENDING:
        _resolved(ctx, task)
        return False
    complete_user_task(ctx, graph, task, {})
    return True


# ── BPMN errors and escalations ─────────────────────────────────────────────────────────────────


def handle_bpmn_error(
    ctx: CommandContext,
    graph: InstanceGraph,
    task: UserTask,
    error_code: str,
    error_message: str | None,
    variables: Mapping[str, TypedValue],
) -> None:
    """Throw a BPMN error from the task's activity (Camunda ``TaskEntity.bpmnError``): the
    nearest matching handler takes over and the task is cancelled with its activity (no handler:
    none-end semantics); see ``error_propagation.throw_bpmn_error``."""
    ensure_active(task)
    throw_bpmn_error(ctx, graph, graph.executions[task.execution_id], error_code, error_message, variables)


def escalate(
    ctx: CommandContext,
    graph: InstanceGraph,
    task: UserTask,
    escalation_code: str,
    variables: Mapping[str, TypedValue],
) -> None:
    """Throw a BPMN escalation from the task's activity, variables first (Camunda
    ``TaskEntity.escalation``); ENGINE-02043 without a handler."""
    ensure_active(task)
    execution = graph.executions[task.execution_id]
    set_variables(ctx, graph, execution, variables)
    propagate_escalation(ctx, execution, escalation_code)
    ctx.run_agenda()


# ── variables of the task scope ─────────────────────────────────────────────────────────────────


def modify_task_variables(
    ctx: CommandContext,
    graph: InstanceGraph,
    task: UserTask,
    modifications: Mapping[str, TypedValue],
    deletions: Sequence[str],
    *,
    local: bool,
) -> None:
    """Set then remove variables from the task scope (Camunda applies the modifications before
    the deletions).

    Non-local: a removal removes the nearest variable of that name (task, then up the execution
    chain); a set updates the nearest one, else creates it on the process instance. Local: only
    the task's own variables.
    """
    execution = graph.executions[task.execution_id]
    setter = set_variable_local if local else set_variable
    for name, value in modifications.items():
        setter(ctx, graph, execution, name, value, task)
    for name in deletions:
        found = graph.task_variables.get(task.id, {}).get(name)
        if found is None and not local:
            for scope in scope_chain(graph, execution):
                found = graph.execution_variables.get(scope.id, {}).get(name)
                if found is not None:
                    break
        if found is not None:
            remove_variable(ctx, graph, found)


# ── identity links ──────────────────────────────────────────────────────────────────────────────


def _links(
    graph: InstanceGraph, task: UserTask, kind: str, user_id: str | None, group_id: str | None
) -> list[IdentityLink]:
    return [
        link
        for link in graph.identity_links
        if link.task_id == task.id
        and link.type == kind
        and link.user_id == user_id
        and link.group_id == group_id
    ]


def add_identity_link(
    ctx: CommandContext,
    graph: InstanceGraph,
    task: UserTask,
    kind: str,
    user_id: str | None,
    group_id: str | None,
) -> None:
    """``assignee``/``owner`` set those properties; ``candidate`` adds a candidate user or group
    (an identical link is not added twice)."""
    ensure_active(task)
    if kind in (IdentityLinkType.ASSIGNEE.value, IdentityLinkType.OWNER.value):
        before = TaskSnapshot.of(task)
        if kind == IdentityLinkType.ASSIGNEE.value:
            task.assignee = user_id
        else:
            task.owner = user_id
        _changed(ctx, task, before)
        return
    if _links(graph, task, kind, user_id, group_id):
        return
    link = IdentityLink(
        id=ctx.new_id(),
        task_id=task.id,
        type=kind,
        user_id=user_id,
        group_id=group_id,
        process_instance_id=task.process_instance_id,
    )
    graph.identity_links.append(link)
    ctx.uow.insert(link)
    ctx.emit(
        IdentityLinkAdded(
            ctx.now(), task.id, kind, user_id, group_id, task.process_instance_id, task.tenant_id, ctx.user_id
        )
    )


def delete_identity_link(
    ctx: CommandContext,
    graph: InstanceGraph,
    task: UserTask,
    kind: str,
    user_id: str | None,
    group_id: str | None,
) -> None:
    """The reverse of ``add_identity_link``; removing a link that is not there is a no-op."""
    ensure_active(task)
    if kind in (IdentityLinkType.ASSIGNEE.value, IdentityLinkType.OWNER.value):
        before = TaskSnapshot.of(task)
        if kind == IdentityLinkType.ASSIGNEE.value:
            task.assignee = None
        else:
            task.owner = None
        _changed(ctx, task, before)
        return
    for link in _links(graph, task, kind, user_id, group_id):
        graph.identity_links.remove(link)
        ctx.uow.delete(link)
        ctx.emit(
            IdentityLinkDeleted(
                ctx.now(),
                task.id,
                kind,
                user_id,
                group_id,
                task.process_instance_id,
                task.tenant_id,
                ctx.user_id,
            )
        )


# ── properties ──────────────────────────────────────────────────────────────────────────────────


def update(ctx: CommandContext, task: UserTask, change: TaskUpdate) -> None:
    """``PUT /task/{id}``: replace the task's changeable properties.

    Raises:
        BadUserRequestError: a different tenant, or a new assignee or owner on a suspended task.
    """
    if (change.assignee, change.owner) != (task.assignee, task.owner):
        ensure_active(task)
    if change.tenant_id is not None and change.tenant_id != task.tenant_id:
        raise BadUserRequestError(
            f"Cannot change tenantId of Task '{task.id}'. Current tenant id "
            f"'{task.tenant_id}', Tried to set tenant id '{change.tenant_id}'."
        )
    before = TaskSnapshot.of(task)
    task.name = change.name
    task.description = change.description
    task.priority = change.priority
    task.assignee = change.assignee
    task.owner = change.owner
    task.delegation_state = change.delegation_state
    task.due = change.due
    task.follow_up = change.follow_up
    _changed(ctx, task, before)
