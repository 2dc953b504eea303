"""External task DTOs (semantics §2): ``ExternalTaskDto``, fetchAndLock request and
``LockedExternalTaskDto``, and the bodies of the worker and management endpoints."""

from __future__ import annotations

from typing import Any

from cadenza.services import ExternalTask, LockedExternalTask

from .common import CamelModel, DurationMs, JavaInt, VariableValueDto, date_out, dump, typed_values_out

__all__ = [
    "BatchDto",
    "CompleteExternalTaskDto",
    "ExtendLockDto",
    "ExternalTaskBpmnErrorDto",
    "ExternalTaskDto",
    "ExternalTaskFailureDto",
    "FetchExternalTasksDto",
    "FetchTopicDto",
    "LockExternalTaskDto",
    "LockedExternalTaskDto",
    "PriorityDto",
    "RetriesDto",
    "SetRetriesForExternalTasksDto",
    "SortingDto",
    "external_task_dto",
    "locked_external_task_dto",
]


class ExternalTaskDto(CamelModel):
    activity_id: str
    activity_instance_id: str | None
    error_message: str | None
    execution_id: str
    id: str
    lock_expiration_time: str | None
    create_time: str | None
    process_definition_id: str
    process_definition_key: str | None
    process_definition_version_tag: str | None
    process_instance_id: str
    retries: int | None
    suspended: bool
    worker_id: str | None
    topic_name: str
    tenant_id: str | None
    priority: int
    business_key: str | None


def external_task_dto(task: ExternalTask) -> ExternalTaskDto:
    return ExternalTaskDto(
        activity_id=task.activity_id,
        activity_instance_id=task.activity_instance_id,
        error_message=task.error_message,
        execution_id=task.execution_id,
        id=task.id,
        lock_expiration_time=date_out(task.lock_expiration_time),
        create_time=date_out(task.create_time),
        process_definition_id=task.process_definition_id,
        process_definition_key=task.process_definition_key,
        process_definition_version_tag=task.process_definition_version_tag,
        process_instance_id=task.process_instance_id,
        retries=task.retries,
        suspended=task.suspended,
        worker_id=task.worker_id,
        topic_name=task.topic_name,
        tenant_id=task.tenant_id,
        priority=task.priority,
        business_key=task.business_key,
    )


# ── fetchAndLock (semantics §2.3) ───────────────────────────────────────────────────────────────


class SortingDto(CamelModel):
    sort_by: Any = None
    sort_order: Any = None


class FetchTopicDto(CamelModel):
    """One entry of ``topics``; every optional key may also arrive as explicit ``null``."""

    topic_name: str | None = None
    lock_duration: DurationMs | None = None
    variables: list[str] | None = None
    local_variables: bool | None = None
    deserialize_values: bool | None = None
    include_extension_properties: bool | None = None
    business_key: str | None = None
    process_definition_id: str | None = None
    process_definition_id_in: list[str] | None = None
    process_definition_key: str | None = None
    process_definition_key_in: list[str] | None = None
    process_definition_version_tag: str | None = None
    without_tenant_id: bool | None = None
    tenant_id_in: list[str] | None = None
    process_variables: dict[str, Any] | None = None


class FetchExternalTasksDto(CamelModel):
    worker_id: str | None = None
    max_tasks: JavaInt | None = None
    use_priority: bool | None = None
    sorting: list[SortingDto] | None = None
    async_response_timeout: DurationMs | None = None
    topics: list[FetchTopicDto] | None = None


class LockedExternalTaskDto(ExternalTaskDto):
    error_details: str | None
    variables: dict[str, dict[str, Any]]
    extension_properties: dict[str, str]


def locked_external_task_dto(locked: LockedExternalTask) -> dict[str, Any]:
    """Camunda's ``LockedExternalTaskDto``: every key present, ``suspended`` always false."""
    task = locked.task
    body = dump(external_task_dto(task))
    body["suspended"] = False  # Camunda never populates it here
    body["errorDetails"] = task.error_details
    body["variables"] = typed_values_out(locked.variables, deserialize=locked.deserialize_values)
    body["extensionProperties"] = dict(locked.extension_properties)
    return body


# ── worker reports and lock/retry management (semantics §2.4-2.8) ─────────────────────────────


class CompleteExternalTaskDto(CamelModel):
    worker_id: str | None = None
    variables: dict[str, VariableValueDto] | None = None
    local_variables: dict[str, VariableValueDto] | None = None


class ExternalTaskFailureDto(CamelModel):
    worker_id: str | None = None
    error_message: str | None = None
    error_details: str | None = None
    retries: JavaInt | None = None
    retry_timeout: DurationMs | None = None
    variables: dict[str, VariableValueDto] | None = None
    local_variables: dict[str, VariableValueDto] | None = None


class ExternalTaskBpmnErrorDto(CamelModel):
    worker_id: str | None = None
    error_code: str | None = None
    error_message: str | None = None
    variables: dict[str, VariableValueDto] | None = None


class LockExternalTaskDto(CamelModel):
    worker_id: str | None = None
    lock_duration: DurationMs | None = None


class ExtendLockDto(CamelModel):
    worker_id: str | None = None
    new_duration: DurationMs | None = None


class RetriesDto(CamelModel):
    retries: JavaInt | None = None


class PriorityDto(CamelModel):
    priority: int | None = None


class SetRetriesForExternalTasksDto(CamelModel):
    retries: JavaInt | None = None
    external_task_ids: list[str | None] | None = None
    process_instance_ids: list[str] | None = None
    external_task_query: dict[str, Any] | None = None
    process_instance_query: dict[str, Any] | None = None
    historic_process_instance_query: dict[str, Any] | None = None


class BatchDto(CamelModel):
    id: str
    type: str
    total_jobs: int
    jobs_created: int
    batch_jobs_per_seed: int
    invocations_per_batch_job: int
    seed_job_definition_id: str | None
    monitor_job_definition_id: str | None
    batch_job_definition_id: str | None
    suspended: bool
    tenant_id: str | None
    create_user_id: str | None
    start_time: str | None
    execution_start_time: str | None
