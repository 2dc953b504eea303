"""Deployment DTOs (``DeploymentDto``, ``DeploymentWithDefinitionsDto``, resources)."""

from __future__ import annotations

from cadenza.services import Deployment, Resource

from .common import CamelModel, LinkDto, date_out
from .process_definition import ProcessDefinitionDto

__all__ = [
    "DeploymentDto",
    "DeploymentResourceDto",
    "DeploymentWithDefinitionsDto",
    "deployment_dto",
    "resource_dto",
]


class DeploymentDto(CamelModel):
    links: list[LinkDto]
    id: str
    name: str | None
    source: str | None
    deployment_time: str | None
    tenant_id: str | None


class DeploymentWithDefinitionsDto(DeploymentDto):
    deployed_process_definitions: dict[str, ProcessDefinitionDto] | None
    deployed_case_definitions: dict[str, object] | None = None
    deployed_decision_definitions: dict[str, object] | None = None
    deployed_decision_requirements_definitions: dict[str, object] | None = None


class DeploymentResourceDto(CamelModel):
    id: str
    name: str
    deployment_id: str


def deployment_dto(deployment: Deployment, links: list[LinkDto] | None = None) -> DeploymentDto:
    return DeploymentDto(
        links=links or [],
        id=deployment.id,
        name=deployment.name,
        source=deployment.source,
        deployment_time=date_out(deployment.deployment_time),
        tenant_id=deployment.tenant_id,
    )


def resource_dto(resource: Resource) -> DeploymentResourceDto:
    return DeploymentResourceDto(id=resource.id, name=resource.name, deployment_id=resource.deployment_id)
