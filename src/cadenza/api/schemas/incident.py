"""Incident DTO (``IncidentDto``, semantics §5.1)."""

from __future__ import annotations

from cadenza.services import Incident

from .common import CamelModel, date_out

__all__ = ["AnnotationDto", "IncidentDto", "incident_dto"]


class IncidentDto(CamelModel):
    id: str
    process_definition_id: str | None
    process_instance_id: str | None
    execution_id: str | None
    incident_timestamp: str | None
    incident_type: str
    activity_id: str | None
    failed_activity_id: str | None
    cause_incident_id: str | None
    root_cause_incident_id: str | None
    configuration: str | None
    incident_message: str | None
    tenant_id: str | None
    job_definition_id: str | None
    annotation: str | None


class AnnotationDto(CamelModel):
    annotation: str | None = None


def incident_dto(incident: Incident) -> IncidentDto:
    return IncidentDto(
        id=incident.id,
        process_definition_id=incident.process_definition_id,
        process_instance_id=incident.process_instance_id,
        execution_id=incident.execution_id,
        incident_timestamp=date_out(incident.incident_timestamp),
        incident_type=incident.incident_type,
        activity_id=incident.activity_id,
        failed_activity_id=incident.failed_activity_id,
        cause_incident_id=incident.cause_incident_id,
        root_cause_incident_id=incident.root_cause_incident_id,
        configuration=incident.configuration,
        incident_message=incident.incident_message,
        tenant_id=incident.tenant_id,
        job_definition_id=incident.job_definition_id,
        annotation=incident.annotation,
    )
