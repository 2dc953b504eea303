"""``/task`` queries and single GET."""

from __future__ import annotations

from fastapi.testclient import TestClient

from .conftest import Deploy, Start
from .helpers import BASE, DATE_FORMAT, assert_error, assert_json

TASK = f"{BASE}/task"
TASK_KEYS = {
    "id",
    "name",
    "assignee",
    "owner",
    "created",
    "lastUpdated",
    "due",
    "followUp",
    "delegationState",
    "description",
    "executionId",
    "parentTaskId",
    "priority",
    "processDefinitionId",
    "processInstanceId",
    "caseExecutionId",
    "caseDefinitionId",
    "caseInstanceId",
    "taskDefinitionKey",
    "suspended",
    "formKey",
    "camundaFormRef",
    "tenantId",
    "taskState",
}


def test_list_get_count(client: TestClient, deploy: Deploy, start: Start) -> None:
    deploy("user_task.bpmn")
    pid = start("userProcess", businessKey="order")["id"]
    start("userProcess")

    listed = assert_json(client.get(TASK, params={"processInstanceId": pid}))
    assert len(listed) == 1
    task = listed[0]
    assert set(task) == TASK_KEYS
    assert task["name"] == "Review"
    assert task["taskDefinitionKey"] == "review"
    assert task["assignee"] == "demo"
    assert task["caseDefinitionId"] is None
    assert task["caseExecutionId"] is None
    assert task["caseInstanceId"] is None
    assert task["camundaFormRef"] is None
    assert task["taskState"] == "Created"
    assert DATE_FORMAT.match(task["created"])

    assert assert_json(client.get(f"{TASK}/{task['id']}")) == task
    assert assert_json(client.get(f"{TASK}/count")) == {"count": 2}
    assert assert_json(
        client.get(f"{TASK}/count", params={"assignee": "demo", "processInstanceBusinessKey": "order"})
    ) == {"count": 1}
    posted = assert_json(
        client.post(
            TASK,
            params={"maxResults": 10},
            json={"taskDefinitionKeyIn": ["review"], "sorting": [{"sortBy": "created", "sortOrder": "desc"}]},
        )
    )
    assert len(posted) == 2
    assert assert_json(client.post(f"{TASK}/count", json={"unassigned": True})) == {"count": 0}
    created = assert_json(client.get(TASK, params={"createdAfter": "2000-01-01T00:00:00.000+0000"}))
    assert len(created) == 2


def test_unknown_task_is_404(client: TestClient) -> None:
    body = assert_error(
        client.get(f"{TASK}/nope"), 404, "InvalidRequestException", "No matching task with id nope"
    )
    assert body["code"] is None


def test_query_errors(client: TestClient) -> None:
    assert_error(
        client.get(TASK, params={"dueBefore": "tomorrow"}),
        400,
        "InvalidRequestException",
        "Cannot set query parameter 'dueBefore' to value 'tomorrow'",
    )
    assert_error(
        client.get(TASK, params={"sortBy": "created"}),
        400,
        "InvalidRequestException",
        "Only a single sorting parameter specified. sortBy and sortOrder required",
    )
    assert_error(
        client.post(TASK, json={"sorting": [{"sortBy": "created"}]}),
        400,
        "InvalidRequestException",
        "Only a single sorting parameter specified. sortBy and sortOrder required",
    )
    assert client.post(TASK, json={"orQueries": [{"assignee": "x"}]}).status_code == 400
    assert_error(client.post(TASK, json=[]), 400, "InvalidRequestException")
