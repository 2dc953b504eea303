"""The variables sub-resource shared by process instances and executions (semantics §3.3, §4).

``/process-instance/{id}/variables...`` works on the scope's visible variables (non-local),
``/execution/{id}/localVariables...`` on the execution's own ones. ``{id}`` may be any
execution id (the Java external-task client passes execution ids to the process-instance form).
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from ..deps import EngineDep, JsonBody, body_doc, query_flag, validate_body
from ..errors import invalid_request
from ..responses import CamundaJSONResponse, json_response, no_content
from ..schemas.common import (
    ExceptionDto,
    PatchVariablesDto,
    VariableValueDto,
    typed_value_in,
    typed_value_out,
    typed_values_in,
    typed_values_out,
)
from ._support import error_prefix

__all__ = ["add_variable_routes"]

_ERRORS: dict[int | str, dict[str, object]] = {
    400: {"model": ExceptionDto},
    404: {"model": ExceptionDto},
    500: {"model": ExceptionDto},
}


def add_variable_routes(router: APIRouter, base: str, segment: str, *, local: bool, type_name: str) -> None:
    """Add GET/POST ``{base}/{id}/{segment}`` and GET/PUT/DELETE ``.../{varName}``."""
    collection = f"{base}/{{id}}/{segment}"
    item = f"{collection}/{{varName}}"
    op = type_name.title().replace(" ", "")

    def get_variables(
        id: str,
        request: Request,
        engine: EngineDep,
    ) -> CamundaJSONResponse:
        deserialize = query_flag(request, "deserializeValues", default=True)
        values = engine.runtime.get_variables(id, local=local)
        return json_response(typed_values_out(values, deserialize=deserialize))

    def modify_variables(
        id: str,
        engine: EngineDep,
        body: JsonBody,
    ) -> Response:
        prefix = f"Cannot modify variables for {type_name} {id}: "
        patch = validate_body(PatchVariablesDto, body, prefix)
        modifications = typed_values_in(patch.modifications, prefix)
        with error_prefix(prefix):
            engine.runtime.modify_variables(id, modifications, list(patch.deletions or ()), local=local)
        return no_content()

    def get_variable(
        id: str,
        varName: str,  # noqa: N803
        request: Request,
        engine: EngineDep,
    ) -> CamundaJSONResponse:
        deserialize = query_flag(request, "deserializeValue", default=True)
        with error_prefix(f"Cannot get {type_name} variable {varName}: "):
            value = engine.runtime.get_variable(id, varName, local=local)
        if value is None:
            raise invalid_request(f"{type_name} variable with name {varName} does not exist", status=404)
        return json_response(typed_value_out(value, deserialize=deserialize))

    def put_variable(
        id: str,
        varName: str,  # noqa: N803
        engine: EngineDep,
        body: JsonBody,
    ) -> Response:
        prefix = f"Cannot put {type_name} variable {varName}: "
        dto = validate_body(VariableValueDto, body, prefix)
        value = typed_value_in(varName, dto, prefix)
        with error_prefix(prefix):
            engine.runtime.set_variable(id, varName, value, local=local)
        return no_content()

    def delete_variable(
        id: str,
        varName: str,  # noqa: N803
        engine: EngineDep,
    ) -> Response:
        with error_prefix(f"Cannot delete {type_name} variable {varName}: "):
            engine.runtime.remove_variable(id, varName, local=local)
        return no_content()

    router.add_api_route(
        collection,
        get_variables,
        methods=["GET"],
        response_class=CamundaJSONResponse,
        responses=_ERRORS,
        operation_id=f"get{op}Variables",
        openapi_extra={"parameters": [_bool_param("deserializeValues")]},
    )
    router.add_api_route(
        collection,
        modify_variables,
        methods=["POST"],
        status_code=204,
        responses=_ERRORS,
        operation_id=f"modify{op}Variables",
        openapi_extra=body_doc(PatchVariablesDto),
    )
    router.add_api_route(
        item,
        get_variable,
        methods=["GET"],
        response_class=CamundaJSONResponse,
        responses={200: {"model": VariableValueDto}, **_ERRORS},
        operation_id=f"get{op}Variable",
        openapi_extra={"parameters": [_bool_param("deserializeValue")]},
    )
    router.add_api_route(
        item,
        put_variable,
        methods=["PUT"],
        status_code=204,
        responses=_ERRORS,
        operation_id=f"set{op}Variable",
        openapi_extra=body_doc(VariableValueDto),
    )
    router.add_api_route(
        item,
        delete_variable,
        methods=["DELETE"],
        status_code=204,
        responses=_ERRORS,
        operation_id=f"delete{op}Variable",
    )


def _bool_param(name: str) -> dict[str, object]:
    return {"name": name, "in": "query", "required": False, "schema": {"type": "boolean"}}
