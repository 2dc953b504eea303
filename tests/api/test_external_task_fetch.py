"""``POST /external-task/fetchAndLock`` without long polling: response shape, variable
selection, filters, ordering, validation (semantics §2.3)."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from cadenza.services import Engine

from .external_task_support import ET, deploy_model, fetch, get_task, start
from .helpers import DATE_FORMAT, assert_error, assert_json

LOCKED_KEYS = {
    "activityId",
    "activityInstanceId",
    "errorMessage",
    "errorDetails",
    "executionId",
    "id",
    "lockExpirationTime",
    "createTime",
    "processDefinitionId",
    "processDefinitionKey",
    "processDefinitionVersionTag",
    "processInstanceId",
    "retries",
    "suspended",
    "workerId",
    "topicName",
    "tenantId",
    "priority",
    "businessKey",
    "variables",
    "extensionProperties",
}


def test_fetch_and_lock_returns_camunda_locked_task_dto(client: TestClient, engine: Engine) -> None:
    definition = deploy_model(engine, "et_simple")
    instance = start(engine, definition, "order-1", amount=42, name="Ann")

    (task,) = fetch(client, includeExtensionProperties=True)

    assert set(task) == LOCKED_KEYS
    assert task["workerId"] == "w1"
    assert task["topicName"] == "work"
    assert task["processInstanceId"] == instance
    assert task["businessKey"] == "order-1"
    assert task["processDefinitionKey"] == "et_simple"
    assert task["processDefinitionVersionTag"] == "v1.2"
    assert (task["retries"], task["errorMessage"], task["errorDetails"]) == (None, None, None)
    assert task["suspended"] is False
    assert DATE_FORMAT.match(task["lockExpirationTime"]) and DATE_FORMAT.match(task["createTime"])
    assert task["variables"] == {
        "amount": {"type": "Integer", "value": 42, "valueInfo": {}},
        "name": {"type": "String", "value": "Ann", "valueInfo": {}},
    }
    assert task["extensionProperties"] == {"retriesHint": "3", "owner": "billing"}
    assert get_task(client, task["id"])["workerId"] == "w1"


def test_fetch_and_lock_extension_properties_empty_map_unless_asked(
    client: TestClient, engine: Engine
) -> None:
    start(engine, deploy_model(engine, "et_simple"))
    (task,) = fetch(client)
    assert task["extensionProperties"] == {}


@pytest.mark.parametrize(
    ("selection", "expected"),
    [(None, {"amount", "name"}), ([], set()), (["name", "missing"], {"name"})],
)
def test_fetch_and_lock_variable_selection(
    client: TestClient, engine: Engine, selection: list[str] | None, expected: set[str]
) -> None:
    start(engine, deploy_model(engine, "et_simple"), amount=1, name="x")
    (task,) = fetch(client, variables=selection)
    assert set(task["variables"]) == expected


def test_fetch_and_lock_without_max_tasks_returns_nothing_and_locks_nothing(
    client: TestClient, engine: Engine
) -> None:
    start(engine, deploy_model(engine, "et_simple"))
    body = {"workerId": "w", "topics": [{"topicName": "work", "lockDuration": 1000}]}
    assert assert_json(client.post(f"{ET}/fetchAndLock", json=body)) == []
    assert assert_json(client.get(f"{ET}/count", params={"locked": "true"})) == {"count": 0}


def test_fetch_and_lock_second_worker_gets_nothing(client: TestClient, engine: Engine) -> None:
    start(engine, deploy_model(engine, "et_simple"))
    assert len(fetch(client, worker="a")) == 1
    assert fetch(client, worker="b") == []


def test_fetch_and_lock_filters(client: TestClient, engine: Engine) -> None:
    definition = deploy_model(engine, "et_simple")
    first = start(engine, definition, "bk-1", region="north", level=1)
    second = start(engine, definition, "bk-2", region="south", level=2)

    def ids(**options: object) -> set[str]:
        found = fetch(client, worker="probe", **options)
        for task in found:  # give them back for the next probe
            assert client.post(f"{ET}/{task['id']}/unlock").status_code == 204
        return {task["processInstanceId"] for task in found}

    assert ids(businessKey="bk-2") == {second}
    assert ids(processVariables={"region": "north"}) == {first}
    assert ids(processVariables={"region": "north", "level": 2}) == {first, second}  # OR-ed
    assert ids(processVariables={"level": "2"}) == set()  # a String never equals an Integer
    assert ids(processDefinitionKey="et_simple") == {first, second}
    assert ids(processDefinitionKeyIn=["other"]) == set()
    assert ids(processDefinitionId=definition) == {first, second}
    assert ids(processDefinitionIdIn=["nope"]) == set()
    assert ids(processDefinitionVersionTag="v1.%") == {first, second}
    assert ids(processDefinitionVersionTag="v2") == set()
    assert ids(withoutTenantId=True) == {first, second}
    assert ids(tenantIdIn=["t1"]) == set()
    assert ids(processVariables={}) == {first, second}


def test_fetch_and_lock_priority_and_create_time_ordering(client: TestClient, engine: Engine) -> None:
    definition = deploy_model(engine, "et_priority")
    low = start(engine, definition, priority=1)
    high = start(engine, definition, priority=9)
    middle = start(engine, definition, priority=5)

    body = {
        "workerId": "w",
        "maxTasks": 3,
        "usePriority": True,
        "topics": [{"topicName": "ranked", "lockDuration": 1000}],
    }
    found = assert_json(client.post(f"{ET}/fetchAndLock", json=body))
    assert [t["processInstanceId"] for t in found] == [high, middle, low]
    assert [t["priority"] for t in found] == [9, 5, 1]
    for task in found:
        client.post(f"{ET}/{task['id']}/unlock")

    body = {**body, "usePriority": False, "sorting": [{"sortBy": "createTime", "sortOrder": "desc"}]}
    found = assert_json(client.post(f"{ET}/fetchAndLock", json=body))
    assert [t["processInstanceId"] for t in found] == [middle, high, low]


@pytest.mark.parametrize(
    ("body", "status", "type_", "message"),
    [
        (
            {"maxTasks": 1, "topics": [{"topicName": "work", "lockDuration": 1000}]},
            400,
            "NullValueException",
            "workerId is null",
        ),
        (
            {"workerId": "w", "maxTasks": 1, "topics": [{"lockDuration": 1000}]},
            400,
            "NullValueException",
            "topicName is null",
        ),
        (
            {"workerId": "w", "maxTasks": 1, "topics": [{"topicName": "work"}]},
            400,
            "BadUserRequestException",
            "lockTime is not greater than 0",
        ),
        (
            {"workerId": "w", "maxTasks": -1, "topics": [{"topicName": "work", "lockDuration": 1}]},
            400,
            "BadUserRequestException",
            "maxResults is not greater than or equal to 0",
        ),
        (
            {
                "workerId": "w",
                "maxTasks": 1,
                "sorting": [{"sortBy": "priority", "sortOrder": "asc"}],
                "topics": [{"topicName": "work", "lockDuration": 1}],
            },
            400,
            "InvalidRequestException",
            "Cannot set query sortBy parameter to value priority",
        ),
        (
            {
                "workerId": "w",
                "maxTasks": 1,
                "sorting": [{"sortBy": "createTime", "sortOrder": "DESC"}],
                "topics": [{"topicName": "work", "lockDuration": 1}],
            },
            400,
            "InvalidRequestException",
            "Cannot set query sortOrder parameter to value DESC",
        ),
        (
            {
                "workerId": "w",
                "maxTasks": 1,
                "asyncResponseTimeout": 1_800_001,
                "topics": [{"topicName": "work", "lockDuration": 1}],
            },
            400,
            "InvalidRequestException",
            "The asynchronous response timeout cannot be set to a value greater than 1800000 milliseconds",
        ),
        (
            {"workerId": "w", "maxTasks": "many", "topics": []},
            400,
            "InvalidRequestException",
            None,
        ),
    ],
)
def test_fetch_and_lock_refusals_lock_nothing(
    client: TestClient,
    engine: Engine,
    body: dict[str, object],
    status: int,
    type_: str,
    message: str | None,
) -> None:
    start(engine, deploy_model(engine, "et_simple"))
    assert_error(client.post(f"{ET}/fetchAndLock", json=body), status, type_, message)
    assert assert_json(client.get(f"{ET}/count", params={"locked": "true"})) == {"count": 0}


def test_fetch_and_lock_accepts_explicit_nulls_of_the_python_client(
    client: TestClient, engine: Engine
) -> None:
    start(engine, deploy_model(engine, "et_simple"), a=1)
    body = {
        "workerId": "w",
        "maxTasks": 1,
        "usePriority": False,
        "sorting": None,
        "asyncResponseTimeout": None,
        "topics": [
            {
                "topicName": "work",
                "lockDuration": 1000,
                "variables": None,
                "processVariables": {},
                "localVariables": None,
                "businessKey": None,
                "deserializeValues": True,
                "includeExtensionProperties": True,
            }
        ],
    }
    (task,) = assert_json(client.post(f"{ET}/fetchAndLock", json=body))
    assert task["variables"]["a"]["value"] == 1
