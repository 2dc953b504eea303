"""Tasks: pass-through tasks, external (service) tasks and user tasks, created when a token
enters them (what people and workers then do with them: ``user_tasks``, ``external_tasks``)."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from cadenza.bpmn.model import FlowNode, ServiceTask, UserTask as UserTaskNode
from cadenza.engine.behavior import Behavior
from cadenza.engine.context import CommandContext
from cadenza.engine.lifecycle import take_outgoing_flows
from cadenza.engine.records import (
    ExternalTaskAvailable,
    ExternalTaskCreated,
    ExternalTaskSnapshot,
    IdentityLinkAdded,
    TaskSnapshot,
    UserTaskCreated,
)
from cadenza.engine.state import (
    Execution,
    ExternalTask,
    IdentityLink,
    IdentityLinkType,
    InstanceGraph,
    UserTask,
)
from cadenza.engine.variables import evaluate
from cadenza.errors import ProcessEngineError
from cadenza.expr.values import parse_date

__all__ = [
    "ExternalTaskBehavior",
    "PassThroughBehavior",
    "UserTaskBehavior",
    "parse_duration",
]


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
        ctx.emit(ExternalTaskCreated(ctx.now(), ExternalTaskSnapshot.of(task)))
        ctx.emit(ExternalTaskAvailable(ctx.now(), task.id, topic))


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
        ctx.emit(UserTaskCreated(now, TaskSnapshot.of(task)))
        _add_candidates(ctx, graph, task, _names(ev(node.candidate_users)), users=True)
        _add_candidates(ctx, graph, task, _names(ev(node.candidate_groups)), users=False)


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
        ctx.emit(
            IdentityLinkAdded(
                ctx.now(),
                task.id,
                link.type,
                link.user_id,
                link.group_id,
                task.process_instance_id,
                task.tenant_id,
                ctx.user_id,
            )
        )
