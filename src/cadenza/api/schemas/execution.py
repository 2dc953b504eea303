"""Execution DTO (``ExecutionDto``)."""

from __future__ import annotations

from cadenza.services import Execution

from .common import CamelModel

__all__ = ["ExecutionDto", "execution_dto"]


class ExecutionDto(CamelModel):
    id: str
    process_instance_id: str
    ended: bool
    tenant_id: str | None


def execution_dto(execution: Execution) -> ExecutionDto:
    # A runtime execution row exists only while the execution is active: never ended.
    return ExecutionDto(
        id=execution.id,
        process_instance_id=execution.process_instance_id,
        ended=False,
        tenant_id=execution.tenant_id,
    )
