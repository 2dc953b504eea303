"""User task rows and their identity links: list/count queries."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from cadenza.engine.state import UserTask
from cadenza.store import tables
from cadenza.store.mapping import mapping_for
from cadenza.store.queries import (
    Page,
    TaskQuery,
    apply_page,
    apply_sorting,
    count_of,
    variable_exists,
)

__all__ = ["count_tasks", "find_task", "query_tasks"]

_mapping = mapping_for(UserTask)
_t = tables.task
_e = tables.execution
_pd = tables.process_definition
_links = tables.identity_link


def find_task(connection: sa.Connection, task_id: str) -> UserTask | None:
    row = connection.execute(sa.select(_t).where(_t.c.id == task_id)).mappings().first()
    return None if row is None else _mapping.from_row(row)


def _candidate(user: str | None, groups: list[str] | None, include_assigned: bool) -> sa.ColumnElement[bool]:
    link_conditions: list[sa.ColumnElement[bool]] = []
    if user is not None:
        link_conditions.append(_links.c.user_id == user)
    if groups:
        link_conditions.append(_links.c.group_id.in_(groups))
    condition: sa.ColumnElement[bool] = sa.exists(
        sa.select(_links.c.id).where(
            _links.c.task_id == _t.c.id, _links.c.type == "candidate", sa.or_(*link_conditions)
        )
    )
    if not include_assigned:
        condition = sa.and_(condition, _t.c.assignee.is_(None))
    return condition


def _select(query: TaskQuery) -> sa.Select[Any]:
    c: list[sa.ColumnElement[bool]] = []
    if query.task_id is not None:
        c.append(_t.c.id == query.task_id)
    if query.task_id_in is not None:
        c.append(_t.c.id.in_(query.task_id_in))
    if query.process_instance_id is not None:
        c.append(_t.c.process_instance_id == query.process_instance_id)
    if query.process_instance_id_in is not None:
        c.append(_t.c.process_instance_id.in_(query.process_instance_id_in))
    if (
        query.process_instance_business_key is not None
        or query.process_instance_business_key_like is not None
    ):
        roots = sa.select(_e.c.id).where(_e.c.id == _e.c.process_instance_id)
        if query.process_instance_business_key is not None:
            roots = roots.where(_e.c.business_key == query.process_instance_business_key)
        if query.process_instance_business_key_like is not None:
            roots = roots.where(_e.c.business_key.like(query.process_instance_business_key_like))
        c.append(_t.c.process_instance_id.in_(roots))
    if query.process_definition_id is not None:
        c.append(_t.c.process_definition_id == query.process_definition_id)
    if query.process_definition_key is not None or query.process_definition_key_in is not None:
        definitions = sa.select(_pd.c.id)
        if query.process_definition_key is not None:
            definitions = definitions.where(_pd.c.key == query.process_definition_key)
        if query.process_definition_key_in is not None:
            definitions = definitions.where(_pd.c.key.in_(query.process_definition_key_in))
        c.append(_t.c.process_definition_id.in_(definitions))
    if query.execution_id is not None:
        c.append(_t.c.execution_id == query.execution_id)
    if query.task_definition_key is not None:
        c.append(_t.c.task_definition_key == query.task_definition_key)
    if query.task_definition_key_in is not None:
        c.append(_t.c.task_definition_key.in_(query.task_definition_key_in))
    if query.task_definition_key_like is not None:
        c.append(_t.c.task_definition_key.like(query.task_definition_key_like))
    if query.name is not None:
        c.append(_t.c.name == query.name)
    if query.name_like is not None:
        c.append(_t.c.name.like(query.name_like))
    if query.assignee is not None:
        c.append(_t.c.assignee == query.assignee)
    if query.assignee_like is not None:
        c.append(_t.c.assignee.like(query.assignee_like))
    if query.assignee_in is not None:
        c.append(_t.c.assignee.in_(query.assignee_in))
    if query.assigned:
        c.append(_t.c.assignee.is_not(None))
    if query.unassigned:
        c.append(_t.c.assignee.is_(None))
    groups = list(query.candidate_groups or [])
    if query.candidate_group is not None:
        groups.append(query.candidate_group)
    if query.candidate_user is not None or groups:
        c.append(_candidate(query.candidate_user, groups, query.include_assigned_tasks))
    if query.active:
        c.append(_t.c.suspended.is_(False))
    if query.suspended:
        c.append(_t.c.suspended.is_(True))
    if query.tenant_id_in is not None:
        c.append(_t.c.tenant_id.in_(query.tenant_id_in))
    if query.created_before is not None:
        c.append(_t.c.created < query.created_before)
    if query.created_after is not None:
        c.append(_t.c.created > query.created_after)
    if query.due_before is not None:
        c.append(_t.c.due < query.due_before)
    if query.due_after is not None:
        c.append(_t.c.due > query.due_after)
    for filter_ in query.process_variables:
        c.append(variable_exists(tables.variable, _t.c.process_instance_id, filter_))
    for filter_ in query.task_variables:
        c.append(variable_exists(tables.variable, _t.c.id, filter_, owner_column="task_id"))
    return sa.select(_t).where(*c)


def query_tasks(connection: sa.Connection, query: TaskQuery, page: Page) -> list[UserTask]:
    statement = apply_sorting(_select(query), _t, TaskQuery.SORT_FIELDS, query.sorting)
    return [_mapping.from_row(row) for row in connection.execute(apply_page(statement, page)).mappings()]


def count_tasks(connection: sa.Connection, query: TaskQuery) -> int:
    return count_of(connection, _select(query))
