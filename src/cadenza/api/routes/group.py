"""``/group``: list, count, create, get, update, delete, members (Camunda ``GroupRestService``)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from cadenza.services import Group, GroupQuery

from ..deps import EngineDep, JsonBody, body_doc, validate_body
from ..errors import invalid_request
from ..query import Kind, P, QuerySpec, parse_page
from ..responses import CamundaJSONResponse, json_response, no_content
from ..schemas.common import CountDto, ExceptionDto, dump
from ..schemas.identity import GroupDto

__all__ = ["GROUP_QUERY", "router"]

router = APIRouter(tags=["Group"])

GROUP_QUERY = QuerySpec(
    GroupQuery,
    [
        P("id"),
        P("idIn", Kind.LIST),
        P("name"),
        P("nameLike"),
        P("type"),
        P("member"),
        P("memberOfTenant"),
    ],
)

_ERRORS: dict[int | str, dict[str, object]] = {
    400: {"model": ExceptionDto},
    403: {"model": ExceptionDto},
    404: {"model": ExceptionDto},
}


@router.get(
    "/group", response_class=CamundaJSONResponse, responses={200: {"model": list[GroupDto]}, **_ERRORS}
)
def get_groups(request: Request, engine: EngineDep) -> CamundaJSONResponse:
    query = GROUP_QUERY.from_query_string(request.query_params)
    groups = engine.identity.query_groups(query, parse_page(request.query_params))
    return json_response([dump(GroupDto.of(group)) for group in groups])


@router.get(
    "/group/count", response_class=CamundaJSONResponse, responses={200: {"model": CountDto}, **_ERRORS}
)
def get_group_count(request: Request, engine: EngineDep) -> CamundaJSONResponse:
    query = GROUP_QUERY.from_query_string(request.query_params)
    return json_response({"count": engine.identity.count_groups(query)})


@router.post(
    "/group/create",
    status_code=204,
    response_class=Response,
    responses=_ERRORS,
    openapi_extra=body_doc(GroupDto),
)
def create_group(engine: EngineDep, body: JsonBody) -> Response:
    dto = validate_body(GroupDto, body)
    if dto.id is None:
        raise invalid_request("A group needs an id")
    engine.identity.create_group(Group(dto.id, dto.name, dto.type))
    return no_content()


@router.get(
    "/group/{id}", response_class=CamundaJSONResponse, responses={200: {"model": GroupDto}, **_ERRORS}
)
def get_group(id: str, engine: EngineDep) -> CamundaJSONResponse:
    return json_response(dump(GroupDto.of(engine.identity.get_group(id))))


@router.put(
    "/group/{id}",
    status_code=204,
    response_class=Response,
    responses=_ERRORS,
    openapi_extra=body_doc(GroupDto),
)
def update_group(id: str, engine: EngineDep, body: JsonBody) -> Response:
    dto = validate_body(GroupDto, body)
    engine.identity.update_group(Group(id, dto.name, dto.type))
    return no_content()


@router.delete("/group/{id}", status_code=204, response_class=Response, responses=_ERRORS)
def delete_group(id: str, engine: EngineDep) -> Response:
    engine.identity.delete_group(id)
    return no_content()


@router.put("/group/{id}/members/{userId}", status_code=204, response_class=Response, responses=_ERRORS)
def add_group_member(id: str, userId: str, engine: EngineDep) -> Response:  # noqa: N803
    engine.identity.add_group_member(id, userId)
    return no_content()


@router.delete("/group/{id}/members/{userId}", status_code=204, response_class=Response, responses=_ERRORS)
def remove_group_member(id: str, userId: str, engine: EngineDep) -> Response:  # noqa: N803
    engine.identity.remove_group_member(id, userId)
    return no_content()
