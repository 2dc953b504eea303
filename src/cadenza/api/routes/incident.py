"""``/incident``: list, count, single GET, annotations and resolving custom incidents
(semantics §5.1)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from cadenza.errors import EngineError, NotFoundError
from cadenza.services import IncidentQuery

from ..deps import EngineDep, JsonBody, body_doc, validate_body
from ..query import Kind, P, QuerySpec, parse_page
from ..responses import CamundaJSONResponse, json_response, no_content
from ..schemas.common import CountDto, ExceptionDto, dump
from ..schemas.incident import AnnotationDto, IncidentDto, incident_dto

__all__ = ["INCIDENT_QUERY", "router"]

router = APIRouter(tags=["Incident"])

INCIDENT_QUERY = QuerySpec(
    IncidentQuery,
    [
        P("incidentId"),
        P("incidentType"),
        P("incidentMessage"),
        P("incidentMessageLike"),
        P("processDefinitionId"),
        P("processDefinitionKeyIn", Kind.LIST),
        P("processInstanceId"),
        P("executionId"),
        P("incidentTimestampBefore", Kind.DATE),
        P("incidentTimestampAfter", Kind.DATE),
        P("activityId"),
        P("failedActivityId"),
        P("causeIncidentId"),
        P("rootCauseIncidentId"),
        P("configuration"),
        P("tenantIdIn", Kind.LIST),
        P("jobDefinitionIdIn", Kind.LIST),
    ],
)

_ERRORS: dict[int | str, dict[str, object]] = {
    400: {"model": ExceptionDto},
    404: {"model": ExceptionDto},
}


@router.get(
    "/incident/count",
    response_class=CamundaJSONResponse,
    responses={200: {"model": CountDto}, **_ERRORS},
    openapi_extra=INCIDENT_QUERY.openapi_get_count(),
)
def get_incidents_count(request: Request, engine: EngineDep) -> CamundaJSONResponse:
    query = INCIDENT_QUERY.from_query_string(request.query_params)
    return json_response({"count": engine.incidents.count(query)})


@router.get(
    "/incident",
    response_class=CamundaJSONResponse,
    responses={200: {"model": list[IncidentDto]}, **_ERRORS},
    openapi_extra=INCIDENT_QUERY.openapi_get(),
)
def get_incidents(request: Request, engine: EngineDep) -> CamundaJSONResponse:
    query = INCIDENT_QUERY.from_query_string(request.query_params)
    incidents = engine.incidents.query(query, parse_page(request.query_params))
    return json_response([dump(incident_dto(incident)) for incident in incidents])


@router.get(
    "/incident/{id}",
    response_class=CamundaJSONResponse,
    responses={200: {"model": IncidentDto}, **_ERRORS},
)
def get_incident(id: str, engine: EngineDep) -> CamundaJSONResponse:
    return json_response(dump(incident_dto(engine.incidents.get(id))))


@router.delete("/incident/{id}", status_code=204, response_class=Response, responses=_ERRORS)
def resolve_incident(id: str, engine: EngineDep) -> Response:
    """Only custom incident types can be resolved by hand (Camunda's rule)."""
    try:
        engine.incidents.resolve(id)
    except NotFoundError as error:
        raise EngineError(
            error.message, camunda_type="InvalidRequestException", status=404, code=None
        ) from error
    except EngineError as error:
        if error.status != 400:
            raise
        raise EngineError(
            error.message, camunda_type="InvalidRequestException", status=400, code=None
        ) from error
    return no_content()


@router.put(
    "/incident/{id}/annotation",
    status_code=204,
    response_class=Response,
    responses=_ERRORS,
    openapi_extra=body_doc(AnnotationDto),
)
def set_incident_annotation(id: str, engine: EngineDep, body: JsonBody) -> Response:
    dto = validate_body(AnnotationDto, body)
    engine.incidents.set_annotation(id, dto.annotation)
    return no_content()


@router.delete("/incident/{id}/annotation", status_code=204, response_class=Response, responses=_ERRORS)
def clear_incident_annotation(id: str, engine: EngineDep) -> Response:
    engine.incidents.set_annotation(id, None)
    return no_content()
