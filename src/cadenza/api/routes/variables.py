"""The variables sub-resource shared by process instances, executions and tasks (semantics §3.3, §4).

``/process-instance/{id}/variables...`` works on the scope's visible variables (non-local),
``/execution/{id}/localVariables...`` on the execution's own ones. ``{id}`` may be any
execution id (the Java external-task client passes execution ids to the process-instance form,
the JavaScript client downloads files from ``/execution/{processInstanceId}/localVariables``).

``.../{varName}/data`` carries binary values (``Bytes``, ``File``) as raw bytes: GET answers
them with the file's media type and name, POST takes a ``multipart/form-data`` upload (part
``data``, optional text parts ``valueType`` and ``type``) as Camunda's
``AbstractVariablesResource`` does.
"""

from __future__ import annotations

import base64
import email.message
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Annotated, Any, Protocol
from urllib.parse import quote

from fastapi import APIRouter, Depends, Request
from starlette.datastructures import UploadFile
from starlette.responses import Response

from cadenza.errors import EngineError
from cadenza.services import Engine, TypedValue, ValueType

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

__all__ = [
    "DATA_UPLOAD_DOC",
    "BinaryForm",
    "ValueGetter",
    "ValueSetter",
    "VariableScopes",
    "add_data_routes",
    "add_variable_routes",
    "binary_form",
    "binary_response",
    "binary_value",
]

_ERRORS: dict[int | str, dict[str, object]] = {
    400: {"model": ExceptionDto},
    404: {"model": ExceptionDto},
    500: {"model": ExceptionDto},
}


class VariableScopes(Protocol):
    """What the variable routes need of a service: the runtime service (executions and process
    instances) and the task service offer the same calls, so one set of routes serves both."""

    def get_variables(self, id: str, /, *, local: bool = ...) -> dict[str, TypedValue]: ...

    def get_variable(self, id: str, name: str, /, *, local: bool = ...) -> TypedValue | None: ...

    def set_variable(self, id: str, name: str, value: TypedValue, /, *, local: bool = ...) -> None: ...

    def remove_variable(self, id: str, name: str, /, *, local: bool = ...) -> None: ...

    def modify_variables(
        self,
        id: str,
        modifications: Mapping[str, TypedValue],
        deletions: Sequence[str],
        /,
        *,
        local: bool = ...,
    ) -> None: ...


def _runtime(engine: Engine) -> VariableScopes:
    return engine.runtime


def add_variable_routes(
    router: APIRouter,
    base: str,
    segment: str,
    *,
    local: bool,
    type_name: str,
    scopes: Callable[[Engine], VariableScopes] = _runtime,
    operation: str | None = None,
    put_verb: str = "set",
) -> None:
    """Add GET/POST ``{base}/{id}/{segment}`` and GET/PUT/DELETE ``.../{varName}`` (and the
    ``/data`` routes), reading and writing through ``scopes(engine)``; ``type_name`` goes into
    Camunda's messages ("task variable with name X does not exist")."""
    collection = f"{base}/{{id}}/{segment}"
    item = f"{collection}/{{varName}}"
    op = operation if operation is not None else type_name.title().replace(" ", "")

    def get_variables(
        id: str,
        request: Request,
        engine: EngineDep,
    ) -> CamundaJSONResponse:
        deserialize = query_flag(request, "deserializeValues", default=True)
        values = scopes(engine).get_variables(id, local=local)
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
            scopes(engine).modify_variables(id, modifications, list(patch.deletions or ()), local=local)
        return no_content()

    def get_variable(
        id: str,
        varName: str,  # noqa: N803
        request: Request,
        engine: EngineDep,
    ) -> CamundaJSONResponse:
        deserialize = query_flag(request, "deserializeValue", default=True)
        with error_prefix(f"Cannot get {type_name} variable {varName}: "):
            value = scopes(engine).get_variable(id, varName, local=local)
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
            scopes(engine).set_variable(id, varName, value, local=local)
        return no_content()

    def delete_variable(
        id: str,
        varName: str,  # noqa: N803
        engine: EngineDep,
    ) -> Response:
        with error_prefix(f"Cannot delete {type_name} variable {varName}: "):
            scopes(engine).remove_variable(id, varName, local=local)
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
        operation_id=f"{put_verb}{op}Variable",
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

    def get_value(engine: Engine, id: str, name: str) -> TypedValue | None:
        return scopes(engine).get_variable(id, name, local=local)

    def set_value(engine: Engine, id: str, name: str, value: TypedValue) -> None:
        scopes(engine).set_variable(id, name, value, local=local)

    add_data_routes(router, item, get_value, set_value, type_name=type_name, operation=op)


def _bool_param(name: str) -> dict[str, object]:
    return {"name": name, "in": "query", "required": False, "schema": {"type": "boolean"}}


# ── binary values: .../{varName}/data ─────────────────────────────────────────────────────────

ValueGetter = Callable[[Engine, str, str], TypedValue | None]
"""(engine, scope id, variable name) -> the value, or None when there is no such variable"""
ValueSetter = Callable[[Engine, str, str, TypedValue], None]

_TOKEN = r"[!#$%&'*+.^_`|~0-9A-Za-z-]+"
_MEDIA_TYPE = re.compile(f"{_TOKEN}/{_TOKEN}")
_CHARSET = re.compile(_TOKEN)
_OCTET_STREAM = "application/octet-stream"

DATA_UPLOAD_DOC: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "properties": {
                        "data": {"type": "string", "format": "binary"},
                        "valueType": {"type": "string", "enum": ["Bytes", "File"]},
                        "type": {"type": "string", "description": "objectTypeName (JSON data)"},
                    },
                }
            }
        },
    }
}


def _media_type(value: TypedValue) -> str:
    mime_type = value.value_info.get("mimeType")
    if not isinstance(mime_type, str) or not _MEDIA_TYPE.fullmatch(mime_type):
        mime_type = _OCTET_STREAM  # never echo a value that is not a valid header
    encoding = value.value_info.get("encoding")
    if isinstance(encoding, str) and _CHARSET.fullmatch(encoding):
        return f"{mime_type}; charset={encoding}"
    return mime_type


def _content_disposition(filename: str) -> str:
    """``attachment; filename="..."`` with an ASCII fallback, plus RFC 5987 ``filename*`` when
    the name needs it (header values must stay Latin-1 without control characters)."""
    fallback = "".join(ch if 0x20 <= ord(ch) < 0x7F and ch not in '"\\' else "_" for ch in filename)
    header = f'attachment; filename="{fallback}"'
    if fallback != filename:
        header += f"; filename*=UTF-8''{quote(filename, safe='')}"
    return header


def binary_response(value: TypedValue, variable_id: str) -> Response:
    """Raw bytes of a ``Bytes`` or ``File`` value (Camunda ``VariableResponseProvider``).

    Raises:
        EngineError: 400 when the value is of any other type.
    """
    content = value.value if isinstance(value.value, bytes) else b""
    if value.type is ValueType.BYTES:
        return Response(content, headers={"content-type": _OCTET_STREAM})
    if value.type is ValueType.FILE:
        headers = {"content-type": _media_type(value)}
        filename = value.value_info.get("filename")
        if isinstance(filename, str):
            headers["content-disposition"] = _content_disposition(filename)
        return Response(content, headers=headers)
    raise invalid_request(f"Value of variable with id {variable_id} is not a binary value.")


@dataclass(frozen=True)
class BinaryForm:
    """The parts of a ``POST .../data`` upload."""

    content: bytes
    filename: str | None
    content_type: str | None
    value_type: str
    object_type: str | None


async def _text_part(value: str | UploadFile) -> str:
    if isinstance(value, UploadFile):
        raw = await value.read()
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise invalid_request(f"Form part with name '{value.filename}' is not UTF-8 text") from exc
    return value


async def binary_form(request: Request) -> BinaryForm:
    """Read the ``multipart/form-data`` upload of a binary variable."""
    content_type = request.headers.get("content-type", "")
    if not content_type.lower().startswith("multipart/form-data"):
        raise EngineError(
            f"Cannot consume content type '{content_type}'; send multipart/form-data",
            camunda_type="NotSupportedException",
            status=415,
            code=None,
        )
    async with request.form(max_files=10, max_fields=10) as form:
        data = form.get("data")
        if data is None:
            raise invalid_request("No form part with name 'data' found in the upload")
        if isinstance(data, UploadFile):
            content = await data.read()
            filename, part_type = data.filename, data.content_type
        else:
            content, filename, part_type = data.encode("utf-8"), None, None
        value_type = form.get("valueType")
        object_type = form.get("type")
        return BinaryForm(
            content=content,
            filename=filename,
            content_type=part_type,
            value_type="Bytes" if value_type is None else await _text_part(value_type),
            object_type=None if object_type is None else await _text_part(object_type),
        )


BinaryFormDep = Annotated[BinaryForm, Depends(binary_form)]


def _parse_media_type(content_type: str | None) -> tuple[str, dict[str, str]]:
    """Base type (lower case) and parameters of a part's content type (Camunda ``MimeType``)."""
    if content_type is None:
        return _OCTET_STREAM, {}
    message = email.message.Message()
    message["content-type"] = content_type
    base = content_type.split(";", 1)[0].strip().lower()
    if not _MEDIA_TYPE.fullmatch(base):
        raise invalid_request("Invalid mime type given")
    params = {
        key.lower(): str(val)
        for key, val in (message.get_params() or [])[1:]
        if isinstance(key, str) and isinstance(val, str)
    }
    return base, params


def binary_value(name: str, form: BinaryForm, prefix: str) -> TypedValue:
    """The typed value an upload stands for (Camunda ``VariableValueDto.fromFormPart``):
    ``Bytes`` by default; ``File`` with valueInfo from the part's file name and content type
    (``encoding`` parameter, else ``charset``; ``transient=true``); with a ``type`` part, a
    JSON ``Object`` of that type."""
    encoded = base64.b64encode(form.content).decode("ascii")
    if form.object_type is not None:
        if form.content_type is None or "application/json" not in form.content_type.lower():
            raise invalid_request(
                f"{prefix}Unrecognized content type for serialized java type: {form.content_type}"
            )
        try:
            text = form.content.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise invalid_request(f"{prefix}The JSON data is not UTF-8 text") from exc
        info: dict[str, Any] = {
            "objectTypeName": form.object_type,
            "serializationDataFormat": "application/json",
        }
        return typed_value_in(name, VariableValueDto(value=text, type="Object", value_info=info), prefix)
    given = form.value_type
    if given[:1].lower() + given[1:] not in ("bytes", "file"):
        raise invalid_request(f"{prefix}Unsupported value type '{given}'")
    if given[:1].lower() == "b":
        return typed_value_in(name, VariableValueDto(value=encoded, type=given), prefix)
    mime_type, params = _parse_media_type(form.content_type)
    info = {"filename": form.filename, "mimeType": mime_type}
    encoding = params.get("encoding") or params.get("charset")
    if encoding:
        info["encoding"] = encoding
    if params.get("transient", "").lower() == "true":
        info["transient"] = True
    return typed_value_in(name, VariableValueDto(value=encoded, type=given, value_info=info), prefix)


def add_data_routes(
    router: APIRouter,
    item: str,
    get_value: ValueGetter,
    set_value: ValueSetter,
    *,
    type_name: str,
    operation: str,
) -> None:
    """Add GET and POST ``{item}/data`` (``item`` ends in ``{varName}``)."""

    def get_binary(
        id: str,
        varName: str,  # noqa: N803
        engine: EngineDep,
    ) -> Response:
        with error_prefix(f"Cannot get {type_name} variable {varName}: "):
            value = get_value(engine, id, varName)
        if value is None:
            raise invalid_request(f"{type_name} variable with name {varName} does not exist", status=404)
        return binary_response(value, varName)

    def set_binary(
        id: str,
        varName: str,  # noqa: N803
        engine: EngineDep,
        form: BinaryFormDep,
    ) -> Response:
        prefix = f"Cannot put {type_name} variable {varName}: "
        value = binary_value(varName, form, prefix)
        with error_prefix(prefix):
            set_value(engine, id, varName, value)
        return no_content()

    router.add_api_route(
        f"{item}/data",
        get_binary,
        methods=["GET"],
        response_class=Response,
        responses={
            200: {"content": {_OCTET_STREAM: {"schema": {"type": "string", "format": "binary"}}}},
            **_ERRORS,
        },
        operation_id=f"get{operation}VariableBinary",
    )
    router.add_api_route(
        f"{item}/data",
        set_binary,
        methods=["POST"],
        status_code=204,
        responses=_ERRORS,
        operation_id=f"set{operation}VariableBinary",
        openapi_extra=DATA_UPLOAD_DOC,
    )
