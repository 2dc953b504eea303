"""``/user``: list, count, create, profile, credentials, delete (Camunda ``UserRestService``)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from cadenza.services import User, UserQuery

from ..deps import EngineDep, JsonBody, body_doc, validate_body
from ..errors import invalid_request
from ..query import Kind, P, QuerySpec, parse_page
from ..responses import CamundaJSONResponse, json_response, no_content
from ..schemas.common import CountDto, ExceptionDto, dump
from ..schemas.identity import UserCreateDto, UserCredentialsDto, UserProfileDto

__all__ = ["USER_QUERY", "router"]

router = APIRouter(tags=["User"])

USER_QUERY = QuerySpec(
    UserQuery,
    [
        P("id"),
        P("idIn", Kind.LIST),
        P("firstName"),
        P("firstNameLike"),
        P("lastName"),
        P("lastNameLike"),
        P("email"),
        P("emailLike"),
        P("memberOfGroup"),
        P("memberOfTenant"),
    ],
)

_ERRORS: dict[int | str, dict[str, object]] = {
    400: {"model": ExceptionDto},
    403: {"model": ExceptionDto},
    404: {"model": ExceptionDto},
}


@router.get(
    "/user", response_class=CamundaJSONResponse, responses={200: {"model": list[UserProfileDto]}, **_ERRORS}
)
def get_users(request: Request, engine: EngineDep) -> CamundaJSONResponse:
    query = USER_QUERY.from_query_string(request.query_params)
    users = engine.identity.query_users(query, parse_page(request.query_params))
    return json_response([dump(UserProfileDto.of(user)) for user in users])


@router.get(
    "/user/count", response_class=CamundaJSONResponse, responses={200: {"model": CountDto}, **_ERRORS}
)
def get_user_count(request: Request, engine: EngineDep) -> CamundaJSONResponse:
    query = USER_QUERY.from_query_string(request.query_params)
    return json_response({"count": engine.identity.count_users(query)})


@router.post(
    "/user/create",
    status_code=204,
    response_class=Response,
    responses=_ERRORS,
    openapi_extra=body_doc(UserCreateDto),
)
def create_user(engine: EngineDep, body: JsonBody) -> Response:
    dto = validate_body(UserCreateDto, body)
    profile = dto.profile or UserProfileDto()
    if profile.id is None:
        raise invalid_request("A user needs a profile with an id")
    password = dto.credentials.password if dto.credentials is not None else None
    engine.identity.create_user(
        User(profile.id, profile.first_name, profile.last_name, profile.email), password
    )
    return no_content()


@router.get(
    "/user/{id}/profile",
    response_class=CamundaJSONResponse,
    responses={200: {"model": UserProfileDto}, **_ERRORS},
)
def get_user_profile(id: str, engine: EngineDep) -> CamundaJSONResponse:
    return json_response(dump(UserProfileDto.of(engine.identity.get_user(id))))


@router.put(
    "/user/{id}/profile",
    status_code=204,
    response_class=Response,
    responses=_ERRORS,
    openapi_extra=body_doc(UserProfileDto),
)
def update_user_profile(id: str, engine: EngineDep, body: JsonBody) -> Response:
    dto = validate_body(UserProfileDto, body)
    engine.identity.update_user(User(id, dto.first_name, dto.last_name, dto.email))
    return no_content()


@router.put(
    "/user/{id}/credentials",
    status_code=204,
    response_class=Response,
    responses=_ERRORS,
    openapi_extra=body_doc(UserCredentialsDto),
)
def update_user_credentials(id: str, engine: EngineDep, body: JsonBody) -> Response:
    dto = validate_body(UserCredentialsDto, body)
    if dto.password is None:
        raise invalid_request("A new password is required")
    engine.identity.set_password(
        id, dto.password, authenticated_user_password=dto.authenticated_user_password
    )
    return no_content()


@router.delete("/user/{id}", status_code=204, response_class=Response, responses=_ERRORS)
def delete_user(id: str, engine: EngineDep) -> Response:
    engine.identity.delete_user(id)
    return no_content()
