"""Authorization (Camunda ``AuthorizationService`` and the engine's permission checks).

Camunda's model: an authorization gives a user, a group, or everybody (``GLOBAL``) a set of
permissions on a resource (a type such as ``ProcessDefinition`` plus an id, ``*`` for all).
Precedence, highest first: the user's own revoke, the user's grant, a group's revoke, a
group's grant, a global authorization; anything else is denied. Members of ``camunda-admin``
may do everything.

The checks run in the services, so the embedded API and REST agree: commands call one of the
``check_*`` helpers at the top of their command function (it does nothing unless
authentication is enabled and the call is made on behalf of a user), reads by id pass a
``ReadAccess`` to the same helpers, and queries add the SQL ``restriction`` built here so a
user only sees what they may read. A refusal raises ``AuthorizationError`` (HTTP 403, Camunda's
``AuthorizationException`` body).

Camunda's default authorizations are written here too: the deploying user gets READ and
DELETE on its deployment (``RepositoryService.deploy``); whoever becomes assignee, owner or
candidate (user or group) of a task gets READ and ``defaultUserPermissionForTask`` on it, and
a task's authorizations go with the task (``task_defaults``, a record consumer).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from enum import IntEnum
from typing import Any, NamedTuple, Protocol, TypeVar

import sqlalchemy as sa

from cadenza.engine.records import (
    IdentityLinkAdded,
    Record,
    UserTaskAssigned,
    UserTaskCompleted,
    UserTaskCreated,
    UserTaskDeleted,
    UserTaskUpdated,
)
from cadenza.engine.state import EventSubscription
from cadenza.errors import (
    BadUserRequestError,
    EngineError,
    InvalidRequestError,
    NotFoundError,
    OptimisticLockError,
)
from cadenza.services.runner import CommandRunner, ServiceContext
from cadenza.store import (
    Store,
    deployments as store_deployments,
    external_tasks as store_external_tasks,
    identity as store,
    incidents as store_incidents,
    instances,
    jobs as store_jobs,
    tables,
    tasks as store_tasks,
)
from cadenza.store.identity import AuthorizationQuery, AuthorizationRow
from cadenza.store.queries import Page

__all__ = [
    "ADMIN_GROUP",
    "ALL",
    "ANY",
    "AuthorizationError",
    "AuthorizationService",
    "AuthorizationType",
    "Identity",
    "MissingAuthorization",
    "ReadAccess",
    "ResourceType",
    "check",
    "check_definition",
    "check_definition_suspension",
    "check_deployment",
    "check_external_task",
    "check_incident",
    "check_instance",
    "check_job",
    "check_receivers",
    "check_start",
    "check_task",
    "fetch_filter",
    "grant_default",
    "identity_of",
    "may_read_definition",
    "permission_bits",
    "permission_names",
    "restrict",
    "restriction",
    "task_defaults",
]

ADMIN_GROUP = "camunda-admin"
"""Camunda's admin group: its members are granted everything."""
ANY = "*"
ALL = 2**31 - 1
"""Camunda's ``ALL`` permission (``Integer.MAX_VALUE``): every bit."""


class AuthorizationType(IntEnum):
    GLOBAL = 0
    GRANT = 1
    REVOKE = 2


class ResourceType(IntEnum):
    """Camunda's built-in resources (``Resources``), with their REST integer ids."""

    APPLICATION = 0
    USER = 1
    GROUP = 2
    GROUP_MEMBERSHIP = 3
    AUTHORIZATION = 4
    FILTER = 5
    PROCESS_DEFINITION = 6
    TASK = 7
    PROCESS_INSTANCE = 8
    DEPLOYMENT = 9
    DECISION_DEFINITION = 10
    TENANT = 11
    TENANT_MEMBERSHIP = 12
    BATCH = 13
    DECISION_REQUIREMENTS_DEFINITION = 14
    REPORT = 15
    DASHBOARD = 16


RESOURCE_NAMES: dict[int, str] = {
    0: "Application",
    1: "User",
    2: "Group",
    3: "Group membership",
    4: "Authorization",
    5: "Filter",
    6: "ProcessDefinition",
    7: "Task",
    8: "ProcessInstance",
    9: "Deployment",
    10: "DecisionDefinition",
    11: "Tenant",
    12: "Tenant membership",
    13: "Batch",
    14: "DecisionRequirementsDefinition",
    15: "Report",
    16: "Dashboard",
}

# Camunda ``Permissions``: the bits shared by resources without a permission enum of their own
_GENERIC = {
    "NONE": 0,
    "ALL": ALL,
    "READ": 2,
    "UPDATE": 4,
    "CREATE": 8,
    "DELETE": 16,
    "ACCESS": 32,
    "READ_TASK": 64,
    "UPDATE_TASK": 128,
    "CREATE_INSTANCE": 256,
    "READ_INSTANCE": 512,
    "UPDATE_INSTANCE": 1024,
    "DELETE_INSTANCE": 2048,
    "READ_HISTORY": 4096,
    "DELETE_HISTORY": 8192,
    "TASK_WORK": 16384,
    "TASK_ASSIGN": 32768,
    "MIGRATE_INSTANCE": 65536,
}
# ``ProcessDefinitionPermissions``, ``TaskPermissions``, ``ProcessInstancePermissions``: the
# same name may have another bit per resource (READ_VARIABLE is 64 on a task)
_PERMISSIONS: dict[int, dict[str, int]] = {
    ResourceType.PROCESS_DEFINITION: {
        **{k: v for k, v in _GENERIC.items() if k not in ("CREATE", "ACCESS")},
        "RETRY_JOB": 32,
        "SUSPEND_INSTANCE": 131072,
        "UPDATE_INSTANCE_VARIABLE": 262144,
        "UPDATE_TASK_VARIABLE": 524288,
        "SUSPEND": 1048576,
        "READ_INSTANCE_VARIABLE": 2097152,
        "READ_HISTORY_VARIABLE": 4194304,
        "READ_TASK_VARIABLE": 8388608,
        "UPDATE_HISTORY": 16777216,
    },
    ResourceType.TASK: {
        "NONE": 0,
        "ALL": ALL,
        "READ": 2,
        "UPDATE": 4,
        "CREATE": 8,
        "DELETE": 16,
        "UPDATE_VARIABLE": 32,
        "READ_VARIABLE": 64,
        "READ_HISTORY": 4096,
        "TASK_WORK": 16384,
        "TASK_ASSIGN": 32768,
    },
    ResourceType.PROCESS_INSTANCE: {
        "NONE": 0,
        "ALL": ALL,
        "READ": 2,
        "UPDATE": 4,
        "CREATE": 8,
        "DELETE": 16,
        "RETRY_JOB": 32,
        "SUSPEND": 64,
        "UPDATE_VARIABLE": 128,
    },
}


def _permissions_of(resource_type: int) -> dict[str, int]:
    return _PERMISSIONS.get(resource_type, _GENERIC)


def resource_name(resource_type: int) -> str:
    return RESOURCE_NAMES.get(resource_type, str(resource_type))


def permission_bits(resource_type: int, names: Sequence[str]) -> int:
    """The bit set of permission ``names`` on a resource type.

    Raises:
        BadUserRequestError: a name that is no permission of this resource type.
    """
    known = _permissions_of(resource_type)
    bits = 0
    for name in names:
        if name not in known:
            raise BadUserRequestError(
                f"The permission '{name}' is not valid for '{resource_name(resource_type)}' resource type."
            )
        bits |= known[name]
    return bits


def permission_names(resource_type: int, bits: int) -> list[str]:
    """Camunda's rendering of a bit set: ``["ALL"]``, ``["NONE"]`` or the single names."""
    if bits & ALL == ALL:
        return ["ALL"]
    if bits == 0:
        return ["NONE"]
    return [
        name for name, bit in _permissions_of(resource_type).items() if bit not in (0, ALL) and bits & bit
    ]


# ── the refusal ──────────────────────────────────────────────────────────────────────────────
@dataclass(frozen=True)
class MissingAuthorization:
    permission_name: str
    resource_type: int
    resource_id: str | None

    @property
    def resource_name(self) -> str:
        return resource_name(self.resource_type)

    def describe(self) -> str:
        on = f"{self.resource_id}' of type '" if self.resource_id is not None else ""
        return f"'{self.permission_name}' permission on resource '{on}{self.resource_name}'"


class AuthorizationError(EngineError):
    """Camunda ``AuthorizationException``: HTTP 403 with ``userId`` and the missing
    authorizations (any one of which would have been enough)."""

    camunda_type = "AuthorizationException"
    status = 403
    code = 0

    def __init__(self, user_id: str, missing: Sequence[MissingAuthorization]) -> None:
        self.user_id = user_id
        self.missing = list(missing)
        if len(self.missing) == 1:
            text = self.missing[0].describe()
        else:
            text = "one of the following permissions: " + " or ".join(m.describe() for m in self.missing)
        super().__init__(f"The user with id '{user_id}' does not have {text}.")


class TenantAccessError(EngineError):
    """The entity belongs to a tenant the user is no member of (Camunda's tenant check; Camunda
    answers 500 there, Cadenza 403, since it is a refusal, not an engine failure)."""

    camunda_type = "ProcessEngineException"
    status = 403


# ── who is asking ────────────────────────────────────────────────────────────────────────────
@dataclass(frozen=True)
class Identity:
    user_id: str
    group_ids: tuple[str, ...]
    tenant_ids: tuple[str, ...]

    @property
    def is_admin(self) -> bool:
        return ADMIN_GROUP in self.group_ids


def identity_of(connection: sa.Connection, enabled: bool, user_id: str | None) -> Identity | None:
    """The identity to check, or None when no check applies (authentication off, no user,
    or an administrator)."""
    if not enabled or user_id is None:
        return None
    groups = tuple(store.group_ids_of(connection, user_id))
    if ADMIN_GROUP in groups:
        return None
    return Identity(user_id, groups, tuple(store.tenant_ids_of(connection, user_id, groups)))


def _identity(ctx: ServiceContext) -> Identity | None:
    return identity_of(ctx.sql.connection, ctx.config.authentication_enabled, ctx.user_id)


class ReadAccess(NamedTuple):
    """A check outside a command (a read by id): the read connection, the service's runner and
    the user the call names (None: the runner's user)."""

    connection: sa.Connection
    runner: CommandRunner
    user_id: str | None = None


On = ServiceContext | ReadAccess
"""what a check runs on: a command's context or a read"""


def _subject(on: On) -> tuple[sa.Connection, Identity | None]:
    if isinstance(on, ReadAccess):
        enabled = on.runner.config.authentication_enabled
        return on.connection, identity_of(on.connection, enabled, on.runner.acting_user(on.user_id))
    return on.sql.connection, _identity(on)


def _decide(rules: Sequence[AuthorizationRow], who: Identity, bit: int, resource_id: str) -> bool:
    """One permission on one resource, by Camunda's precedence."""
    relevant = [r for r in rules if r.resource_id in (resource_id, ANY) and r.permissions & bit]
    own = [r for r in relevant if r.type != AuthorizationType.GLOBAL and r.user_id == who.user_id]
    groups = [r for r in relevant if r.type != AuthorizationType.GLOBAL and r.group_id in who.group_ids]
    for level in (own, groups):
        if any(r.type == AuthorizationType.REVOKE for r in level):
            return False
        if any(r.type == AuthorizationType.GRANT for r in level):
            return True
    return any(r.type == AuthorizationType.GLOBAL for r in relevant)


Alternative = tuple[str, int, str | None]
"""(permission name, resource type, resource id or None for "any resource of the type")"""


def is_authorized(connection: sa.Connection, who: Identity, alternatives: Sequence[Alternative]) -> bool:
    types = {resource_type for _, resource_type, _ in alternatives}
    rules = store.rules_for(connection, types, who.user_id, who.group_ids)
    for name, resource_type, resource_id in alternatives:
        bit = _permissions_of(resource_type)[name]
        typed = [r for r in rules if r.resource_type == resource_type]
        if _decide(typed, who, bit, resource_id if resource_id is not None else ANY):
            return True
    return False


def _require(connection: sa.Connection, who: Identity | None, *alternatives: Alternative) -> None:
    if who is None or is_authorized(connection, who, alternatives):
        return
    raise AuthorizationError(who.user_id, [MissingAuthorization(*a) for a in alternatives])


def _require_tenant(who: Identity | None, tenant_id: str | None, what: str) -> None:
    if who is None or tenant_id is None or tenant_id in who.tenant_ids:
        return
    raise TenantAccessError(f"Cannot {what} because it belongs to no authenticated tenant.")


# ── checks for commands (call at the top of a command function) ─────────────────────────────
def check(on: On, *alternatives: Alternative) -> None:
    """Require one of ``alternatives`` for the user the command (or read) runs for."""
    _require(*_subject(on), *alternatives)


_TASK_ACTIONS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    # action: (permissions on the task, permissions on its process definition)
    "read": (("READ",), ("READ_TASK",)),
    "work": (("TASK_WORK", "UPDATE"), ("TASK_WORK", "UPDATE_TASK")),
    "assign": (("TASK_ASSIGN", "UPDATE"), ("TASK_ASSIGN", "UPDATE_TASK")),
    "update": (("UPDATE",), ("UPDATE_TASK",)),
    "update_variable": (("UPDATE_VARIABLE", "UPDATE"), ("UPDATE_TASK_VARIABLE", "UPDATE_TASK")),
}


def check_task(on: On, task_id: str, action: str) -> None:
    """``action``: ``read`` (the task, its variables, identity links, form), ``work``
    (complete, claim, resolve, BPMN error/escalation), ``assign`` (assignee, owner, delegate,
    identity links), ``update`` (properties) or ``update_variable``. A missing task is left to
    the command (404)."""
    connection, who = _subject(on)
    if who is None:
        return
    task = store_tasks.find_task(connection, task_id)
    if task is None:
        return
    _require_tenant(who, task.tenant_id, f"work on task '{task_id}'")
    key = store_deployments.find_process_definition(connection, task.process_definition_id).key
    on_task, on_definition = _TASK_ACTIONS[action]
    _require(
        connection,
        who,
        *((p, ResourceType.TASK, task_id) for p in on_task),
        *((p, ResourceType.PROCESS_DEFINITION, key) for p in on_definition),
    )


_INSTANCE_ACTIONS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    # action: (permissions on the instance, permissions on its process definition)
    "read": (("READ",), ("READ_INSTANCE",)),
    "update": (("UPDATE",), ("UPDATE_INSTANCE",)),
    "delete": (("DELETE",), ("DELETE_INSTANCE",)),
    "update_variable": (("UPDATE_VARIABLE", "UPDATE"), ("UPDATE_INSTANCE_VARIABLE", "UPDATE_INSTANCE")),
    "suspend": (("SUSPEND", "UPDATE"), ("SUSPEND_INSTANCE", "UPDATE_INSTANCE")),
    "retry": (("RETRY_JOB", "UPDATE"), ("RETRY_JOB", "UPDATE_INSTANCE")),
}


def _key_of(connection: sa.Connection, definition_id: str) -> str:
    return store_deployments.find_process_definition(connection, definition_id).key


def _check_instance(
    connection: sa.Connection,
    who: Identity,
    instance_id: str | None,
    key: str,
    tenant_id: str | None,
    action: str,
) -> None:
    """``instance_id`` None: something of the definition outside any instance (a timer start
    job); only authorizations on every instance (``*``) count then, as in Camunda."""
    _require_tenant(who, tenant_id, f"{action} the process instance '{instance_id}'")
    on_instance, on_definition = _INSTANCE_ACTIONS[action]
    _require(
        connection,
        who,
        *((p, ResourceType.PROCESS_INSTANCE, instance_id) for p in on_instance),
        *((p, ResourceType.PROCESS_DEFINITION, key) for p in on_definition),
    )


def check_instance(on: On, execution_id: str, action: str) -> None:
    """``action`` on the instance of ``execution_id`` or the matching permission on its
    definition: ``read`` (READ / READ_INSTANCE), ``update`` (UPDATE / UPDATE_INSTANCE),
    ``delete``, ``update_variable`` (also UPDATE_VARIABLE / UPDATE_INSTANCE_VARIABLE),
    ``suspend`` (also SUSPEND / SUSPEND_INSTANCE) or ``retry`` (also RETRY_JOB). Unknown ids
    are left to the command."""
    connection, who = _subject(on)
    if who is None:
        return
    execution = instances.find_execution(connection, execution_id)
    if execution is None:
        return
    key = _key_of(connection, execution.process_definition_id)
    _check_instance(connection, who, execution.process_instance_id, key, execution.tenant_id, action)


def check_incident(on: On, incident_id: str, action: str) -> None:
    """``read``/``update`` on the instance the incident belongs to. Unknown ids are left to
    the command."""
    connection, who = _subject(on)
    if who is None:
        return
    incident = store_incidents.find_incident(connection, incident_id)
    if incident is None:
        return
    key = _key_of(connection, incident.process_definition_id)
    _check_instance(connection, who, incident.process_instance_id, key, incident.tenant_id, action)


def check_job(on: On, job_id: str, action: str) -> None:
    """``read``/``update``/``retry``/``suspend`` for a job (Camunda ``checkReadJob``,
    ``checkUpdateJob``, ``checkUpdateRetriesJob``): on its instance or its definition. Jobs of
    no definition are not checked; unknown ids are left to the command."""
    connection, who = _subject(on)
    if who is None:
        return
    job = store_jobs.find_job(connection, job_id)
    if job is None or job.process_definition_key is None:
        return
    _check_instance(
        connection, who, job.process_instance_id, job.process_definition_key, job.tenant_id, action
    )


def check_receivers(ctx: ServiceContext, subscriptions: Iterable[EventSubscription]) -> None:
    """A message or signal about to reach these subscriptions: UPDATE on each waiting instance
    (or UPDATE_INSTANCE on its definition); for a start event, what starting needs."""
    for sub in subscriptions:
        if sub.process_instance_id is not None:
            check_instance(ctx, sub.process_instance_id, "update")
        elif sub.process_definition_id is not None:
            definition = ctx.definitions.deployed_process(sub.process_definition_id).definition
            check_start(ctx, definition.key, definition.tenant_id)


def check_external_task(ctx: ServiceContext, external_task_id: str) -> None:
    """Complete, failure, BPMN error, lock, unlock, retries, priority: UPDATE on the process
    instance or UPDATE_INSTANCE on its definition (Camunda ``ExternalTaskCmd``)."""
    who = _identity(ctx)
    if who is None:
        return
    task = store_external_tasks.find_external_task(ctx.sql.connection, external_task_id)
    if task is None:
        return
    key = _key_of(ctx.sql.connection, task.process_definition_id)
    _check_instance(ctx.sql.connection, who, task.process_instance_id, key, task.tenant_id, "update")


def check_start(ctx: ServiceContext, definition_key: str, tenant_id: str | None) -> None:
    """Starting an instance needs CREATE on process instances and CREATE_INSTANCE on the
    definition (both, checked one after the other as Camunda does)."""
    who = _identity(ctx)
    _require_tenant(who, tenant_id, f"create an instance of the process definition '{definition_key}'")
    _require(ctx.sql.connection, who, ("CREATE", ResourceType.PROCESS_INSTANCE, None))
    _require(ctx.sql.connection, who, ("CREATE_INSTANCE", ResourceType.PROCESS_DEFINITION, definition_key))


def check_definition(on: On, definition_key: str, permission: str, tenant_id: str | None = None) -> None:
    """``permission`` on a process definition (of ``tenant_id``: one of the user's tenants)."""
    connection, who = _subject(on)
    if who is not None:
        _require_tenant(who, tenant_id, f"get the process definition '{definition_key}'")
        _require(connection, who, (permission, ResourceType.PROCESS_DEFINITION, definition_key))


def may_read_definition(on: On, definition_key: str, tenant_id: str | None) -> bool:
    """Whether the user may see the definition (READ on its key, one of its tenants): what
    definition queries by key find."""
    connection, who = _subject(on)
    if who is None:
        return True
    if tenant_id is not None and tenant_id not in who.tenant_ids:
        return False
    return is_authorized(connection, who, [("READ", ResourceType.PROCESS_DEFINITION, definition_key)])


def check_definition_suspension(ctx: ServiceContext, keys: Iterable[str], *, with_instances: bool) -> None:
    """Suspending or activating definitions: SUSPEND or UPDATE on each; with their instances
    also SUSPEND or UPDATE on every instance, or SUSPEND_INSTANCE or UPDATE_INSTANCE on the
    definition (Camunda ``checkUpdateProcessDefinitionSuspensionStateByKey`` and
    ``checkUpdateProcessInstanceSuspensionStateByProcessDefinitionKey``)."""
    connection, who = _subject(ctx)
    if who is None:
        return
    definition = ResourceType.PROCESS_DEFINITION
    for key in sorted(set(keys)):
        _require(connection, who, ("SUSPEND", definition, key), ("UPDATE", definition, key))
        if with_instances:
            _check_instance(connection, who, None, key, None, "suspend")


def check_deployment(on: On, deployment_id: str | None, permission: str) -> None:
    """CREATE (``deployment_id`` None), READ or DELETE on a deployment."""
    connection, who = _subject(on)
    if who is not None:
        _require(connection, who, (permission, ResourceType.DEPLOYMENT, deployment_id))


# ── restrictions for queries ─────────────────────────────────────────────────────────────────
def _visible(
    rules: Sequence[AuthorizationRow], who: Identity, bit: int, column: sa.ColumnElement[Any]
) -> sa.ColumnElement[bool]:
    """SQL: the resource id in ``column`` is one ``who`` holds ``bit`` on. Ids named by some
    authorization are decided one by one; every other id gets the ``*`` decision."""
    named = sorted({r.resource_id for r in rules if r.resource_id != ANY})
    if _decide(rules, who, bit, ANY):
        denied = [rid for rid in named if not _decide(rules, who, bit, rid)]
        return column.not_in(denied) if denied else sa.true()
    granted = [rid for rid in named if _decide(rules, who, bit, rid)]
    return column.in_(granted) if granted else sa.false()


ReadPath = tuple[str, int, sa.ColumnElement[Any]]
"""(permission, resource type, column holding that resource's id)"""


def read_restriction(
    connection: sa.Connection,
    who: Identity,
    paths: Sequence[ReadPath],
    tenant_column: sa.ColumnElement[Any] | None = None,
) -> sa.ColumnElement[bool]:
    """SQL condition: any of ``paths`` grants reading the row, and the row belongs to no tenant
    or to one of the user's tenants."""
    rules = store.rules_for(connection, {t for _, t, _ in paths}, who.user_id, who.group_ids)
    conditions = [
        _visible([r for r in rules if r.resource_type == t], who, _permissions_of(t)[p], column)
        for p, t, column in paths
    ]
    condition: sa.ColumnElement[bool] = sa.or_(*conditions)
    if tenant_column is not None:
        tenants = sa.or_(tenant_column.is_(None), tenant_column.in_(list(who.tenant_ids)))
        condition = sa.and_(condition, tenants)
    return condition


_pd = tables.process_definition


def _definition_key_of(definition_id_column: sa.ColumnElement[Any]) -> sa.ColumnElement[Any]:
    # an alias of its own: the outer query may join process_definition already
    pd = tables.process_definition.alias("authorized_definition")
    return sa.select(pd.c.key).where(pd.c.id == definition_id_column).correlate_except(pd).scalar_subquery()


def _read_paths(kind: str) -> tuple[list[ReadPath], sa.ColumnElement[Any] | None]:
    e, t, x, d = tables.execution, tables.task, tables.external_task, tables.deployment
    if kind == "process_instance":
        return [
            ("READ", ResourceType.PROCESS_INSTANCE, e.c.process_instance_id),
            ("READ_INSTANCE", ResourceType.PROCESS_DEFINITION, _definition_key_of(e.c.process_definition_id)),
        ], e.c.tenant_id
    if kind == "task":
        return [
            ("READ", ResourceType.TASK, t.c.id),
            ("READ_TASK", ResourceType.PROCESS_DEFINITION, _definition_key_of(t.c.process_definition_id)),
        ], t.c.tenant_id
    if kind == "external_task":
        return [
            ("READ", ResourceType.PROCESS_INSTANCE, x.c.process_instance_id),
            ("READ_INSTANCE", ResourceType.PROCESS_DEFINITION, x.c.process_definition_key),
        ], x.c.tenant_id
    if kind == "incident":
        i = tables.incident
        return [
            ("READ", ResourceType.PROCESS_INSTANCE, i.c.process_instance_id),
            ("READ_INSTANCE", ResourceType.PROCESS_DEFINITION, _definition_key_of(i.c.process_definition_id)),
        ], i.c.tenant_id
    if kind == "job":
        j = tables.job
        return [
            ("READ", ResourceType.PROCESS_INSTANCE, j.c.process_instance_id),
            ("READ_INSTANCE", ResourceType.PROCESS_DEFINITION, j.c.process_definition_key),
        ], j.c.tenant_id
    if kind == "process_definition":
        return [("READ", ResourceType.PROCESS_DEFINITION, _pd.c.key)], _pd.c.tenant_id
    if kind == "deployment":
        return [("READ", ResourceType.DEPLOYMENT, d.c.id)], d.c.tenant_id
    if kind == "user":
        return [("READ", ResourceType.USER, tables.identity_user.c.id)], None
    if kind == "group":
        return [("READ", ResourceType.GROUP, tables.identity_group.c.id)], None
    if kind == "tenant":
        return [("READ", ResourceType.TENANT, tables.identity_tenant.c.id)], None
    if kind == "authorization":
        return [("READ", ResourceType.AUTHORIZATION, tables.authorization.c.id)], None
    raise ValueError(kind)


def fetch_restriction(connection: sa.Connection, who: Identity) -> sa.ColumnElement[bool]:
    """External tasks a user may fetch and lock (Camunda filters, never refuses)."""
    x = tables.external_task
    by_instance = sa.and_(
        read_restriction(connection, who, [("READ", ResourceType.PROCESS_INSTANCE, x.c.process_instance_id)]),
        read_restriction(
            connection, who, [("UPDATE", ResourceType.PROCESS_INSTANCE, x.c.process_instance_id)]
        ),
    )
    key = x.c.process_definition_key
    by_definition = sa.and_(
        read_restriction(connection, who, [("READ_INSTANCE", ResourceType.PROCESS_DEFINITION, key)]),
        read_restriction(connection, who, [("UPDATE_INSTANCE", ResourceType.PROCESS_DEFINITION, key)]),
    )
    tenants = sa.or_(x.c.tenant_id.is_(None), x.c.tenant_id.in_(list(who.tenant_ids)))
    return sa.and_(sa.or_(by_instance, by_definition), tenants)


class _Restrictable(Protocol):
    restriction: sa.ColumnElement[bool] | None


Q = TypeVar("Q", bound=_Restrictable)


def restriction(
    connection: sa.Connection, runner: CommandRunner, user_id: str | None, kind: str
) -> sa.ColumnElement[bool] | None:
    """SQL condition selecting the rows of ``kind`` the acting user may read; None when no
    check applies (authentication off, no user, an administrator).

    ``kind``: ``process_instance`` (on ``execution``: instances and executions), ``task``,
    ``external_task``, ``incident``, ``job``, ``variable``, ``process_definition``,
    ``deployment``, ``user``, ``group``, ``tenant``, ``authorization``.
    """
    who = identity_of(connection, runner.config.authentication_enabled, runner.acting_user(user_id))
    if who is None:
        return None
    if kind == "variable":
        return _variable_restriction(connection, who)
    paths, tenant_column = _read_paths(kind)
    condition = read_restriction(connection, who, paths, tenant_column)
    if kind == "job":  # jobs of no definition are nobody's to hide (never checked either)
        condition = sa.or_(tables.job.c.process_definition_key.is_(None), condition)
    return condition


def _variable_restriction(connection: sa.Connection, who: Identity) -> sa.ColumnElement[bool]:
    """Variables of instances the user may read, and task variables of tasks it may read
    (Camunda's variable instance query)."""
    v = tables.variable
    key = _definition_key_of(v.c.process_definition_id)
    of_instance = read_restriction(
        connection,
        who,
        [
            ("READ", ResourceType.PROCESS_INSTANCE, v.c.process_instance_id),
            ("READ_INSTANCE", ResourceType.PROCESS_DEFINITION, key),
        ],
        v.c.tenant_id,
    )
    of_task = read_restriction(
        connection,
        who,
        [("READ", ResourceType.TASK, v.c.task_id), ("READ_TASK", ResourceType.PROCESS_DEFINITION, key)],
        v.c.tenant_id,
    )
    return sa.or_(of_instance, sa.and_(v.c.task_id.is_not(None), of_task))


def restrict(connection: sa.Connection, runner: CommandRunner, user_id: str | None, query: Q, kind: str) -> Q:
    """``query`` (one with a ``restriction`` field) narrowed to what the user may read."""
    condition = restriction(connection, runner, user_id, kind)
    if condition is None:
        return query
    if query.restriction is not None:
        condition = sa.and_(query.restriction, condition)
    return replace(query, restriction=condition)  # type: ignore[type-var]


def fetch_filter(
    connection: sa.Connection, runner: CommandRunner, user_id: str | None
) -> sa.ColumnElement[bool] | None:
    who = identity_of(connection, runner.config.authentication_enabled, runner.acting_user(user_id))
    return None if who is None else fetch_restriction(connection, who)


# ── the /authorization resource ──────────────────────────────────────────────────────────────
@dataclass(frozen=True)
class Authorization:
    """An authorization as the REST API shows it (``AuthorizationDto``)."""

    id: str
    type: int
    permissions: list[str]
    user_id: str | None
    group_id: str | None
    resource_type: int
    resource_id: str
    removal_time: Any = None
    root_process_instance_id: str | None = None


@dataclass(frozen=True)
class AuthorizationCheck:
    permission_name: str
    resource_name: str
    resource_id: str | None
    authorized: bool


def _dto(row: AuthorizationRow) -> Authorization:
    return Authorization(
        id=row.id,
        type=row.type,
        permissions=permission_names(row.resource_type, row.permissions),
        user_id=row.user_id,
        group_id=row.group_id,
        resource_type=row.resource_type,
        resource_id=row.resource_id,
        removal_time=row.removal_time,
        root_process_instance_id=row.root_process_instance_id,
    )


def _not_found(authorization_id: str) -> NotFoundError:
    return NotFoundError(
        f"Authorization with id {authorization_id} does not exist.", camunda_type="InvalidRequestException"
    )


class AuthorizationService:
    """Create, read, change and delete authorizations; ask whether the user may do something."""

    def __init__(self, runner: CommandRunner) -> None:
        self._runner = runner
        self._store: Store = runner.store

    def query(
        self, query: AuthorizationQuery, page: Page | None = None, *, user_id: str | None = None
    ) -> list[Authorization]:
        with self._store.read() as connection:
            query = restrict(connection, self._runner, user_id, query, "authorization")
            return [_dto(row) for row in store.query_authorizations(connection, query, page or Page())]

    def count(self, query: AuthorizationQuery, *, user_id: str | None = None) -> int:
        with self._store.read() as connection:
            query = restrict(connection, self._runner, user_id, query, "authorization")
            return store.count_authorizations(connection, query)

    def get(self, authorization_id: str, *, user_id: str | None = None) -> Authorization:
        found = self.query(AuthorizationQuery(id=authorization_id), Page(0, 1), user_id=user_id)
        if not found:
            raise _not_found(authorization_id)
        return found[0]

    @staticmethod
    def _validate(
        type_: int, permissions: Sequence[str], user_id: str | None, group_id: str | None, resource_type: int
    ) -> int:
        if type_ not in tuple(AuthorizationType):
            raise InvalidRequestError(f"Authorization type {type_} is not supported; use 0, 1 or 2")
        if type_ == AuthorizationType.GLOBAL:
            if group_id is not None or (user_id is not None and user_id != ANY):
                raise BadUserRequestError(
                    "ENGINE-03028 Cannot create authorization for user or group: global authorizations "
                    "apply to all users (userId '*')."
                )
        elif (user_id is None) == (group_id is None):
            raise BadUserRequestError(
                "Authorization must either have a 'userId' or a 'groupId'."
                if user_id is None
                else "Authorization must either have a 'userId' or a 'groupId', not both."
            )
        if type_ == AuthorizationType.REVOKE and user_id == ANY:
            raise BadUserRequestError(
                "Cannot revoke permissions for all users ('*'); use a global authorization."
            )
        return permission_bits(resource_type, permissions)

    def create(
        self,
        *,
        type_: int,
        permissions: Sequence[str],
        resource_type: int,
        resource_id: str | None,
        owner_user_id: str | None = None,
        owner_group_id: str | None = None,
        user_id: str | None = None,
    ) -> Authorization:
        """``POST /authorization/create``. ``owner_*`` name who the authorization is for;
        ``user_id`` is who asks (needs CREATE on Authorization)."""
        bits = self._validate(type_, permissions, owner_user_id, owner_group_id, resource_type)
        if type_ == AuthorizationType.GLOBAL:
            owner_user_id, owner_group_id = ANY, None

        def command(ctx: ServiceContext) -> Authorization:
            check(ctx, ("CREATE", ResourceType.AUTHORIZATION, None))
            row = AuthorizationRow(
                id=ctx.new_id(),
                type=type_,
                user_id=owner_user_id,
                group_id=owner_group_id,
                resource_type=resource_type,
                resource_id=resource_id or ANY,
                permissions=bits,
            )
            store.insert_authorization(ctx.sql.connection, row)
            return _dto(row)

        return self._runner.run(command, user_id=user_id)

    def update(
        self,
        authorization_id: str,
        *,
        permissions: Sequence[str],
        resource_type: int,
        resource_id: str | None,
        owner_user_id: str | None = None,
        owner_group_id: str | None = None,
        user_id: str | None = None,
    ) -> None:
        """``PUT /authorization/{id}``: replace identity, resource and permissions (not the type)."""

        def command(ctx: ServiceContext) -> None:
            check(ctx, ("UPDATE", ResourceType.AUTHORIZATION, authorization_id))
            connection = ctx.sql.connection
            row = store.find_authorization(connection, authorization_id)
            if row is None:
                raise _not_found(authorization_id)
            owner_user, owner_group = owner_user_id, owner_group_id
            if row.type == AuthorizationType.GLOBAL:
                owner_user, owner_group = ANY, None
            bits = self._validate(row.type, permissions, owner_user, owner_group, resource_type)
            changed = replace(
                row,
                user_id=owner_user,
                group_id=owner_group,
                resource_type=resource_type,
                resource_id=resource_id or ANY,
                permissions=bits,
            )
            if not store.update_authorization(connection, changed):
                raise _not_found(authorization_id)

        self._runner.run(command, user_id=user_id)

    def delete(self, authorization_id: str, *, user_id: str | None = None) -> None:
        def command(ctx: ServiceContext) -> None:
            check(ctx, ("DELETE", ResourceType.AUTHORIZATION, authorization_id))
            if not store.delete_authorization(ctx.sql.connection, authorization_id):
                raise _not_found(authorization_id)

        self._runner.run(command, user_id=user_id)

    def is_user_authorized(
        self,
        permission_name: str,
        resource_name_: str,
        resource_type: int,
        resource_id: str | None,
        *,
        user_id: str,
    ) -> AuthorizationCheck:
        """``GET /authorization/check``: may ``user_id`` do this? (always true for admins)"""
        permission_bits(resource_type, [permission_name])
        with self._store.read() as connection:
            groups = tuple(store.group_ids_of(connection, user_id))
            who = Identity(user_id, groups, ())
            allowed = who.is_admin or is_authorized(
                connection, who, [(permission_name, resource_type, resource_id)]
            )
        return AuthorizationCheck(permission_name, resource_name_, resource_id, allowed)


def grant_default(
    connection: sa.Connection,
    new_id: str,
    resource_type: int,
    resource_id: str,
    *,
    owner_user_id: str | None = None,
    owner_group_id: str | None = None,
    permissions: int = ALL,
) -> None:
    """A default grant written inside another command, as Camunda's
    ``DefaultAuthorizationProvider`` does (a new user gets ALL on itself, the deploying user
    ALL on its deployment)."""
    if store.has_authorization(
        connection,
        AuthorizationType.GRANT,
        resource_type,
        resource_id,
        user_id=owner_user_id,
        group_id=owner_group_id,
    ):
        return
    row = AuthorizationRow(
        id=new_id,
        type=AuthorizationType.GRANT,
        user_id=owner_user_id,
        group_id=owner_group_id,
        resource_type=resource_type,
        resource_id=resource_id,
        permissions=permissions,
    )
    store.insert_authorization(connection, row)


def _grant_task_permissions(
    connection: sa.Connection, new_id: str, task_id: str, user_id: str | None, group_id: str | None, bits: int
) -> None:
    """Create, or add ``bits`` to, the grant of this user or group on the task (Camunda's
    ``createOrUpdateAuthorization``)."""
    found = store.find_grant(connection, ResourceType.TASK, task_id, user_id=user_id, group_id=group_id)
    if found is None:
        grant_default(
            connection,
            new_id,
            ResourceType.TASK,
            task_id,
            owner_user_id=user_id,
            owner_group_id=group_id,
            permissions=bits,
        )
        return
    widened = replace(found, permissions=found.permissions | bits)
    if widened.permissions != found.permissions and not store.update_authorization(connection, widened):
        raise OptimisticLockError(f"Authorization {found.id} was changed concurrently")


def task_defaults(ctx: ServiceContext, records: Sequence[Record]) -> None:
    """Record consumer: Camunda's default task authorizations, for whatever the command did to
    tasks: a new assignee or owner and every new candidate user or group gets READ and
    ``defaultUserPermissionForTask`` on the task (engine-made tasks too); the authorizations
    of a task that ends are deleted with it. Unassigning revokes nothing (Camunda neither).
    Only with authorization on, as in Camunda."""
    if not ctx.config.authentication_enabled:
        return
    connection = ctx.sql.connection
    bits = permission_bits(ResourceType.TASK, ["READ", ctx.config.default_user_permission_for_task])
    wanted: list[tuple[str, str | None, str | None]] = []
    gone: list[str] = []
    for record in records:
        if isinstance(record, UserTaskCreated):
            task = record.task
            wanted += [(task.id, user, None) for user in (task.assignee, task.owner) if user is not None]
        elif isinstance(record, UserTaskAssigned) and record.task.assignee is not None:
            wanted.append((record.task.id, record.task.assignee, None))
        elif isinstance(record, UserTaskUpdated) and record.task.owner not in (None, record.previous.owner):
            wanted.append((record.task.id, record.task.owner, None))
        elif isinstance(record, IdentityLinkAdded) and (
            record.user_id is not None or record.group_id is not None
        ):
            wanted.append((record.task_id, record.user_id, record.group_id))
        elif isinstance(record, UserTaskCompleted | UserTaskDeleted):
            gone.append(record.task.id)
    for task_id, user, group in dict.fromkeys(wanted):
        if task_id not in gone:
            _grant_task_permissions(connection, ctx.new_id(), task_id, user, group, bits)
    store.delete_resource_authorizations(connection, ResourceType.TASK, gone)
