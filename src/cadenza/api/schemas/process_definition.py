"""Process definition DTOs (``ProcessDefinitionDto``, ``ProcessDefinitionDiagramDto``, start)."""

from __future__ import annotations

from typing import Any

from cadenza.services import ProcessDefinition

from .common import CamelModel, VariableValueDto

__all__ = [
    "ProcessDefinitionDiagramDto",
    "ProcessDefinitionDto",
    "StartProcessInstanceDto",
    "process_definition_dto",
]


class ProcessDefinitionDto(CamelModel):
    id: str
    key: str
    category: str | None
    description: str | None
    name: str | None
    version: int
    resource: str | None
    deployment_id: str | None
    diagram: str | None
    suspended: bool
    tenant_id: str | None
    version_tag: str | None
    history_time_to_live: int | None
    startable_in_tasklist: bool


class ProcessDefinitionDiagramDto(CamelModel):
    id: str
    bpmn20_xml: str


class StartProcessInstanceDto(CamelModel):
    business_key: str | None = None
    variables: dict[str, VariableValueDto] | None = None
    case_instance_id: str | None = None
    start_instructions: list[dict[str, Any]] | None = None
    skip_custom_listeners: bool | None = None
    skip_io_mappings: bool | None = None
    with_variables_in_return: bool | None = None


def process_definition_dto(definition: ProcessDefinition) -> ProcessDefinitionDto:
    return ProcessDefinitionDto(
        id=definition.id,
        key=definition.key,
        category=definition.category,
        description=definition.description,
        name=definition.name,
        version=definition.version,
        resource=definition.resource_name,
        deployment_id=definition.deployment_id,
        diagram=None,
        suspended=definition.suspended,
        tenant_id=definition.tenant_id,
        version_tag=definition.version_tag,
        history_time_to_live=definition.history_time_to_live,
        startable_in_tasklist=definition.startable_in_tasklist,
    )
