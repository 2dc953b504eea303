"""JSON responses exactly as Camunda sends them: ``Content-Type: application/json`` (no charset)."""

from __future__ import annotations

from typing import Any

import orjson
from starlette.responses import Response

__all__ = ["CamundaJSONResponse", "json_response", "no_content"]

_ORJSON_OPTIONS = orjson.OPT_NON_STR_KEYS


class CamundaJSONResponse(Response):
    """orjson-rendered body; the media type carries no ``charset`` parameter.

    Starlette only appends ``; charset=`` to ``text/*`` media types, so ``application/json``
    stays exactly as the JavaScript client expects it.
    """

    media_type = "application/json"

    def render(self, content: Any) -> bytes:
        return orjson.dumps(content, option=_ORJSON_OPTIONS)


def json_response(content: Any, status_code: int = 200) -> CamundaJSONResponse:
    return CamundaJSONResponse(content, status_code=status_code)


def no_content() -> Response:
    """204 without a body and without a content type."""
    return Response(status_code=204)
