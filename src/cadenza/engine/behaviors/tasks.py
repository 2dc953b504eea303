"""Tasks: pass-through tasks, external (service) tasks and user tasks."""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from datetime import datetime, timedelta

from cadenza.bpmn.model import CamundaErrorEventDefinition, FlowNode, ServiceTask, UserTask as UserTaskNode
from cadenza.engine.behavior import Behavior
from cadenza.engine.context import CommandContext
from cadenza.engine.error_propagation import propagate_error
from cadenza.engine.incidents import resolve_external_task_incidents, set_external_task_retries
from cadenza.engine.lifecycle import take_outgoing_flows, trigger
from cadenza.engine.records import ExternalTaskAvailable, UserTaskCreated
from cadenza.engine.state import (
    Execution,
    ExternalTask,
    IdentityLink,
    IdentityLinkType,
    InstanceGraph,
    UserTask,
)
from cadenza.engine.variables import (
    ExecutionScope,
    compiled,
    evaluate,
    remove_task_variables,
    set_variables,
)
from cadenza.errors import EngineError, ExpressionError, OptimisticLockError, ProcessEngineError
from cadenza.expr.values import TypedValue, format_date, parse_date

__all__ = [
    "MAX_ERROR_MESSAGE_LENGTH",
    "ExternalTaskBehavior",
    "ExternalTaskElObject",
    "PassThroughBehavior",
    "UserTaskBehavior",
    "complete_external_task",
    "complete_user_task",
    "fail_external_task",
    "parse_duration",
    "report_external_task_bpmn_error",
    "truncate_error_message",
]

log = logging.getLogger(__name__)

MAX_ERROR_MESSAGE_LENGTH = 666
"""Camunda's ``ExternalTaskEntity.MAX_EXCEPTION_MESSAGE_LENGTH`` (in UTF-16 code units)."""


class PassThroughBehavior(Behavior):
    """``task`` and ``manualTask``: nothing to do, the token moves on."""

    def execute(self, ctx: CommandContext, execution: Execution, node: FlowNode) -> None:
        take_outgoing_flows(ctx, execution, node)


def _as_int(value: object, what: str, node_id: str) -> int:
    if isinstance(value, bool):
        raise ProcessEngineError(f"{what} of '{node_id}' must be a number, got {value!r}")
    if isinstance(value, int):
        return value
    if isinstance(value, str) and re.fullmatch(r"\s*-?\d+\s*", value):
        return int(value)
    raise ProcessEngineError(f"{what} of '{node_id}' must be a number, got {value!r}")


class ExternalTaskBehavior(Behavior):
    """``camunda:type="external"``: create an external task row and wait for a worker."""

    def execute(self, ctx: CommandContext, execution: Execution, node: FlowNode) -> None:
        assert isinstance(node, ServiceTask)
        graph = ctx.graph_of(execution)
        deployed = ctx.deployed(execution)
        topic = evaluate(ctx, graph, execution, node.external.topic)
        if not isinstance(topic, str) or not topic:
            raise ProcessEngineError(f"Topic of external task '{node.id}' evaluated to {topic!r}")
        priority_source = node.external.priority or deployed.process.task_priority
        priority = 0
        if priority_source:
            priority = _as_int(evaluate(ctx, graph, execution, priority_source), "Task priority", node.id)
        assert execution.activity_instance_id is not None
        task = ExternalTask(
            id=ctx.new_id(),
            topic_name=topic,
            execution_id=execution.id,
            process_instance_id=execution.process_instance_id,
            process_definition_id=execution.process_definition_id,
            process_definition_key=deployed.definition.key,
            activity_id=node.id,
            activity_instance_id=execution.activity_instance_id,
            create_time=ctx.now(),
            priority=priority,
            suspended=execution.suspended,
            tenant_id=execution.tenant_id,
            business_key=graph.root.business_key,
            process_definition_version_tag=deployed.definition.version_tag,
        )
        graph.external_tasks[task.id] = task
        ctx.uow.insert(task)
        ctx.records.append(ExternalTaskAvailable(task.id, topic))


_DURATION = re.compile(
    r"P(?:(?P<years>\d+)Y)?(?:(?P<months>\d+)M)?(?:(?P<weeks>\d+)W)?(?:(?P<days>\d+)D)?"
    r"(?:T(?:(?P<hours>\d+)H)?(?:(?P<minutes>\d+)M)?(?:(?P<seconds>\d+(?:\.\d+)?)S)?)?"
)


def parse_duration(text: str) -> timedelta:
    """An ISO 8601 duration such as ``P2D`` or ``PT1H30M`` (years/months as 365/30 days)."""
    match = _DURATION.fullmatch(text.strip())
    if match is None or text.strip() in ("P", "PT"):
        raise ValueError(f"not an ISO 8601 duration: {text!r}")
    parts = {k: float(v) for k, v in match.groupdict().items() if v}
    days = parts.get("years", 0) * 365 + parts.get("months", 0) * 30 + parts.get("weeks", 0) * 7
    return timedelta(
        days=days + parts.get("days", 0),
        hours=parts.get("hours", 0),
        minutes=parts.get("minutes", 0),
        seconds=parts.get("seconds", 0),
    )


def _as_date(ctx: CommandContext, value: object, what: str, node_id: str) -> datetime | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value
    if isinstance(value, str):
        try:
            if value.strip().startswith("P"):
                return ctx.now() + parse_duration(value)
            return parse_date(value)
        except ValueError:
            pass
    raise ProcessEngineError(f"{what} of '{node_id}' is not a date or duration: {value!r}")


def _names(value: object) -> list[str]:
    """Candidate users/groups: a comma-separated string or a list of strings."""
    if value is None:
        return []
    items = value.split(",") if isinstance(value, str) else value
    if not isinstance(items, list):
        items = [items]
    return [str(item).strip() for item in items if str(item).strip()]


class UserTaskBehavior(Behavior):
    """Create a task for people (assignee, candidates, dates, priority, form key) and wait."""

    def execute(self, ctx: CommandContext, execution: Execution, node: FlowNode) -> None:
        assert isinstance(node, UserTaskNode)
        graph = ctx.graph_of(execution)

        def ev(text: str | None) -> object:
            return None if text is None else evaluate(ctx, graph, execution, text)

        name = ev(node.name)
        assignee = ev(node.assignee)
        now = ctx.now()
        task = UserTask(
            id=ctx.new_id(),
            name=None if name is None else str(name),
            task_definition_key=node.id,
            execution_id=execution.id,
            process_instance_id=execution.process_instance_id,
            process_definition_id=execution.process_definition_id,
            created=now,
            last_updated=None,
            activity_instance_id=execution.activity_instance_id,
            description=node.documentation,
            assignee=None if assignee in (None, "") else str(assignee),
            priority=50 if node.priority is None else _as_int(ev(node.priority), "Priority", node.id),
            due=_as_date(ctx, ev(node.due_date), "Due date", node.id),
            follow_up=_as_date(ctx, ev(node.follow_up_date), "Follow-up date", node.id),
            form_key=None if node.form_key is None else str(ev(node.form_key)),
            suspended=execution.suspended,
            tenant_id=execution.tenant_id,
        )
        graph.user_tasks[task.id] = task
        ctx.uow.insert(task)
        _add_candidates(ctx, graph, task, _names(ev(node.candidate_users)), users=True)
        _add_candidates(ctx, graph, task, _names(ev(node.candidate_groups)), users=False)
        ctx.records.append(UserTaskCreated(task.id, node.id))


def _add_candidates(
    ctx: CommandContext, graph: InstanceGraph, task: UserTask, names: list[str], *, users: bool
) -> None:
    for name in dict.fromkeys(names):
        link = IdentityLink(
            id=ctx.new_id(),
            task_id=task.id,
            type=IdentityLinkType.CANDIDATE.value,
            user_id=name if users else None,
            group_id=None if users else name,
            process_instance_id=task.process_instance_id,
        )
        graph.identity_links.append(link)
        ctx.uow.insert(link)


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


def _throw_bpmn_error(
    ctx: CommandContext, execution: Execution, error_code: str, error_message: str | None
) -> None:
    """Propagate a BPMN error from the task's execution, running the agenda so anything that
    fails on the way is reported as Camunda's ENGINE-13033 (the task goes with its scope)."""
    try:
        propagate_error(ctx, execution, error_code, error_message)
        ctx.run_agenda()
    except OptimisticLockError:
        raise
    except EngineError as error:
        raise ProcessEngineError(f"ENGINE-13033 Propagation of bpmn error {error_code} failed. ") from error


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
        _throw_bpmn_error(ctx, execution, matched.error_code, task.error_message)
        return
    resolve_external_task_incidents(ctx, graph, task)
    del graph.external_tasks[task.id]
    ctx.uow.delete(task)
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
        _throw_bpmn_error(ctx, execution, matched.error_code, task.error_message)
        return
    task.lock_expiration_time = ctx.now() + timedelta(milliseconds=retry_timeout)
    set_external_task_retries(ctx, graph, task, retries)
    if retries > 0 and retry_timeout == 0:
        # fetchable again right away: wake long polls (Camunda waits for its 30 s re-check)
        ctx.records.append(ExternalTaskAvailable(task.id, task.topic_name))


def report_external_task_bpmn_error(
    ctx: CommandContext,
    graph: InstanceGraph,
    task: ExternalTask,
    error_code: str,
    error_message: str | None,
    variables: Mapping[str, TypedValue],
) -> None:
    """A worker reported a business error: variables go non-locally (so they survive the
    cancellation of the task's scope), then the error propagates from the task's execution."""
    execution = graph.executions[task.execution_id]
    try:
        set_variables(ctx, graph, execution, variables)
    except OptimisticLockError:
        raise
    except EngineError as error:
        raise ProcessEngineError(f"ENGINE-13033 Propagation of bpmn error {error_code} failed. ") from error
    _throw_bpmn_error(ctx, execution, error_code, error_message)


def complete_user_task(
    ctx: CommandContext, graph: InstanceGraph, task: UserTask, variables: Mapping[str, TypedValue]
) -> None:
    """A person finished: variables go to the task's execution (non-local), the task goes."""
    execution = graph.executions[task.execution_id]
    set_variables(ctx, graph, execution, variables)
    del graph.user_tasks[task.id]
    remove_task_variables(ctx, graph, task)
    for link in [link for link in graph.identity_links if link.task_id == task.id]:
        graph.identity_links.remove(link)
        ctx.uow.delete(link)
    ctx.uow.delete(task)
    ctx.plan(trigger, execution)
