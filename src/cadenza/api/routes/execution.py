"""``/execution``: query, get, local variables (semantics §6.7)."""

from __future__ import annotations

from fastapi import APIRouter, Request

from cadenza.services import ExecutionQuery

from ..deps import EngineDep, JsonBody
from ..query import Kind, P, QuerySpec, parse_page
from ..responses import CamundaJSONResponse, json_response
from ..schemas.common import CountDto, ExceptionDto, dump
from ..schemas.execution import ExecutionDto, execution_dto
from ._support import as_not_found
from .variables import add_variable_routes

__all__ = ["EXECUTION_QUERY", "router"]

router = APIRouter(tags=["Execution"])

EXECUTION_QUERY = QuerySpec(
    ExecutionQuery,
    [
        P("businessKey"),
        P("processDefinitionId"),
        P("processDefinitionKey"),
        P("processInstanceId"),
        P("activityId"),
        P("active", Kind.BOOL),
        P("suspended", Kind.BOOL),
        P("tenantIdIn", Kind.LIST),
        P("variables", Kind.VARS),
        P("processVariables", Kind.VARS),
    ],
)

_ERRORS: dict[int | str, dict[str, object]] = {
    400: {"model": ExceptionDto},
    404: {"model": ExceptionDto},
}


def _list(engine: EngineDep, query: ExecutionQuery, request: Request) -> CamundaJSONResponse:
    page = parse_page(request.query_params)
    executions = engine.runtime.query_executions(query, page)
    return json_response([dump(execution_dto(e)) for e in executions])


@router.get(
    "/execution/count",
    response_class=CamundaJSONResponse,
    responses={200: {"model": CountDto}, **_ERRORS},
    openapi_extra=EXECUTION_QUERY.openapi_get_count(),
)
def get_executions_count(request: Request, engine: EngineDep) -> CamundaJSONResponse:
    query = EXECUTION_QUERY.from_query_string(request.query_params)
    return json_response({"count": engine.runtime.count_executions(query)})


@router.post(
    "/execution/count",
    response_class=CamundaJSONResponse,
    responses={200: {"model": CountDto}, **_ERRORS},
    openapi_extra=EXECUTION_QUERY.openapi_post_count(),
)
def query_executions_count(engine: EngineDep, body: JsonBody) -> CamundaJSONResponse:
    query = EXECUTION_QUERY.from_json(body)
    return json_response({"count": engine.runtime.count_executions(query)})


@router.get(
    "/execution",
    response_class=CamundaJSONResponse,
    responses={200: {"model": list[ExecutionDto]}, **_ERRORS},
    openapi_extra=EXECUTION_QUERY.openapi_get(),
)
def get_executions(request: Request, engine: EngineDep) -> CamundaJSONResponse:
    return _list(engine, EXECUTION_QUERY.from_query_string(request.query_params), request)


@router.post(
    "/execution",
    response_class=CamundaJSONResponse,
    responses={200: {"model": list[ExecutionDto]}, **_ERRORS},
    openapi_extra=EXECUTION_QUERY.openapi_post(),
)
def query_executions(request: Request, engine: EngineDep, body: JsonBody) -> CamundaJSONResponse:
    return _list(engine, EXECUTION_QUERY.from_json(body), request)


@router.get(
    "/execution/{id}",
    response_class=CamundaJSONResponse,
    responses={200: {"model": ExecutionDto}, **_ERRORS},
)
def get_execution(id: str, engine: EngineDep) -> CamundaJSONResponse:
    with as_not_found("InvalidRequestException", f"Execution with id {id} does not exist"):
        execution = engine.runtime.get_execution(id)
    return json_response(dump(execution_dto(execution)))


add_variable_routes(router, "/execution", "localVariables", local=True, type_name="execution")
