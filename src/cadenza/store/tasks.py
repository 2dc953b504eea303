"""User task rows and their identity links: list/count queries and single reads.

The filters follow Camunda's ``Task.xml`` (``selectTaskByQueryCriteria``): candidate filters
look at ``candidate`` identity links and, unless ``includeAssignedTasks``, only at unassigned
tasks; ``involvedUser`` is the assignee, the owner or any user link; process variable filters
match variables of the process instance itself, task variable filters task-local ones.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from cadenza.engine.state import IdentityLink, UserTask
from cadenza.store import tables
from cadenza.store.mapping import mapping_for
from cadenza.store.queries import (
    Page,
    TaskQuery,
    apply_page,
    count_of,
    variable_exists,
)

__all__ = ["count_tasks", "find_identity_links", "find_task", "query_tasks"]

_mapping = mapping_for(UserTask)
_link_mapping = mapping_for(IdentityLink)
_t = tables.task
_e = tables.execution
_pd = tables.process_definition
_links = tables.identity_link


def find_task(connection: sa.Connection, task_id: str) -> UserTask | None:
    row = connection.execute(sa.select(_t).where(_t.c.id == task_id)).mappings().first()
    return None if row is None else _mapping.from_row(row)


def find_identity_links(connection: sa.Connection, task_id: str) -> list[IdentityLink]:
    """The stored links of a task (candidates and custom links), in a stable order."""
    rows = connection.execute(
        sa.select(_links).where(_links.c.task_id == task_id).order_by(_links.c.id)
    ).mappings()
    return [_link_mapping.from_row(row) for row in rows]


def _link_exists(*conditions: sa.ColumnElement[bool]) -> sa.ColumnElement[bool]:
    return sa.exists(sa.select(_links.c.id).where(_links.c.task_id == _t.c.id, *conditions))


def _candidate(query: TaskQuery) -> list[sa.ColumnElement[bool]]:
    groups = list(query.candidate_groups or [])
    if query.candidate_group is not None:
        groups.append(query.candidate_group)
    c: list[sa.ColumnElement[bool]] = []
    if query.candidate_user is not None or groups:
        link_conditions: list[sa.ColumnElement[bool]] = []
        if query.candidate_user is not None:
            link_conditions.append(_links.c.user_id == query.candidate_user)
        if groups:
            link_conditions.append(_links.c.group_id.in_(groups))
        c.append(_link_exists(_links.c.type == "candidate", sa.or_(*link_conditions)))
    if query.with_candidate_groups:
        c.append(_link_exists(_links.c.type == "candidate", _links.c.group_id.is_not(None)))
    if query.with_candidate_users:
        c.append(_link_exists(_links.c.type == "candidate", _links.c.user_id.is_not(None)))
    if c and not query.include_assigned_tasks:
        # a candidate task is one nobody has taken yet (Camunda's "claimable" tasks)
        c.append(_t.c.assignee.is_(None))
    if query.without_candidate_groups:
        c.append(~_link_exists(_links.c.type == "candidate", _links.c.group_id.is_not(None)))
    if query.without_candidate_users:
        c.append(~_link_exists(_links.c.type == "candidate", _links.c.user_id.is_not(None)))
    return c


def _process_filters(query: TaskQuery) -> list[sa.ColumnElement[bool]]:
    c: list[sa.ColumnElement[bool]] = []
    if query.process_instance_id is not None:
        c.append(_t.c.process_instance_id == query.process_instance_id)
    if query.process_instance_id_in is not None:
        c.append(_t.c.process_instance_id.in_(query.process_instance_id_in))
    if (
        query.process_instance_business_key is not None
        or query.process_instance_business_key_in is not None
        or query.process_instance_business_key_like is not None
    ):
        roots = sa.select(_e.c.id).where(_e.c.id == _e.c.process_instance_id)
        if query.process_instance_business_key is not None:
            roots = roots.where(_e.c.business_key == query.process_instance_business_key)
        if query.process_instance_business_key_in is not None:
            roots = roots.where(_e.c.business_key.in_(query.process_instance_business_key_in))
        if query.process_instance_business_key_like is not None:
            roots = roots.where(_e.c.business_key.like(query.process_instance_business_key_like))
        c.append(_t.c.process_instance_id.in_(roots))
    if query.process_definition_id is not None:
        c.append(_t.c.process_definition_id == query.process_definition_id)
    definition_filters: list[sa.ColumnElement[bool]] = []
    if query.process_definition_key is not None:
        definition_filters.append(_pd.c.key == query.process_definition_key)
    if query.process_definition_key_in is not None:
        definition_filters.append(_pd.c.key.in_(query.process_definition_key_in))
    if query.process_definition_name is not None:
        definition_filters.append(_pd.c.name == query.process_definition_name)
    if query.process_definition_name_like is not None:
        definition_filters.append(_pd.c.name.like(query.process_definition_name_like))
    if definition_filters:
        c.append(_t.c.process_definition_id.in_(sa.select(_pd.c.id).where(*definition_filters)))
    if query.execution_id is not None:
        c.append(_t.c.execution_id == query.execution_id)
    if query.activity_instance_id_in is not None:
        c.append(_t.c.activity_instance_id.in_(query.activity_instance_id_in))
    return c


def _task_filters(query: TaskQuery) -> list[sa.ColumnElement[bool]]:
    c: list[sa.ColumnElement[bool]] = []
    if query.task_id is not None:
        c.append(_t.c.id == query.task_id)
    if query.task_id_in is not None:
        c.append(_t.c.id.in_(query.task_id_in))
    if query.task_definition_key is not None:
        c.append(_t.c.task_definition_key == query.task_definition_key)
    if query.task_definition_key_in is not None:
        c.append(_t.c.task_definition_key.in_(query.task_definition_key_in))
    if query.task_definition_key_like is not None:
        c.append(_t.c.task_definition_key.like(query.task_definition_key_like))
    if query.name is not None:
        c.append(_t.c.name == query.name)
    if query.name_not_equal is not None:
        c.append(_t.c.name != query.name_not_equal)
    if query.name_like is not None:
        c.append(_t.c.name.like(query.name_like))
    if query.name_not_like is not None:
        c.append(~_t.c.name.like(query.name_not_like))
    if query.description is not None:
        c.append(_t.c.description == query.description)
    if query.description_like is not None:
        c.append(_t.c.description.like(query.description_like))
    if query.priority is not None:
        c.append(_t.c.priority == query.priority)
    if query.min_priority is not None:
        c.append(_t.c.priority >= query.min_priority)
    if query.max_priority is not None:
        c.append(_t.c.priority <= query.max_priority)
    if query.delegation_state is not None:
        c.append(_t.c.delegation_state == query.delegation_state)
    if query.active:
        c.append(_t.c.suspended.is_(False))
    if query.suspended:
        c.append(_t.c.suspended.is_(True))
    if query.tenant_id_in is not None:
        c.append(_t.c.tenant_id.in_(query.tenant_id_in))
    if query.without_tenant_id:
        c.append(_t.c.tenant_id.is_(None))
    return c


def _people_filters(query: TaskQuery) -> list[sa.ColumnElement[bool]]:
    c: list[sa.ColumnElement[bool]] = []
    if query.assignee is not None:
        c.append(_t.c.assignee == query.assignee)
    if query.assignee_like is not None:
        c.append(_t.c.assignee.like(query.assignee_like))
    if query.assignee_in is not None:
        c.append(_t.c.assignee.in_(query.assignee_in))
    if query.assignee_not_in is not None:
        c.append(sa.or_(_t.c.assignee.is_(None), _t.c.assignee.not_in(query.assignee_not_in)))
    if query.assigned:
        c.append(_t.c.assignee.is_not(None))
    if query.unassigned:
        c.append(_t.c.assignee.is_(None))
    if query.owner is not None:
        c.append(_t.c.owner == query.owner)
    if query.involved_user is not None:
        user = query.involved_user
        c.append(sa.or_(_t.c.assignee == user, _t.c.owner == user, _link_exists(_links.c.user_id == user)))
    c.extend(_candidate(query))
    return c


def _date_filters(query: TaskQuery) -> list[sa.ColumnElement[bool]]:
    c: list[sa.ColumnElement[bool]] = []
    if query.created_on is not None:
        c.append(_t.c.created == query.created_on)
    if query.created_before is not None:
        c.append(_t.c.created < query.created_before)
    if query.created_after is not None:
        c.append(_t.c.created > query.created_after)
    if query.due_date is not None:
        c.append(_t.c.due == query.due_date)
    if query.due_before is not None:
        c.append(_t.c.due < query.due_before)
    if query.due_after is not None:
        c.append(_t.c.due > query.due_after)
    if query.without_due_date:
        c.append(_t.c.due.is_(None))
    if query.follow_up_date is not None:
        c.append(_t.c.follow_up == query.follow_up_date)
    if query.follow_up_before is not None:
        c.append(_t.c.follow_up < query.follow_up_before)
    if query.follow_up_after is not None:
        c.append(_t.c.follow_up > query.follow_up_after)
    if query.follow_up_before_or_not_existent is not None:
        c.append(sa.or_(_t.c.follow_up.is_(None), _t.c.follow_up < query.follow_up_before_or_not_existent))
    return c


def _unsupported_filters(query: TaskQuery) -> list[sa.ColumnElement[bool]]:
    """Criteria on things Cadenza has none of (CMMN cases, sub-tasks): such a filter matches
    no task, which is what Camunda answers for a case or parent task that does not exist."""
    values = (
        query.parent_task_id,
        query.case_instance_id,
        query.case_instance_business_key,
        query.case_instance_business_key_like,
        query.case_definition_id,
        query.case_definition_key,
        query.case_execution_id,
    )
    return [sa.false()] if any(v is not None for v in values) else []


def _variable_filters(query: TaskQuery) -> list[sa.ColumnElement[bool]]:
    names = query.variable_names_ignore_case
    values = query.variable_values_ignore_case
    c: list[sa.ColumnElement[bool]] = [
        variable_exists(
            tables.variable,
            _t.c.process_instance_id,
            filter_,
            names_ignore_case=names,
            values_ignore_case=values,
        )
        for filter_ in query.process_variables
    ]
    c.extend(
        variable_exists(
            tables.variable,
            _t.c.id,
            filter_,
            owner_column="task_id",
            names_ignore_case=names,
            values_ignore_case=values,
        )
        for filter_ in query.task_variables
    )
    return c


def _select(query: TaskQuery, restriction: sa.ColumnElement[bool] | None = None) -> sa.Select[Any]:
    conditions = [
        *([restriction] if restriction is not None else []),  # what the acting user may read
        *_task_filters(query),
        *_process_filters(query),
        *_people_filters(query),
        *_date_filters(query),
        *_variable_filters(query),
        *_unsupported_filters(query),
    ]
    return sa.select(_t).where(*conditions)


def _sorted(statement: sa.Select[Any], query: TaskQuery) -> sa.Select[Any]:
    order: list[sa.ColumnElement[Any]] = []
    for sort_by, ascending in query.sorting:
        column_name = TaskQuery.SORT_FIELDS[sort_by]
        if not column_name:
            continue  # always null here: ordering by it changes nothing
        column: sa.ColumnElement[Any] = _t.c[column_name]
        if sort_by == "nameCaseInsensitive":
            column = sa.func.lower(column)
        order.append(column.asc() if ascending else column.desc())
    order.append(_t.c.id.asc())
    return statement.order_by(*order)


def query_tasks(
    connection: sa.Connection, query: TaskQuery, page: Page, restriction: sa.ColumnElement[bool] | None = None
) -> list[UserTask]:
    statement = apply_page(_sorted(_select(query, restriction), query), page)
    return [_mapping.from_row(row) for row in connection.execute(statement).mappings()]


def count_tasks(
    connection: sa.Connection, query: TaskQuery, restriction: sa.ColumnElement[bool] | None = None
) -> int:
    return count_of(connection, _select(query, restriction))
