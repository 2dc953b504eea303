"""External task DTO (``ExternalTaskDto``, semantics §2.9)."""

from __future__ import annotations

from cadenza.services import ExternalTask

from .common import CamelModel, date_out

__all__ = ["ExternalTaskDto", "external_task_dto"]


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
