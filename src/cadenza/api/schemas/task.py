"""User task DTO (``TaskDto``, semantics §3.3)."""

from __future__ import annotations

from cadenza.services import IdentityLink, UserTask

from .common import CamelModel, VariableValueDto, date_out

__all__ = [
    "CompleteTaskDto",
    "FormDto",
    "IdentityLinkDto",
    "TaskBpmnErrorDto",
    "TaskDto",
    "TaskEscalationDto",
    "TaskUpdateDto",
    "UserIdDto",
    "identity_link_dto",
    "task_dto",
]


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


# ── request bodies ──────────────────────────────────────────────────────────────────────────


class UserIdDto(CamelModel):
    """``claim``, ``assignee``, ``delegate``."""

    user_id: str | None = None


class CompleteTaskDto(CamelModel):
    """``complete``, ``submit-form``, ``resolve``."""

    variables: dict[str, VariableValueDto] | None = None
    with_variables_in_return: bool | None = False


class TaskBpmnErrorDto(CamelModel):
    error_code: str | None = None
    error_message: str | None = None
    variables: dict[str, VariableValueDto] | None = None


class TaskEscalationDto(CamelModel):
    escalation_code: str | None = None
    variables: dict[str, VariableValueDto] | None = None


class IdentityLinkDto(CamelModel):
    user_id: str | None = None
    group_id: str | None = None
    type: str | None = None


class TaskUpdateDto(CamelModel):
    """``PUT /task/{id}``: Camunda's ``TaskDto``; read-only properties are ignored."""

    name: str | None = None
    description: str | None = None
    priority: int | None = None
    assignee: str | None = None
    owner: str | None = None
    delegation_state: str | None = None
    due: str | None = None
    follow_up: str | None = None
    parent_task_id: str | None = None
    case_instance_id: str | None = None
    tenant_id: str | None = None


# ── responses ───────────────────────────────────────────────────────────────────────────────


class FormDto(CamelModel):
    key: str | None
    camunda_form_ref: dict[str, object] | None
    context_path: str | None


def identity_link_dto(link: IdentityLink) -> IdentityLinkDto:
    return IdentityLinkDto(user_id=link.user_id, group_id=link.group_id, type=link.type)
