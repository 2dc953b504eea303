"""``/tenant``: list, count, create, get, update, delete, user and group members (Camunda
``TenantRestService``)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from cadenza.services import Tenant, TenantQuery

from ..deps import EngineDep, JsonBody, body_doc, validate_body
from ..errors import invalid_request
from ..query import Kind, P, QuerySpec, parse_page
from ..responses import CamundaJSONResponse, json_response, no_content
from ..schemas.common import CountDto, ExceptionDto, dump
from ..schemas.identity import TenantDto

__all__ = ["TENANT_QUERY", "router"]

router = APIRouter(tags=["Tenant"])

TENANT_QUERY = QuerySpec(
    TenantQuery,
    [
        P("id"),
        P("idIn", Kind.LIST),
        P("name"),
        P("nameLike"),
        P("userMember"),
        P("groupMember"),
        P("includingGroupsOfUser", Kind.BOOL),
    ],
)

_ERRORS: dict[int | str, dict[str, object]] = {
    400: {"model": ExceptionDto},
    403: {"model": ExceptionDto},
    404: {"model": ExceptionDto},
}


@router.get(
    "/tenant", response_class=CamundaJSONResponse, responses={200: {"model": list[TenantDto]}, **_ERRORS}
)
def get_tenants(request: Request, engine: EngineDep) -> CamundaJSONResponse:
    query = TENANT_QUERY.from_query_string(request.query_params)
    tenants = engine.identity.query_tenants(query, parse_page(request.query_params))
    return json_response([dump(TenantDto.of(tenant)) for tenant in tenants])


@router.get(
    "/tenant/count", response_class=CamundaJSONResponse, responses={200: {"model": CountDto}, **_ERRORS}
)
def get_tenant_count(request: Request, engine: EngineDep) -> CamundaJSONResponse:
    query = TENANT_QUERY.from_query_string(request.query_params)
    return json_response({"count": engine.identity.count_tenants(query)})


@router.post(
    "/tenant/create",
    status_code=204,
    response_class=Response,
    responses=_ERRORS,
    openapi_extra=body_doc(TenantDto),
)
def create_tenant(engine: EngineDep, body: JsonBody) -> Response:
    dto = validate_body(TenantDto, body)
    if dto.id is None:
        raise invalid_request("A tenant needs an id")
    engine.identity.create_tenant(Tenant(dto.id, dto.name))
    return no_content()


@router.get(
    "/tenant/{id}", response_class=CamundaJSONResponse, responses={200: {"model": TenantDto}, **_ERRORS}
)
def get_tenant(id: str, engine: EngineDep) -> CamundaJSONResponse:
    return json_response(dump(TenantDto.of(engine.identity.get_tenant(id))))


@router.put(
    "/tenant/{id}",
    status_code=204,
    response_class=Response,
    responses=_ERRORS,
    openapi_extra=body_doc(TenantDto),
)
def update_tenant(id: str, engine: EngineDep, body: JsonBody) -> Response:
    dto = validate_body(TenantDto, body)
    engine.identity.update_tenant(Tenant(id, dto.name))
    return no_content()


@router.delete("/tenant/{id}", status_code=204, response_class=Response, responses=_ERRORS)
def delete_tenant(id: str, engine: EngineDep) -> Response:
    engine.identity.delete_tenant(id)
    return no_content()


@router.put("/tenant/{id}/user-members/{userId}", status_code=204, response_class=Response, responses=_ERRORS)
def add_tenant_user(id: str, userId: str, engine: EngineDep) -> Response:  # noqa: N803
    engine.identity.add_tenant_member(id, member_user_id=userId)
    return no_content()


@router.delete(
    "/tenant/{id}/user-members/{userId}", status_code=204, response_class=Response, responses=_ERRORS
)
def remove_tenant_user(id: str, userId: str, engine: EngineDep) -> Response:  # noqa: N803
    engine.identity.remove_tenant_member(id, member_user_id=userId)
    return no_content()


@router.put(
    "/tenant/{id}/group-members/{groupId}", status_code=204, response_class=Response, responses=_ERRORS
)
def add_tenant_group(id: str, groupId: str, engine: EngineDep) -> Response:  # noqa: N803
    engine.identity.add_tenant_member(id, member_group_id=groupId)
    return no_content()


@router.delete(
    "/tenant/{id}/group-members/{groupId}", status_code=204, response_class=Response, responses=_ERRORS
)
def remove_tenant_group(id: str, groupId: str, engine: EngineDep) -> Response:  # noqa: N803
    engine.identity.remove_tenant_member(id, member_group_id=groupId)
    return no_content()
