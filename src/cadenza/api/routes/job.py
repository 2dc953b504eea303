"""``/job`` and ``/job-definition``: query jobs, read stack traces, set retries, due dates,
suspension and priority, execute a job now (semantics §5.2).

Deviation: ``POST /job/{id}/execute`` answers a failing job with 500 and the failure message
(Camunda reports engine exceptions there as 404); an unknown job is a 404 as in Camunda.
``POST /job/retries`` runs synchronously and answers with a batch-shaped body.
"""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Request
from starlette.responses import Response

from cadenza.errors import EngineError, InvalidRequestError, NotFoundError
from cadenza.ids import new_id
from cadenza.services import JobDefinitionQuery, JobQuery, parse_date

from ..deps import EngineDep, JsonBody, body_doc, validate_body
from ..query import Kind, P, QuerySpec, parse_page
from ..responses import CamundaJSONResponse, json_response, no_content
from ..schemas.common import CountDto, ExceptionDto, dump
from ..schemas.job import (
    JobDefinitionDto,
    JobDto,
    JobDuedateDto,
    JobRetriesDto,
    SetJobRetriesDto,
    SuspendedDto,
    job_definition_dto,
    job_dto,
)

__all__ = ["JOB_QUERY", "router"]

router = APIRouter(tags=["Job"])

JOB_QUERY = QuerySpec(
    JobQuery,
    [
        P("jobId"),
        P("jobIds", Kind.LIST),
        P("jobDefinitionId"),
        P("processInstanceId"),
        P("processInstanceIds", Kind.LIST),
        P("executionId"),
        P("processDefinitionId"),
        P("processDefinitionKey"),
        P("activityId"),
        P("failedActivityId"),
        P("withRetriesLeft", Kind.BOOL),
        P("noRetriesLeft", Kind.BOOL),
        P("executable", Kind.BOOL),
        P("timers", Kind.BOOL),
        P("messages", Kind.BOOL),
        P("withException", Kind.BOOL),
        P("exceptionMessage"),
        P("noTenantId", Kind.BOOL),
        P("tenantIdIn", Kind.LIST),
        P("active", Kind.BOOL),
        P("suspended", Kind.BOOL),
        P("priorityLowerThanOrEquals", Kind.LONG),
        P("priorityHigherThanOrEquals", Kind.LONG),
    ],
)

JOB_DEFINITION_QUERY = QuerySpec(
    JobDefinitionQuery,
    [
        P("jobDefinitionId"),
        P("processDefinitionId"),
        P("processDefinitionKey"),
        P("activityIdIn", Kind.LIST),
        P("jobType"),
        P("jobConfiguration"),
        P("active", Kind.BOOL),
        P("suspended", Kind.BOOL),
    ],
)

_ERRORS: dict[int | str, dict[str, object]] = {
    400: {"model": ExceptionDto},
    404: {"model": ExceptionDto},
    500: {"model": ExceptionDto},
}


def _date(name: str, raw: str) -> datetime:
    try:
        return parse_date(raw)
    except ValueError as error:
        raise InvalidRequestError(f"Cannot set query parameter '{name}' to value '{raw}'") from error


def _job_query(request: Request) -> JobQuery:
    params = request.query_params
    query = JOB_QUERY.from_query_string(params)
    for name, setter in (("dueDates", "due_date"), ("createTimes", "create_time")):
        raw = params.get(name)
        if not raw:
            continue
        for part in raw.split(","):
            operator, _, value = part.partition("_")
            if operator not in ("gt", "lt") or not value:
                raise InvalidRequestError(f"Invalid {name} comparator specification: {part}")
            attribute = f"{setter}_{'after' if operator == 'gt' else 'before'}"
            setattr(query, attribute, _date(name, value))
    return query


@router.get("/job/count", response_class=CamundaJSONResponse, responses={200: {"model": CountDto}, **_ERRORS})
def get_jobs_count(request: Request, engine: EngineDep) -> CamundaJSONResponse:
    return json_response({"count": engine.jobs.count(_job_query(request))})


@router.get("/job", response_class=CamundaJSONResponse, responses={200: {"model": list[JobDto]}, **_ERRORS})
def get_jobs(request: Request, engine: EngineDep) -> CamundaJSONResponse:
    jobs = engine.jobs.query(_job_query(request), parse_page(request.query_params))
    return json_response([dump(job_dto(job)) for job in jobs])


@router.post(
    "/job/retries",
    response_class=CamundaJSONResponse,
    responses=_ERRORS,
    openapi_extra=body_doc(SetJobRetriesDto),
)
def set_job_retries_batch(engine: EngineDep, body: JsonBody) -> CamundaJSONResponse:
    dto = validate_body(SetJobRetriesDto, body)
    if dto.retries is None or dto.retries < 0:
        raise InvalidRequestError("The number of retries must be a non-negative Integer")
    if not dto.job_ids:
        raise InvalidRequestError("job ids are empty")
    engine.jobs.set_retries_batch(dto.job_ids, dto.retries)
    return json_response(
        {
            "id": new_id(),
            "type": "set-job-retries",
            "totalJobs": len(dto.job_ids),
            "jobsCreated": len(dto.job_ids),
            "batchJobsPerSeed": 100,
            "invocationsPerBatchJob": 1,
            "seedJobDefinitionId": None,
            "monitorJobDefinitionId": None,
            "batchJobDefinitionId": None,
            "suspended": False,
            "tenantId": None,
            "createUserId": None,
            "startTime": None,
            "executionStartTime": None,
        }
    )


@router.get("/job/{id}", response_class=CamundaJSONResponse, responses={200: {"model": JobDto}, **_ERRORS})
def get_job(id: str, engine: EngineDep) -> CamundaJSONResponse:
    return json_response(dump(job_dto(engine.jobs.get(id))))


@router.get("/job/{id}/stacktrace", responses={200: {"content": {"text/plain": {}}}, **_ERRORS})
def get_job_stacktrace(id: str, engine: EngineDep) -> Response:
    try:
        text = engine.jobs.stacktrace(id)
    except NotFoundError as error:
        raise EngineError(error.message, camunda_type="InvalidRequestException", status=404) from error
    return Response(text, media_type="text/plain")


@router.put(
    "/job/{id}/retries",
    status_code=204,
    response_class=Response,
    responses=_ERRORS,
    openapi_extra=body_doc(JobRetriesDto),
)
def set_job_retries(id: str, engine: EngineDep, body: JsonBody) -> Response:
    dto = validate_body(JobRetriesDto, body)
    if dto.retries is None:
        raise InvalidRequestError("The number of retries must be given")
    due = _date("dueDate", dto.due_date) if dto.due_date else None
    engine.jobs.set_retries(id, dto.retries, due_date=due)
    return no_content()


@router.put(
    "/job/{id}/duedate",
    status_code=204,
    response_class=Response,
    responses=_ERRORS,
    openapi_extra=body_doc(JobDuedateDto),
)
def set_job_duedate(id: str, engine: EngineDep, body: JsonBody) -> Response:
    dto = validate_body(JobDuedateDto, body)
    engine.jobs.set_due_date(id, _date("duedate", dto.duedate) if dto.duedate else None)
    return no_content()


@router.put(
    "/job/{id}/suspended",
    status_code=204,
    response_class=Response,
    responses=_ERRORS,
    openapi_extra=body_doc(SuspendedDto),
)
def set_job_suspended(id: str, engine: EngineDep, body: JsonBody) -> Response:
    dto = validate_body(SuspendedDto, body)
    engine.jobs.set_suspended(id, bool(dto.suspended))
    return no_content()


@router.put("/job/{id}/priority", status_code=204, response_class=Response, responses=_ERRORS)
def set_job_priority(id: str, engine: EngineDep, body: JsonBody) -> Response:
    priority = body.get("priority") if isinstance(body, dict) else None
    if not isinstance(priority, int) or isinstance(priority, bool):
        raise InvalidRequestError("Priority for job '" + id + "' cannot be null.")
    engine.jobs.set_priority(id, priority)
    return no_content()


@router.post("/job/{id}/execute", status_code=204, response_class=Response, responses=_ERRORS)
def execute_job(id: str, engine: EngineDep) -> Response:
    engine.jobs.execute(id)
    return no_content()


@router.get(
    "/job-definition/count",
    response_class=CamundaJSONResponse,
    responses={200: {"model": CountDto}, **_ERRORS},
)
def get_job_definitions_count(request: Request, engine: EngineDep) -> CamundaJSONResponse:
    query = JOB_DEFINITION_QUERY.from_query_string(request.query_params)
    return json_response({"count": engine.jobs.count_definitions(query)})


@router.get(
    "/job-definition",
    response_class=CamundaJSONResponse,
    responses={200: {"model": list[JobDefinitionDto]}, **_ERRORS},
)
def get_job_definitions(request: Request, engine: EngineDep) -> CamundaJSONResponse:
    query = JOB_DEFINITION_QUERY.from_query_string(request.query_params)
    definitions = engine.jobs.query_definitions(query, parse_page(request.query_params))
    return json_response([dump(job_definition_dto(d)) for d in definitions])


@router.get(
    "/job-definition/{id}",
    response_class=CamundaJSONResponse,
    responses={200: {"model": JobDefinitionDto}, **_ERRORS},
)
def get_job_definition(id: str, engine: EngineDep) -> CamundaJSONResponse:
    found = engine.jobs.query_definitions(JobDefinitionQuery(job_definition_id=id))
    if not found:
        raise NotFoundError(f"Job Definition with id {id} does not exist")
    return json_response(dump(job_definition_dto(found[0])))
