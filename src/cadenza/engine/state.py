"""Runtime state: plain mutable dataclasses, one per kind of runtime row.

Nothing here knows about SQL. ``store/`` maps rows to these classes and back, and tracks which
ones a command created, changed or deleted. The names follow Camunda's REST vocabulary.

An ``Execution`` is Camunda's execution: a token that moves from activity to activity. The
process instance is the root execution (``id == process_instance_id``). A scope (the process, a
sub-process, an activity with an input/output mapping) has its own *scope execution*; parallel
paths inside a scope are *concurrent* child executions of that scope execution, exactly as in
Camunda's execution tree, so ``executionId`` and where variables land match what Camunda shows.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from cadenza.expr.values import TypedValue

__all__ = [
    "DelegationState",
    "Deployment",
    "EventSubscription",
    "Execution",
    "ExternalTask",
    "HistoricProcessInstance",
    "IdentityLink",
    "IdentityLinkType",
    "Incident",
    "IncidentType",
    "InstanceGraph",
    "Job",
    "JobDefinition",
    "Lineage",
    "ProcessDefinition",
    "ProcessInstanceState",
    "Resource",
    "UserTask",
    "VariableInstance",
]


class ProcessInstanceState(StrEnum):
    """Historic process instance states, with Camunda's values."""

    ACTIVE = "ACTIVE"
    SUSPENDED = "SUSPENDED"
    COMPLETED = "COMPLETED"
    EXTERNALLY_TERMINATED = "EXTERNALLY_TERMINATED"
    INTERNALLY_TERMINATED = "INTERNALLY_TERMINATED"


@dataclass(slots=True, eq=False)
class Execution:
    id: str
    process_instance_id: str
    process_definition_id: str
    parent_id: str | None = None
    activity_id: str | None = None
    activity_instance_id: str | None = None
    is_scope: bool = True
    is_concurrent: bool = False
    is_active: bool = True
    business_key: str | None = None
    tenant_id: str | None = None
    suspended: bool = False
    super_execution_id: str | None = None
    start_time: datetime | None = None
    rev: int = 0

    @property
    def is_process_instance(self) -> bool:
        return self.id == self.process_instance_id


@dataclass(slots=True, eq=False)
class VariableInstance:
    """A variable in one scope: of an execution, or of a user task when ``task_id`` is set."""

    id: str
    name: str
    value: TypedValue
    execution_id: str
    process_instance_id: str
    process_definition_id: str | None = None
    task_id: str | None = None
    activity_instance_id: str | None = None
    tenant_id: str | None = None
    create_time: datetime | None = None
    rev: int = 0


@dataclass(slots=True, eq=False)
class ExternalTask:
    id: str
    topic_name: str
    execution_id: str
    process_instance_id: str
    process_definition_id: str
    process_definition_key: str
    activity_id: str
    activity_instance_id: str
    create_time: datetime
    priority: int = 0
    worker_id: str | None = None
    lock_expiration_time: datetime | None = None
    retries: int | None = None
    error_message: str | None = None
    error_details: str | None = None
    suspended: bool = False
    tenant_id: str | None = None
    business_key: str | None = None
    process_definition_version_tag: str | None = None
    rev: int = 0


class IncidentType(StrEnum):
    """Camunda's built-in incident types."""

    FAILED_JOB = "failedJob"
    FAILED_EXTERNAL_TASK = "failedExternalTask"


@dataclass(slots=True, eq=False)
class Incident:
    """An open incident (Camunda ``IncidentEntity``): something needs a person's attention.

    ``configuration`` names the failing entity (the external task id for
    ``failedExternalTask``); cause and root cause are the incident itself unless it was raised
    on behalf of another one (call-activity chains).
    """

    id: str
    incident_type: str
    incident_timestamp: datetime
    process_instance_id: str
    execution_id: str
    process_definition_id: str
    activity_id: str | None = None
    failed_activity_id: str | None = None
    cause_incident_id: str | None = None
    root_cause_incident_id: str | None = None
    configuration: str | None = None
    incident_message: str | None = None
    tenant_id: str | None = None
    job_definition_id: str | None = None
    annotation: str | None = None
    rev: int = 0


@dataclass(slots=True, eq=False)
class Job:
    """A job (Camunda ``JobEntity``): an async continuation or a timer, run by the job executor.

    ``handler_type`` is Camunda's: ``async-continuation`` (configuration ``async-before`` or
    ``async-after``), ``timer-intermediate-transition`` (intermediate catch event, also after an
    event-based gateway), ``timer-transition`` (boundary event), ``timer-start-event`` (a
    process's start event, no execution) and ``timer-start-event-subprocess``. ``repeat`` is the
    rest of a timer cycle (``R2/PT1H`` or a cron expression).
    """

    id: str
    type: str
    """``message`` (async continuation) or ``timer``, as Camunda's job types"""
    handler_type: str
    create_time: datetime
    handler_configuration: str | None = None
    process_instance_id: str | None = None
    execution_id: str | None = None
    process_definition_id: str | None = None
    process_definition_key: str | None = None
    activity_id: str | None = None
    due_date: datetime | None = None
    repeat: str | None = None
    lock_owner: str | None = None
    lock_expiration_time: datetime | None = None
    retries: int = 3
    exception_message: str | None = None
    exception_stacktrace: str | None = None
    failed_activity_id: str | None = None
    suspended: bool = False
    priority: int = 0
    exclusive: bool = True
    job_definition_id: str | None = None
    tenant_id: str | None = None
    rev: int = 0


@dataclass(slots=True, eq=False)
class JobDefinition:
    """What jobs an activity of a definition creates (Camunda ``JobDefinitionEntity``)."""

    id: str
    process_definition_id: str
    process_definition_key: str
    activity_id: str
    job_type: str
    job_configuration: str | None = None
    suspended: bool = False
    overriding_job_priority: int | None = None
    tenant_id: str | None = None
    rev: int = 0


@dataclass(slots=True, eq=False)
class EventSubscription:
    """A message or signal subscription (Camunda ``EventSubscriptionEntity``).

    With an ``execution_id`` it belongs to a waiting catch event, receive task, boundary event
    or event sub-process start event (``activity_id``); without one it is the start event of
    the latest version of a definition.
    """

    id: str
    event_type: str
    """``message`` or ``signal``"""
    event_name: str
    activity_id: str
    created: datetime
    execution_id: str | None = None
    process_instance_id: str | None = None
    process_definition_id: str | None = None
    tenant_id: str | None = None
    rev: int = 0


class DelegationState(StrEnum):
    PENDING = "PENDING"
    RESOLVED = "RESOLVED"


@dataclass(slots=True, eq=False)
class UserTask:
    id: str
    name: str | None
    task_definition_key: str
    execution_id: str
    process_instance_id: str
    process_definition_id: str
    created: datetime
    activity_instance_id: str | None = None
    description: str | None = None
    assignee: str | None = None
    owner: str | None = None
    delegation_state: DelegationState | None = None
    priority: int = 50
    due: datetime | None = None
    follow_up: datetime | None = None
    last_updated: datetime | None = None
    form_key: str | None = None
    suspended: bool = False
    tenant_id: str | None = None
    rev: int = 0


class IdentityLinkType(StrEnum):
    CANDIDATE = "candidate"
    ASSIGNEE = "assignee"
    OWNER = "owner"


@dataclass(slots=True, eq=False)
class IdentityLink:
    id: str
    task_id: str
    type: str
    user_id: str | None = None
    group_id: str | None = None
    process_instance_id: str | None = None


@dataclass(slots=True, eq=False)
class HistoricProcessInstance:
    id: str
    process_definition_id: str
    process_definition_key: str
    start_time: datetime
    state: ProcessInstanceState = ProcessInstanceState.ACTIVE
    business_key: str | None = None
    end_time: datetime | None = None
    start_activity_id: str | None = None
    delete_reason: str | None = None
    super_process_instance_id: str | None = None
    root_process_instance_id: str | None = None
    tenant_id: str | None = None
    rev: int = 0


@dataclass(slots=True, eq=False)
class Deployment:
    id: str
    name: str | None
    deployment_time: datetime
    source: str | None = None
    tenant_id: str | None = None


@dataclass(slots=True, eq=False)
class Resource:
    id: str
    deployment_id: str
    name: str
    content: bytes


@dataclass(slots=True, eq=False)
class ProcessDefinition:
    """A deployed version of a process (Camunda ``ProcessDefinitionEntity``); the model itself is
    parsed from the deployment's resource and cached by id."""

    id: str
    key: str
    version: int
    deployment_id: str
    resource_name: str
    name: str | None = None
    category: str | None = None
    description: str | None = None
    tenant_id: str | None = None
    version_tag: str | None = None
    history_time_to_live: int | None = None
    startable_in_tasklist: bool = True
    suspended: bool = False
    rev: int = 0


@dataclass(frozen=True, slots=True)
class Lineage:
    """Where an instance sits in a call hierarchy (Camunda's ``superExecution`` and
    ``rootProcessInstanceId``)."""

    super_process_instance_id: str | None
    root_process_instance_id: str


@dataclass(eq=False)
class InstanceGraph:
    """Everything a command may touch of one process instance, loaded at once.

    Commands load the whole runtime state of an instance (executions, variables, tasks), change
    it in memory and let the unit of work flush the difference. Instances are small, and this
    keeps the engine free of lazy loading.
    """

    executions: dict[str, Execution] = field(default_factory=dict)
    execution_variables: dict[str, dict[str, VariableInstance]] = field(default_factory=dict)
    """execution id -> name -> variable"""
    task_variables: dict[str, dict[str, VariableInstance]] = field(default_factory=dict)
    """user task id -> name -> task-local variable"""
    external_tasks: dict[str, ExternalTask] = field(default_factory=dict)
    user_tasks: dict[str, UserTask] = field(default_factory=dict)
    identity_links: list[IdentityLink] = field(default_factory=list)
    history: HistoricProcessInstance | None = None
    incidents: dict[str, Incident] = field(default_factory=dict)
    """open incidents of the instance, by id"""
    jobs: dict[str, Job] = field(default_factory=dict)
    subscriptions: dict[str, EventSubscription] = field(default_factory=dict)
    lineage: Lineage | None = None
    """of an instance started in this command; for one loaded from the store, ``history``
    holds it (the engine itself never writes ``history``: the history consumer does)"""

    @property
    def super_process_instance_id(self) -> str | None:
        if self.lineage is not None:
            return self.lineage.super_process_instance_id
        return self.history.super_process_instance_id if self.history is not None else None

    @property
    def root_process_instance_id(self) -> str | None:
        if self.lineage is not None:
            return self.lineage.root_process_instance_id
        return self.history.root_process_instance_id if self.history is not None else None

    @property
    def root(self) -> Execution:
        return next(e for e in self.executions.values() if e.is_process_instance)

    def children(self, execution: Execution) -> list[Execution]:
        return [e for e in self.executions.values() if e.parent_id == execution.id]

    def parent(self, execution: Execution) -> Execution | None:
        return self.executions.get(execution.parent_id) if execution.parent_id else None
