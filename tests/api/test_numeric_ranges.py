"""Numbers beyond what Camunda's Java types hold are a 400, not a 500 (found by
reliability/fuzz_api.py: SQLite's 64-bit overflow, PostgreSQL's ``integer out of range`` and
date arithmetic past year 9999 all surfaced as 500s)."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from .conftest import Deploy, Start
from .helpers import BASE

LONG_OVERFLOW = 2**63
INT_OVERFLOW = 2**31
FAR_FUTURE_MS = 2**62  # a valid Java long, but now + this many ms is no date


@pytest.mark.parametrize(
    "query",
    [
        f"/external-task?priorityLowerThanOrEquals={LONG_OVERFLOW}",
        f"/external-task/count?priorityHigherThanOrEquals={-LONG_OVERFLOW - 1}",
        f"/task?priority={INT_OVERFLOW}",
        f"/task?maxPriority={10**30}",
        f"/process-definition?version={INT_OVERFLOW}",
        f"/process-instance?firstResult={10**30}",
        f"/deployment?maxResults={LONG_OVERFLOW}",
    ],
)
def test_query_parameter_out_of_java_range_is_400(client: TestClient, query: str) -> None:
    response = client.get(BASE + query)
    assert response.status_code == 400, response.text
    assert response.json()["type"] == "InvalidRequestException"
    assert "Cannot set query parameter" in response.json()["message"]


def test_query_body_integer_out_of_range_is_400(client: TestClient) -> None:
    response = client.post(f"{BASE}/external-task/count", json={"priorityLowerThanOrEquals": LONG_OVERFLOW})
    assert response.status_code == 400, response.text


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/lock", {"workerId": "w", "lockDuration": FAR_FUTURE_MS}),
        ("/extendLock", {"workerId": "w", "newDuration": FAR_FUTURE_MS}),
        ("/failure", {"workerId": "w", "retries": 1, "retryTimeout": FAR_FUTURE_MS}),
        ("/failure", {"workerId": "w", "retries": INT_OVERFLOW, "retryTimeout": 0}),
        ("/retries", {"retries": INT_OVERFLOW}),
        ("/priority", {"priority": LONG_OVERFLOW}),
        ("/priority", {"priority": -LONG_OVERFLOW - 1}),
    ],
)
def test_external_task_numbers_out_of_range_are_400_and_change_nothing(
    client: TestClient, deploy: Deploy, start: Start, path: str, body: dict[str, object]
) -> None:
    deploy("external_task.bpmn")
    start("externalProcess")
    (task,) = client.get(f"{BASE}/external-task").json()
    assert (
        client.post(
            f"{BASE}/external-task/{task['id']}/lock", json={"workerId": "w", "lockDuration": 60_000}
        ).status_code
        == 204
    )
    method = "PUT" if path in ("/retries", "/priority") else "POST"

    response = client.request(method, f"{BASE}/external-task/{task['id']}{path}", json=body)

    assert response.status_code == 400, response.text
    after = client.get(f"{BASE}/external-task/{task['id']}").json()
    assert (after["retries"], after["priority"], after["workerId"]) == (
        task["retries"],
        task["priority"],
        "w",
    )


@pytest.mark.parametrize(
    "body",
    [
        {"workerId": "w", "maxTasks": INT_OVERFLOW, "topics": [{"topicName": "t", "lockDuration": 1000}]},
        {"workerId": "w", "maxTasks": 1, "topics": [{"topicName": "t", "lockDuration": FAR_FUTURE_MS}]},
        {"workerId": "w", "maxTasks": 1, "topics": [{"topicName": "t", "lockDuration": 10**30}]},
    ],
)
def test_fetch_and_lock_numbers_out_of_range_are_400(client: TestClient, body: dict[str, object]) -> None:
    response = client.post(f"{BASE}/external-task/fetchAndLock", json=body)
    assert response.status_code == 400, response.text


def test_task_priority_out_of_java_int_is_400(client: TestClient, deploy: Deploy, start: Start) -> None:
    deploy("user_task.bpmn")
    start("userProcess")
    (task,) = client.get(f"{BASE}/task").json()
    response = client.put(f"{BASE}/task/{task['id']}", json={**task, "priority": INT_OVERFLOW})
    assert response.status_code == 400, response.text
    assert client.get(f"{BASE}/task/{task['id']}").json()["priority"] == task["priority"]


def test_nul_character_in_query_is_400_on_postgresql(db_url: str) -> None:
    """PostgreSQL refuses NUL in text (psycopg DataError): the request's fault, so 400, without
    the SQL in the message; SQLite stores it and simply finds nothing."""
    from cadenza.api import create_app
    from cadenza.config import EngineConfig
    from cadenza.services import Engine

    with Engine(EngineConfig(database_url=db_url)) as engine, TestClient(create_app(engine)) as client:
        for response in (
            client.get(f"{BASE}/deployment/count", params={"id": "a\x00b"}),
            client.post(f"{BASE}/variable-instance", json={"variableNameLike": "a\x00b"}),
            client.put(f"{BASE}/tenant/t1", json={"id": "t1", "name": "a\x00b"}),
        ):
            assert response.status_code in (200, 204, 400, 404), response.text
            if db_url.startswith("postgresql"):
                assert response.status_code == 400, response.text
                assert "SELECT" not in response.json()["message"]
                assert "NUL" in response.json()["message"]
