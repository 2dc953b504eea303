"""Incident rows: the ``GET /incident`` list/count query and single lookups."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, ClassVar

import sqlalchemy as sa

from cadenza.engine.state import Incident
from cadenza.store import tables
from cadenza.store.mapping import mapping_for
from cadenza.store.queries import Page, Sorting, apply_page, apply_sorting, count_of, like

__all__ = ["IncidentQuery", "count_incidents", "find_incident", "query_incidents"]

_mapping = mapping_for(Incident)
_i = tables.incident
_pd = tables.process_definition


@dataclass
class IncidentQuery:
    """Criteria of ``GET /incident`` (Camunda ``IncidentQueryDto``)."""

    SORT_FIELDS: ClassVar[dict[str, str]] = {
        "incidentId": "id",
        "incidentMessage": "incident_message",
        "incidentTimestamp": "incident_timestamp",
        "incidentType": "incident_type",
        "executionId": "execution_id",
        "activityId": "activity_id",
        "processInstanceId": "process_instance_id",
        "processDefinitionId": "process_definition_id",
        "causeIncidentId": "cause_incident_id",
        "rootCauseIncidentId": "root_cause_incident_id",
        "configuration": "configuration",
        "tenantId": "tenant_id",
    }
    incident_id: str | None = None
    incident_type: str | None = None
    incident_message: str | None = None
    incident_message_like: str | None = None
    process_definition_id: str | None = None
    process_definition_key_in: list[str] | None = None
    process_instance_id: str | None = None
    execution_id: str | None = None
    incident_timestamp_before: datetime | None = None
    incident_timestamp_after: datetime | None = None
    activity_id: str | None = None
    failed_activity_id: str | None = None
    cause_incident_id: str | None = None
    root_cause_incident_id: str | None = None
    configuration: str | None = None
    tenant_id_in: list[str] | None = None
    job_definition_id_in: list[str] | None = None
    sorting: list[Sorting] = field(default_factory=list)


def find_incident(connection: sa.Connection, incident_id: str) -> Incident | None:
    row = connection.execute(sa.select(_i).where(_i.c.id == incident_id)).mappings().first()
    return None if row is None else _mapping.from_row(row)


def _select(query: IncidentQuery, restriction: sa.ColumnElement[bool] | None = None) -> sa.Select[Any]:
    c: list[sa.ColumnElement[bool]] = []
    if restriction is not None:  # the rows the acting user may read (services.authorization)
        c.append(restriction)
    equal = {
        "id": query.incident_id,
        "incident_type": query.incident_type,
        "incident_message": query.incident_message,
        "process_definition_id": query.process_definition_id,
        "process_instance_id": query.process_instance_id,
        "execution_id": query.execution_id,
        "activity_id": query.activity_id,
        "failed_activity_id": query.failed_activity_id,
        "cause_incident_id": query.cause_incident_id,
        "root_cause_incident_id": query.root_cause_incident_id,
        "configuration": query.configuration,
    }
    for column, value in equal.items():
        if value is not None:
            c.append(_i.c[column] == value)
    if query.incident_message_like is not None:
        c.append(like(_i.c.incident_message, query.incident_message_like))
    if query.incident_timestamp_before is not None:
        c.append(_i.c.incident_timestamp < query.incident_timestamp_before)
    if query.incident_timestamp_after is not None:
        c.append(_i.c.incident_timestamp > query.incident_timestamp_after)
    if query.tenant_id_in is not None:
        c.append(_i.c.tenant_id.in_(query.tenant_id_in))
    if query.job_definition_id_in is not None:
        c.append(_i.c.job_definition_id.in_(query.job_definition_id_in))
    if query.process_definition_key_in is not None:
        keys = sa.select(_pd.c.id).where(_pd.c.key.in_(query.process_definition_key_in))
        c.append(_i.c.process_definition_id.in_(keys))
    return sa.select(_i).where(*c)


def query_incidents(
    connection: sa.Connection,
    query: IncidentQuery,
    page: Page,
    restriction: sa.ColumnElement[bool] | None = None,
) -> list[Incident]:
    statement = apply_sorting(_select(query, restriction), _i, IncidentQuery.SORT_FIELDS, query.sorting)
    return [_mapping.from_row(row) for row in connection.execute(apply_page(statement, page)).mappings()]


def count_incidents(
    connection: sa.Connection, query: IncidentQuery, restriction: sa.ColumnElement[bool] | None = None
) -> int:
    return count_of(connection, _select(query, restriction))
