"""``/task`` queries and single GET (semantics §3.3)."""

from __future__ import annotations

from fastapi import APIRouter, Request

from cadenza.errors import UnsupportedError
from cadenza.services import TaskQuery

from ..deps import EngineDep, JsonBody
from ..query import Kind, P, QuerySpec, parse_page
from ..responses import CamundaJSONResponse, json_response
from ..schemas.common import CountDto, ExceptionDto, dump
from ..schemas.task import TaskDto, task_dto
from ._support import as_not_found

__all__ = ["TASK_QUERY", "router"]

router = APIRouter(tags=["Task"])

TASK_QUERY = QuerySpec(
    TaskQuery,
    [
        P("taskId"),
        P("taskIdIn", Kind.LIST),
        P("processInstanceId"),
        P("processInstanceIdIn", Kind.LIST),
        P("processInstanceBusinessKey"),
        P("processInstanceBusinessKeyLike"),
        P("processDefinitionId"),
        P("processDefinitionKey"),
        P("processDefinitionKeyIn", Kind.LIST),
        P("executionId"),
        P("taskDefinitionKey"),
        P("taskDefinitionKeyIn", Kind.LIST),
        P("taskDefinitionKeyLike"),
        P("name"),
        P("nameLike"),
        P("assignee"),
        P("assigneeLike"),
        P("assigneeIn", Kind.LIST),
        P("assigned", Kind.BOOL),
        P("unassigned", Kind.BOOL),
        P("candidateUser"),
        P("candidateGroup"),
        P("candidateGroups", Kind.LIST),
        P("includeAssignedTasks", Kind.BOOL),
        P("active", Kind.BOOL),
        P("suspended", Kind.BOOL),
        P("tenantIdIn", Kind.LIST),
        P("createdBefore", Kind.DATE),
        P("createdAfter", Kind.DATE),
        P("dueBefore", Kind.DATE),
        P("dueAfter", Kind.DATE),
        P("processVariables", Kind.VARS),
        P("taskVariables", Kind.VARS),
    ],
)

_ERRORS: dict[int | str, dict[str, object]] = {
    400: {"model": ExceptionDto},
    404: {"model": ExceptionDto},
}


def _from_json(body: object) -> TaskQuery:
    if isinstance(body, dict) and body.get("orQueries"):
        raise UnsupportedError("Task queries with orQueries are not supported")
    return TASK_QUERY.from_json(body)


def _list(engine: EngineDep, query: TaskQuery, request: Request) -> CamundaJSONResponse:
    page = parse_page(request.query_params)
    tasks = engine.tasks.query(query, page)
    return json_response([dump(task_dto(t)) for t in tasks])


@router.get(
    "/task/count",
    response_class=CamundaJSONResponse,
    responses={200: {"model": CountDto}, **_ERRORS},
    openapi_extra=TASK_QUERY.openapi_get_count(),
)
def get_tasks_count(request: Request, engine: EngineDep) -> CamundaJSONResponse:
    query = TASK_QUERY.from_query_string(request.query_params)
    return json_response({"count": engine.tasks.count(query)})


@router.post(
    "/task/count",
    response_class=CamundaJSONResponse,
    responses={200: {"model": CountDto}, **_ERRORS},
    openapi_extra=TASK_QUERY.openapi_post_count(),
)
def query_tasks_count(engine: EngineDep, body: JsonBody) -> CamundaJSONResponse:
    return json_response({"count": engine.tasks.count(_from_json(body))})


@router.get(
    "/task",
    response_class=CamundaJSONResponse,
    responses={200: {"model": list[TaskDto]}, **_ERRORS},
    openapi_extra=TASK_QUERY.openapi_get(),
)
def get_tasks(request: Request, engine: EngineDep) -> CamundaJSONResponse:
    return _list(engine, TASK_QUERY.from_query_string(request.query_params), request)


@router.post(
    "/task",
    response_class=CamundaJSONResponse,
    responses={200: {"model": list[TaskDto]}, **_ERRORS},
    openapi_extra=TASK_QUERY.openapi_post(),
)
def query_tasks(request: Request, engine: EngineDep, body: JsonBody) -> CamundaJSONResponse:
    return _list(engine, _from_json(body), request)


@router.get(
    "/task/{id}",
    response_class=CamundaJSONResponse,
    responses={200: {"model": TaskDto}, **_ERRORS},
)
def get_task(id: str, engine: EngineDep) -> CamundaJSONResponse:
    with as_not_found("InvalidRequestException", f"No matching task with id {id}"):
        task = engine.tasks.get(id)
    return json_response(dump(task_dto(task)))
