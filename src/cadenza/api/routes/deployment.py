"""``/deployment``: multipart deployment, list, get, delete, resources (semantics §6.1)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from starlette.datastructures import UploadFile
from starlette.responses import Response

from cadenza.errors import EngineError, UnsupportedError
from cadenza.services import DeploymentQuery

from ..deps import EngineDep, parse_bool, query_flag, root_url
from ..errors import invalid_request
from ..query import Kind, P, QuerySpec, parse_page
from ..responses import CamundaJSONResponse, json_response, no_content
from ..schemas.common import CountDto, ExceptionDto, dump, self_link
from ..schemas.deployment import (
    DeploymentDto,
    DeploymentResourceDto,
    DeploymentWithDefinitionsDto,
    deployment_dto,
    resource_dto,
)
from ..schemas.process_definition import process_definition_dto
from ._support import as_not_found

__all__ = ["DEPLOYMENT_QUERY", "router"]

router = APIRouter(tags=["Deployment"])

DEPLOYMENT_QUERY = QuerySpec(
    DeploymentQuery,
    [
        P("id"),
        P("name"),
        P("nameLike"),
        P("source"),
        P("withoutSource", Kind.BOOL),
        P("tenantIdIn", Kind.LIST),
        P("withoutTenantId", Kind.BOOL),
        P("includeDeploymentsWithoutTenantId", Kind.BOOL),
        P("after", Kind.DATE),
        P("before", Kind.DATE),
    ],
)

_TEXT_PARTS = frozenset(
    {
        "deployment-name",
        "deployment-source",
        "deploy-changed-only",
        "enable-duplicate-filtering",
        "tenant-id",
        "deployment-activation-time",
    }
)
_ERRORS: dict[int | str, dict[str, object]] = {
    400: {"model": ExceptionDto},
    404: {"model": ExceptionDto},
}


@dataclass
class DeploymentForm:
    name: str | None = None
    source: str | None = None
    tenant_id: str | None = None
    enable_duplicate_filtering: bool = False
    deploy_changed_only: bool = False
    resources: list[tuple[str, bytes]] = field(default_factory=list)


def _form_bool(name: str, raw: str) -> bool:
    parsed = parse_bool(raw)
    if parsed is None:
        raise invalid_request(f"Cannot set form parameter '{name}' to value '{raw}'")
    return parsed


async def deployment_form(request: Request) -> DeploymentForm:
    """Read ``multipart/form-data`` as Camunda Modeler, pycamunda and generic clients send it."""
    content_type = request.headers.get("content-type", "")
    if not content_type.lower().startswith("multipart/form-data"):
        raise EngineError(
            f"Cannot consume content type '{content_type}'; send multipart/form-data",
            camunda_type="NotSupportedException",
            status=415,
            code=None,
        )
    form = DeploymentForm()
    async with request.form(max_files=10_000, max_fields=10_000) as parts:
        for part_name, value in parts.multi_items():
            if part_name in _TEXT_PARTS and not isinstance(value, UploadFile):
                text = value
                if part_name == "deployment-name":
                    form.name = text
                elif part_name == "deployment-source":
                    form.source = text
                elif part_name == "tenant-id":
                    form.tenant_id = text or None
                elif part_name == "enable-duplicate-filtering":
                    form.enable_duplicate_filtering = _form_bool(part_name, text)
                elif part_name == "deploy-changed-only":
                    form.deploy_changed_only = _form_bool(part_name, text)
                elif text:  # deployment-activation-time
                    raise UnsupportedError("Delayed activation (deployment-activation-time) is not supported")
                continue
            if not isinstance(value, UploadFile) or not value.filename:
                raise invalid_request(
                    "No file name found in the deployment resource described by form "
                    f"parameter '{part_name}'."
                )
            form.resources.append((value.filename, await value.read()))
    if form.deploy_changed_only:
        form.enable_duplicate_filtering = True
    if not form.resources:
        raise invalid_request("No deployment resources contained in the form upload.")
    return form


@router.post(
    "/deployment/create",
    response_class=CamundaJSONResponse,
    responses={200: {"model": DeploymentWithDefinitionsDto}, **_ERRORS},
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "multipart/form-data": {
                    "schema": {
                        "type": "object",
                        "properties": {
                            "deployment-name": {"type": "string"},
                            "deployment-source": {"type": "string"},
                            "tenant-id": {"type": "string"},
                            "enable-duplicate-filtering": {"type": "boolean"},
                            "deploy-changed-only": {"type": "boolean"},
                            "data": {"type": "string", "format": "binary"},
                        },
                    }
                }
            },
        }
    },
)
def create_deployment(
    request: Request,
    engine: EngineDep,
    form: Annotated[DeploymentForm, Depends(deployment_form)],
) -> CamundaJSONResponse:
    result = engine.repository.deploy(
        form.resources,
        name=form.name,
        source=form.source,
        tenant_id=form.tenant_id,
        enable_duplicate_filtering=form.enable_duplicate_filtering,
        deploy_changed_only=form.deploy_changed_only,
    )
    deployment = result.deployment
    base = deployment_dto(deployment, [self_link(f"{root_url(request)}/deployment/{deployment.id}")])
    definitions = {d.id: process_definition_dto(d) for d in result.process_definitions}
    dto = DeploymentWithDefinitionsDto(
        **base.model_dump(),
        deployed_process_definitions=definitions or None,
    )
    return json_response(dump(dto))


@router.get(
    "/deployment/count",
    response_class=CamundaJSONResponse,
    responses={200: {"model": CountDto}, **_ERRORS},
    openapi_extra=DEPLOYMENT_QUERY.openapi_get_count(),
)
def get_deployments_count(request: Request, engine: EngineDep) -> CamundaJSONResponse:
    query = DEPLOYMENT_QUERY.from_query_string(request.query_params)
    return json_response({"count": engine.repository.count_deployments(query)})


@router.get(
    "/deployment",
    response_class=CamundaJSONResponse,
    responses={200: {"model": list[DeploymentDto]}, **_ERRORS},
    openapi_extra=DEPLOYMENT_QUERY.openapi_get(),
)
def get_deployments(request: Request, engine: EngineDep) -> CamundaJSONResponse:
    query = DEPLOYMENT_QUERY.from_query_string(request.query_params)
    page = parse_page(request.query_params)
    deployments = engine.repository.query_deployments(query, page)
    return json_response([dump(deployment_dto(d)) for d in deployments])


@router.get(
    "/deployment/{id}",
    response_class=CamundaJSONResponse,
    responses={200: {"model": DeploymentDto}, **_ERRORS},
)
def get_deployment(id: str, engine: EngineDep) -> CamundaJSONResponse:
    with as_not_found("InvalidRequestException"):
        deployment = engine.repository.get_deployment(id)
    return json_response(dump(deployment_dto(deployment)))


@router.delete("/deployment/{id}", status_code=204, responses=_ERRORS)
def delete_deployment(
    id: str,
    engine: EngineDep,
    request: Request,
) -> Response:
    cascade = query_flag(request, "cascade")
    query_flag(request, "skipCustomListeners")
    query_flag(request, "skipIoMappings")
    with as_not_found("InvalidRequestException"):
        engine.repository.delete_deployment(id, cascade=cascade)
    return no_content()


@router.get(
    "/deployment/{id}/resources",
    response_class=CamundaJSONResponse,
    responses={200: {"model": list[DeploymentResourceDto]}, **_ERRORS},
)
def get_deployment_resources(id: str, engine: EngineDep) -> CamundaJSONResponse:
    with as_not_found("InvalidRequestException"):
        resources = engine.repository.get_deployment_resources(id)
    return json_response([dump(resource_dto(r)) for r in resources])
