"""Lock management, retries, priority, error details, topic names and incidents over REST
(semantics §2.7-2.9, §5.1)."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from cadenza.services import Engine

from .external_task_support import ET, deploy_model, fetch, get_task, start
from .helpers import BASE, DATE_FORMAT, assert_error, assert_json

INCIDENT_KEYS = {
    "id",
    "processDefinitionId",
    "processInstanceId",
    "executionId",
    "incidentTimestamp",
    "incidentType",
    "activityId",
    "failedActivityId",
    "causeIncidentId",
    "rootCauseIncidentId",
    "configuration",
    "incidentMessage",
    "tenantId",
    "jobDefinitionId",
    "annotation",
}


@pytest.fixture
def locked(client: TestClient, engine: Engine) -> dict[str, Any]:
    start(engine, deploy_model(engine, "et_simple"))
    (task,) = fetch(client)
    return task


def _fail(client: TestClient, task_id: str, retries: int = 0, message: str = "boom") -> None:
    body = {"workerId": "w1", "errorMessage": message, "retries": retries, "retryTimeout": 0}
    assert client.post(f"{ET}/{task_id}/failure", json=body).status_code == 204


# ── lock / extendLock / unlock ──────────────────────────────────────────────────────────────────


def test_unlock_frees_the_task_and_lock_takes_it(client: TestClient, locked: dict[str, Any]) -> None:
    task_id = locked["id"]
    assert_error(
        client.post(f"{ET}/{task_id}/lock", json={"workerId": "w2", "lockDuration": 1000}),
        400,
        "RestException",
        f"External Task {task_id} cannot be locked by worker 'w2'. It is locked by worker 'w1'.",
    )
    # no body, no content type (JS client)
    assert client.post(f"{ET}/{task_id}/unlock").status_code == 204
    task = get_task(client, task_id)
    assert (task["workerId"], task["lockExpirationTime"]) == (None, None)

    assert (
        client.post(f"{ET}/{task_id}/lock", json={"workerId": "w2", "lockDuration": 5000}).status_code == 204
    )
    task = get_task(client, task_id)
    assert task["workerId"] == "w2" and DATE_FORMAT.match(task["lockExpirationTime"])
    # the holder may lock again
    assert client.post(f"{ET}/{task_id}/lock", json={"workerId": "w2", "lockDuration": 1}).status_code == 204


@pytest.mark.parametrize(
    ("path", "body", "status", "type_", "message"),
    [
        (
            "lock",
            {"workerId": "w1", "lockDuration": 0},
            400,
            "RestException",
            "lockDuration is not greater than 0",
        ),
        ("lock", {"lockDuration": 10}, 400, "NullValueException", "workerId is null"),
        (
            "extendLock",
            {"workerId": "w1", "newDuration": 0},
            400,
            "RestException",
            "lockTime is not greater than 0",
        ),
        (
            "extendLock",
            {"workerId": "w2", "newDuration": 10},
            400,
            "RestException",
            "The lock of the External Task {id} cannot be extended by worker 'w2''. "
            "It is locked by worker 'w1'.",
        ),
    ],
)
def test_lock_refusals_change_nothing(
    client: TestClient,
    locked: dict[str, Any],
    path: str,
    body: dict[str, object],
    status: int,
    type_: str,
    message: str,
) -> None:
    task_id = locked["id"]
    before = get_task(client, task_id)
    assert_error(client.post(f"{ET}/{task_id}/{path}", json=body), status, type_, message.format(id=task_id))
    assert get_task(client, task_id) == before


def test_extend_lock_moves_expiry(client: TestClient, locked: dict[str, Any]) -> None:
    task_id = locked["id"]
    before = get_task(client, task_id)["lockExpirationTime"]
    body = {"workerId": "w1", "newDuration": 3_600_000}
    assert client.post(f"{ET}/{task_id}/extendLock", json=body).status_code == 204
    assert get_task(client, task_id)["lockExpirationTime"] > before


@pytest.mark.parametrize("path", ["lock", "extendLock", "unlock"])
def test_lock_operations_on_unknown_task_are_404(client: TestClient, path: str) -> None:
    body = {"workerId": "w", "lockDuration": 10, "newDuration": 10}
    assert_error(
        client.post(f"{ET}/nope/{path}", json=body),
        404,
        "RestException",
        "External task with id nope does not exist",
    )


# ── retries, priority ───────────────────────────────────────────────────────────────────────────


def test_set_retries_zero_creates_incident_and_positive_resolves_it(
    client: TestClient, locked: dict[str, Any]
) -> None:
    task_id = locked["id"]
    _fail(client, task_id, retries=3, message="first")
    assert client.put(f"{ET}/{task_id}/retries", json={"retries": 0}).status_code == 204
    (incident,) = assert_json(client.get(f"{BASE}/incident"))
    assert set(incident) == INCIDENT_KEYS
    assert (incident["incidentType"], incident["incidentMessage"], incident["configuration"]) == (
        "failedExternalTask",
        "first",
        task_id,
    )
    assert DATE_FORMAT.match(incident["incidentTimestamp"])
    assert assert_json(client.get(f"{BASE}/incident/{incident['id']}")) == incident

    assert client.put(f"{ET}/{task_id}/retries", json={"retries": 2}).status_code == 204
    assert assert_json(client.get(f"{BASE}/incident/count")) == {"count": 0}
    assert get_task(client, task_id)["retries"] == 2


def test_set_retries_and_priority_refusals(client: TestClient, locked: dict[str, Any]) -> None:
    task_id = locked["id"]
    assert_error(
        client.put(f"{ET}/{task_id}/retries", json={}),
        400,
        "InvalidRequestException",
        "The number of retries cannot be null.",
    )
    assert_error(
        client.put(f"{ET}/{task_id}/retries", json={"retries": -1}),
        400,
        "BadUserRequestException",
        "The number of retries cannot be negative: retries is not greater than or equal to 0",
    )
    assert_error(
        client.put(f"{ET}/nope/retries", json={"retries": 1}),
        404,
        "InvalidRequestException",
        "External task with id nope does not exist",
    )
    assert_error(
        client.put(f"{ET}/nope/priority", json={"priority": 1}),
        404,
        "InvalidRequestException",
        "External task with id nope does not exist",
    )
    assert get_task(client, task_id)["retries"] is None
    assert client.put(f"{ET}/{task_id}/priority", json={"priority": 77}).status_code == 204
    assert get_task(client, task_id)["priority"] == 77


def test_set_retries_for_many(client: TestClient, engine: Engine) -> None:
    definition = deploy_model(engine, "et_simple")
    instances = [start(engine, definition) for _ in range(3)]
    tasks = {t["processInstanceId"]: t["id"] for t in fetch(client)}

    body = {"retries": 4, "externalTaskIds": [tasks[instances[0]]], "processInstanceIds": [instances[1]]}
    assert client.put(f"{ET}/retries", json=body).status_code == 204
    assert [get_task(client, tasks[i])["retries"] for i in instances] == [4, 4, None]

    body = {"retries": 0, "externalTaskQuery": {"topicName": "work"}}
    batch = assert_json(client.post(f"{ET}/retries-async", json=body))
    assert batch["type"] == "set-external-task-retries"
    assert batch["totalJobs"] == 3 and batch["id"]
    assert assert_json(client.get(f"{BASE}/incident/count")) == {"count": 3}

    body = {"retries": 1, "processInstanceQuery": {"processInstanceIds": instances[:2]}}
    assert client.put(f"{ET}/retries", json=body).status_code == 204
    assert assert_json(client.get(f"{BASE}/incident/count")) == {"count": 1}

    assert_error(
        client.put(f"{ET}/retries", json={"retries": 1}),
        400,
        "InvalidRequestException",
        "externalTaskIds is empty",
    )
    assert_error(
        client.put(f"{ET}/retries", json={"externalTaskIds": ["x"]}),
        400,
        "InvalidRequestException",
        "The number of retries cannot be null.",
    )
    assert_error(
        client.put(f"{ET}/retries", json={"retries": 2, "externalTaskIds": [tasks[instances[2]], "ghost"]}),
        404,
        "InvalidRequestException",
        "Cannot find external task with id ghost: externalTask is null",
    )
    assert get_task(client, tasks[instances[2]])["retries"] == 0  # rolled back with the failure


# ── error details, topic names ──────────────────────────────────────────────────────────────────


def test_error_details(client: TestClient, locked: dict[str, Any]) -> None:
    task_id = locked["id"]
    assert client.get(f"{ET}/{task_id}/errorDetails").status_code == 204
    body = {"workerId": "w1", "errorMessage": "m", "errorDetails": "line 1\nline 2", "retries": 1}
    assert client.post(f"{ET}/{task_id}/failure", json=body).status_code == 204
    response = client.get(f"{ET}/{task_id}/errorDetails")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    assert response.text == "line 1\nline 2"
    assert_error(
        client.get(f"{ET}/nope/errorDetails"),
        404,
        "NullValueException",
        "No external task found with id nope: externalTask is null",
    )


def test_topic_names(client: TestClient, engine: Engine) -> None:
    start(engine, deploy_model(engine, "et_simple"))
    start(engine, deploy_model(engine, "et_priority"), priority=1)
    fetch(client, topic="work")

    def names(**params: str) -> list[str]:
        result: list[str] = assert_json(client.get(f"{ET}/topic-names", params=params))
        return result

    assert names() == ["ranked", "work"]
    assert names(withLockedTasks="true") == ["work"]
    assert names(withUnlockedTasks="True") == ["ranked"]
    assert names(withLockedTasks="true", withUnlockedTasks="true") == []
    assert names(withRetriesLeft="true") == ["ranked", "work"]


# ── incidents ───────────────────────────────────────────────────────────────────────────────────


def test_incident_query_annotation_and_errors(client: TestClient, engine: Engine) -> None:
    definition = deploy_model(engine, "et_simple")
    first, second = start(engine, definition), start(engine, definition)
    tasks = {t["processInstanceId"]: t["id"] for t in fetch(client)}
    _fail(client, tasks[first], message="disk full")
    _fail(client, tasks[second], message="timeout")

    def ids(**params: str) -> list[str]:
        return [i["processInstanceId"] for i in assert_json(client.get(f"{BASE}/incident", params=params))]

    assert sorted(ids()) == sorted([first, second])
    assert ids(incidentMessage="timeout") == [second]
    assert ids(incidentMessageLike="disk%") == [first]
    assert ids(processInstanceId=first) == [first]
    assert ids(configuration=tasks[second]) == [second]
    assert ids(sortBy="incidentMessage", sortOrder="desc") == [second, first]
    assert len(ids(processDefinitionKeyIn="et_simple,other")) == 2
    assert ids(incidentType="failedJob") == []
    assert assert_json(client.get(f"{BASE}/incident/count", params={"activityId": "work"})) == {"count": 2}
    assert_error(
        client.get(f"{BASE}/incident", params={"sortBy": "nope", "sortOrder": "asc"}),
        400,
        "InvalidRequestException",
        "Cannot set query parameter 'sortBy' to value 'nope'",
    )

    incident_id = assert_json(client.get(f"{BASE}/incident", params={"processInstanceId": first}))[0]["id"]
    assert (
        client.put(f"{BASE}/incident/{incident_id}/annotation", json={"annotation": "on it"}).status_code
        == 204
    )
    assert assert_json(client.get(f"{BASE}/incident/{incident_id}"))["annotation"] == "on it"
    assert client.delete(f"{BASE}/incident/{incident_id}/annotation").status_code == 204
    assert assert_json(client.get(f"{BASE}/incident/{incident_id}"))["annotation"] is None

    assert_error(
        client.get(f"{BASE}/incident/nope"),
        404,
        "InvalidRequestException",
        "No matching incident with id nope",
    )
    assert_error(
        client.put(f"{BASE}/incident/nope/annotation", json={"annotation": "x"}), 400, "NotFoundException"
    )
    assert_error(
        client.delete(f"{BASE}/incident/{incident_id}"),
        400,
        "InvalidRequestException",
        "Cannot resolve an incident of type failedExternalTask",
    )
    assert_error(
        client.delete(f"{BASE}/incident/nope"),
        404,
        "InvalidRequestException",
        "Cannot find an incident with id 'nope': incident is null",
    )


def test_deleting_the_instance_removes_its_incident(client: TestClient, engine: Engine) -> None:
    instance = start(engine, deploy_model(engine, "et_simple"))
    (task,) = fetch(client)
    _fail(client, task["id"])
    assert assert_json(client.get(f"{BASE}/incident/count")) == {"count": 1}
    assert client.delete(f"{BASE}/process-instance/{instance}").status_code == 204
    assert assert_json(client.get(f"{BASE}/incident/count")) == {"count": 0}
