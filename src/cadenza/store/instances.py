"""Process instance and execution queries (the runtime rows themselves load through the unit
of work as one graph per instance)."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from cadenza.engine.state import Execution
from cadenza.store import tables
from cadenza.store.mapping import mapping_for
from cadenza.store.queries import (
    ExecutionQuery,
    Page,
    ProcessInstanceQuery,
    apply_page,
    count_of,
    variable_exists,
)

__all__ = [
    "count_executions",
    "count_process_instances",
    "find_execution",
    "query_executions",
    "query_process_instances",
]

_execution = mapping_for(Execution)
_e = tables.execution
_pd = tables.process_definition


def find_execution(connection: sa.Connection, execution_id: str) -> Execution | None:
    row = connection.execute(sa.select(_e).where(_e.c.id == execution_id)).mappings().first()
    return None if row is None else _execution.from_row(row)


def _instance_select(
    query: ProcessInstanceQuery, restriction: sa.ColumnElement[bool] | None = None
) -> sa.Select[Any]:
    c: list[sa.ColumnElement[bool]] = [_e.c.id == _e.c.process_instance_id]
    if restriction is not None:  # the rows the acting user may read (services.authorization)
        c.append(restriction)
    if query.process_instance_ids is not None:
        c.append(_e.c.id.in_(query.process_instance_ids))
    if query.business_key is not None:
        c.append(_e.c.business_key == query.business_key)
    if query.business_key_like is not None:
        c.append(_e.c.business_key.like(query.business_key_like))
    if query.process_definition_id is not None:
        c.append(_e.c.process_definition_id == query.process_definition_id)
    if query.process_definition_key is not None:
        c.append(_pd.c.key == query.process_definition_key)
    if query.process_definition_key_in is not None:
        c.append(_pd.c.key.in_(query.process_definition_key_in))
    if query.process_definition_key_not_in is not None:
        c.append(_pd.c.key.not_in(query.process_definition_key_not_in))
    if query.deployment_id is not None:
        c.append(_pd.c.deployment_id == query.deployment_id)
    if query.super_process_instance is not None:
        supers = sa.select(_e.c.id).where(_e.c.process_instance_id == query.super_process_instance)
        c.append(_e.c.super_execution_id.in_(supers))
    if query.root_process_instances:
        c.append(_e.c.super_execution_id.is_(None))
    if query.active:
        c.append(_e.c.suspended.is_(False))
    if query.suspended:
        c.append(_e.c.suspended.is_(True))
    if query.activity_id_in is not None:
        inner = _e.alias()
        c.append(
            sa.exists(
                sa.select(inner.c.id).where(
                    inner.c.process_instance_id == _e.c.id,
                    inner.c.activity_id.in_(query.activity_id_in),
                    inner.c.is_active.is_(True),
                )
            )
        )
    if query.tenant_id_in is not None:
        c.append(_e.c.tenant_id.in_(query.tenant_id_in))
    if query.without_tenant_id:
        c.append(_e.c.tenant_id.is_(None))
    for filter_ in query.variables:
        c.append(
            variable_exists(
                tables.variable,
                _e.c.id,
                filter_,
                names_ignore_case=query.variable_names_ignore_case,
                values_ignore_case=query.variable_values_ignore_case,
            )
        )
    return (
        sa.select(_e, _pd.c.key.label("process_definition_key"))
        .join(_pd, _pd.c.id == _e.c.process_definition_id)
        .where(*c)
    )


_INSTANCE_SORT = {
    "instanceId": _e.c.id,
    "definitionId": _e.c.process_definition_id,
    "definitionKey": _pd.c.key,
    "businessKey": _e.c.business_key,
    "tenantId": _e.c.tenant_id,
}


def query_process_instances(
    connection: sa.Connection,
    query: ProcessInstanceQuery,
    page: Page,
    restriction: sa.ColumnElement[bool] | None = None,
) -> list[tuple[Execution, str]]:
    """Root executions matching the query, each with its definition key."""
    order = [
        _INSTANCE_SORT[name].asc() if asc else _INSTANCE_SORT[name].desc() for name, asc in query.sorting
    ]
    statement = _instance_select(query, restriction).order_by(*order, _e.c.id.asc())
    rows = connection.execute(apply_page(statement, page)).mappings()
    return [(_execution.from_row(row), row["process_definition_key"]) for row in rows]


def count_process_instances(
    connection: sa.Connection, query: ProcessInstanceQuery, restriction: sa.ColumnElement[bool] | None = None
) -> int:
    return count_of(connection, _instance_select(query, restriction))


def _execution_select(
    query: ExecutionQuery, restriction: sa.ColumnElement[bool] | None = None
) -> sa.Select[Any]:
    c: list[sa.ColumnElement[bool]] = []
    if restriction is not None:  # the rows the acting user may read (services.authorization)
        c.append(restriction)
    if query.execution_id is not None:
        c.append(_e.c.id == query.execution_id)
    if query.process_instance_id is not None:
        c.append(_e.c.process_instance_id == query.process_instance_id)
    if query.business_key is not None:
        root = _e.alias()
        c.append(
            _e.c.process_instance_id.in_(
                sa.select(root.c.id).where(root.c.business_key == query.business_key)
            )
        )
    if query.process_definition_id is not None:
        c.append(_e.c.process_definition_id == query.process_definition_id)
    if query.process_definition_key is not None:
        c.append(_pd.c.key == query.process_definition_key)
    if query.activity_id is not None:
        c.append(_e.c.activity_id == query.activity_id)
        c.append(_e.c.is_active.is_(True))
    if query.active:
        c.append(_e.c.suspended.is_(False))
    if query.suspended:
        c.append(_e.c.suspended.is_(True))
    if query.tenant_id_in is not None:
        c.append(_e.c.tenant_id.in_(query.tenant_id_in))
    for filter_ in query.variables:
        c.append(variable_exists(tables.variable, _e.c.id, filter_))
    for filter_ in query.process_variables:
        c.append(variable_exists(tables.variable, _e.c.process_instance_id, filter_))
    return (
        sa.select(_e, _pd.c.key.label("process_definition_key"))
        .join(_pd, _pd.c.id == _e.c.process_definition_id)
        .where(*c)
    )


_EXECUTION_SORT = {
    "instanceId": _e.c.process_instance_id,
    "definitionKey": _pd.c.key,
    "definitionId": _e.c.process_definition_id,
    "tenantId": _e.c.tenant_id,
}


def query_executions(
    connection: sa.Connection,
    query: ExecutionQuery,
    page: Page,
    restriction: sa.ColumnElement[bool] | None = None,
) -> list[Execution]:
    order = [
        _EXECUTION_SORT[name].asc() if asc else _EXECUTION_SORT[name].desc() for name, asc in query.sorting
    ]
    statement = _execution_select(query, restriction).order_by(*order, _e.c.id.asc())
    rows = connection.execute(apply_page(statement, page)).mappings()
    return [_execution.from_row(row) for row in rows]


def count_executions(
    connection: sa.Connection, query: ExecutionQuery, restriction: sa.ColumnElement[bool] | None = None
) -> int:
    return count_of(connection, _execution_select(query, restriction))
