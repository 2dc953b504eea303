"""Process instance DTOs (``ProcessInstanceDto``, ``ProcessInstanceWithVariablesDto``)."""

from __future__ import annotations

from typing import Any

from cadenza.services import ProcessInstance

from .common import CamelModel, LinkDto

__all__ = ["ProcessInstanceDto", "ProcessInstanceWithVariablesDto", "process_instance_dto"]


class ProcessInstanceDto(CamelModel):
    links: list[LinkDto]
    id: str
    definition_id: str
    definition_key: str | None
    business_key: str | None
    case_instance_id: str | None
    ended: bool
    suspended: bool
    tenant_id: str | None


class ProcessInstanceWithVariablesDto(ProcessInstanceDto):
    variables: dict[str, dict[str, Any]]


def process_instance_dto(instance: ProcessInstance, links: list[LinkDto] | None = None) -> ProcessInstanceDto:
    return ProcessInstanceDto(
        links=links or [],
        id=instance.id,
        definition_id=instance.definition_id,
        definition_key=instance.definition_key,
        business_key=instance.business_key,
        case_instance_id=instance.case_instance_id,
        ended=instance.ended,
        suspended=instance.suspended,
        tenant_id=instance.tenant_id,
    )
