"""User task DTO (``TaskDto``, semantics §3.3)."""

from __future__ import annotations

from cadenza.services import UserTask

from .common import CamelModel, date_out

__all__ = ["TaskDto", "task_dto"]


class TaskDto(CamelModel):
    id: str
    name: str | None
    assignee: str | None
    owner: str | None
    created: str | None
    last_updated: str | None
    due: str | None
    follow_up: str | None
    delegation_state: str | None
    description: str | None
    execution_id: str
    parent_task_id: str | None
    priority: int
    process_definition_id: str
    process_instance_id: str
    case_execution_id: str | None
    case_definition_id: str | None
    case_instance_id: str | None
    task_definition_key: str
    suspended: bool
    form_key: str | None
    camunda_form_ref: dict[str, object] | None
    tenant_id: str | None
    task_state: str


def task_dto(task: UserTask) -> TaskDto:
    return TaskDto(
        id=task.id,
        name=task.name,
        assignee=task.assignee,
        owner=task.owner,
        created=date_out(task.created),
        last_updated=date_out(task.last_updated),
        due=date_out(task.due),
        follow_up=date_out(task.follow_up),
        delegation_state=None if task.delegation_state is None else str(task.delegation_state),
        description=task.description,
        execution_id=task.execution_id,
        parent_task_id=None,
        priority=task.priority,
        process_definition_id=task.process_definition_id,
        process_instance_id=task.process_instance_id,
        case_execution_id=None,
        case_definition_id=None,
        case_instance_id=None,
        task_definition_key=task.task_definition_key,
        suspended=task.suspended,
        form_key=task.form_key,
        camunda_form_ref=None,
        tenant_id=task.tenant_id,
        # Camunda's TaskDto.taskState: "Created" until the task is changed, then "Updated".
        task_state="Updated" if task.last_updated is not None else "Created",
    )
