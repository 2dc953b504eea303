"""Request -> engine wiring and request-body helpers shared by the routers."""

from __future__ import annotations

import email.message
import json
import re
from typing import Annotated, Any, TypeVar

import orjson
from fastapi import Depends, Request
from pydantic import BaseModel, ValidationError

from cadenza.errors import EngineError
from cadenza.services import Engine

from .errors import invalid_request

__all__ = [
    "BODY_MODELS",
    "EngineDep",
    "JsonBody",
    "authenticated_user",
    "body_doc",
    "get_engine",
    "json_body",
    "parse_bool",
    "query_flag",
    "root_url",
    "validate_body",
]

M = TypeVar("M", bound=BaseModel)

DEFAULT_ENGINE_NAME = "default"


def get_engine(request: Request) -> Engine:
    """The engine, acting for the authenticated user when HTTP Basic authentication is on
    (so the services check that user's authorizations)."""
    engine: Engine = request.app.state.engine
    user_id = authenticated_user(request)
    return engine if user_id is None else engine.as_user(user_id)


def authenticated_user(request: Request) -> str | None:
    """The user id ``BasicAuthMiddleware`` authenticated, if any."""
    user_id: str | None = getattr(request.state, "user_id", None)
    return user_id


EngineDep = Annotated[Engine, Depends(get_engine)]


def check_engine_name(engineName: str) -> None:  # noqa: N803 - the Camunda path parameter name
    """Dependency of the ``/engine/{engineName}`` mount: only ``default`` exists."""
    if engineName != DEFAULT_ENGINE_NAME:
        raise EngineError(
            f"Process engine {engineName} not available",
            camunda_type="InvalidRequestException",
            status=404,
            code=None,
        )


def root_url(request: Request) -> str:
    """``http://host/engine-rest`` (or ``.../engine-rest/engine/<name>``) of this request."""
    path = request.url.path
    marker = "/engine-rest"
    index = path.find(marker)
    root = path[: index + len(marker)] if index >= 0 else ""
    rest = path[len(root) :]
    if rest.startswith("/engine/"):
        name = rest[len("/engine/") :].split("/", 1)[0]
        root += f"/engine/{name}"
    base = f"{request.url.scheme}://{request.url.netloc}"
    return base + root


def parse_bool(value: str) -> bool | None:
    """Camunda query-string booleans, case-insensitive (``true``, ``True``, ``FALSE``)."""
    lowered = value.strip().lower()
    if lowered == "true":
        return True
    if lowered == "false":
        return False
    return None


def _is_json_media_type(content_type: str) -> bool:
    message = email.message.Message()
    message["content-type"] = content_type
    if message.get_content_maintype() != "application":
        return False
    subtype = message.get_content_subtype()
    return subtype == "json" or subtype.endswith("+json")


async def json_body(request: Request) -> Any:
    """The parsed JSON body, or ``None`` when the body is empty.

    A body with a non-JSON media type is refused with 415; a body without any content type is
    read as JSON (some clients omit the header).
    """
    raw = await request.body()
    if not raw.strip():
        return None
    content_type = request.headers.get("content-type")
    if content_type and not _is_json_media_type(content_type):
        raise EngineError(
            f"Cannot consume content type '{content_type}'; send application/json",
            camunda_type="NotSupportedException",
            status=415,
            code=None,
        )
    try:
        parsed = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise invalid_request(f"The request body is not valid JSON: {exc}") from exc
    if _LONG_DIGITS.search(raw):
        # orjson reads an integer beyond 64 bits as a float, silently losing digits; the
        # standard parser keeps it exact, so it is refused (or kept) as the integer it is
        parsed = json.loads(raw, parse_constant=_no_constant)
    return parsed


_LONG_DIGITS = re.compile(rb"[0-9]{19}")


def _no_constant(name: str) -> object:
    raise invalid_request(f"The request body is not valid JSON: {name} is not a JSON value")


JsonBody = Annotated[Any, Depends(json_body)]


def _field_path(model: type[BaseModel], loc: tuple[int | str, ...]) -> str:
    parts: list[str] = []
    current: type[BaseModel] | None = model
    for item in loc:
        if isinstance(item, int):
            parts.append(f"[{item}]")
            current = None
            continue
        name = item
        if current is not None and item in current.model_fields:
            info = current.model_fields[item]
            name = info.alias or item
            annotation = info.annotation
            current = (
                annotation if isinstance(annotation, type) and issubclass(annotation, BaseModel) else None
            )
        parts.append(("." if parts else "") + name)
    return "".join(parts)


def validate_body(model: type[M], data: Any, prefix: str = "") -> M:
    """Validate a parsed JSON body; a wrong type answers 400 naming the field."""
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise invalid_request(f"{prefix}The request body must be a JSON object")
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            path = _field_path(model, tuple(err["loc"]))
            problems.append(f"Invalid value for '{path}': {err['msg']}")
        raise invalid_request(prefix + "; ".join(problems)) from exc


def query_flag(request: Request, name: str, default: bool = False) -> bool:
    """A boolean query parameter (case-insensitive); anything else answers 400."""
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return default
    parsed = parse_bool(raw)
    if parsed is None:
        raise invalid_request(f"Cannot set query parameter '{name}' to value '{raw}'")
    return parsed


BODY_MODELS: dict[str, type[BaseModel]] = {}
"""JSON body models documented in the OpenAPI document (bodies are parsed by ``json_body``)."""


def body_doc(model: type[BaseModel]) -> dict[str, Any]:
    """``openapi_extra`` describing a JSON request body of ``model``."""
    BODY_MODELS[model.__name__] = model
    schema = {"$ref": f"#/components/schemas/{model.__name__}"}
    return {"requestBody": {"required": False, "content": {"application/json": {"schema": schema}}}}
