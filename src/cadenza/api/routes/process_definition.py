"""``/process-definition``: list, get by id/key, XML, start (semantics §6.2), statistics."""

from __future__ import annotations

from fastapi import APIRouter, Request

from cadenza.errors import UnsupportedError
from cadenza.services import Engine, ProcessDefinition, ProcessDefinitionQuery
from cadenza.services.statistics import IncidentFilter, StatisticsService

from ..deps import EngineDep, JsonBody, body_doc, query_flag, root_url, validate_body
from ..errors import invalid_request
from ..query import Kind, P, QuerySpec, parse_page
from ..responses import CamundaJSONResponse, json_response
from ..schemas.common import CountDto, ExceptionDto, dump, self_link, typed_values_in, typed_values_out
from ..schemas.process_definition import (
    ProcessDefinitionDiagramDto,
    ProcessDefinitionDto,
    StartProcessInstanceDto,
    process_definition_dto,
)
from ..schemas.process_instance import ProcessInstanceWithVariablesDto, process_instance_dto
from ..schemas.statistics import (
    ActivityStatisticsResultDto,
    ProcessDefinitionStatisticsResultDto,
    activity_statistics_dto,
    definition_statistics_dto,
)
from ._support import as_not_found, error_prefix

__all__ = ["PROCESS_DEFINITION_QUERY", "router"]

router = APIRouter(tags=["Process Definition"])

PROCESS_DEFINITION_QUERY = QuerySpec(
    ProcessDefinitionQuery,
    [
        P("processDefinitionId"),
        P("processDefinitionIdIn", Kind.LIST),
        P("key"),
        P("keysIn", Kind.LIST),
        P("keyLike"),
        P("name"),
        P("nameLike"),
        P("deploymentId"),
        P("resourceName"),
        P("resourceNameLike"),
        P("version", Kind.INT),
        P("latestVersion", Kind.BOOL),
        P("active", Kind.BOOL),
        P("suspended", Kind.BOOL),
        P("versionTag"),
        P("versionTagLike"),
        P("withoutVersionTag", Kind.BOOL),
        P("tenantIdIn", Kind.LIST),
        P("withoutTenantId", Kind.BOOL),
        P("includeProcessDefinitionsWithoutTenantId", Kind.BOOL),
        P("startableInTasklist", Kind.BOOL),
        P("notStartableInTasklist", Kind.BOOL),
    ],
)

_ERRORS: dict[int | str, dict[str, object]] = {
    400: {"model": ExceptionDto},
    404: {"model": ExceptionDto},
    500: {"model": ExceptionDto},
}


def _by_id(engine: Engine, definition_id: str) -> ProcessDefinition:
    with as_not_found("InvalidRequestException", f"No matching definition with id {definition_id}"):
        return engine.repository.get_process_definition(definition_id)


def _by_key(engine: Engine, key: str, tenant_id: str | None) -> ProcessDefinition:
    with as_not_found("RestException"):
        return engine.repository.get_latest_process_definition(key, tenant_id=tenant_id)


def _xml(engine: Engine, definition: ProcessDefinition) -> CamundaJSONResponse:
    xml = engine.repository.get_process_definition_xml(definition.id)
    dto = ProcessDefinitionDiagramDto(id=definition.id, bpmn20_xml=xml.decode("utf-8", errors="replace"))
    return json_response(dump(dto))


def _start(request: Request, engine: Engine, definition_id: str, body: object) -> CamundaJSONResponse:
    prefix = f"Cannot instantiate process definition {definition_id}: "
    dto = validate_body(StartProcessInstanceDto, body, prefix)
    if dto.start_instructions:
        raise UnsupportedError(prefix + "startInstructions are not supported")
    variables = typed_values_in(dto.variables, prefix)
    with_variables = bool(dto.with_variables_in_return)
    with error_prefix(prefix):
        started = engine.runtime.start_process_instance(
            definition_id,
            business_key=dto.business_key,
            variables=variables,
            with_variables_in_return=with_variables,
        )
    instance = started.instance
    link = self_link(f"{root_url(request)}/process-instance/{instance.id}")
    rendered = dump(process_instance_dto(instance, [link]))
    if with_variables:
        rendered["variables"] = typed_values_out(started.variables or {}, deserialize=False)
    return json_response(rendered)


@router.get(
    "/process-definition/count",
    response_class=CamundaJSONResponse,
    responses={200: {"model": CountDto}, **_ERRORS},
    openapi_extra=PROCESS_DEFINITION_QUERY.openapi_get_count(),
)
def get_process_definitions_count(request: Request, engine: EngineDep) -> CamundaJSONResponse:
    query = PROCESS_DEFINITION_QUERY.from_query_string(request.query_params)
    return json_response({"count": engine.repository.count_process_definitions(query)})


@router.get(
    "/process-definition",
    response_class=CamundaJSONResponse,
    responses={200: {"model": list[ProcessDefinitionDto]}, **_ERRORS},
    openapi_extra=PROCESS_DEFINITION_QUERY.openapi_get(),
)
def get_process_definitions(request: Request, engine: EngineDep) -> CamundaJSONResponse:
    query = PROCESS_DEFINITION_QUERY.from_query_string(request.query_params)
    page = parse_page(request.query_params)
    definitions = engine.repository.query_process_definitions(query, page)
    return json_response([dump(process_definition_dto(d)) for d in definitions])


@router.get(
    "/process-definition/key/{key}",
    response_class=CamundaJSONResponse,
    responses={200: {"model": ProcessDefinitionDto}, **_ERRORS},
)
def get_process_definition_by_key(key: str, engine: EngineDep) -> CamundaJSONResponse:
    return json_response(dump(process_definition_dto(_by_key(engine, key, None))))


@router.get(
    "/process-definition/key/{key}/tenant-id/{tenantId}",
    response_class=CamundaJSONResponse,
    responses={200: {"model": ProcessDefinitionDto}, **_ERRORS},
)
def get_process_definition_by_key_and_tenant(
    key: str,
    tenantId: str,  # noqa: N803
    engine: EngineDep,
) -> CamundaJSONResponse:
    return json_response(dump(process_definition_dto(_by_key(engine, key, tenantId))))


@router.get(
    "/process-definition/key/{key}/xml",
    response_class=CamundaJSONResponse,
    responses={200: {"model": ProcessDefinitionDiagramDto}, **_ERRORS},
)
def get_process_definition_xml_by_key(key: str, engine: EngineDep) -> CamundaJSONResponse:
    return _xml(engine, _by_key(engine, key, None))


@router.get(
    "/process-definition/key/{key}/tenant-id/{tenantId}/xml",
    response_class=CamundaJSONResponse,
    responses={200: {"model": ProcessDefinitionDiagramDto}, **_ERRORS},
)
def get_process_definition_xml_by_key_and_tenant(
    key: str,
    tenantId: str,  # noqa: N803
    engine: EngineDep,
) -> CamundaJSONResponse:
    return _xml(engine, _by_key(engine, key, tenantId))


@router.post(
    "/process-definition/key/{key}/start",
    response_class=CamundaJSONResponse,
    responses={200: {"model": ProcessInstanceWithVariablesDto}, **_ERRORS},
    openapi_extra=body_doc(StartProcessInstanceDto),
)
def start_process_instance_by_key(
    key: str, request: Request, engine: EngineDep, body: JsonBody
) -> CamundaJSONResponse:
    return _start(request, engine, _by_key(engine, key, None).id, body)


@router.post(
    "/process-definition/key/{key}/tenant-id/{tenantId}/start",
    response_class=CamundaJSONResponse,
    responses={200: {"model": ProcessInstanceWithVariablesDto}, **_ERRORS},
    openapi_extra=body_doc(StartProcessInstanceDto),
)
def start_process_instance_by_key_and_tenant(
    key: str,
    tenantId: str,  # noqa: N803
    request: Request,
    engine: EngineDep,
    body: JsonBody,
) -> CamundaJSONResponse:
    return _start(request, engine, _by_key(engine, key, tenantId).id, body)


_INCIDENT_PARAMS = {
    "incidents": "includeIncidents",
    "incidentsForType": "includeIncidentsForType",
    "rootIncidents": "includeRootIncidents",
}


def _incident_filter(request: Request, *, roots: bool) -> IncidentFilter:
    """``incidents`` / ``incidentsForType`` / ``rootIncidents``: at most one of them, as Camunda."""
    names = [n for n in _INCIDENT_PARAMS if roots or n != "rootIncidents"]
    given = [_INCIDENT_PARAMS[n] for n in names if request.query_params.get(n) is not None]
    if len(given) > 1:
        raise invalid_request(f"Only one of the query parameter {given[0]} or {given[1]} can be set.")
    incident_type = request.query_params.get("incidentsForType")
    if incident_type is not None:
        return IncidentFilter(include=True, incident_type=incident_type)
    if roots and query_flag(request, "rootIncidents"):
        return IncidentFilter(include=True, root_only=True)
    return IncidentFilter(include=query_flag(request, "incidents"))


_STATISTICS_PARAMS = [
    {"name": name, "in": "query", "required": False, "schema": {"type": kind}}
    for name, kind in (("failedJobs", "boolean"), ("incidents", "boolean"), ("incidentsForType", "string"))
]


@router.get(
    "/process-definition/statistics",
    response_class=CamundaJSONResponse,
    responses={200: {"model": list[ProcessDefinitionStatisticsResultDto]}, **_ERRORS},
    openapi_extra={
        "parameters": [
            *_STATISTICS_PARAMS,
            {"name": "rootIncidents", "in": "query", "required": False, "schema": {"type": "boolean"}},
        ]
    },
)
def get_process_definition_statistics(request: Request, engine: EngineDep) -> CamundaJSONResponse:
    query_flag(request, "failedJobs")  # validated; there are no jobs yet, so always 0
    incidents = _incident_filter(request, roots=True)
    stats = StatisticsService(engine.runner).process_definition_statistics(incidents)
    return json_response([dump(definition_statistics_dto(s)) for s in stats])


@router.get(
    "/process-definition/{id}/statistics",
    response_class=CamundaJSONResponse,
    responses={200: {"model": list[ActivityStatisticsResultDto]}, **_ERRORS},
    openapi_extra={"parameters": _STATISTICS_PARAMS},
)
def get_activity_statistics(id: str, request: Request, engine: EngineDep) -> CamundaJSONResponse:
    query_flag(request, "failedJobs")
    incidents = _incident_filter(request, roots=False)
    stats = StatisticsService(engine.runner).activity_statistics(id, incidents)
    return json_response([dump(activity_statistics_dto(s)) for s in stats])


@router.get(
    "/process-definition/{id}",
    response_class=CamundaJSONResponse,
    responses={200: {"model": ProcessDefinitionDto}, **_ERRORS},
)
def get_process_definition(id: str, engine: EngineDep) -> CamundaJSONResponse:
    return json_response(dump(process_definition_dto(_by_id(engine, id))))


@router.get(
    "/process-definition/{id}/xml",
    response_class=CamundaJSONResponse,
    responses={200: {"model": ProcessDefinitionDiagramDto}, **_ERRORS},
)
def get_process_definition_xml(id: str, engine: EngineDep) -> CamundaJSONResponse:
    return _xml(engine, _by_id(engine, id))


@router.post(
    "/process-definition/{id}/start",
    response_class=CamundaJSONResponse,
    responses={200: {"model": ProcessInstanceWithVariablesDto}, **_ERRORS},
    openapi_extra=body_doc(StartProcessInstanceDto),
)
def start_process_instance(
    id: str,
    request: Request,
    engine: EngineDep,
    body: JsonBody,
) -> CamundaJSONResponse:
    return _start(request, engine, id, body)
