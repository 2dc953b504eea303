"""``/process-instance``: query, get, delete, variables (semantics §6.3), activity-instance tree."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from cadenza.services import ProcessInstanceQuery
from cadenza.services.activity_instances import ActivityInstanceService

from ..deps import EngineDep, JsonBody, query_flag, root_url
from ..query import Kind, P, QuerySpec, parse_page
from ..responses import CamundaJSONResponse, json_response, no_content
from ..schemas.common import CountDto, ExceptionDto, dump, self_link
from ..schemas.process_instance import ProcessInstanceDto, process_instance_dto
from ..schemas.statistics import ActivityInstanceDto, activity_instance_dto
from ._support import as_not_found
from .variables import add_variable_routes

__all__ = ["PROCESS_INSTANCE_QUERY", "router"]

router = APIRouter(tags=["Process Instance"])

PROCESS_INSTANCE_QUERY = QuerySpec(
    ProcessInstanceQuery,
    [
        P("processInstanceIds", Kind.LIST),
        P("businessKey"),
        P("businessKeyLike"),
        P("processDefinitionId"),
        P("processDefinitionKey"),
        P("processDefinitionKeyIn", Kind.LIST),
        P("processDefinitionKeyNotIn", Kind.LIST),
        P("deploymentId"),
        P("superProcessInstance"),
        P("active", Kind.BOOL),
        P("suspended", Kind.BOOL),
        P("activityIdIn", Kind.LIST),
        P("tenantIdIn", Kind.LIST),
        P("withoutTenantId", Kind.BOOL),
        P("rootProcessInstances", Kind.BOOL),
        P("variables", Kind.VARS),
        P("variableNamesIgnoreCase", Kind.BOOL),
        P("variableValuesIgnoreCase", Kind.BOOL),
    ],
)

_ERRORS: dict[int | str, dict[str, object]] = {
    400: {"model": ExceptionDto},
    404: {"model": ExceptionDto},
}


def _list(engine: EngineDep, query: ProcessInstanceQuery, request: Request) -> CamundaJSONResponse:
    page = parse_page(request.query_params)
    instances = engine.runtime.query_process_instances(query, page)
    return json_response([dump(process_instance_dto(i)) for i in instances])


@router.get(
    "/process-instance/count",
    response_class=CamundaJSONResponse,
    responses={200: {"model": CountDto}, **_ERRORS},
    openapi_extra=PROCESS_INSTANCE_QUERY.openapi_get_count(),
)
def get_process_instances_count(request: Request, engine: EngineDep) -> CamundaJSONResponse:
    query = PROCESS_INSTANCE_QUERY.from_query_string(request.query_params)
    return json_response({"count": engine.runtime.count_process_instances(query)})


@router.post(
    "/process-instance/count",
    response_class=CamundaJSONResponse,
    responses={200: {"model": CountDto}, **_ERRORS},
    openapi_extra=PROCESS_INSTANCE_QUERY.openapi_post_count(),
)
def query_process_instances_count(engine: EngineDep, body: JsonBody) -> CamundaJSONResponse:
    query = PROCESS_INSTANCE_QUERY.from_json(body)
    return json_response({"count": engine.runtime.count_process_instances(query)})


@router.get(
    "/process-instance",
    response_class=CamundaJSONResponse,
    responses={200: {"model": list[ProcessInstanceDto]}, **_ERRORS},
    openapi_extra=PROCESS_INSTANCE_QUERY.openapi_get(),
)
def get_process_instances(request: Request, engine: EngineDep) -> CamundaJSONResponse:
    return _list(engine, PROCESS_INSTANCE_QUERY.from_query_string(request.query_params), request)


@router.post(
    "/process-instance",
    response_class=CamundaJSONResponse,
    responses={200: {"model": list[ProcessInstanceDto]}, **_ERRORS},
    openapi_extra=PROCESS_INSTANCE_QUERY.openapi_post(),
)
def query_process_instances(request: Request, engine: EngineDep, body: JsonBody) -> CamundaJSONResponse:
    return _list(engine, PROCESS_INSTANCE_QUERY.from_json(body), request)


@router.get(
    "/process-instance/{id}",
    response_class=CamundaJSONResponse,
    responses={200: {"model": ProcessInstanceDto}, **_ERRORS},
)
def get_process_instance(
    id: str,
    request: Request,
    engine: EngineDep,
) -> CamundaJSONResponse:
    with as_not_found("InvalidRequestException"):
        instance = engine.runtime.get_process_instance(id)
    link = self_link(f"{root_url(request)}/process-instance/{instance.id}")
    return json_response(dump(process_instance_dto(instance, [link])))


@router.delete(
    "/process-instance/{id}",
    status_code=204,
    responses=_ERRORS,
    openapi_extra={
        "parameters": [
            {"name": name, "in": "query", "required": False, "schema": {"type": "boolean"}}
            for name in (
                "skipCustomListeners",
                "skipIoMappings",
                "skipSubprocesses",
                "failIfNotExists",
            )
        ]
    },
)
def delete_process_instance(
    id: str,
    request: Request,
    engine: EngineDep,
) -> Response:
    for flag in ("skipCustomListeners", "skipIoMappings", "skipSubprocesses"):
        query_flag(request, flag)  # validated; Cadenza runs no custom listeners or IO mappings
    fail_if_not_exists = query_flag(request, "failIfNotExists", default=True)
    with as_not_found("InvalidRequestException"):
        engine.runtime.delete_process_instance(id, fail_if_not_exists=fail_if_not_exists)
    return no_content()


@router.get(
    "/process-instance/{id}/activity-instances",
    response_class=CamundaJSONResponse,
    responses={200: {"model": ActivityInstanceDto}, **_ERRORS},
)
def get_activity_instance_tree(id: str, engine: EngineDep) -> CamundaJSONResponse:
    with as_not_found("InvalidRequestException"):
        tree = ActivityInstanceService(engine.runner).get_tree(id)
    return json_response(dump(activity_instance_dto(tree)))


add_variable_routes(router, "/process-instance", "variables", local=False, type_name="process instance")
