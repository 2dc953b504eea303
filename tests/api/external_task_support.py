"""Helpers shared by the ``/external-task`` REST tests: deploy the external-task models and start
instances through the services, fetch through HTTP."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from cadenza.services import Engine, typed_value_from_python

from .helpers import BASE, assert_json

ET = f"{BASE}/external-task"
MODELS = Path(__file__).resolve().parent.parent / "resources" / "external_tasks"


def deploy_model(engine: Engine, name: str) -> str:
    """Deploy ``tests/resources/external_tasks/<name>.bpmn``; returns the definition id."""
    result = engine.repository.deploy([(f"{name}.bpmn", (MODELS / f"{name}.bpmn").read_bytes())])
    return result.process_definitions[0].id


def start(engine: Engine, definition_id: str, business_key: str | None = None, **variables: object) -> str:
    typed = {name: typed_value_from_python(value) for name, value in variables.items()}
    started = engine.runtime.start_process_instance(definition_id, business_key=business_key, variables=typed)
    return started.instance.id


def fetch(
    client: TestClient, topic: str = "work", worker: str = "w1", max_tasks: int = 10, **topic_options: Any
) -> list[dict[str, Any]]:
    body = {
        "workerId": worker,
        "maxTasks": max_tasks,
        "topics": [{"topicName": topic, "lockDuration": 60_000, **topic_options}],
    }
    result: list[dict[str, Any]] = assert_json(client.post(f"{ET}/fetchAndLock", json=body))
    return result


def get_task(client: TestClient, task_id: str) -> dict[str, Any]:
    result: dict[str, Any] = assert_json(client.get(f"{ET}/{task_id}"))
    return result
