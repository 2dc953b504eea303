"""Rows <-> ``engine.state`` dataclasses: plain functions, no ORM instrumentation.

Column names equal field names, so most entities map field by field. Two things need care:
times come back from SQLite without a zone (we store UTC and re-attach it), and a variable's
``TypedValue`` spreads over typed columns so queries can compare numbers as numbers.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import RowMapping

from cadenza.engine.state import (
    DelegationState,
    Deployment,
    EventSubscription,
    Execution,
    ExternalTask,
    HistoricProcessInstance,
    IdentityLink,
    Incident,
    Job,
    JobDefinition,
    ProcessDefinition,
    ProcessInstanceState,
    Resource,
    UserTask,
    VariableInstance,
)
from cadenza.expr.values import StoredValue, from_stored, to_stored
from cadenza.store import tables

__all__ = ["EntityMapping", "Row", "mapping_for", "to_utc"]

Row = RowMapping | Mapping[str, Any]


def to_utc(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


class EntityMapping:
    """How one entity class sits in one table."""

    def __init__(
        self,
        cls: type,
        table: sa.Table,
        *,
        to_row: Callable[[Any], dict[str, Any]] | None = None,
        from_row: Callable[[Row], Any] | None = None,
    ) -> None:
        self.cls = cls
        self.table = table
        self.has_rev = "rev" in table.c
        self.fields = [f.name for f in dataclasses.fields(cls)]
        self._time_fields = {
            c.name for c in table.c if isinstance(c.type, sa.DateTime) and c.name in self.fields
        }
        self._to_row = to_row
        self._from_row = from_row

    def to_row(self, entity: Any) -> dict[str, Any]:
        if self._to_row is not None:
            return self._to_row(entity)
        return {name: getattr(entity, name) for name in self.fields}

    def from_row(self, row: Row) -> Any:
        if self._from_row is not None:
            return self._from_row(row)
        values = {name: row[name] for name in self.fields}
        for name in self._time_fields:
            values[name] = to_utc(values[name])
        return self.cls(**values)


def _definition_row(entity: ProcessDefinition) -> dict[str, Any]:
    row = {f.name: getattr(entity, f.name) for f in dataclasses.fields(ProcessDefinition)}
    row["tenant_key"] = entity.tenant_id or ""
    return row


_VARIABLE_FIELDS = [f.name for f in dataclasses.fields(VariableInstance) if f.name != "value"]


def _variable_row(entity: VariableInstance) -> dict[str, Any]:
    row = {name: getattr(entity, name) for name in _VARIABLE_FIELDS}
    stored = to_stored(entity.value)
    row.update(dataclasses.asdict(stored))
    return row


def _variable_from_row(row: Row) -> VariableInstance:
    stored = StoredValue(
        type_name=row["type_name"],
        text_value=row["text_value"],
        long_value=row["long_value"],
        double_value=row["double_value"],
        bytes_value=row["bytes_value"],
        value_info=row["value_info"],
    )
    values = {name: row[name] for name in _VARIABLE_FIELDS}
    values["create_time"] = to_utc(values["create_time"])
    return VariableInstance(value=from_stored(stored), **values)


def _enum_field(mapping: EntityMapping, name: str, enum: Callable[[str], Any]) -> EntityMapping:
    plain_from_row = mapping.from_row

    def from_row(row: Row) -> Any:
        entity = plain_from_row(row)
        raw = getattr(entity, name)
        if raw is not None:
            setattr(entity, name, enum(raw))
        return entity

    mapping.from_row = from_row  # type: ignore[method-assign]
    return mapping


_MAPPINGS: dict[type, EntityMapping] = {
    Deployment: EntityMapping(Deployment, tables.deployment),
    Resource: EntityMapping(Resource, tables.resource),
    ProcessDefinition: EntityMapping(ProcessDefinition, tables.process_definition, to_row=_definition_row),
    Execution: EntityMapping(Execution, tables.execution),
    VariableInstance: EntityMapping(
        VariableInstance, tables.variable, to_row=_variable_row, from_row=_variable_from_row
    ),
    ExternalTask: EntityMapping(ExternalTask, tables.external_task),
    UserTask: _enum_field(EntityMapping(UserTask, tables.task), "delegation_state", DelegationState),
    IdentityLink: EntityMapping(IdentityLink, tables.identity_link),
    Incident: EntityMapping(Incident, tables.incident),
    Job: EntityMapping(Job, tables.job),
    JobDefinition: EntityMapping(JobDefinition, tables.job_definition),
    EventSubscription: EntityMapping(EventSubscription, tables.event_subscription),
    HistoricProcessInstance: _enum_field(
        EntityMapping(HistoricProcessInstance, tables.historic_process_instance),
        "state",
        ProcessInstanceState,
    ),
}


def mapping_for(cls: type) -> EntityMapping:
    return _MAPPINGS[cls]
