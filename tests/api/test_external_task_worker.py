"""``complete``, ``failure`` and ``bpmnError`` over REST: happy paths, every refusal with
Camunda's status/type/message, and nothing changed on refusal (semantics §2.4-2.6)."""

from __future__ import annotations

import importlib.util
from typing import Any

import pytest
from fastapi.testclient import TestClient

from cadenza.services import Engine

from .external_task_support import ET, deploy_model, fetch, get_task, start
from .helpers import BASE, assert_error, assert_json

PROPAGATION_READY = importlib.util.find_spec("cadenza.engine.error_propagation") is not None
needs_propagation = pytest.mark.skipif(
    not PROPAGATION_READY,
    reason="cadenza.engine.error_propagation (BPMN error propagation) has not landed yet",
)


@pytest.fixture
def locked(client: TestClient, engine: Engine) -> dict[str, Any]:
    """A task of et_simple locked by worker w1."""
    start(engine, deploy_model(engine, "et_simple"), amount=1)
    (task,) = fetch(client)
    return task


def _instance_variables(client: TestClient, instance_id: str) -> dict[str, Any]:
    result: dict[str, Any] = assert_json(client.get(f"{BASE}/process-instance/{instance_id}/variables"))
    return result


# ── complete ────────────────────────────────────────────────────────────────────────────────────


def test_complete_sets_variables_and_ends_the_task(client: TestClient, locked: dict[str, Any]) -> None:
    body = {
        "workerId": "w1",
        "variables": {"result": {"value": "ok", "type": "String"}},
        "localVariables": {"note": {"value": 7}},
    }
    response = client.post(f"{ET}/{locked['id']}/complete", json=body)
    assert response.status_code == 204 and response.content == b""
    assert_error(client.get(f"{ET}/{locked['id']}"), 404, "RestException")
    # the instance ran to its end
    assert assert_json(client.get(f"{BASE}/process-instance/count")) == {"count": 0}


def test_complete_refusals(client: TestClient, locked: dict[str, Any]) -> None:
    task_id = locked["id"]
    assert_error(
        client.post(f"{ET}/nope/complete", json={"workerId": "w1"}),
        404,
        "RestException",
        "External task with id nope does not exist",
    )
    assert_error(
        client.post(f"{ET}/{task_id}/complete", json={"workerId": "other"}),
        400,
        "RestException",
        f"External Task {task_id} cannot be completed by worker 'other'. It is locked by worker 'w1'.",
    )
    assert_error(
        client.post(f"{ET}/{task_id}/complete", json={}), 400, "NullValueException", "workerId is null"
    )
    assert_error(
        client.post(
            f"{ET}/{task_id}/complete",
            json={"workerId": "w1", "variables": {"x": {"value": "abc", "type": "Integer"}}},
        ),
        400,
        "InvalidRequestException",
    )
    assert get_task(client, task_id)["workerId"] == "w1"  # nothing changed
    assert client.post(f"{ET}/{task_id}/unlock").status_code == 204
    assert_error(
        client.post(f"{ET}/{task_id}/complete", json={"workerId": "w1"}),
        400,
        "RestException",
        f"External Task {task_id} cannot be completed by worker 'w1'. It is locked by worker 'null'.",
    )


# ── failure ─────────────────────────────────────────────────────────────────────────────────────


def test_failure_with_retries_keeps_worker_and_sets_lock_to_retry_timeout(
    client: TestClient, locked: dict[str, Any]
) -> None:
    task_id = locked["id"]
    body = {
        "workerId": "w1",
        "errorMessage": "Does not compute",
        "errorDetails": "stack trace",
        "retries": 2,
        "retryTimeout": 60_000,
        "variables": {"attempt": {"value": 1}},
    }
    assert client.post(f"{ET}/{task_id}/failure", json=body).status_code == 204

    task = get_task(client, task_id)
    assert (task["retries"], task["errorMessage"], task["workerId"]) == (2, "Does not compute", "w1")
    assert task["lockExpirationTime"] is not None
    assert fetch(client, worker="w2") == []  # locked for the retry timeout
    assert client.get(f"{ET}/{task_id}/errorDetails").text == "stack trace"
    assert _instance_variables(client, task["processInstanceId"])["attempt"]["value"] == 1
    assert assert_json(client.get(f"{BASE}/incident/count")) == {"count": 0}

    # details are kept when the next failure sends none; retryTimeout 0 frees the task at once
    body = {"workerId": "w1", "errorMessage": "again", "retries": 1, "retryTimeout": 0}
    assert client.post(f"{ET}/{task_id}/failure", json=body).status_code == 204
    assert client.get(f"{ET}/{task_id}/errorDetails").text == "stack trace"
    (refetched,) = fetch(client, worker="w2")
    assert (refetched["id"], refetched["retries"], refetched["errorMessage"]) == (task_id, 1, "again")
    assert refetched["errorDetails"] == "stack trace"


def test_failure_without_retries_creates_incident_with_truncated_message(
    client: TestClient, locked: dict[str, Any]
) -> None:
    task_id = locked["id"]
    message = "x" * 700
    body = {"workerId": "w1", "errorMessage": message, "retryTimeout": 0}  # retries absent = 0
    assert client.post(f"{ET}/{task_id}/failure", json=body).status_code == 204

    task = get_task(client, task_id)
    assert task["retries"] == 0
    assert task["errorMessage"] == "x" * 666
    assert fetch(client, worker="w2") == []  # no retries left: never fetched
    (incident,) = assert_json(client.get(f"{BASE}/incident", params={"incidentType": "failedExternalTask"}))
    assert incident["configuration"] == task_id
    assert incident["incidentMessage"] == "x" * 666
    assert incident["activityId"] == "work"
    assert incident["causeIncidentId"] == incident["id"] == incident["rootCauseIncidentId"]

    # the same worker may still complete: the incident is resolved with the task
    assert client.post(f"{ET}/{task_id}/complete", json={"workerId": "w1"}).status_code == 204
    assert assert_json(client.get(f"{BASE}/incident/count")) == {"count": 0}


def test_failure_with_null_retries_is_zero(client: TestClient, locked: dict[str, Any]) -> None:
    body = {"workerId": "w1", "errorMessage": "boom", "retries": None, "retryTimeout": 30000}
    assert client.post(f"{ET}/{locked['id']}/failure", json=body).status_code == 204
    assert get_task(client, locked["id"])["retries"] == 0
    assert assert_json(client.get(f"{BASE}/incident/count")) == {"count": 1}


@pytest.mark.parametrize(
    ("body", "status", "type_", "message"),
    [
        ({"errorMessage": "m"}, 400, "NullValueException", "workerId is null"),
        (
            {"workerId": "w1", "retries": -1},
            400,
            "BadUserRequestException",
            "retries is not greater than or equal to 0",
        ),
        (
            {"workerId": "w1", "retries": 1, "retryTimeout": -5},
            400,
            "BadUserRequestException",
            "retryDuration is not greater than or equal to 0",
        ),
        (
            {"workerId": "intruder", "retries": 1},
            400,
            "RestException",
            "Failure of External Task {id} cannot be reported by worker 'intruder'. "
            "It is locked by worker 'w1'.",
        ),
    ],
)
def test_failure_refusals_change_nothing(
    client: TestClient,
    locked: dict[str, Any],
    body: dict[str, object],
    status: int,
    type_: str,
    message: str,
) -> None:
    task_id = locked["id"]
    response = client.post(f"{ET}/{task_id}/failure", json={"errorMessage": "m", **body})
    assert_error(response, status, type_, message.format(id=task_id))
    task = get_task(client, task_id)
    assert (task["retries"], task["errorMessage"], task["workerId"]) == (None, None, "w1")


def test_failure_of_unknown_task_is_404(client: TestClient) -> None:
    assert_error(
        client.post(f"{ET}/nope/failure", json={"workerId": "w", "retries": 1}),
        404,
        "RestException",
        "External task with id nope does not exist",
    )


# ── bpmnError ───────────────────────────────────────────────────────────────────────────────────


@pytest.mark.parametrize(
    ("body", "status", "type_", "message"),
    [
        ({"errorCode": "E"}, 400, "NullValueException", "workerId is null"),
        ({"workerId": "w1"}, 400, "NullValueException", "errorCode is null"),
        ({"workerId": "w1", "errorCode": ""}, 400, "BadUserRequestException", "Error Code is empty"),
        (
            {"workerId": "w1", "errorCode": "E", "errorMessage": ""},
            400,
            "BadUserRequestException",
            "Error Message is empty",
        ),
        (
            {"workerId": "w9", "errorCode": "E"},
            400,
            "RestException",
            "Bpmn error of External Task {id} cannot be reported by worker 'w9'. "
            "It is locked by worker 'w1'.",
        ),
    ],
)
def test_bpmn_error_refusals_change_nothing(
    client: TestClient,
    locked: dict[str, Any],
    body: dict[str, object],
    status: int,
    type_: str,
    message: str,
) -> None:
    task_id = locked["id"]
    response = client.post(f"{ET}/{task_id}/bpmnError", json={"variables": {"v": {"value": 1}}, **body})
    assert_error(response, status, type_, message.format(id=task_id))
    assert get_task(client, task_id)["workerId"] == "w1"
    assert "v" not in _instance_variables(client, locked["processInstanceId"])


def test_bpmn_error_of_unknown_task_is_404(client: TestClient) -> None:
    assert_error(
        client.post(f"{ET}/nope/bpmnError", json={"workerId": "w", "errorCode": "E"}),
        404,
        "RestException",
        "External task with id nope does not exist",
    )


@needs_propagation
def test_bpmn_error_is_caught_by_boundary_event_with_variables_set_first(
    client: TestClient, engine: Engine
) -> None:
    instance = start(engine, deploy_model(engine, "et_error_definition"), fraud=False)
    (task,) = fetch(client, topic="ship")
    body = {
        "workerId": "w1",
        "errorCode": "ADDRESS_INVALID",
        "errorMessage": "no such street",
        "variables": {"reason": {"value": "street"}},
    }
    assert client.post(f"{ET}/{task['id']}/bpmnError", json=body).status_code == 204

    assert_error(client.get(f"{ET}/{task['id']}"), 404, "RestException")
    (user_task,) = assert_json(client.get(f"{BASE}/task", params={"processInstanceId": instance}))
    assert user_task["taskDefinitionKey"] == "fix"
    assert _instance_variables(client, instance)["reason"]["value"] == "street"
