"""``/task``: queries, single GET/PUT, claiming and assignment, delegation, completion, BPMN
errors and escalations, variables, identity links and forms (semantics §3.3).

Where Camunda answers a client mistake with a 500 (missing task on complete/claim/delegate,
task already claimed, completing a delegated task) Cadenza keeps Camunda's type and message
but answers 404/400; the README lists these deviations.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime

from fastapi import APIRouter, Request
from starlette.responses import Response

from cadenza.errors import EngineError, NotFoundError, UnsupportedError
from cadenza.services import Engine, TaskQuery, TypedValue, parse_date
from cadenza.services.tasks import DelegationState, TaskUpdate

from ..deps import EngineDep, JsonBody, body_doc, query_flag, validate_body
from ..errors import invalid_request, rest_error
from ..query import Kind, P, QuerySpec, parse_page
from ..responses import CamundaJSONResponse, json_response, no_content
from ..schemas.common import (
    CountDto,
    ExceptionDto,
    VariableValueDto,
    dump,
    typed_values_in,
    typed_values_out,
)
from ..schemas.task import (
    CompleteTaskDto,
    FormDto,
    IdentityLinkDto,
    TaskBpmnErrorDto,
    TaskDto,
    TaskEscalationDto,
    TaskUpdateDto,
    UserIdDto,
    identity_link_dto,
    task_dto,
)
from ._support import as_not_found
from .variables import VariableScopes, add_variable_routes

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
        P("processInstanceBusinessKeyIn", Kind.LIST),
        P("processInstanceBusinessKeyLike"),
        P("processDefinitionId"),
        P("processDefinitionKey"),
        P("processDefinitionKeyIn", Kind.LIST),
        P("processDefinitionName"),
        P("processDefinitionNameLike"),
        P("executionId"),
        P("activityInstanceIdIn", Kind.LIST),
        P("taskDefinitionKey"),
        P("taskDefinitionKeyIn", Kind.LIST),
        P("taskDefinitionKeyLike"),
        P("name"),
        P("nameNotEqual"),
        P("nameLike"),
        P("nameNotLike"),
        P("description"),
        P("descriptionLike"),
        P("priority", Kind.INT),
        P("minPriority", Kind.INT),
        P("maxPriority", Kind.INT),
        P("assignee"),
        P("assigneeLike"),
        P("assigneeIn", Kind.LIST),
        P("assigneeNotIn", Kind.LIST),
        P("assigned", Kind.BOOL),
        P("unassigned", Kind.BOOL),
        P("owner"),
        P("involvedUser"),
        P("delegationState"),
        P("candidateUser"),
        P("candidateGroup"),
        P("candidateGroups", Kind.LIST),
        P("includeAssignedTasks", Kind.BOOL),
        P("withCandidateGroups", Kind.BOOL),
        P("withoutCandidateGroups", Kind.BOOL),
        P("withCandidateUsers", Kind.BOOL),
        P("withoutCandidateUsers", Kind.BOOL),
        P("active", Kind.BOOL),
        P("suspended", Kind.BOOL),
        P("tenantIdIn", Kind.LIST),
        P("withoutTenantId", Kind.BOOL),
        P("createdOn", Kind.DATE),
        P("createdBefore", Kind.DATE),
        P("createdAfter", Kind.DATE),
        P("dueDate", Kind.DATE),
        P("dueBefore", Kind.DATE),
        P("dueAfter", Kind.DATE),
        P("withoutDueDate", Kind.BOOL),
        P("followUpDate", Kind.DATE),
        P("followUpBefore", Kind.DATE),
        P("followUpAfter", Kind.DATE),
        P("followUpBeforeOrNotExistent", Kind.DATE),
        P("parentTaskId"),
        P("caseInstanceId"),
        P("caseInstanceBusinessKey"),
        P("caseInstanceBusinessKeyLike"),
        P("caseDefinitionId"),
        P("caseDefinitionKey"),
        P("caseExecutionId"),
        P("processVariables", Kind.VARS),
        P("taskVariables", Kind.VARS),
        P("variableNamesIgnoreCase", Kind.BOOL),
        P("variableValuesIgnoreCase", Kind.BOOL),
    ],
)

_ERRORS: dict[int | str, dict[str, object]] = {
    400: {"model": ExceptionDto},
    404: {"model": ExceptionDto},
}
_ERRORS_500: dict[int | str, dict[str, object]] = {**_ERRORS, 500: {"model": ExceptionDto}}

_DELEGATION_STATES = {state.value: state for state in DelegationState}


# ── error relabelling ──────────────────────────────────────────────────────────────────────


@contextmanager
def _as_rest_exception(prefix: str = "") -> Iterator[None]:
    """Camunda's resources that wrap engine failures in a ``RestException`` (complete,
    submit-form, bpmnError, bpmnEscalation): same status, ``prefix`` + message."""
    try:
        yield
    except EngineError as exc:
        message = exc.message if exc.message.startswith(prefix) else prefix + exc.message
        status = exc.status if exc.status < 500 else 500
        camunda_type = (
            "InvalidRequestException" if exc.camunda_type == "InvalidRequestException" else "RestException"
        )
        raise EngineError(message, camunda_type=camunda_type, status=status, code=exc.code) from exc


@contextmanager
def _missing_as(camunda_type: str) -> Iterator[None]:
    """A missing task keeps its message and 404 but shows the type Camunda's endpoint has."""
    try:
        yield
    except NotFoundError as exc:
        raise NotFoundError(exc.message, camunda_type=camunda_type, code=exc.code) from exc


def _variables_in(variables: dict[str, VariableValueDto] | None, prefix: str) -> dict[str, TypedValue]:
    return typed_values_in(variables, prefix)


# ── queries ────────────────────────────────────────────────────────────────────────────────


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


# ── the task itself ────────────────────────────────────────────────────────────────────────


@router.get(
    "/task/{id}",
    response_class=CamundaJSONResponse,
    responses={200: {"model": TaskDto}, **_ERRORS},
)
def get_task(id: str, engine: EngineDep) -> CamundaJSONResponse:
    with as_not_found("InvalidRequestException", f"No matching task with id {id}"):
        task = engine.tasks.get(id)
    return json_response(dump(task_dto(task)))


def _date_in(name: str, value: str | None) -> datetime | None:
    if value is None:
        return None
    try:
        return parse_date(value)
    except (ValueError, EngineError):
        raise invalid_request(f"Invalid value for '{name}': expected a date, got {value!r}") from None


@router.put(
    "/task/{id}",
    status_code=204,
    responses=_ERRORS,
    openapi_extra=body_doc(TaskUpdateDto),
)
def update_task(id: str, engine: EngineDep, body: JsonBody) -> Response:
    dto = validate_body(TaskUpdateDto, body)
    state = None
    if dto.delegation_state is not None:
        state = _DELEGATION_STATES.get(dto.delegation_state.upper())
        if state is None:
            raise invalid_request(
                "Valid values for property 'delegationState' are 'PENDING' or 'RESOLVED', "
                f"but was '{dto.delegation_state}'"
            )
    due = _date_in("due", dto.due)
    follow_up = _date_in("followUp", dto.follow_up)
    update = TaskUpdate(
        name=dto.name,
        description=dto.description,
        priority=dto.priority or 0,  # Camunda's TaskDto.priority is a Java int: absent = 0
        assignee=dto.assignee,
        owner=dto.owner,
        delegation_state=state,
        due=due,
        follow_up=follow_up,
        tenant_id=dto.tenant_id,
    )
    with as_not_found("InvalidRequestException", f"No matching task with id {id}"):
        engine.tasks.update(id, update)
    return no_content()


# ── assignment ─────────────────────────────────────────────────────────────────────────────


@router.post("/task/{id}/claim", status_code=204, responses=_ERRORS, openapi_extra=body_doc(UserIdDto))
def claim(id: str, engine: EngineDep, body: JsonBody) -> Response:
    dto = validate_body(UserIdDto, body)
    engine.tasks.claim(id, dto.user_id)
    return no_content()


@router.post("/task/{id}/unclaim", status_code=204, responses=_ERRORS)
def unclaim(id: str, engine: EngineDep) -> Response:
    with _missing_as("NotFoundException"):
        engine.tasks.unclaim(id)
    return no_content()


@router.post("/task/{id}/assignee", status_code=204, responses=_ERRORS, openapi_extra=body_doc(UserIdDto))
def set_assignee(id: str, engine: EngineDep, body: JsonBody) -> Response:
    dto = validate_body(UserIdDto, body)
    with _missing_as("NotFoundException"):
        engine.tasks.set_assignee(id, dto.user_id)
    return no_content()


@router.post("/task/{id}/delegate", status_code=204, responses=_ERRORS, openapi_extra=body_doc(UserIdDto))
def delegate(id: str, engine: EngineDep, body: JsonBody) -> Response:
    dto = validate_body(UserIdDto, body)
    engine.tasks.delegate(id, dto.user_id or "")
    return no_content()


@router.post(
    "/task/{id}/resolve", status_code=204, responses=_ERRORS, openapi_extra=body_doc(CompleteTaskDto)
)
def resolve(id: str, engine: EngineDep, body: JsonBody) -> Response:
    prefix = f"Cannot resolve task {id}: "
    dto = validate_body(CompleteTaskDto, body, prefix)
    engine.tasks.resolve(id, _variables_in(dto.variables, prefix))
    return no_content()


# ── completion ─────────────────────────────────────────────────────────────────────────────


def _completion_response(values: dict[str, TypedValue] | None) -> Response:
    if values is None:
        return no_content()
    # Camunda returns these in serialized form (VariableValueDto.fromMap(..., true))
    return json_response(typed_values_out(values, deserialize=False))


@router.post(
    "/task/{id}/complete",
    responses={200: {"model": dict[str, VariableValueDto]}, 204: {}, **_ERRORS_500},
    openapi_extra=body_doc(CompleteTaskDto),
)
def complete(id: str, engine: EngineDep, body: JsonBody) -> Response:
    prefix = f"Cannot complete task {id}: "
    with _as_rest_exception(prefix):
        dto = validate_body(CompleteTaskDto, body)
        variables = _variables_in(dto.variables, "")
        values = engine.tasks.complete(
            id, variables, with_variables_in_return=bool(dto.with_variables_in_return)
        )
    return _completion_response(values)


@router.post(
    "/task/{id}/submit-form",
    responses={200: {"model": dict[str, VariableValueDto]}, 204: {}, **_ERRORS_500},
    openapi_extra=body_doc(CompleteTaskDto),
)
def submit_form(id: str, engine: EngineDep, body: JsonBody) -> Response:
    prefix = f"Cannot submit task form {id}: "
    with _as_rest_exception(prefix):
        dto = validate_body(CompleteTaskDto, body)
        variables = _variables_in(dto.variables, "")
        values = engine.tasks.submit_form(
            id, variables, with_variables_in_return=bool(dto.with_variables_in_return)
        )
    return _completion_response(values)


@router.post(
    "/task/{id}/bpmnError", status_code=204, responses=_ERRORS_500, openapi_extra=body_doc(TaskBpmnErrorDto)
)
def handle_bpmn_error(id: str, engine: EngineDep, body: JsonBody) -> Response:
    with _as_rest_exception():
        dto = validate_body(TaskBpmnErrorDto, body)
        if dto.error_code is None:
            raise rest_error("errorCode is null", 400)
        if not dto.error_code.strip():
            raise rest_error("errorCode is empty", 400)
        variables = _variables_in(dto.variables, "")
        engine.tasks.handle_bpmn_error(id, dto.error_code, dto.error_message, variables)
    return no_content()


@router.post(
    "/task/{id}/bpmnEscalation",
    status_code=204,
    responses=_ERRORS_500,
    openapi_extra=body_doc(TaskEscalationDto),
)
def handle_escalation(id: str, engine: EngineDep, body: JsonBody) -> Response:
    with _as_rest_exception():
        dto = validate_body(TaskEscalationDto, body)
        if dto.escalation_code is None:
            raise rest_error("escalationCode is null", 400)
        if not dto.escalation_code.strip():
            raise rest_error("escalationCode is empty", 400)
        variables = _variables_in(dto.variables, "")
        engine.tasks.handle_escalation(id, dto.escalation_code, variables)
    return no_content()


# ── identity links ─────────────────────────────────────────────────────────────────────────


@router.get(
    "/task/{id}/identity-links",
    response_class=CamundaJSONResponse,
    responses={200: {"model": list[IdentityLinkDto]}, **_ERRORS},
)
def get_identity_links(id: str, request: Request, engine: EngineDep) -> CamundaJSONResponse:
    wanted = request.query_params.get("type")
    links = engine.tasks.get_identity_links(id)
    return json_response(
        [dump(identity_link_dto(link)) for link in links if wanted is None or link.type == wanted]
    )


def _identity_link(body: object) -> IdentityLinkDto:
    dto = validate_body(IdentityLinkDto, body)
    if dto.user_id is not None and dto.group_id is not None:
        raise invalid_request("Identity Link requires userId or groupId, but not both.")
    if dto.user_id is None and dto.group_id is None:
        raise invalid_request("Identity Link requires userId or groupId.")
    return dto


@router.post(
    "/task/{id}/identity-links",
    status_code=204,
    responses=_ERRORS,
    openapi_extra=body_doc(IdentityLinkDto),
)
def add_identity_link(id: str, engine: EngineDep, body: JsonBody) -> Response:
    dto = _identity_link(body)
    engine.tasks.add_identity_link(id, dto.type, user_id=dto.user_id, group_id=dto.group_id)
    return no_content()


@router.post(
    "/task/{id}/identity-links/delete",
    status_code=204,
    responses=_ERRORS,
    openapi_extra=body_doc(IdentityLinkDto),
)
def delete_identity_link(id: str, engine: EngineDep, body: JsonBody) -> Response:
    dto = _identity_link(body)
    engine.tasks.delete_identity_link(id, dto.type, user_id=dto.user_id, group_id=dto.group_id)
    return no_content()


# ── forms ──────────────────────────────────────────────────────────────────────────────────


@router.get(
    "/task/{id}/form",
    response_class=CamundaJSONResponse,
    responses={200: {"model": FormDto}, **_ERRORS},
)
def get_form(id: str, engine: EngineDep) -> CamundaJSONResponse:
    with as_not_found("RestException", f"Cannot get form for task {id}"):
        key = engine.tasks.get_form_key(id)
    return json_response(dump(FormDto(key=key, camunda_form_ref=None, context_path=None)))


@router.get(
    "/task/{id}/form-variables",
    response_class=CamundaJSONResponse,
    responses={200: {"model": dict[str, VariableValueDto]}, **_ERRORS},
)
def get_form_variables(id: str, request: Request, engine: EngineDep) -> CamundaJSONResponse:
    deserialize = query_flag(request, "deserializeValues", default=True)
    raw_names = request.query_params.get("variableNames")
    names = None if raw_names is None else [n for n in raw_names.split(",") if n]
    values = engine.tasks.get_form_variables(id, names)
    return json_response(typed_values_out(values, deserialize=deserialize))


# ── variables ──────────────────────────────────────────────────────────────────────────────


def _tasks(engine: Engine) -> VariableScopes:
    return engine.tasks


# ``variables``: visible from the task (task-local first); ``localVariables``: the task's own
for _segment, _local in (("variables", False), ("localVariables", True)):
    add_variable_routes(
        router,
        "/task",
        _segment,
        local=_local,
        type_name="task",
        scopes=_tasks,
        operation="TaskLocal" if _local else "Task",
        put_verb="put",  # Camunda's operation ids: putTaskVariable, setProcessInstanceVariable
    )
