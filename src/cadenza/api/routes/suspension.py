"""``PUT /process-instance/{id}/suspended``, ``PUT /process-definition/{id}/suspended`` and
``PUT /process-definition/key/{key}/suspended`` (semantics §6.3, issue 7)."""

from __future__ import annotations

from fastapi import APIRouter
from starlette.responses import Response

from cadenza.errors import InvalidRequestError

from ..deps import EngineDep, JsonBody, body_doc, validate_body
from ..responses import no_content
from ..schemas.common import ExceptionDto
from ..schemas.job import SuspendedDto

__all__ = ["router"]

router = APIRouter(tags=["Process Instance", "Process Definition"])

_ERRORS: dict[int | str, dict[str, object]] = {400: {"model": ExceptionDto}, 404: {"model": ExceptionDto}}


def _suspended(body: object) -> SuspendedDto:
    dto = validate_body(SuspendedDto, body)
    if dto.suspended is None:
        raise InvalidRequestError("The property 'suspended' must be set")
    return dto


@router.put(
    "/process-instance/{id}/suspended",
    status_code=204,
    response_class=Response,
    responses=_ERRORS,
    openapi_extra=body_doc(SuspendedDto),
)
def set_process_instance_suspended(id: str, engine: EngineDep, body: JsonBody) -> Response:
    dto = _suspended(body)
    engine.suspension.set_process_instance_suspended(id, bool(dto.suspended))
    return no_content()


@router.put(
    "/process-definition/key/{key}/suspended",
    status_code=204,
    response_class=Response,
    responses=_ERRORS,
    openapi_extra=body_doc(SuspendedDto),
)
def set_process_definition_suspended_by_key(key: str, engine: EngineDep, body: JsonBody) -> Response:
    dto = _suspended(body)
    engine.suspension.set_process_definition_suspended(
        key=key, suspended=bool(dto.suspended), include_process_instances=bool(dto.include_process_instances)
    )
    return no_content()


@router.put(
    "/process-definition/{id}/suspended",
    status_code=204,
    response_class=Response,
    responses=_ERRORS,
    openapi_extra=body_doc(SuspendedDto),
)
def set_process_definition_suspended(id: str, engine: EngineDep, body: JsonBody) -> Response:
    dto = _suspended(body)
    engine.suspension.set_process_definition_suspended(
        definition_id=id,
        suspended=bool(dto.suspended),
        include_process_instances=bool(dto.include_process_instances),
    )
    return no_content()
