"""``POST /message``, ``POST /signal`` and
``POST /execution/{id}/messageSubscriptions/{messageName}/trigger`` (semantics §6.4, §6.5, §6.7)."""

from __future__ import annotations

from fastapi import APIRouter
from starlette.responses import Response

from cadenza.errors import EngineError, InvalidRequestError
from cadenza.services import CorrelationResult, MismatchingCorrelationError

from ..deps import EngineDep, JsonBody, body_doc, validate_body
from ..responses import CamundaJSONResponse, json_response, no_content
from ..schemas.common import ExceptionDto, VariableValueDto, dump, typed_values_in, typed_values_out
from ..schemas.execution import execution_dto
from ..schemas.job import CorrelationMessageDto, SignalDto
from ..schemas.process_instance import process_instance_dto

__all__ = ["router"]

router = APIRouter(tags=["Message", "Signal"])

_ERRORS: dict[int | str, dict[str, object]] = {
    400: {"model": ExceptionDto},
    404: {"model": ExceptionDto},
    500: {"model": ExceptionDto},
}


def _result(result: CorrelationResult, with_variables: bool) -> dict[str, object]:
    body: dict[str, object] = {
        "resultType": result.result_type,
        "execution": None,
        "processInstance": None,
    }
    if result.execution is not None:
        execution = dump(execution_dto(result.execution))
        execution["ended"] = result.execution_ended
        body["execution"] = execution
    if result.process_instance is not None:
        body["processInstance"] = dump(process_instance_dto(result.process_instance))
    if with_variables:
        body["variables"] = typed_values_out(result.variables or {})
    return body


@router.post(
    "/message",
    response_class=CamundaJSONResponse,
    responses={204: {"description": "no result requested"}, **_ERRORS},
    openapi_extra=body_doc(CorrelationMessageDto),
)
def deliver_message(engine: EngineDep, body: JsonBody) -> Response:
    dto = validate_body(CorrelationMessageDto, body)
    if dto.message_name is None:
        raise InvalidRequestError("No message name supplied")
    if dto.tenant_id is not None and dto.without_tenant_id:
        raise InvalidRequestError(
            "Parameter 'tenantId' cannot be used together with parameter 'withoutTenantId'."
        )
    if dto.variables_in_result_enabled and not dto.result_enabled:
        raise InvalidRequestError(
            "Parameter 'variablesInResultEnabled' cannot be used without 'resultEnabled' set to true."
        )
    prefix = "Cannot deliver message: "
    try:
        results = engine.messages.correlate(
            dto.message_name,
            business_key=dto.business_key,
            process_instance_id=dto.process_instance_id,
            correlation_keys=typed_values_in(dto.correlation_keys, prefix),
            local_correlation_keys=typed_values_in(dto.local_correlation_keys, prefix),
            tenant_id=dto.tenant_id,
            without_tenant_id=dto.without_tenant_id,
            process_variables=typed_values_in(dto.process_variables, prefix),
            process_variables_local=typed_values_in(dto.process_variables_local, prefix),
            all=dto.all,
            with_variables=dto.variables_in_result_enabled,
        )
    except MismatchingCorrelationError as error:
        # Camunda's REST layer answers with the Java toString of the cause
        raise EngineError(
            f"org.camunda.bpm.engine.MismatchingMessageCorrelationException: {error.message}",
            camunda_type="RestException",
            status=400,
            code=None,
        ) from error
    if not dto.result_enabled:
        return no_content()
    return json_response([_result(r, dto.variables_in_result_enabled) for r in results])


@router.post(
    "/signal", status_code=204, response_class=Response, responses=_ERRORS, openapi_extra=body_doc(SignalDto)
)
def throw_signal(engine: EngineDep, body: JsonBody) -> Response:
    dto = validate_body(SignalDto, body)
    if not dto.name:
        raise InvalidRequestError("No signal name given")
    if dto.tenant_id is not None and dto.without_tenant_id:
        raise InvalidRequestError(
            "Parameter 'tenantId' cannot be used together with parameter 'withoutTenantId'."
        )
    engine.signals.signal(
        dto.name,
        execution_id=dto.execution_id,
        variables=typed_values_in(dto.variables),
        tenant_id=dto.tenant_id,
        without_tenant_id=dto.without_tenant_id,
    )
    return no_content()


@router.post(
    "/execution/{id}/messageSubscriptions/{messageName}/trigger",
    status_code=204,
    response_class=Response,
    responses=_ERRORS,
)
def trigger_message_subscription(id: str, messageName: str, engine: EngineDep, body: JsonBody) -> Response:  # noqa: N803
    raw = body.get("variables") if isinstance(body, dict) else None
    variables = typed_values_in(
        {name: validate_body(VariableValueDto, value) for name, value in raw.items()}
        if isinstance(raw, dict)
        else None
    )
    engine.messages.trigger_subscription(id, messageName, variables)
    return no_content()
