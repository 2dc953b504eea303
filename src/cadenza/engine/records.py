"""The record stream: typed records of everything a command did, in the order it happened.

The core emits them on the context (``CommandContext.emit``); they leave it two ways:

- inside the transaction, after the agenda and before the flush, the record consumers given to
  the command runner read them and write what follows from them (``context.RecordConsumer``):
  the historic process instance, default task authorizations, the events of a new deployment;
- after the commit the services publish them, so long polls and the job executor wake up.

Facts carry what Camunda's history needs for its ``ACT_HI_*`` rows (Camunda's ``HistoryEvent``
classes), as frozen snapshots of the entity at that moment, and every record its time
(``ctx.now()``). Two records are wake-up signals rather than facts: ``ExternalTaskAvailable``
(a task became fetchable) and ``JobDue`` (a job became due).

Where Camunda's history differs from the obvious:
- the user task of an activity instance is found through the task records
  (``task.activity_instance_id``): Camunda writes ``TASK_ID_``/``ASSIGNEE_`` of
  ``ACT_HI_ACTINST`` from the task's create/assign events, not from the activity's own;
- variables and identity links that go because their scope or task ends are not deleted in
  history (Camunda fires no history event for them): only an explicit removal emits
  ``VariableDeleted`` / ``IdentityLinkDeleted``; transient variables emit nothing;
- an external task's failure record shows the task as Camunda's failure log does: locked until
  the retry time, with the retries from before the failure (the new ones are ``retries``).
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any, Self

from cadenza.engine.definitions import DeployedProcess
from cadenza.engine.state import DelegationState, ProcessInstanceState
from cadenza.expr.values import TypedValue

__all__ = [
    "ActivityEnded",
    "ActivityStarted",
    "ExternalTaskAvailable",
    "ExternalTaskBpmnError",
    "ExternalTaskCompleted",
    "ExternalTaskCreated",
    "ExternalTaskDeleted",
    "ExternalTaskFailed",
    "ExternalTaskLocked",
    "ExternalTaskSnapshot",
    "IdentityLinkAdded",
    "IdentityLinkDeleted",
    "IncidentDeleted",
    "IncidentOpened",
    "IncidentResolved",
    "IncidentSnapshot",
    "JobCreated",
    "JobDeleted",
    "JobDue",
    "JobExecuted",
    "JobFailed",
    "JobSnapshot",
    "ProcessDefinitionDeployed",
    "ProcessInstanceEnded",
    "ProcessInstanceStarted",
    "ProcessInstanceStateChanged",
    "Record",
    "TaskSnapshot",
    "UserTaskAssigned",
    "UserTaskCompleted",
    "UserTaskCreated",
    "UserTaskDeleted",
    "UserTaskUpdated",
    "VariableCreated",
    "VariableDeleted",
    "VariableSnapshot",
    "VariableUpdated",
]


class _Snapshot:
    """A frozen copy of the fields of a runtime entity that share the snapshot's field names."""

    __slots__ = ()

    @classmethod
    def of(cls, entity: object) -> Self:
        values: dict[str, Any] = {name: getattr(entity, name) for name in _field_names(cls)}
        return cls(**values)


_FIELD_NAMES: dict[type, tuple[str, ...]] = {}


def _field_names(cls: type) -> tuple[str, ...]:
    names = _FIELD_NAMES.get(cls)
    if names is None:
        names = _FIELD_NAMES[cls] = tuple(f.name for f in fields(cls))
    return names


# ── process instances ───────────────────────────────────────────────────────────────────────────


@dataclass(frozen=True, slots=True)
class ProcessInstanceStarted:
    time: datetime
    process_instance_id: str
    process_definition_id: str
    process_definition_key: str
    business_key: str | None
    start_activity_id: str
    start_user_id: str | None
    """the user the starting command acts for (Camunda ``START_USER_ID_``)"""
    super_process_instance_id: str | None
    super_execution_id: str | None
    """the calling execution, for an instance a call activity started"""
    root_process_instance_id: str
    tenant_id: str | None


@dataclass(frozen=True, slots=True)
class ProcessInstanceEnded:
    time: datetime
    process_instance_id: str
    process_definition_id: str
    state: ProcessInstanceState
    """``COMPLETED``, ``EXTERNALLY_TERMINATED`` (deleted) or ``INTERNALLY_TERMINATED``"""
    delete_reason: str | None


@dataclass(frozen=True, slots=True)
class ProcessInstanceStateChanged:
    """The instance was suspended (``SUSPENDED``) or activated again (``ACTIVE``)."""

    time: datetime
    process_instance_id: str
    state: ProcessInstanceState


# ── activity instances ──────────────────────────────────────────────────────────────────────────


@dataclass(frozen=True, slots=True)
class ActivityStarted:
    """An activity instance began (for ``asyncBefore``: when its job runs). A multi-instance
    activity has a body instance (``<id>#multiInstanceBody``) around its instances."""

    time: datetime
    activity_instance_id: str
    parent_activity_instance_id: str
    """the enclosing scope's activity instance (the process instance id at the top)"""
    activity_id: str
    activity_type: str
    activity_name: str | None
    execution_id: str
    process_instance_id: str
    process_definition_id: str
    tenant_id: str | None


@dataclass(frozen=True, slots=True)
class ActivityEnded:
    time: datetime
    activity_instance_id: str
    parent_activity_instance_id: str
    activity_id: str
    activity_type: str
    activity_name: str | None
    execution_id: str
    process_instance_id: str
    process_definition_id: str
    tenant_id: str | None
    canceled: bool
    """cancelled (its scope ended, an interrupting event fired, the instance was deleted)"""
    completed_scope: bool
    """its end completed the scope around it (an end event, an activity without outgoing flows)"""
    called_process_instance_id: str | None
    """the instance a call activity started"""


# ── user tasks and their identity links ─────────────────────────────────────────────────────────


@dataclass(frozen=True, slots=True)
class TaskSnapshot(_Snapshot):
    id: str
    name: str | None
    description: str | None
    task_definition_key: str
    execution_id: str
    process_instance_id: str
    process_definition_id: str
    activity_instance_id: str | None
    assignee: str | None
    owner: str | None
    delegation_state: DelegationState | None
    priority: int
    due: datetime | None
    follow_up: datetime | None
    created: datetime
    form_key: str | None
    tenant_id: str | None


@dataclass(frozen=True, slots=True)
class UserTaskCreated:
    time: datetime
    task: TaskSnapshot


@dataclass(frozen=True, slots=True)
class UserTaskAssigned:
    """The assignee changed (claim, unclaim, delegate, resolve, set, update)."""

    time: datetime
    task: TaskSnapshot
    previous_assignee: str | None


@dataclass(frozen=True, slots=True)
class UserTaskUpdated:
    """Properties other than the assignee changed (owner, name, priority, dates, delegation)."""

    time: datetime
    task: TaskSnapshot
    previous: TaskSnapshot


@dataclass(frozen=True, slots=True)
class UserTaskCompleted:
    time: datetime
    task: TaskSnapshot


@dataclass(frozen=True, slots=True)
class UserTaskDeleted:
    """The task went with its activity (cancelled, instance deleted)."""

    time: datetime
    task: TaskSnapshot
    delete_reason: str


@dataclass(frozen=True, slots=True)
class IdentityLinkAdded:
    """A candidate user or group of a task (Camunda also logs assignee/owner changes as links:
    see ``UserTaskAssigned`` / ``UserTaskUpdated``)."""

    time: datetime
    task_id: str
    type: str
    user_id: str | None
    group_id: str | None
    process_instance_id: str | None
    tenant_id: str | None
    assigner_id: str | None
    """the user the command acts for"""


@dataclass(frozen=True, slots=True)
class IdentityLinkDeleted:
    time: datetime
    task_id: str
    type: str
    user_id: str | None
    group_id: str | None
    process_instance_id: str | None
    tenant_id: str | None
    assigner_id: str | None


# ── variables ───────────────────────────────────────────────────────────────────────────────────


@dataclass(frozen=True, slots=True)
class VariableSnapshot(_Snapshot):
    id: str
    name: str
    value: TypedValue
    execution_id: str
    process_instance_id: str
    process_definition_id: str | None
    task_id: str | None
    activity_instance_id: str | None
    """the activity instance of the variable's scope"""
    tenant_id: str | None
    create_time: datetime | None


@dataclass(frozen=True, slots=True)
class VariableCreated:
    time: datetime
    variable: VariableSnapshot


@dataclass(frozen=True, slots=True)
class VariableUpdated:
    time: datetime
    variable: VariableSnapshot


@dataclass(frozen=True, slots=True)
class VariableDeleted:
    time: datetime
    variable: VariableSnapshot


# ── incidents ───────────────────────────────────────────────────────────────────────────────────


@dataclass(frozen=True, slots=True)
class IncidentSnapshot(_Snapshot):
    id: str
    incident_type: str
    incident_timestamp: datetime
    process_instance_id: str
    execution_id: str
    process_definition_id: str
    activity_id: str | None
    failed_activity_id: str | None
    cause_incident_id: str | None
    root_cause_incident_id: str | None
    configuration: str | None
    incident_message: str | None
    tenant_id: str | None
    job_definition_id: str | None
    annotation: str | None


@dataclass(frozen=True, slots=True)
class IncidentOpened:
    time: datetime
    incident: IncidentSnapshot


@dataclass(frozen=True, slots=True)
class IncidentResolved:
    """Its cause was fixed (retries raised, the task completed) or it was resolved by hand."""

    time: datetime
    incident: IncidentSnapshot


@dataclass(frozen=True, slots=True)
class IncidentDeleted:
    """It went with its external task, job or instance."""

    time: datetime
    incident: IncidentSnapshot


# ── external tasks ──────────────────────────────────────────────────────────────────────────────


@dataclass(frozen=True, slots=True)
class ExternalTaskSnapshot(_Snapshot):
    id: str
    topic_name: str
    execution_id: str
    process_instance_id: str
    process_definition_id: str
    process_definition_key: str
    activity_id: str
    activity_instance_id: str
    priority: int
    worker_id: str | None
    lock_expiration_time: datetime | None
    retries: int | None
    error_message: str | None
    error_details: str | None
    tenant_id: str | None
    business_key: str | None


@dataclass(frozen=True, slots=True)
class ExternalTaskCreated:
    time: datetime
    task: ExternalTaskSnapshot


@dataclass(frozen=True, slots=True)
class ExternalTaskLocked:
    """Locked for a worker (fetch and lock, or lock by id)."""

    time: datetime
    task: ExternalTaskSnapshot


@dataclass(frozen=True, slots=True)
class ExternalTaskFailed:
    time: datetime
    task: ExternalTaskSnapshot
    retries: int
    """the retries the failure leaves"""


@dataclass(frozen=True, slots=True)
class ExternalTaskCompleted:
    time: datetime
    task: ExternalTaskSnapshot


@dataclass(frozen=True, slots=True)
class ExternalTaskBpmnError:
    """The worker reported a BPMN error, or a ``camunda:errorEventDefinition`` matched its report;
    the error propagates next (and the task usually goes with its scope: ``ExternalTaskDeleted``)."""

    time: datetime
    task: ExternalTaskSnapshot
    error_code: str
    error_message: str | None


@dataclass(frozen=True, slots=True)
class ExternalTaskDeleted:
    time: datetime
    task: ExternalTaskSnapshot
    delete_reason: str


@dataclass(frozen=True, slots=True)
class ExternalTaskAvailable:
    """Wake-up signal: an external task became fetchable (created, unlocked, retries raised,
    failed without retry timeout); long polls on ``topic_name`` answer at once."""

    time: datetime
    external_task_id: str
    topic_name: str


# ── jobs ────────────────────────────────────────────────────────────────────────────────────────


@dataclass(frozen=True, slots=True)
class JobSnapshot(_Snapshot):
    id: str
    type: str
    handler_type: str
    handler_configuration: str | None
    create_time: datetime
    process_instance_id: str | None
    execution_id: str | None
    process_definition_id: str | None
    process_definition_key: str | None
    activity_id: str | None
    due_date: datetime | None
    retries: int
    exception_message: str | None
    failed_activity_id: str | None
    priority: int
    job_definition_id: str | None
    tenant_id: str | None


@dataclass(frozen=True, slots=True)
class JobCreated:
    time: datetime
    job: JobSnapshot


@dataclass(frozen=True, slots=True)
class JobFailed:
    """A run failed: ``job`` shows the new retries, due date and exception message."""

    time: datetime
    job: JobSnapshot
    exception_stacktrace: str | None


@dataclass(frozen=True, slots=True)
class JobExecuted:
    """The job ran (its work is in the same transaction) and is gone."""

    time: datetime
    job: JobSnapshot


@dataclass(frozen=True, slots=True)
class JobDeleted:
    """The job went without running (its execution ended, its event fired otherwise)."""

    time: datetime
    job: JobSnapshot


@dataclass(frozen=True, slots=True)
class JobDue:
    """Wake-up signal: a job was created or became due again (``due_date`` None = now)."""

    time: datetime
    job_id: str
    due_date: datetime | None


# ── definitions ─────────────────────────────────────────────────────────────────────────────────


@dataclass(frozen=True, slots=True)
class ProcessDefinitionDeployed:
    """A new process definition version, with its parsed model (not to be changed)."""

    time: datetime
    deployed: DeployedProcess


Record = (
    ProcessInstanceStarted
    | ProcessInstanceEnded
    | ProcessInstanceStateChanged
    | ActivityStarted
    | ActivityEnded
    | UserTaskCreated
    | UserTaskAssigned
    | UserTaskUpdated
    | UserTaskCompleted
    | UserTaskDeleted
    | IdentityLinkAdded
    | IdentityLinkDeleted
    | VariableCreated
    | VariableUpdated
    | VariableDeleted
    | IncidentOpened
    | IncidentResolved
    | IncidentDeleted
    | ExternalTaskCreated
    | ExternalTaskLocked
    | ExternalTaskFailed
    | ExternalTaskCompleted
    | ExternalTaskBpmnError
    | ExternalTaskDeleted
    | ExternalTaskAvailable
    | JobCreated
    | JobFailed
    | JobExecuted
    | JobDeleted
    | JobDue
    | ProcessDefinitionDeployed
)
