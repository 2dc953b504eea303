"""``/identity``: a user's groups and password verification (Camunda ``IdentityRestService``)."""

from __future__ import annotations

from fastapi import APIRouter, Request

from ..deps import EngineDep, JsonBody, body_doc, validate_body
from ..errors import invalid_request
from ..responses import CamundaJSONResponse, json_response
from ..schemas.common import ExceptionDto, dump
from ..schemas.identity import AuthenticationResultDto, GroupInfoDto, VerifyDto, group_info_dto

__all__ = ["router"]

router = APIRouter(tags=["Identity"])

_ERRORS: dict[int | str, dict[str, object]] = {400: {"model": ExceptionDto}, 403: {"model": ExceptionDto}}


@router.get(
    "/identity/groups",
    response_class=CamundaJSONResponse,
    responses={200: {"model": GroupInfoDto}, **_ERRORS},
)
def get_group_info(request: Request, engine: EngineDep) -> CamundaJSONResponse:
    user_id = request.query_params.get("userId")
    if not user_id:
        raise invalid_request("No user id was supplied")
    return json_response(dump(group_info_dto(engine.identity.group_info(user_id))))


@router.post(
    "/identity/verify",
    response_class=CamundaJSONResponse,
    responses={200: {"model": AuthenticationResultDto}, **_ERRORS},
    openapi_extra=body_doc(VerifyDto),
)
def verify_user(engine: EngineDep, body: JsonBody) -> CamundaJSONResponse:
    dto = validate_body(VerifyDto, body)
    authenticated = engine.identity.verify(dto.username, dto.password)
    return json_response(
        dump(AuthenticationResultDto(authenticated_user=dto.username, authenticated=authenticated))
    )
