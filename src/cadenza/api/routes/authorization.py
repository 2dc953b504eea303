"""``/authorization``: list, count, create, get, update, delete and ``check`` (Camunda
``AuthorizationRestService``)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from cadenza.errors import EngineError
from cadenza.services import AuthorizationQuery

from ..deps import EngineDep, JsonBody, authenticated_user, body_doc, validate_body
from ..errors import invalid_request
from ..query import Kind, P, QuerySpec, parse_page
from ..responses import CamundaJSONResponse, json_response, no_content
from ..schemas.common import CountDto, ExceptionDto, dump
from ..schemas.identity import (
    AuthorizationCheckResultDto,
    AuthorizationCreateDto,
    AuthorizationDto,
    AuthorizationUpdateDto,
    authorization_dto,
)

__all__ = ["AUTHORIZATION_QUERY", "router"]

router = APIRouter(tags=["Authorization"])

AUTHORIZATION_QUERY = QuerySpec(
    AuthorizationQuery,
    [
        P("id"),
        P("type", Kind.INT),
        P("userIdIn", Kind.LIST),
        P("groupIdIn", Kind.LIST),
        P("resourceType", Kind.INT),
        P("resourceId"),
    ],
)

_ERRORS: dict[int | str, dict[str, object]] = {
    400: {"model": ExceptionDto},
    401: {"model": ExceptionDto},
    403: {"model": ExceptionDto},
    404: {"model": ExceptionDto},
}


@router.get(
    "/authorization",
    response_class=CamundaJSONResponse,
    responses={200: {"model": list[AuthorizationDto]}, **_ERRORS},
)
def get_authorizations(request: Request, engine: EngineDep) -> CamundaJSONResponse:
    query = AUTHORIZATION_QUERY.from_query_string(request.query_params)
    found = engine.authorizations.query(query, parse_page(request.query_params))
    return json_response([dump(authorization_dto(a)) for a in found])


@router.get(
    "/authorization/count",
    response_class=CamundaJSONResponse,
    responses={200: {"model": CountDto}, **_ERRORS},
)
def get_authorization_count(request: Request, engine: EngineDep) -> CamundaJSONResponse:
    query = AUTHORIZATION_QUERY.from_query_string(request.query_params)
    return json_response({"count": engine.authorizations.count(query)})


@router.get(
    "/authorization/check",
    response_class=CamundaJSONResponse,
    responses={200: {"model": AuthorizationCheckResultDto}, **_ERRORS},
)
def is_user_authorized(request: Request, engine: EngineDep) -> CamundaJSONResponse:
    """Whether the authenticated user holds a permission (401 without an authenticated user)."""
    params = request.query_params
    permission_name = params.get("permissionName")
    resource_name = params.get("resourceName")
    resource_type = params.get("resourceType")
    if not permission_name or not resource_name or resource_type is None:
        raise invalid_request(
            "Query parameters 'permissionName', 'resourceName' and 'resourceType' are mandatory."
        )
    try:
        type_ = int(resource_type)
    except ValueError:
        raise invalid_request(
            f"Cannot set query parameter 'resourceType' to value '{resource_type}'"
        ) from None
    user_id = authenticated_user(request)
    if user_id is None:
        raise EngineError(
            "You must be authenticated in order to use this resource.",
            camunda_type="InvalidRequestException",
            status=401,
            code=None,
        )
    result = engine.authorizations.is_user_authorized(
        permission_name, resource_name, type_, params.get("resourceId"), user_id=user_id
    )
    return json_response(dump(AuthorizationCheckResultDto.of(result)))


@router.post(
    "/authorization/create",
    response_class=CamundaJSONResponse,
    responses={200: {"model": AuthorizationDto}, **_ERRORS},
    openapi_extra=body_doc(AuthorizationCreateDto),
)
def create_authorization(engine: EngineDep, body: JsonBody) -> CamundaJSONResponse:
    dto = validate_body(AuthorizationCreateDto, body)
    if dto.resource_type is None:
        raise invalid_request("An authorization needs a resourceType")
    created = engine.authorizations.create(
        type_=dto.type,
        permissions=dto.permissions or [],
        resource_type=dto.resource_type,
        resource_id=dto.resource_id,
        owner_user_id=dto.user_id,
        owner_group_id=dto.group_id,
    )
    return json_response(dump(authorization_dto(created)))


@router.get(
    "/authorization/{id}",
    response_class=CamundaJSONResponse,
    responses={200: {"model": AuthorizationDto}, **_ERRORS},
)
def get_authorization(id: str, engine: EngineDep) -> CamundaJSONResponse:
    return json_response(dump(authorization_dto(engine.authorizations.get(id))))


@router.put(
    "/authorization/{id}",
    status_code=204,
    response_class=Response,
    responses=_ERRORS,
    openapi_extra=body_doc(AuthorizationUpdateDto),
)
def update_authorization(id: str, engine: EngineDep, body: JsonBody) -> Response:
    dto = validate_body(AuthorizationUpdateDto, body)
    if dto.resource_type is None:
        raise invalid_request("An authorization needs a resourceType")
    engine.authorizations.update(
        id,
        permissions=dto.permissions or [],
        resource_type=dto.resource_type,
        resource_id=dto.resource_id,
        owner_user_id=dto.user_id,
        owner_group_id=dto.group_id,
    )
    return no_content()


@router.delete("/authorization/{id}", status_code=204, response_class=Response, responses=_ERRORS)
def delete_authorization(id: str, engine: EngineDep) -> Response:
    engine.authorizations.delete(id)
    return no_content()
