"""``/external-task`` queries and single GET."""

from __future__ import annotations

from fastapi.testclient import TestClient

from .conftest import Deploy, Start
from .helpers import BASE, DATE_FORMAT, assert_error, assert_json

ET = f"{BASE}/external-task"
EXTERNAL_TASK_KEYS = {
    "activityId",
    "activityInstanceId",
    "errorMessage",
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
}


def test_list_get_count(client: TestClient, deploy: Deploy, start: Start) -> None:
    deploy("external_task.bpmn")
    pid = start("externalProcess", businessKey="bk")["id"]
    start("externalProcess")

    listed = assert_json(
        client.get(ET, params={"topicName": "work", "sortBy": "createTime", "sortOrder": "asc"})
    )
    assert len(listed) == 2
    task = next(t for t in listed if t["processInstanceId"] == pid)
    assert set(task) == EXTERNAL_TASK_KEYS
    assert task["topicName"] == "work"
    assert task["activityId"] == "work"
    assert task["businessKey"] == "bk"
    assert task["processDefinitionKey"] == "externalProcess"
    assert task["workerId"] is None
    assert task["lockExpirationTime"] is None
    assert task["retries"] is None
    assert DATE_FORMAT.match(task["createTime"])

    assert assert_json(client.get(f"{ET}/{task['id']}")) == task
    assert assert_json(client.get(f"{ET}/count", params={"processInstanceId": pid})) == {"count": 1}
    assert assert_json(client.get(f"{ET}/count", params={"notLocked": "True"})) == {"count": 2}
    assert assert_json(client.get(f"{ET}/count", params={"locked": "true"})) == {"count": 0}
    posted = assert_json(client.post(ET, json={"processInstanceIdIn": [pid], "withRetriesLeft": True}))
    assert [t["id"] for t in posted] == [task["id"]]
    assert assert_json(client.post(f"{ET}/count", json={"topicName": "other"})) == {"count": 0}


def test_unknown_external_task_is_404(client: TestClient) -> None:
    body = assert_error(
        client.get(f"{ET}/nope"), 404, "RestException", "External task with id nope does not exist"
    )
    assert body["code"] is None


def test_query_errors(client: TestClient) -> None:
    assert_error(
        client.get(ET, params={"priorityHigherThanOrEquals": "high"}),
        400,
        "InvalidRequestException",
        "Cannot set query parameter 'priorityHigherThanOrEquals' to value 'high'",
    )
    assert_error(
        client.get(ET, params={"lockExpirationBefore": "soon"}),
        400,
        "InvalidRequestException",
        "Cannot set query parameter 'lockExpirationBefore' to value 'soon'",
    )
    assert_error(
        client.get(ET, params={"sortBy": "topicName", "sortOrder": "asc"}),
        400,
        "InvalidRequestException",
        "Cannot set query parameter 'sortBy' to value 'topicName'",
    )
    body = assert_error(
        client.post(ET, json={"priorityHigherThanOrEquals": "x"}), 400, "InvalidRequestException"
    )
    assert "priorityHigherThanOrEquals" in body["message"]
