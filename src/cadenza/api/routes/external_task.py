"""``/external-task`` queries and single GET (semantics §2.9).

fetchAndLock, complete, failure, bpmnError and the lock operations live with the long-polling
support and are added by their own module.
"""

from __future__ import annotations

from fastapi import APIRouter, Request

from cadenza.services import ExternalTaskQuery

from ..deps import EngineDep, JsonBody
from ..query import Kind, P, QuerySpec, parse_page
from ..responses import CamundaJSONResponse, json_response
from ..schemas.common import CountDto, ExceptionDto, dump
from ..schemas.external_task import ExternalTaskDto, external_task_dto
from ._support import as_not_found

__all__ = ["EXTERNAL_TASK_QUERY", "router"]

router = APIRouter(tags=["External Task"])

EXTERNAL_TASK_QUERY = QuerySpec(
    ExternalTaskQuery,
    [
        P("externalTaskId"),
        P("externalTaskIdIn", Kind.LIST),
        P("topicName"),
        P("workerId"),
        P("locked", Kind.BOOL),
        P("notLocked", Kind.BOOL),
        P("withRetriesLeft", Kind.BOOL),
        P("noRetriesLeft", Kind.BOOL),
        P("lockExpirationAfter", Kind.DATE),
        P("lockExpirationBefore", Kind.DATE),
        P("activityId"),
        P("activityIdIn", Kind.LIST),
        P("executionId"),
        P("processInstanceId"),
        P("processInstanceIdIn", Kind.LIST),
        P("processDefinitionId"),
        P("processDefinitionKey"),
        P("processDefinitionKeyIn", Kind.LIST),
        P("tenantIdIn", Kind.LIST),
        P("active", Kind.BOOL),
        P("suspended", Kind.BOOL),
        P("priorityHigherThanOrEquals", Kind.INT),
        P("priorityLowerThanOrEquals", Kind.INT),
    ],
)

_ERRORS: dict[int | str, dict[str, object]] = {
    400: {"model": ExceptionDto},
    404: {"model": ExceptionDto},
}


def _list(engine: EngineDep, query: ExternalTaskQuery, request: Request) -> CamundaJSONResponse:
    page = parse_page(request.query_params)
    tasks = engine.external_tasks.query(query, page)
    return json_response([dump(external_task_dto(t)) for t in tasks])


@router.get(
    "/external-task/count",
    response_class=CamundaJSONResponse,
    responses={200: {"model": CountDto}, **_ERRORS},
    openapi_extra=EXTERNAL_TASK_QUERY.openapi_get_count(),
)
def get_external_tasks_count(request: Request, engine: EngineDep) -> CamundaJSONResponse:
    query = EXTERNAL_TASK_QUERY.from_query_string(request.query_params)
    return json_response({"count": engine.external_tasks.count(query)})


@router.post(
    "/external-task/count",
    response_class=CamundaJSONResponse,
    responses={200: {"model": CountDto}, **_ERRORS},
    openapi_extra=EXTERNAL_TASK_QUERY.openapi_post_count(),
)
def query_external_tasks_count(engine: EngineDep, body: JsonBody) -> CamundaJSONResponse:
    query = EXTERNAL_TASK_QUERY.from_json(body)
    return json_response({"count": engine.external_tasks.count(query)})


@router.get(
    "/external-task",
    response_class=CamundaJSONResponse,
    responses={200: {"model": list[ExternalTaskDto]}, **_ERRORS},
    openapi_extra=EXTERNAL_TASK_QUERY.openapi_get(),
)
def get_external_tasks(request: Request, engine: EngineDep) -> CamundaJSONResponse:
    return _list(engine, EXTERNAL_TASK_QUERY.from_query_string(request.query_params), request)


@router.post(
    "/external-task",
    response_class=CamundaJSONResponse,
    responses={200: {"model": list[ExternalTaskDto]}, **_ERRORS},
    openapi_extra=EXTERNAL_TASK_QUERY.openapi_post(),
)
def query_external_tasks(request: Request, engine: EngineDep, body: JsonBody) -> CamundaJSONResponse:
    return _list(engine, EXTERNAL_TASK_QUERY.from_json(body), request)


@router.get(
    "/external-task/{id}",
    response_class=CamundaJSONResponse,
    responses={200: {"model": ExternalTaskDto}, **_ERRORS},
)
def get_external_task(id: str, engine: EngineDep) -> CamundaJSONResponse:
    with as_not_found("RestException", f"External task with id {id} does not exist"):
        task = engine.external_tasks.get(id)
    return json_response(dump(external_task_dto(task)))
