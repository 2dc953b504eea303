"""``GET /engine`` and ``GET /version`` (semantics §6.6)."""

from __future__ import annotations

from fastapi import APIRouter

from ..responses import CamundaJSONResponse, json_response

__all__ = ["CAMUNDA_VERSION", "router"]

CAMUNDA_VERSION = "7.24.0"

router = APIRouter(tags=["Engine"])


@router.get("/engine", response_class=CamundaJSONResponse)
def get_process_engine_names() -> CamundaJSONResponse:
    return json_response([{"name": "default"}])


@router.get("/version", response_class=CamundaJSONResponse)
def get_rest_api_version() -> CamundaJSONResponse:
    return json_response({"version": CAMUNDA_VERSION})
