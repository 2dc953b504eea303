"""Job, job definition, message and signal DTOs (semantics §5.2, §6.4, §6.5)."""

from __future__ import annotations

from typing import Any

from cadenza.services import Job, JobDefinition

from .common import CamelModel, VariableValueDto, date_out

__all__ = [
    "CorrelationMessageDto",
    "JobDefinitionDto",
    "JobDto",
    "JobDuedateDto",
    "JobRetriesDto",
    "SetJobRetriesDto",
    "SignalDto",
    "SuspendedDto",
    "job_definition_dto",
    "job_dto",
]


class JobDto(CamelModel):
    id: str
    job_definition_id: str | None
    process_instance_id: str | None
    process_definition_id: str | None
    process_definition_key: str | None
    execution_id: str | None
    exception_message: str | None
    failed_activity_id: str | None
    retries: int
    due_date: str | None
    suspended: bool
    priority: int
    tenant_id: str | None
    create_time: str | None
    batch_id: str | None = None


def job_dto(job: Job) -> JobDto:
    return JobDto(
        id=job.id,
        job_definition_id=job.job_definition_id,
        process_instance_id=job.process_instance_id,
        process_definition_id=job.process_definition_id,
        process_definition_key=job.process_definition_key,
        execution_id=job.execution_id,
        exception_message=job.exception_message,
        failed_activity_id=job.failed_activity_id if job.exception_message is not None else None,
        retries=job.retries,
        due_date=date_out(job.due_date),
        suspended=job.suspended,
        priority=job.priority,
        tenant_id=job.tenant_id,
        create_time=date_out(job.create_time),
    )


class JobDefinitionDto(CamelModel):
    id: str
    process_definition_id: str
    process_definition_key: str
    activity_id: str
    job_type: str
    job_configuration: str | None
    overriding_job_priority: int | None
    suspended: bool
    tenant_id: str | None
    deployment_id: str | None = None


def job_definition_dto(definition: JobDefinition) -> JobDefinitionDto:
    return JobDefinitionDto(
        id=definition.id,
        process_definition_id=definition.process_definition_id,
        process_definition_key=definition.process_definition_key,
        activity_id=definition.activity_id,
        job_type=definition.job_type,
        job_configuration=definition.job_configuration,
        overriding_job_priority=definition.overriding_job_priority,
        suspended=definition.suspended,
        tenant_id=definition.tenant_id,
    )


class JobRetriesDto(CamelModel):
    retries: int | None = None
    due_date: str | None = None


class SetJobRetriesDto(CamelModel):
    job_ids: list[str] | None = None
    retries: int | None = None


class JobDuedateDto(CamelModel):
    duedate: str | None = None


class SuspendedDto(CamelModel):
    suspended: bool | None = None
    include_process_instances: bool | None = None
    process_definition_key: str | None = None
    process_definition_id: str | None = None


class CorrelationMessageDto(CamelModel):
    message_name: str | None = None
    business_key: str | None = None
    process_instance_id: str | None = None
    tenant_id: str | None = None
    without_tenant_id: bool = False
    correlation_keys: dict[str, VariableValueDto] | None = None
    local_correlation_keys: dict[str, VariableValueDto] | None = None
    process_variables: dict[str, VariableValueDto] | None = None
    process_variables_local: dict[str, VariableValueDto] | None = None
    all: bool = False
    result_enabled: bool = False
    variables_in_result_enabled: bool = False


class SignalDto(CamelModel):
    name: str | None = None
    execution_id: str | None = None
    variables: dict[str, VariableValueDto] | None = None
    tenant_id: str | None = None
    without_tenant_id: bool = False


JsonObject = dict[str, Any]
