"""External-task commands: what a worker's report does to a waiting external task (Camunda
``ExternalTaskEntity``'s ``complete``, ``failed`` and ``bpmnError``), with the
``camunda:errorEventDefinition`` matching that can turn a report into a BPMN error.

The task itself is created by ``behaviors.tasks.ExternalTaskBehavior``; checking who may report
(worker, lock, suspension) is the service's part. Locking, unlocking and retries are here too, so
every change of a task reaches the record stream.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import datetime, timedelta

from cadenza.bpmn.model import CamundaErrorEventDefinition, ServiceTask
from cadenza.engine.context import CommandContext
from cadenza.engine.error_propagation import throw_bpmn_error
from cadenza.engine.incidents import resolve_external_task_incidents, set_external_task_retries
from cadenza.engine.lifecycle import trigger
from cadenza.engine.records import (
    ExternalTaskAvailable,
    ExternalTaskBpmnError,
    ExternalTaskCompleted,
    ExternalTaskFailed,
    ExternalTaskLocked,
    ExternalTaskSnapshot,
)
from cadenza.engine.state import Execution, ExternalTask, InstanceGraph
from cadenza.engine.variables import ExecutionScope, compiled, set_variables
from cadenza.errors import EngineError, ExpressionError, OptimisticLockError
from cadenza.expr.values import TypedValue, format_date

__all__ = [
    "MAX_ERROR_MESSAGE_LENGTH",
    "ExternalTaskElObject",
    "complete_external_task",
    "fail_external_task",
    "lock_external_task",
    "report_external_task_bpmn_error",
    "truncate_error_message",
    "unlock_external_task",
    "update_external_task_retries",
]

log = logging.getLogger(__name__)

MAX_ERROR_MESSAGE_LENGTH = 666
"""Camunda's ``ExternalTaskEntity.MAX_EXCEPTION_MESSAGE_LENGTH`` (in UTF-16 code units)."""


def truncate_error_message(message: str | None) -> str | None:
    """Cut to 666 UTF-16 code units, as Java's ``String.substring`` on the message does."""
    if message is None:
        return None
    encoded = message.encode("utf-16-le", "surrogatepass")
    if len(encoded) <= MAX_ERROR_MESSAGE_LENGTH * 2:
        return message
    return encoded[: MAX_ERROR_MESSAGE_LENGTH * 2].decode("utf-16-le", "ignore")


class ExternalTaskElObject:
    """``externalTask`` inside ``camunda:errorEventDefinition`` expressions (the entity's getters)."""

    __slots__ = ("_task",)

    def __init__(self, task: ExternalTask) -> None:
        self._task = task

    def el_call(self, method: str, args: list[object]) -> object:
        task = self._task
        getters: dict[str, object] = {
            "getId": task.id,
            "getTopicName": task.topic_name,
            "getWorkerId": task.worker_id,
            "getRetries": task.retries,
            "getErrorMessage": task.error_message,
            "getErrorDetails": task.error_details,
            "getActivityId": task.activity_id,
            "getActivityInstanceId": task.activity_instance_id,
            "getExecutionId": task.execution_id,
            "getProcessInstanceId": task.process_instance_id,
            "getProcessDefinitionId": task.process_definition_id,
            "getProcessDefinitionKey": task.process_definition_key,
            "getProcessDefinitionVersionTag": task.process_definition_version_tag,
            "getBusinessKey": task.business_key,
            "getPriority": task.priority,
            "getTenantId": task.tenant_id,
            "getLockExpirationTime": task.lock_expiration_time,
            "getCreateTime": task.create_time,
            "isSuspended": task.suspended,
        }
        if method in getters and not args:
            return getters[method]
        raise ExpressionError(f"Method '{method}' is not supported on externalTask")

    def el_property(self, name: str) -> object:
        if name == "suspended":
            return self.el_call("isSuspended", [])
        return self.el_call("get" + name[:1].upper() + name[1:], [])

    def __str__(self) -> str:
        expires = format_date(self._task.lock_expiration_time) if self._task.lock_expiration_time else None
        return f"ExternalTaskEntity[id={self._task.id}, lockExpirationTime={expires}]"


def _error_definitions(
    ctx: CommandContext, execution: Execution, task: ExternalTask
) -> tuple[CamundaErrorEventDefinition, ...]:
    node = ctx.deployed(execution).process.node(task.activity_id)
    if not isinstance(node, ServiceTask):
        return ()
    # only definitions with an errorRef (hence an error code) take part, as in Camunda
    return tuple(d for d in node.external.error_event_definitions if d.error_code)


def _matching_error_definition(
    ctx: CommandContext,
    graph: InstanceGraph,
    execution: Execution,
    task: ExternalTask,
    *,
    continue_on_exception: bool,
) -> CamundaErrorEventDefinition | None:
    """The first ``camunda:errorEventDefinition`` whose expression is ``true`` (document order).

    A definition without an expression never matches; a non-boolean result counts as false
    (Camunda compares with ``Boolean.TRUE``). On failure an evaluation error is logged and
    treated as false; on complete it fails the call.
    """
    for definition in _error_definitions(ctx, execution, task):
        if definition.expression is None:
            continue
        scope = ExecutionScope(ctx, graph, execution, extra={"externalTask": ExternalTaskElObject(task)})
        try:
            matched = compiled(definition.expression).evaluate(scope) is True
        except EngineError as error:
            if not continue_on_exception or isinstance(error, OptimisticLockError):
                raise
            log.info(
                "error event definition %s of external task %s could not be evaluated: %s",
                definition.id,
                task.id,
                error.message,
            )
            continue
        if matched:
            return definition
    return None


def complete_external_task(
    ctx: CommandContext,
    graph: InstanceGraph,
    task: ExternalTask,
    variables: Mapping[str, TypedValue],
    local_variables: Mapping[str, TypedValue],
) -> None:
    """A worker finished: store its variables, then either throw the BPMN error of a matching
    ``camunda:errorEventDefinition`` or drop the task (resolving its incidents) and move the
    token on (same transaction; a failure later in the flow rolls the completion back)."""
    execution = graph.executions[task.execution_id]
    set_variables(ctx, graph, execution, variables)
    set_variables(ctx, graph, execution, local_variables, local=True)
    matched = _matching_error_definition(ctx, graph, execution, task, continue_on_exception=False)
    if matched is not None:
        assert matched.error_code is not None
        _throw(ctx, graph, execution, task, matched.error_code, task.error_message, {})
        return
    resolve_external_task_incidents(ctx, graph, task)
    del graph.external_tasks[task.id]
    ctx.uow.delete(task)
    ctx.emit(ExternalTaskCompleted(ctx.now(), ExternalTaskSnapshot.of(task)))
    ctx.plan(trigger, execution)


def fail_external_task(
    ctx: CommandContext,
    graph: InstanceGraph,
    task: ExternalTask,
    *,
    error_message: str | None,
    error_details: str | None,
    retries: int,
    retry_timeout: int,
    variables: Mapping[str, TypedValue],
    local_variables: Mapping[str, TypedValue],
) -> None:
    """A worker failed (Camunda ``ExternalTaskEntity.failed``), in Camunda's order: variables,
    error message (truncated) and details (kept when None), error event definitions (a match
    throws the BPMN error instead), then lock until ``now + retry_timeout`` for the same worker
    and retries with incident handling."""
    execution = graph.executions[task.execution_id]
    set_variables(ctx, graph, execution, variables)
    set_variables(ctx, graph, execution, local_variables, local=True)
    task.error_message = truncate_error_message(error_message)
    if error_details is not None:
        task.error_details = error_details
    matched = _matching_error_definition(ctx, graph, execution, task, continue_on_exception=True)
    if matched is not None:
        assert matched.error_code is not None
        _throw(ctx, graph, execution, task, matched.error_code, task.error_message, {})
        return
    task.lock_expiration_time = ctx.now() + timedelta(milliseconds=retry_timeout)
    ctx.emit(ExternalTaskFailed(ctx.now(), ExternalTaskSnapshot.of(task), retries))
    set_external_task_retries(ctx, graph, task, retries)
    if retries > 0 and retry_timeout == 0:
        # fetchable again right away: wake long polls (Camunda waits for its 30 s re-check)
        ctx.emit(ExternalTaskAvailable(ctx.now(), task.id, task.topic_name))


def report_external_task_bpmn_error(
    ctx: CommandContext,
    graph: InstanceGraph,
    task: ExternalTask,
    error_code: str,
    error_message: str | None,
    variables: Mapping[str, TypedValue],
) -> None:
    """A worker reported a business error (Camunda ``ExternalTaskEntity.bpmnError``): the
    variables go non-locally on the task's execution, then the error propagates from it."""
    _throw(ctx, graph, graph.executions[task.execution_id], task, error_code, error_message, variables)


def _throw(
    ctx: CommandContext,
    graph: InstanceGraph,
    execution: Execution,
    task: ExternalTask,
    error_code: str,
    error_message: str | None,
    variables: Mapping[str, TypedValue],
) -> None:
    ctx.emit(ExternalTaskBpmnError(ctx.now(), ExternalTaskSnapshot.of(task), error_code, error_message))
    throw_bpmn_error(ctx, graph, execution, error_code, error_message, variables)


# ── locks and retries ───────────────────────────────────────────────────────────────────────────


def lock_external_task(ctx: CommandContext, task: ExternalTask, worker_id: str, expiration: datetime) -> None:
    """Lock ``task`` for ``worker_id`` until ``expiration`` (fetch and lock, lock by id)."""
    task.worker_id = worker_id
    task.lock_expiration_time = expiration
    ctx.emit(ExternalTaskLocked(ctx.now(), ExternalTaskSnapshot.of(task)))


def unlock_external_task(ctx: CommandContext, task: ExternalTask) -> None:
    """Clear the lock; the task is fetchable again (long polls wake)."""
    task.worker_id = None
    task.lock_expiration_time = None
    ctx.emit(ExternalTaskAvailable(ctx.now(), task.id, task.topic_name))


def update_external_task_retries(
    ctx: CommandContext, graph: InstanceGraph, task: ExternalTask, retries: int
) -> None:
    """Set the retries with incident handling; with retries left the task is fetchable (long
    polls wake)."""
    set_external_task_retries(ctx, graph, task, retries)
    if retries > 0:
        ctx.emit(ExternalTaskAvailable(ctx.now(), task.id, task.topic_name))
