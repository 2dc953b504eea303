"""Runtime statistics for Cockpit (Camunda ``ManagementService`` statistics queries).

Per process definition: running instances and incidents by type. Per activity of one
definition: activity instances running there and incidents by type. Counted with grouped SQL,
never by loading instances. There is no job table yet, so failed jobs are always 0.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

import sqlalchemy as sa

from cadenza.engine.state import ProcessDefinition
from cadenza.store import tables
from cadenza.store.mapping import mapping_for

__all__ = [
    "ActivityStatistics",
    "DefinitionStatistics",
    "IncidentCounts",
    "IncidentFilter",
    "Visibility",
    "activity_statistics",
    "definition_statistics",
]

_definition = mapping_for(ProcessDefinition)
_e = tables.execution
_i = tables.incident
_pd = tables.process_definition

IncidentCounts = dict[str, int]
"""incident type -> number of open incidents"""


@dataclass(frozen=True)
class IncidentFilter:
    """Which incidents to count: none (``include`` false), all, one type, or root causes only."""

    include: bool = False
    incident_type: str | None = None
    root_only: bool = False


@dataclass(frozen=True)
class Visibility:
    """SQL conditions narrowing the counts to what the acting user may read (empty: all)."""

    definitions: tuple[sa.ColumnElement[bool], ...] = ()
    """on ``process_definition``"""
    instances: tuple[sa.ColumnElement[bool], ...] = ()
    """on ``execution``"""
    incidents: tuple[sa.ColumnElement[bool], ...] = ()
    """on ``incident``"""


@dataclass
class DefinitionStatistics:
    definition: ProcessDefinition
    instances: int = 0
    failed_jobs: int = 0
    incidents: IncidentCounts = field(default_factory=dict)


@dataclass
class ActivityStatistics:
    activity_id: str
    instances: int = 0
    failed_jobs: int = 0
    incidents: IncidentCounts = field(default_factory=dict)


def _incident_conditions(incidents: IncidentFilter) -> list[sa.ColumnElement[bool]]:
    conditions: list[sa.ColumnElement[bool]] = []
    if incidents.incident_type is not None:
        conditions.append(_i.c.incident_type == incidents.incident_type)
    if incidents.root_only:
        conditions.append(_i.c.id == _i.c.root_cause_incident_id)
    return conditions


def definition_statistics(
    connection: sa.Connection, incidents: IncidentFilter, visible: Visibility | None = None
) -> list[DefinitionStatistics]:
    """Every deployed definition (also those without instances), ordered by key and version;
    with ``visible``, only the definitions, instances and incidents the user may read."""
    seen = visible or Visibility()
    rows = connection.execute(
        sa.select(_pd).where(*seen.definitions).order_by(_pd.c.key, _pd.c.version, _pd.c.id)
    ).mappings()
    result = {row["id"]: DefinitionStatistics(_definition.from_row(row)) for row in rows}
    instance_counts = connection.execute(
        sa.select(_e.c.process_definition_id, sa.func.count())
        .where(_e.c.parent_id.is_(None), *seen.instances)
        .group_by(_e.c.process_definition_id)
    )
    for definition_id, count in instance_counts:
        if definition_id in result:
            result[definition_id].instances = int(count)
    if incidents.include:
        incident_counts = connection.execute(
            sa.select(_i.c.process_definition_id, _i.c.incident_type, sa.func.count())
            .where(*_incident_conditions(incidents), *seen.incidents)
            .group_by(_i.c.process_definition_id, _i.c.incident_type)
            .order_by(_i.c.incident_type)
        )
        for definition_id, incident_type, count in incident_counts:
            if definition_id in result:
                result[definition_id].incidents[incident_type] = int(count)
    return list(result.values())


def activity_statistics(
    connection: sa.Connection,
    definition_id: str,
    incidents: IncidentFilter,
    visible: Visibility | None = None,
) -> list[ActivityStatistics]:
    """Activities of one definition with running activity instances or open incidents.

    An activity instance is an active execution standing on the activity, as Camunda counts
    (the waiting parent of a scope execution and joined paths at a gateway are inactive).
    """
    seen = visible or Visibility()
    result: dict[str, ActivityStatistics] = {}
    instance_counts = connection.execute(
        sa.select(_e.c.activity_id, sa.func.count())
        .where(
            _e.c.process_definition_id == definition_id,
            _e.c.is_active.is_(True),
            _e.c.activity_id.is_not(None),
            *seen.instances,
        )
        .group_by(_e.c.activity_id)
    )
    for activity_id, count in instance_counts:
        result[activity_id] = ActivityStatistics(activity_id, instances=int(count))
    if incidents.include:
        incident_counts: defaultdict[str, dict[str, int]] = defaultdict(dict)
        rows = connection.execute(
            sa.select(_i.c.activity_id, _i.c.incident_type, sa.func.count())
            .where(
                _i.c.process_definition_id == definition_id,
                _i.c.activity_id.is_not(None),
                *_incident_conditions(incidents),
                *seen.incidents,
            )
            .group_by(_i.c.activity_id, _i.c.incident_type)
            .order_by(_i.c.incident_type)
        )
        for activity_id, incident_type, count in rows:
            incident_counts[activity_id][incident_type] = int(count)
        for activity_id, counts in incident_counts.items():
            result.setdefault(activity_id, ActivityStatistics(activity_id)).incidents = counts
    return sorted(result.values(), key=lambda s: s.activity_id)
