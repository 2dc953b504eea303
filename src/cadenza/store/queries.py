"""Query criteria for the list/count endpoints, and the sorting they accept.

Each query is a plain dataclass: ``None`` (or ``False`` for flags) means "no filter", as the
REST layer's clients expect (generic-camunda-client sends ``false`` for every unset flag).
``sorting`` holds ``(sortBy, asc)`` pairs using Camunda's ``sortBy`` names; each query class
lists the names it accepts in ``SORT_FIELDS`` (name -> column name), so sort columns always
come from a fixed whitelist.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, ClassVar

import sqlalchemy as sa
from sqlalchemy import Select

__all__ = [
    "VARIABLE_OPERATORS",
    "DeploymentQuery",
    "ExecutionQuery",
    "ExternalTaskQuery",
    "Page",
    "ProcessDefinitionQuery",
    "ProcessInstanceQuery",
    "Sorting",
    "TaskQuery",
    "VariableFilter",
    "apply_page",
    "apply_sorting",
    "count_of",
    "like",
    "variable_exists",
    "variable_value_conditions",
]

Sorting = tuple[str, bool]
"""(Camunda sortBy name, ascending)"""


@dataclass(frozen=True)
class Page:
    first_result: int = 0
    max_results: int | None = None


@dataclass(frozen=True)
class VariableFilter:
    """``name_op_value`` from query strings; ``op`` in eq neq gt gteq lt lteq like notLike."""

    name: str
    operator: str
    value: object


@dataclass
class DeploymentQuery:
    SORT_FIELDS: ClassVar[dict[str, str]] = {
        "id": "id",
        "name": "name",
        "deploymentTime": "deployment_time",
        "tenantId": "tenant_id",
    }
    id: str | None = None
    name: str | None = None
    name_like: str | None = None
    source: str | None = None
    without_source: bool = False
    tenant_id_in: list[str] | None = None
    without_tenant_id: bool = False
    include_deployments_without_tenant_id: bool = False
    after: datetime | None = None
    before: datetime | None = None
    sorting: list[Sorting] = field(default_factory=list)


@dataclass
class ProcessDefinitionQuery:
    SORT_FIELDS: ClassVar[dict[str, str]] = {
        "category": "category",
        "key": "key",
        "id": "id",
        "name": "name",
        "version": "version",
        "deploymentId": "deployment_id",
        "tenantId": "tenant_id",
        "versionTag": "version_tag",
    }
    process_definition_id: str | None = None
    process_definition_id_in: list[str] | None = None
    key: str | None = None
    keys_in: list[str] | None = None
    key_like: str | None = None
    name: str | None = None
    name_like: str | None = None
    deployment_id: str | None = None
    resource_name: str | None = None
    resource_name_like: str | None = None
    version: int | None = None
    latest_version: bool = False
    active: bool = False
    suspended: bool = False
    version_tag: str | None = None
    version_tag_like: str | None = None
    without_version_tag: bool = False
    tenant_id_in: list[str] | None = None
    without_tenant_id: bool = False
    include_process_definitions_without_tenant_id: bool = False
    startable_in_tasklist: bool = False
    not_startable_in_tasklist: bool = False
    sorting: list[Sorting] = field(default_factory=list)


@dataclass
class ProcessInstanceQuery:
    SORT_FIELDS: ClassVar[dict[str, str]] = {
        "instanceId": "id",
        "definitionId": "process_definition_id",
        "definitionKey": "process_definition_key",
        "businessKey": "business_key",
        "tenantId": "tenant_id",
    }
    process_instance_ids: list[str] | None = None
    business_key: str | None = None
    business_key_like: str | None = None
    process_definition_id: str | None = None
    process_definition_key: str | None = None
    process_definition_key_in: list[str] | None = None
    process_definition_key_not_in: list[str] | None = None
    deployment_id: str | None = None
    super_process_instance: str | None = None
    active: bool = False
    suspended: bool = False
    activity_id_in: list[str] | None = None
    tenant_id_in: list[str] | None = None
    without_tenant_id: bool = False
    root_process_instances: bool = False
    variables: list[VariableFilter] = field(default_factory=list)
    variable_names_ignore_case: bool = False
    variable_values_ignore_case: bool = False
    sorting: list[Sorting] = field(default_factory=list)


@dataclass
class ExecutionQuery:
    SORT_FIELDS: ClassVar[dict[str, str]] = {
        "instanceId": "process_instance_id",
        "definitionKey": "process_definition_key",
        "definitionId": "process_definition_id",
        "tenantId": "tenant_id",
    }
    execution_id: str | None = None
    process_instance_id: str | None = None
    business_key: str | None = None
    process_definition_id: str | None = None
    process_definition_key: str | None = None
    activity_id: str | None = None
    active: bool = False
    suspended: bool = False
    tenant_id_in: list[str] | None = None
    variables: list[VariableFilter] = field(default_factory=list)
    process_variables: list[VariableFilter] = field(default_factory=list)
    sorting: list[Sorting] = field(default_factory=list)


@dataclass
class ExternalTaskQuery:
    SORT_FIELDS: ClassVar[dict[str, str]] = {
        "id": "id",
        "lockExpirationTime": "lock_expiration_time",
        "processInstanceId": "process_instance_id",
        "processDefinitionId": "process_definition_id",
        "processDefinitionKey": "process_definition_key",
        "tenantId": "tenant_id",
        "taskPriority": "priority",
        "createTime": "create_time",
    }
    external_task_id: str | None = None
    external_task_id_in: list[str] | None = None
    activity_id: str | None = None
    activity_id_in: list[str] | None = None
    lock_expiration_before: datetime | None = None
    lock_expiration_after: datetime | None = None
    topic_name: str | None = None
    locked: bool = False
    not_locked: bool = False
    execution_id: str | None = None
    process_instance_id: str | None = None
    process_instance_id_in: list[str] | None = None
    process_definition_id: str | None = None
    process_definition_key: str | None = None
    process_definition_key_in: list[str] | None = None
    active: bool = False
    suspended: bool = False
    with_retries_left: bool = False
    no_retries_left: bool = False
    worker_id: str | None = None
    tenant_id_in: list[str] | None = None
    priority_higher_than_or_equals: int | None = None
    priority_lower_than_or_equals: int | None = None
    sorting: list[Sorting] = field(default_factory=list)


@dataclass
class TaskQuery:
    """Camunda ``TaskQueryDto`` criteria. Case-management criteria (``caseInstanceId`` ...) and
    ``parentTaskId`` match no task: Cadenza has neither CMMN nor sub-tasks."""

    SORT_FIELDS: ClassVar[dict[str, str]] = {
        "instanceId": "process_instance_id",
        "caseInstanceId": "",
        "dueDate": "due",
        "followUpDate": "follow_up",
        "executionId": "execution_id",
        "caseExecutionId": "",
        "assignee": "assignee",
        "created": "created",
        "lastUpdated": "last_updated",
        "description": "description",
        "id": "id",
        "name": "name",
        "nameCaseInsensitive": "name",
        "priority": "priority",
        "tenantId": "tenant_id",
    }
    """sortBy -> column; "" = a column Cadenza does not have (always null: no effect)"""
    task_id: str | None = None
    task_id_in: list[str] | None = None
    process_instance_id: str | None = None
    process_instance_id_in: list[str] | None = None
    process_instance_business_key: str | None = None
    process_instance_business_key_in: list[str] | None = None
    process_instance_business_key_like: str | None = None
    process_definition_id: str | None = None
    process_definition_key: str | None = None
    process_definition_key_in: list[str] | None = None
    process_definition_name: str | None = None
    process_definition_name_like: str | None = None
    execution_id: str | None = None
    activity_instance_id_in: list[str] | None = None
    task_definition_key: str | None = None
    task_definition_key_in: list[str] | None = None
    task_definition_key_like: str | None = None
    name: str | None = None
    name_not_equal: str | None = None
    name_like: str | None = None
    name_not_like: str | None = None
    description: str | None = None
    description_like: str | None = None
    priority: int | None = None
    min_priority: int | None = None
    max_priority: int | None = None
    assignee: str | None = None
    assignee_like: str | None = None
    assignee_in: list[str] | None = None
    assignee_not_in: list[str] | None = None
    assigned: bool = False
    unassigned: bool = False
    owner: str | None = None
    involved_user: str | None = None
    delegation_state: str | None = None
    candidate_user: str | None = None
    candidate_group: str | None = None
    candidate_groups: list[str] | None = None
    include_assigned_tasks: bool = False
    with_candidate_groups: bool = False
    without_candidate_groups: bool = False
    with_candidate_users: bool = False
    without_candidate_users: bool = False
    active: bool = False
    suspended: bool = False
    tenant_id_in: list[str] | None = None
    without_tenant_id: bool = False
    created_on: datetime | None = None
    created_before: datetime | None = None
    created_after: datetime | None = None
    due_date: datetime | None = None
    due_before: datetime | None = None
    due_after: datetime | None = None
    without_due_date: bool = False
    follow_up_date: datetime | None = None
    follow_up_before: datetime | None = None
    follow_up_after: datetime | None = None
    follow_up_before_or_not_existent: datetime | None = None
    parent_task_id: str | None = None
    case_instance_id: str | None = None
    case_instance_business_key: str | None = None
    case_instance_business_key_like: str | None = None
    case_definition_id: str | None = None
    case_definition_key: str | None = None
    case_execution_id: str | None = None
    process_variables: list[VariableFilter] = field(default_factory=list)
    task_variables: list[VariableFilter] = field(default_factory=list)
    variable_names_ignore_case: bool = False
    variable_values_ignore_case: bool = False
    sorting: list[Sorting] = field(default_factory=list)


# ── builders shared by the list/count queries of every store module ─────────────────────────


def apply_page(statement: Select[Any], page: Page) -> Select[Any]:
    if page.first_result:
        statement = statement.offset(page.first_result)
    if page.max_results is not None:
        statement = statement.limit(page.max_results)
    return statement


def apply_sorting(
    statement: Select[Any],
    table: sa.Table,
    sort_fields: dict[str, str],
    sorting: list[Sorting],
    default: str = "id",
) -> Select[Any]:
    """ORDER BY the whitelisted columns; always end with the id so paging is stable."""
    order: list[sa.ColumnElement[Any]] = []
    for sort_by, ascending in sorting:
        column = table.c[sort_fields[sort_by]]
        order.append(column.asc() if ascending else column.desc())
    order.append(table.c[default].asc())
    return statement.order_by(*order)


def like(column: sa.ColumnElement[Any], pattern: str) -> sa.ColumnElement[bool]:
    """Camunda's LIKE: the client supplies the ``%`` wildcards."""
    return column.like(pattern)


def count_of(connection: sa.Connection, statement: Select[Any]) -> int:
    subquery = statement.order_by(None).subquery()
    return int(connection.execute(sa.select(sa.func.count()).select_from(subquery)).scalar_one())


_Compare = Callable[[Any, Any], sa.ColumnElement[bool]]

_OPERATORS: dict[str, _Compare] = {
    "eq": lambda c, v: c == v,
    "neq": lambda c, v: c != v,
    "gt": lambda c, v: c > v,
    "gteq": lambda c, v: c >= v,
    "lt": lambda c, v: c < v,
    "lteq": lambda c, v: c <= v,
    "like": lambda c, v: c.like(v),
    "notLike": lambda c, v: ~c.like(v),
}

VARIABLE_OPERATORS = frozenset(_OPERATORS)


def variable_exists(
    variable: sa.Table,
    scope_column: sa.ColumnElement[Any],
    filter_: VariableFilter,
    *,
    owner_column: str = "execution_id",
    names_ignore_case: bool = False,
    values_ignore_case: bool = False,
) -> sa.ColumnElement[bool]:
    """EXISTS a variable named ``filter_.name`` in the scope given by ``scope_column`` whose
    value satisfies the operator; numbers compare as numbers (Camunda's typed comparison)."""
    alias = variable.alias()
    name_column: sa.ColumnElement[Any] = alias.c.name
    name: object = filter_.name
    if names_ignore_case:
        name_column, name = sa.func.lower(name_column), filter_.name.lower()
    conditions: list[sa.ColumnElement[bool]] = [
        alias.c[owner_column] == scope_column,
        name_column == name,
    ]
    if owner_column == "execution_id":
        conditions.append(alias.c.task_id.is_(None))
    conditions += variable_value_conditions(alias, filter_, values_ignore_case=values_ignore_case)
    return sa.exists(sa.select(alias.c.id).where(*conditions))


def variable_value_conditions(
    variable: sa.FromClause, filter_: VariableFilter, *, values_ignore_case: bool = False
) -> list[sa.ColumnElement[bool]]:
    """The value part of a variable filter on a ``variable`` row (table or alias): booleans,
    numbers (Short/Integer/Long/Double alike), null and text compare with their own columns."""
    compare = _OPERATORS[filter_.operator]
    value = filter_.value
    c = variable.c
    if isinstance(value, bool):
        return [c.type_name == "Boolean", compare(c.long_value, int(value))]
    if isinstance(value, int | float):
        return [
            sa.or_(
                sa.and_(c.type_name.in_(("Short", "Integer", "Long")), compare(c.long_value, value)),
                sa.and_(c.type_name == "Double", compare(c.double_value, value)),
            )
        ]
    if value is None:
        return [c.type_name == "Null" if filter_.operator == "eq" else c.type_name != "Null"]
    column: sa.ColumnElement[Any] = c.text_value
    text = str(value)
    if values_ignore_case:
        column, text = sa.func.lower(column), text.lower()
    return [c.type_name == "String", compare(column, text)]
