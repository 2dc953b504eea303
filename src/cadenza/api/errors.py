"""Map every failure to Camunda's error body ``{"type", "message", "code"}``.

* ``EngineError`` (services) -> its own status, type and code (``ParseError`` adds ``details``).
* Request validation (bad JSON, wrong JSON types, bad path/query values) -> 400
  ``InvalidRequestException`` naming the offending field (Camunda sends an empty message there).
* Framework errors (unknown path, wrong method, wrong media type) -> their status, same body.
* Anything else -> 500 ``ProcessEngineException`` with a generic message; the traceback goes to
  the log, never to the client (``UnexpectedErrorMiddleware``).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from cadenza.errors import EngineError, InvalidRequestError, ParseError

from .responses import CamundaJSONResponse

__all__ = [
    "UnexpectedErrorMiddleware",
    "error_body",
    "error_response",
    "install_exception_handlers",
    "invalid_request",
    "rest_error",
]

log = logging.getLogger("cadenza.api")

UNEXPECTED_MESSAGE = "An unexpected error occurred while processing the request; see the server log."

_HTTP_TYPES = {
    404: "NotFoundException",
    405: "NotAllowedException",
    406: "NotAcceptableException",
    413: "RestException",
    415: "NotSupportedException",
}


def error_body(type_: str, message: str, code: int | None = None) -> dict[str, Any]:
    return {"type": type_, "message": message, "code": code}


def error_response(
    status: int,
    type_: str,
    message: str,
    code: int | None = None,
    headers: dict[str, str] | None = None,
) -> CamundaJSONResponse:
    response = CamundaJSONResponse(error_body(type_, message, code), status_code=status)
    if headers:
        response.headers.update(headers)
    return response


def invalid_request(message: str, status: int = 400) -> InvalidRequestError:
    """Camunda REST ``InvalidRequestException`` (code null)."""
    return InvalidRequestError(message, status=status)


def rest_error(message: str, status: int, code: int | None = None) -> EngineError:
    """Camunda ``RestException`` with an explicit status (code null unless a cause had one)."""
    return EngineError(message, camunda_type="RestException", status=status, code=code)


def _parse_details(exc: ParseError) -> dict[str, Any]:
    details: dict[str, Any] = {}
    for problem in exc.problems:
        report = details.setdefault(problem.resource, {"errors": [], "warnings": []})
        report["errors"].append(
            {
                "message": problem.message,
                "line": problem.line,
                "column": problem.column,
                "mainElementId": problem.main_element_id,
                "elementIds": list(problem.element_ids),
            }
        )
    return details


def engine_error_response(exc: EngineError) -> CamundaJSONResponse:
    body = error_body(exc.camunda_type, exc.message, exc.code)
    if isinstance(exc, ParseError):
        body["details"] = _parse_details(exc)
    return CamundaJSONResponse(body, status_code=exc.status)


def _loc_name(loc: Sequence[Any]) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header")]
    return ".".join(parts)


def validation_message(errors: Sequence[Any]) -> str:
    """One readable sentence per validation problem, naming the field."""
    messages: list[str] = []
    for err in errors:
        loc = tuple(err.get("loc", ()))
        kind = err.get("type", "")
        where = loc[0] if loc else "body"
        name = _loc_name(loc)
        if kind == "json_invalid":
            detail = err.get("ctx", {}).get("error", "")
            messages.append(f"The request body is not valid JSON: {detail}".rstrip(": "))
        elif where in ("query", "path") and name:
            messages.append(f"Cannot set {where} parameter '{name}' to value '{err.get('input')}'")
        elif name:
            messages.append(f"Invalid value for '{name}': {err.get('msg', 'invalid')}")
        else:
            messages.append(f"Invalid request body: {err.get('msg', 'invalid')}")
    return "; ".join(messages) or "Invalid request"


async def _engine_error_handler(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, EngineError)
    if exc.status >= 500:
        log.warning("%s %s failed: %s", request.method, request.url.path, exc.message)
    return engine_error_response(exc)


async def _validation_handler(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    return error_response(400, "InvalidRequestException", validation_message(exc.errors()))


async def _http_error_handler(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    status = exc.status_code
    if status == 404:
        message = f"Could not find resource for full path: {request.url}"
    elif status == 405:
        message = f"No resource method found for {request.method}, return 405 with Allow header"
    else:
        message = str(exc.detail)
    type_ = _HTTP_TYPES.get(status, "RestException" if status < 500 else "ProcessEngineException")
    headers = dict(exc.headers) if exc.headers else None
    return error_response(status, type_, message, None, headers)


def install_exception_handlers(app: FastAPI) -> None:
    app.add_exception_handler(EngineError, _engine_error_handler)
    app.add_exception_handler(RequestValidationError, _validation_handler)
    app.add_exception_handler(StarletteHTTPException, _http_error_handler)


class UnexpectedErrorMiddleware:
    """Turn an unhandled exception into Camunda's 500 body, logging the traceback.

    Installed inside Starlette's ``ServerErrorMiddleware`` so the exception is not re-raised to
    the server (which would log it twice and, in tests, raise it into the test).
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except Exception:
            log.exception("Unexpected error in %s %s", scope.get("method"), scope.get("path"))
            if started:
                raise
            response = error_response(500, "ProcessEngineException", UNEXPECTED_MESSAGE)
            await response(scope, receive, send)
