"""Shared assertions for the REST layer tests."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import httpx

RESOURCES = Path(__file__).resolve().parent.parent / "resources" / "api"
BASE = "/engine-rest"
DATE_FORMAT = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}\+0000$")


def resource(name: str) -> bytes:
    return (RESOURCES / name).read_bytes()


def assert_json(response: httpx.Response, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/json"
    return response.json()


def assert_error(
    response: httpx.Response, status: int, type_: str, message: str | None = None
) -> dict[str, Any]:
    """Camunda's error body, exact content type, and (optionally) the exact message."""
    body: dict[str, Any] = assert_json(response, status)
    assert set(body) >= {"type", "message", "code"}, body
    assert body["type"] == type_, body
    if message is not None:
        assert body["message"] == message, body
    return body
