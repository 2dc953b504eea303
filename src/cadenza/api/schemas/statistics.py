"""Statistics and activity-instance DTOs (``ProcessDefinitionStatisticsResultDto``,
``ActivityStatisticsResultDto``, ``ActivityInstanceDto``)."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from cadenza.services.activity_instances import ActivityInstance
from cadenza.services.statistics import ActivityStatistics, DefinitionStatistics

from .common import CamelModel
from .process_definition import ProcessDefinitionDto, process_definition_dto

__all__ = [
    "ActivityInstanceDto",
    "ActivityInstanceIncidentDto",
    "ActivityStatisticsResultDto",
    "IncidentStatisticsResultDto",
    "ProcessDefinitionStatisticsResultDto",
    "activity_instance_dto",
    "activity_statistics_dto",
    "definition_statistics_dto",
]

_DTO_PACKAGE = "org.camunda.bpm.engine.rest.dto.repository"


class IncidentStatisticsResultDto(CamelModel):
    incident_type: str
    incident_count: int


class ActivityStatisticsResultDto(CamelModel):
    class_name: str = Field(alias="@class")
    id: str
    instances: int
    failed_jobs: int
    incidents: list[IncidentStatisticsResultDto]


class ProcessDefinitionStatisticsResultDto(CamelModel):
    class_name: str = Field(alias="@class")
    id: str
    instances: int
    failed_jobs: int
    definition: ProcessDefinitionDto
    incidents: list[IncidentStatisticsResultDto]


class ActivityInstanceIncidentDto(CamelModel):
    id: str
    activity_id: str | None


class ActivityInstanceDto(CamelModel):
    id: str
    parent_activity_instance_id: str | None
    activity_id: str
    activity_type: str
    process_instance_id: str
    process_definition_id: str
    child_activity_instances: list[ActivityInstanceDto]
    child_transition_instances: list[dict[str, Any]]
    execution_ids: list[str]
    activity_name: str | None
    incident_ids: list[str]
    incidents: list[ActivityInstanceIncidentDto]
    name: str | None


def _incidents(counts: dict[str, int]) -> list[IncidentStatisticsResultDto]:
    return [IncidentStatisticsResultDto(incident_type=t, incident_count=n) for t, n in counts.items()]


def definition_statistics_dto(stats: DefinitionStatistics) -> ProcessDefinitionStatisticsResultDto:
    return ProcessDefinitionStatisticsResultDto.model_validate(
        {
            "@class": f"{_DTO_PACKAGE}.ProcessDefinitionStatisticsResultDto",
            "id": stats.definition.id,
            "instances": stats.instances,
            "failed_jobs": stats.failed_jobs,
            "definition": process_definition_dto(stats.definition),
            "incidents": _incidents(stats.incidents),
        }
    )


def activity_statistics_dto(stats: ActivityStatistics) -> ActivityStatisticsResultDto:
    return ActivityStatisticsResultDto.model_validate(
        {
            "@class": f"{_DTO_PACKAGE}.ActivityStatisticsResultDto",
            "id": stats.activity_id,
            "instances": stats.instances,
            "failed_jobs": stats.failed_jobs,
            "incidents": _incidents(stats.incidents),
        }
    )


def activity_instance_dto(instance: ActivityInstance) -> ActivityInstanceDto:
    return ActivityInstanceDto(
        id=instance.id,
        parent_activity_instance_id=instance.parent_activity_instance_id,
        activity_id=instance.activity_id,
        activity_type=instance.activity_type,
        process_instance_id=instance.process_instance_id,
        process_definition_id=instance.process_definition_id,
        child_activity_instances=[activity_instance_dto(c) for c in instance.children],
        child_transition_instances=[],
        execution_ids=list(instance.execution_ids),
        activity_name=instance.activity_name,
        incident_ids=[i.id for i in instance.incidents],
        incidents=[
            ActivityInstanceIncidentDto(id=i.id, activity_id=i.activity_id) for i in instance.incidents
        ],
        name=instance.activity_name,
    )
