"""Helpers for the Cockpit read endpoints' tests: the ``order`` model (parallel user task and
external task, then a sub-process) and a way to turn its charge task into an incident."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from cadenza.services import Engine

from .helpers import BASE, assert_json

ORDER = Path(__file__).resolve().parent.parent / "resources" / "cockpit" / "order.bpmn"


def deploy_order(engine: Engine) -> str:
    return engine.repository.deploy([("order.bpmn", ORDER.read_bytes())]).process_definitions[0].id


def start_order(client: TestClient, business_key: str | None = None) -> str:
    body = {"businessKey": business_key} if business_key else {}
    started = assert_json(client.post(f"{BASE}/process-definition/key/order/start", json=body))
    instance_id: str = started["id"]
    return instance_id


def fetch_charge(client: TestClient, instance_id: str) -> dict[str, Any]:
    """Lock the instance's charge task for worker ``w1``."""
    (task,) = assert_json(client.get(f"{BASE}/external-task", params={"processInstanceId": instance_id}))
    body = {"workerId": "w1", "lockDuration": 60_000}
    response = client.post(f"{BASE}/external-task/{task['id']}/lock", json=body)
    assert response.status_code == 204, response.text
    locked: dict[str, Any] = task
    return locked


def fail_charge(client: TestClient, instance_id: str) -> str:
    """Fetch the instance's charge task and report a failure with no retries left."""
    task = fetch_charge(client, instance_id)
    body = {"workerId": "w1", "errorMessage": "card declined", "errorDetails": "trace", "retries": 0}
    response = client.post(f"{BASE}/external-task/{task['id']}/failure", json=body)
    assert response.status_code == 204, response.text
    task_id: str = task["id"]
    return task_id


def complete_charge(client: TestClient, instance_id: str) -> None:
    task = fetch_charge(client, instance_id)
    response = client.post(f"{BASE}/external-task/{task['id']}/complete", json={"workerId": "w1"})
    assert response.status_code == 204, response.text


def complete_approval(client: TestClient, instance_id: str) -> None:
    tasks = assert_json(client.get(f"{BASE}/task", params={"processInstanceId": instance_id}))
    approve = next(t for t in tasks if t["taskDefinitionKey"] == "approve")
    response = client.post(f"{BASE}/task/{approve['id']}/complete", json={})
    assert response.status_code == 204, response.text
