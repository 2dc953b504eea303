"""``/external-task``: queries, fetchAndLock (with long polling), the worker reports
(complete, failure, bpmnError), lock management, retries, priority, error details and topic
names — Camunda's shapes, status codes and messages (semantics §2).

Deviation: bad input that Camunda answers with a 500 — values out of range (negative
``retries``/``retryTimeout``/``maxTasks``, ``lockDuration``/``newDuration`` <= 0, empty
``errorCode``/``errorMessage``) and missing required values (``workerId``, ``topicName``,
``errorCode``: ``NullValueException``) — is answered with 400 and Camunda's type and message;
``errorDetails`` of an unknown task is a 404.
"""

from __future__ import annotations

from typing import Any

import anyio.to_thread
from fastapi import APIRouter, Request
from starlette.responses import Response

from cadenza.errors import EngineError, NotFoundError
from cadenza.ids import new_id
from cadenza.services import Engine, ExternalTaskQuery, FetchTopic, LockedExternalTask, ProcessInstanceQuery

from ..deps import EngineDep, JsonBody, body_doc, query_flag, validate_body
from ..errors import invalid_request
from ..long_polling import MAX_ASYNC_RESPONSE_TIMEOUT, LongPolling
from ..query import Kind, P, QuerySpec, parse_page
from ..responses import CamundaJSONResponse, json_response, no_content
from ..schemas.common import CountDto, ExceptionDto, date_out, dump, typed_values_in
from ..schemas.external_task import (
    BatchDto,
    CompleteExternalTaskDto,
    ExtendLockDto,
    ExternalTaskBpmnErrorDto,
    ExternalTaskDto,
    ExternalTaskFailureDto,
    FetchExternalTasksDto,
    LockedExternalTaskDto,
    LockExternalTaskDto,
    PriorityDto,
    RetriesDto,
    SetRetriesForExternalTasksDto,
    external_task_dto,
    locked_external_task_dto,
)
from ._support import as_not_found
from .process_instance import PROCESS_INSTANCE_QUERY

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
        P("priorityHigherThanOrEquals", Kind.LONG),
        P("priorityLowerThanOrEquals", Kind.LONG),
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


# ── fetchAndLock ────────────────────────────────────────────────────────────────────────────────


def _topic(dto: Any) -> FetchTopic:
    return FetchTopic(
        topic_name=dto.topic_name or "",
        lock_duration=dto.lock_duration or 0,
        variables=dto.variables,
        local_variables=bool(dto.local_variables),
        deserialize_values=bool(dto.deserialize_values),
        include_extension_properties=bool(dto.include_extension_properties),
        business_key=dto.business_key,
        process_definition_id=dto.process_definition_id,
        process_definition_id_in=dto.process_definition_id_in,
        process_definition_key=dto.process_definition_key,
        process_definition_key_in=dto.process_definition_key_in,
        process_definition_version_tag=dto.process_definition_version_tag,
        tenant_id_in=dto.tenant_id_in,
        without_tenant_id=bool(dto.without_tenant_id),
        process_variables=dto.process_variables,
    )


@router.post(
    "/external-task/fetchAndLock",
    response_class=CamundaJSONResponse,
    responses={200: {"model": list[LockedExternalTaskDto]}, **_ERRORS, 500: {"model": ExceptionDto}},
    openapi_extra=body_doc(FetchExternalTasksDto),
)
async def fetch_and_lock(request: Request, engine: EngineDep, body: JsonBody) -> CamundaJSONResponse:
    """Lock tasks for a worker; with ``asyncResponseTimeout`` wait for tasks (long polling)."""
    dto = validate_body(FetchExternalTasksDto, body)
    timeout = dto.async_response_timeout
    if timeout is not None and timeout > MAX_ASYNC_RESPONSE_TIMEOUT:
        raise invalid_request(
            "The asynchronous response timeout cannot be set to a value greater than "
            f"{MAX_ASYNC_RESPONSE_TIMEOUT} milliseconds"
        )
    topics = [_topic(topic) for topic in dto.topics or []]
    sorting = [(entry.sort_by, entry.sort_order) for entry in dto.sorting or []]

    def fetch() -> list[LockedExternalTask]:
        return engine.external_tasks.fetch_and_lock(
            dto.worker_id or "",
            dto.max_tasks or 0,
            topics,
            use_priority=bool(dto.use_priority),
            sorting=sorting,
        )

    if timeout is None or timeout <= 0:
        locked = await anyio.to_thread.run_sync(fetch)
    else:
        long_polling: LongPolling = request.app.state.long_polling
        locked = await long_polling.fetch(fetch, [t.topic_name for t in topics], timeout)
    return json_response([locked_external_task_dto(item) for item in locked])


# ── worker reports ──────────────────────────────────────────────────────────────────────────────

_WORKER_ERRORS: dict[int | str, dict[str, object]] = {**_ERRORS, 500: {"model": ExceptionDto}}


@router.post(
    "/external-task/{id}/complete",
    status_code=204,
    response_class=Response,
    responses=_WORKER_ERRORS,
    openapi_extra=body_doc(CompleteExternalTaskDto),
)
def complete_external_task(id: str, engine: EngineDep, body: JsonBody) -> Response:
    dto = validate_body(CompleteExternalTaskDto, body)
    variables = typed_values_in(dto.variables)
    local_variables = typed_values_in(dto.local_variables)
    engine.external_tasks.complete(
        id, dto.worker_id or "", variables=variables, local_variables=local_variables
    )
    return no_content()


@router.post(
    "/external-task/{id}/failure",
    status_code=204,
    response_class=Response,
    responses=_WORKER_ERRORS,
    openapi_extra=body_doc(ExternalTaskFailureDto),
)
def handle_external_task_failure(id: str, engine: EngineDep, body: JsonBody) -> Response:
    dto = validate_body(ExternalTaskFailureDto, body)
    variables = typed_values_in(dto.variables)
    local_variables = typed_values_in(dto.local_variables)
    engine.external_tasks.handle_failure(
        id,
        dto.worker_id or "",
        error_message=dto.error_message,
        error_details=dto.error_details,
        retries=dto.retries or 0,  # Java int: absent or null means 0, i.e. an incident
        retry_timeout=dto.retry_timeout or 0,
        variables=variables,
        local_variables=local_variables,
    )
    return no_content()


@router.post(
    "/external-task/{id}/bpmnError",
    status_code=204,
    response_class=Response,
    responses=_WORKER_ERRORS,
    openapi_extra=body_doc(ExternalTaskBpmnErrorDto),
)
def handle_external_task_bpmn_error(id: str, engine: EngineDep, body: JsonBody) -> Response:
    dto = validate_body(ExternalTaskBpmnErrorDto, body)
    variables = typed_values_in(dto.variables)
    engine.external_tasks.handle_bpmn_error(
        id, dto.worker_id or "", dto.error_code, error_message=dto.error_message, variables=variables
    )
    return no_content()


# ── locks ───────────────────────────────────────────────────────────────────────────────────────


@router.post(
    "/external-task/{id}/lock",
    status_code=204,
    response_class=Response,
    responses=_WORKER_ERRORS,
    openapi_extra=body_doc(LockExternalTaskDto),
)
def lock_external_task(id: str, engine: EngineDep, body: JsonBody) -> Response:
    dto = validate_body(LockExternalTaskDto, body)
    engine.external_tasks.lock(id, dto.worker_id or "", dto.lock_duration or 0)
    return no_content()


@router.post(
    "/external-task/{id}/extendLock",
    status_code=204,
    response_class=Response,
    responses=_WORKER_ERRORS,
    openapi_extra=body_doc(ExtendLockDto),
)
def extend_external_task_lock(id: str, engine: EngineDep, body: JsonBody) -> Response:
    dto = validate_body(ExtendLockDto, body)
    engine.external_tasks.extend_lock(id, dto.worker_id or "", dto.new_duration or 0)
    return no_content()


@router.post("/external-task/{id}/unlock", status_code=204, response_class=Response, responses=_ERRORS)
def unlock_external_task(id: str, engine: EngineDep) -> Response:
    """No body is read: clients send none, an empty one, or ``{}``."""
    engine.external_tasks.unlock(id)
    return no_content()


# ── retries and priority ────────────────────────────────────────────────────────────────────────


@router.put(
    "/external-task/retries",
    status_code=204,
    response_class=Response,
    responses=_ERRORS,
    openapi_extra=body_doc(SetRetriesForExternalTasksDto),
)
def set_external_task_retries_sync(engine: EngineDep, body: JsonBody) -> Response:
    _set_retries_for(engine, body)
    return no_content()


@router.post(
    "/external-task/retries-async",
    response_class=CamundaJSONResponse,
    responses={200: {"model": BatchDto}, **_ERRORS},
    openapi_extra=body_doc(SetRetriesForExternalTasksDto),
)
def set_external_task_retries_async(engine: EngineDep, body: JsonBody) -> CamundaJSONResponse:
    """Camunda creates a batch of jobs here. Cadenza has no batch executor yet: it sets the
    retries synchronously, in one transaction, and answers a ``BatchDto`` describing the
    already finished batch (a fresh id, ``totalJobs`` = ``jobsCreated`` = number of tasks)."""
    changed = _set_retries_for(engine, body)
    now = date_out(engine.clock.now())
    batch = BatchDto(
        id=new_id(),
        type="set-external-task-retries",
        total_jobs=len(changed),
        jobs_created=len(changed),
        batch_jobs_per_seed=100,
        invocations_per_batch_job=1,
        seed_job_definition_id=None,
        monitor_job_definition_id=None,
        batch_job_definition_id=None,
        suspended=False,
        tenant_id=None,
        create_user_id=None,
        start_time=now,
        execution_start_time=now,
    )
    return json_response(dump(batch))


def _set_retries_for(engine: Engine, body: object) -> list[str]:
    dto = validate_body(SetRetriesForExternalTasksDto, body)
    if dto.retries is None:
        raise invalid_request("The number of retries cannot be null.")
    if dto.historic_process_instance_query is not None:
        raise invalid_request("historicProcessInstanceQuery is not supported by Cadenza yet")
    task_query = (
        EXTERNAL_TASK_QUERY.from_json(dto.external_task_query)
        if dto.external_task_query is not None
        else None
    )
    instance_query: ProcessInstanceQuery | None = (
        PROCESS_INSTANCE_QUERY.from_json(dto.process_instance_query)
        if dto.process_instance_query is not None
        else None
    )
    try:
        return engine.external_tasks.set_retries_for(
            dto.retries,
            external_task_ids=dto.external_task_ids or [],
            process_instance_ids=dto.process_instance_ids or [],
            external_task_query=task_query,
            process_instance_query=instance_query,
        )
    except NotFoundError as error:
        raise EngineError(
            error.message, camunda_type="InvalidRequestException", status=404, code=None
        ) from error
    except EngineError as error:
        if error.status != 400:
            raise
        raise invalid_request(error.message) from error


@router.put(
    "/external-task/{id}/retries",
    status_code=204,
    response_class=Response,
    responses=_ERRORS,
    openapi_extra=body_doc(RetriesDto),
)
def set_external_task_retries(id: str, engine: EngineDep, body: JsonBody) -> Response:
    dto = validate_body(RetriesDto, body)
    if dto.retries is None:
        raise invalid_request("The number of retries cannot be null.")
    engine.external_tasks.set_retries(id, dto.retries)
    return no_content()


@router.put(
    "/external-task/{id}/priority",
    status_code=204,
    response_class=Response,
    responses=_ERRORS,
    openapi_extra=body_doc(PriorityDto),
)
def set_external_task_priority(id: str, engine: EngineDep, body: JsonBody) -> Response:
    dto = validate_body(PriorityDto, body)
    if dto.priority is None:
        raise invalid_request("The priority cannot be null.")
    engine.external_tasks.set_priority(id, dto.priority)
    return no_content()


# ── error details, topic names, single GET ─────────────────────────────────────────────────────


@router.get(
    "/external-task/topic-names",
    response_class=CamundaJSONResponse,
    responses={200: {"model": list[str]}, **_ERRORS},
)
def get_topic_names(request: Request, engine: EngineDep) -> CamundaJSONResponse:
    locked = query_flag(request, "withLockedTasks")
    unlocked = query_flag(request, "withUnlockedTasks")
    names = engine.external_tasks.topic_names(
        with_locked_tasks=locked,
        with_unlocked_tasks=unlocked,
        with_retries_left=query_flag(request, "withRetriesLeft"),
    )
    return json_response(names)


@router.get(
    "/external-task/{id}/errorDetails",
    response_class=Response,
    responses={200: {"content": {"text/plain": {}}}, 204: {}, 500: {"model": ExceptionDto}},
)
def get_external_task_error_details(id: str, engine: EngineDep) -> Response:
    """``text/plain``; 204 when there are none. An unknown id is Camunda's 500."""
    details = engine.external_tasks.get_error_details(id)
    if details is None:
        return no_content()
    return Response(content=details, media_type="text/plain")


@router.get(
    "/external-task/{id}",
    response_class=CamundaJSONResponse,
    responses={200: {"model": ExternalTaskDto}, **_ERRORS},
)
def get_external_task(id: str, engine: EngineDep) -> CamundaJSONResponse:
    with as_not_found("RestException", f"External task with id {id} does not exist"):
        task = engine.external_tasks.get(id)
    return json_response(dump(external_task_dto(task)))
