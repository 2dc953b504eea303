"""Shared helpers of the ``test_task_*`` modules: deploy the ``tests/resources/tasks`` models,
start instances, find their tasks, and assert that a refused call changed nothing."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from .helpers import BASE, assert_json

TASKS = Path(__file__).resolve().parent.parent / "resources" / "tasks"
TASK = f"{BASE}/task"


def deploy_tasks(client: TestClient, *names: str) -> None:
    files = [
        (f"resource-{i}", (f"{n}.bpmn", (TASKS / f"{n}.bpmn").read_bytes(), "application/octet-stream"))
        for i, n in enumerate(names)
    ]
    response = client.post(f"{BASE}/deployment/create", data={"deployment-name": "tasks"}, files=files)
    assert response.status_code == 200, response.text


def start(client: TestClient, key: str, **body: Any) -> str:
    response = client.post(f"{BASE}/process-definition/key/{key}/start", json=body)
    assert response.status_code == 200, response.text
    instance_id: str = response.json()["id"]
    return instance_id


def tasks_of(client: TestClient, instance_id: str) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = assert_json(
        client.get(TASK, params={"processInstanceId": instance_id, "sortBy": "name", "sortOrder": "asc"})
    )
    return found


def only_task(client: TestClient, instance_id: str) -> dict[str, Any]:
    found = tasks_of(client, instance_id)
    assert len(found) == 1, found
    return found[0]


def get_task(client: TestClient, task_id: str) -> dict[str, Any]:
    task: dict[str, Any] = assert_json(client.get(f"{TASK}/{task_id}"))
    return task


def variables_of(client: TestClient, instance_id: str) -> dict[str, Any]:
    values: dict[str, Any] = assert_json(client.get(f"{BASE}/process-instance/{instance_id}/variables"))
    return {name: v["value"] for name, v in values.items()}


def review_task(client: TestClient) -> tuple[str, dict[str, Any]]:
    """A started ``review`` instance and its unassigned candidate task."""
    deploy_tasks(client, "review")
    instance_id = start(client, "review", businessKey="bk-1")
    return instance_id, only_task(client, instance_id)
