"""``/variable-instance``: the runtime variables of every scope (query, count, one, its binary data)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from cadenza.services.variables import VariableInstanceQuery

from ..deps import EngineDep, JsonBody, query_flag
from ..query import Kind, P, QuerySpec, parse_page
from ..responses import CamundaJSONResponse, json_response
from ..schemas.common import CountDto, ExceptionDto
from ..schemas.variable_instance import VariableInstanceDto, variable_instance_dto
from ._support import as_not_found
from .variables import binary_response

__all__ = ["VARIABLE_INSTANCE_QUERY", "router"]

router = APIRouter(tags=["Variable Instance"])

VARIABLE_INSTANCE_QUERY = QuerySpec(
    VariableInstanceQuery,
    [
        P("variableName"),
        P("variableNameIn", Kind.LIST),
        P("variableNameLike"),
        P("processInstanceIdIn", Kind.LIST),
        P("processDefinitionIdIn", Kind.LIST),
        P("executionIdIn", Kind.LIST),
        P("caseInstanceIdIn", Kind.LIST),
        P("caseExecutionIdIn", Kind.LIST),
        P("taskIdIn", Kind.LIST),
        P("batchIdIn", Kind.LIST),
        P("variableScopeIdIn", Kind.LIST),
        P("activityInstanceIdIn", Kind.LIST),
        P("tenantIdIn", Kind.LIST),
        P("variableValues", Kind.VARS),
        P("variableNamesIgnoreCase", Kind.BOOL),
        P("variableValuesIgnoreCase", Kind.BOOL),
    ],
)

_ERRORS: dict[int | str, dict[str, object]] = {
    400: {"model": ExceptionDto},
    404: {"model": ExceptionDto},
}
_DESERIALIZE = {"name": "deserializeValues", "in": "query", "required": False, "schema": {"type": "boolean"}}


def _list(engine: EngineDep, query: VariableInstanceQuery, request: Request) -> CamundaJSONResponse:
    page = parse_page(request.query_params)
    deserialize = query_flag(request, "deserializeValues", default=True)
    found = engine.variables.query_variable_instances(query, page)
    return json_response([variable_instance_dto(v, deserialize=deserialize) for v in found])


@router.get(
    "/variable-instance/count",
    response_class=CamundaJSONResponse,
    responses={200: {"model": CountDto}, **_ERRORS},
    openapi_extra=VARIABLE_INSTANCE_QUERY.openapi_get_count(),
)
def get_variable_instances_count(request: Request, engine: EngineDep) -> CamundaJSONResponse:
    query = VARIABLE_INSTANCE_QUERY.from_query_string(request.query_params)
    return json_response({"count": engine.variables.count_variable_instances(query)})


@router.post(
    "/variable-instance/count",
    response_class=CamundaJSONResponse,
    responses={200: {"model": CountDto}, **_ERRORS},
    openapi_extra=VARIABLE_INSTANCE_QUERY.openapi_post_count(),
)
def query_variable_instances_count(engine: EngineDep, body: JsonBody) -> CamundaJSONResponse:
    query = VARIABLE_INSTANCE_QUERY.from_json(body)
    return json_response({"count": engine.variables.count_variable_instances(query)})


@router.get(
    "/variable-instance",
    response_class=CamundaJSONResponse,
    responses={200: {"model": list[VariableInstanceDto]}, **_ERRORS},
    openapi_extra={"parameters": [*VARIABLE_INSTANCE_QUERY.openapi_get()["parameters"], _DESERIALIZE]},
)
def get_variable_instances(request: Request, engine: EngineDep) -> CamundaJSONResponse:
    return _list(engine, VARIABLE_INSTANCE_QUERY.from_query_string(request.query_params), request)


@router.post(
    "/variable-instance",
    response_class=CamundaJSONResponse,
    responses={200: {"model": list[VariableInstanceDto]}, **_ERRORS},
    openapi_extra={
        **VARIABLE_INSTANCE_QUERY.openapi_post(),
        "parameters": [*VARIABLE_INSTANCE_QUERY.openapi_post()["parameters"], _DESERIALIZE],
    },
)
def query_variable_instances(request: Request, engine: EngineDep, body: JsonBody) -> CamundaJSONResponse:
    return _list(engine, VARIABLE_INSTANCE_QUERY.from_json(body), request)


@router.get(
    "/variable-instance/{id}",
    response_class=CamundaJSONResponse,
    responses={200: {"model": VariableInstanceDto}, **_ERRORS},
    openapi_extra={"parameters": [{**_DESERIALIZE, "name": "deserializeValue"}]},
)
def get_variable_instance(id: str, request: Request, engine: EngineDep) -> CamundaJSONResponse:
    deserialize = query_flag(request, "deserializeValue", default=True)
    with as_not_found("InvalidRequestException"):
        found = engine.variables.get_variable_instance(id)
    return json_response(variable_instance_dto(found, deserialize=deserialize))


@router.get(
    "/variable-instance/{id}/data",
    response_class=Response,
    responses={
        200: {"content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}}},
        **_ERRORS,
    },
)
def get_variable_instance_binary(id: str, engine: EngineDep) -> Response:
    with as_not_found("InvalidRequestException"):
        found = engine.variables.get_variable_instance(id)
    return binary_response(found.value, id)
