"""The test side of the compatibility tests: plain REST calls that set up and check engine state.

The client under test does the work; these helpers only deploy the fixtures, start instances
and read what the engine ended up with, so a failing assertion points at the client's call.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

import httpx
from tests.support import RESOURCES

__all__ = ["COMPAT_RESOURCES", "Engine", "engine_for", "wait_until"]

COMPAT_RESOURCES = RESOURCES / "compat"
T = TypeVar("T")


def wait_until(probe: Callable[[], T | None], what: str, *, timeout: float = 20.0) -> T:
    """Poll ``probe`` until it returns something truthy; fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = probe()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(0.05)


class Engine:
    """Direct REST access to the server under test (httpx, not a Camunda client)."""

    def __init__(self, http: httpx.Client) -> None:
        self.http = http

    def call(self, method: str, path: str, **kwargs: Any) -> Any:
        response = self.http.request(method, path, **kwargs)
        assert response.is_success, f"{method} {path} -> {response.status_code}: {response.text}"
        return response.json() if response.content else None

    def deploy(self, *names: str) -> dict[str, Any]:
        files = [
            ("data", (name, (COMPAT_RESOURCES / name).read_bytes(), "application/octet-stream"))
            for name in names
        ]
        deployed: dict[str, Any] = self.call(
            "POST",
            "/deployment/create",
            data={"deployment-name": "compat", "enable-duplicate-filtering": "true"},
            files=files,
        )
        return deployed

    def start(self, key: str, variables: dict[str, Any] | None = None) -> str:
        body = {"variables": {name: {"value": value} for name, value in (variables or {}).items()}}
        instance: dict[str, Any] = self.call("POST", f"/process-definition/key/{key}/start", json=body)
        return str(instance["id"])

    def instance_exists(self, instance_id: str) -> bool:
        response = self.http.get(f"/process-instance/{instance_id}")
        assert response.status_code in (200, 404), response.text
        return response.status_code == 200

    def tasks(self, instance_id: str) -> list[dict[str, Any]]:
        tasks: list[dict[str, Any]] = self.call("GET", "/task", params={"processInstanceId": instance_id})
        return tasks

    def task_keys(self, instance_id: str) -> list[str]:
        return sorted(task["taskDefinitionKey"] for task in self.tasks(instance_id))

    def variables(self, instance_id: str) -> dict[str, dict[str, Any]]:
        variables: dict[str, dict[str, Any]] = self.call("GET", f"/process-instance/{instance_id}/variables")
        return variables

    def external_tasks(self, instance_id: str) -> list[dict[str, Any]]:
        tasks: list[dict[str, Any]] = self.call(
            "GET", "/external-task", params={"processInstanceId": instance_id}
        )
        return tasks

    def incidents(self, instance_id: str) -> list[dict[str, Any]]:
        incidents: list[dict[str, Any]] = self.call(
            "GET", "/incident", params={"processInstanceId": instance_id}
        )
        return incidents


@contextmanager
def engine_for(base_url: str) -> Iterator[Engine]:
    with httpx.Client(base_url=base_url, timeout=10) as http:
        yield Engine(http)
