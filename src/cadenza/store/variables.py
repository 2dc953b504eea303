"""The runtime variable-instance query (Camunda ``VariableInstanceQuery``, ``GET /variable-instance``).

Variables are read here as rows, without loading their instance graphs: a list endpoint must
not cost one graph per process instance. A process-instance-level variable reports the process
instance id as its activity instance id (the root of Camunda's activity-instance tree), so
``activityInstanceIdIn`` matches it by that id too.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar

import sqlalchemy as sa

from cadenza.engine.state import VariableInstance
from cadenza.store import tables
from cadenza.store.mapping import mapping_for
from cadenza.store.queries import (
    Page,
    Sorting,
    VariableFilter,
    apply_page,
    count_of,
    variable_value_conditions,
)

__all__ = [
    "VariableInstanceQuery",
    "count_variable_instances",
    "find_variable_instance",
    "query_variable_instances",
    "reported_activity_instance_id",
]

_v = tables.variable
_variable = mapping_for(VariableInstance)


@dataclass
class VariableInstanceQuery:
    """Camunda ``VariableInstanceQueryDto`` criteria. Case and batch criteria match nothing when
    given: Cadenza has neither CMMN nor batches."""

    SORT_FIELDS: ClassVar[dict[str, str]] = {
        "variableName": "name",
        "variableType": "type_name",
        "activityInstanceId": "activity_instance_id",
        "tenantId": "tenant_id",
    }
    variable_name: str | None = None
    variable_name_in: list[str] | None = None
    variable_name_like: str | None = None
    process_instance_id_in: list[str] | None = None
    process_definition_id_in: list[str] | None = None
    execution_id_in: list[str] | None = None
    task_id_in: list[str] | None = None
    variable_scope_id_in: list[str] | None = None
    activity_instance_id_in: list[str] | None = None
    tenant_id_in: list[str] | None = None
    case_instance_id_in: list[str] | None = None
    case_execution_id_in: list[str] | None = None
    batch_id_in: list[str] | None = None
    variable_values: list[VariableFilter] = field(default_factory=list)
    variable_names_ignore_case: bool = False
    variable_values_ignore_case: bool = False
    sorting: list[Sorting] = field(default_factory=list)


def reported_activity_instance_id(variable: VariableInstance) -> str | None:
    """Camunda's ``activityInstanceId`` of a variable: the process instance id on the root scope."""
    if variable.task_id is None and variable.execution_id == variable.process_instance_id:
        return variable.process_instance_id
    return variable.activity_instance_id


def _is_root_scope() -> sa.ColumnElement[bool]:
    return sa.and_(_v.c.task_id.is_(None), _v.c.execution_id == _v.c.process_instance_id)


def _conditions(query: VariableInstanceQuery) -> list[sa.ColumnElement[bool]]:
    c: list[sa.ColumnElement[bool]] = []

    def name_column() -> sa.ColumnElement[Any]:
        return sa.func.lower(_v.c.name) if query.variable_names_ignore_case else _v.c.name

    def name_value(name: str) -> str:
        return name.lower() if query.variable_names_ignore_case else name

    if query.variable_name is not None:
        c.append(name_column() == name_value(query.variable_name))
    if query.variable_name_in is not None:
        c.append(name_column().in_([name_value(n) for n in query.variable_name_in]))
    if query.variable_name_like is not None:
        c.append(name_column().like(name_value(query.variable_name_like)))
    if query.process_instance_id_in is not None:
        c.append(_v.c.process_instance_id.in_(query.process_instance_id_in))
    if query.process_definition_id_in is not None:
        c.append(_v.c.process_definition_id.in_(query.process_definition_id_in))
    if query.execution_id_in is not None:
        c.append(_v.c.execution_id.in_(query.execution_id_in))
    if query.task_id_in is not None:
        c.append(_v.c.task_id.in_(query.task_id_in))
    if query.variable_scope_id_in is not None:
        ids = query.variable_scope_id_in
        c.append(
            sa.or_(
                _v.c.task_id.in_(ids),
                sa.and_(_v.c.task_id.is_(None), _v.c.execution_id.in_(ids)),
            )
        )
    if query.activity_instance_id_in is not None:
        ids = query.activity_instance_id_in
        c.append(
            sa.or_(
                sa.and_(_is_root_scope(), _v.c.process_instance_id.in_(ids)),
                sa.and_(sa.not_(_is_root_scope()), _v.c.activity_instance_id.in_(ids)),
            )
        )
    if query.tenant_id_in is not None:
        c.append(_v.c.tenant_id.in_(query.tenant_id_in))
    for unsupported in (query.case_instance_id_in, query.case_execution_id_in, query.batch_id_in):
        if unsupported is not None:
            c.append(sa.false())
    for filter_ in query.variable_values:
        name = filter_.name.lower() if query.variable_names_ignore_case else filter_.name
        c.append(name_column() == name)
        c.extend(variable_value_conditions(_v, filter_, values_ignore_case=query.variable_values_ignore_case))
    return c


def _select(
    query: VariableInstanceQuery, restriction: sa.ColumnElement[bool] | None = None
) -> sa.Select[Any]:
    restricted = [restriction] if restriction is not None else []  # what the acting user may read
    return sa.select(_v).where(*_conditions(query), *restricted)


def query_variable_instances(
    connection: sa.Connection,
    query: VariableInstanceQuery,
    page: Page,
    restriction: sa.ColumnElement[bool] | None = None,
) -> list[VariableInstance]:
    order: list[sa.ColumnElement[Any]] = []
    for sort_by, ascending in query.sorting:
        column = _v.c[VariableInstanceQuery.SORT_FIELDS[sort_by]]
        order.append(column.asc() if ascending else column.desc())
    statement = _select(query, restriction).order_by(*order, _v.c.id.asc())
    rows = connection.execute(apply_page(statement, page)).mappings()
    return [_variable.from_row(row) for row in rows]


def count_variable_instances(
    connection: sa.Connection, query: VariableInstanceQuery, restriction: sa.ColumnElement[bool] | None = None
) -> int:
    return count_of(connection, _select(query, restriction))


def find_variable_instance(connection: sa.Connection, variable_id: str) -> VariableInstance | None:
    row = connection.execute(sa.select(_v).where(_v.c.id == variable_id)).mappings().first()
    return None if row is None else _variable.from_row(row)
