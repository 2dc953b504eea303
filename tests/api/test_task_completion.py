"""``/task/{id}/complete``, ``/submit-form``, ``/bpmnError`` and ``/bpmnEscalation``."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from .helpers import BASE, assert_error, assert_json
from .task_support import TASK, deploy_tasks, get_task, only_task, review_task, start, tasks_of, variables_of

MISSING = "Cannot find task with id nope: task is null"


def test_complete_sets_variables_and_moves_on(client: TestClient) -> None:
    instance_id, task = review_task(client)
    response = client.post(
        f"{TASK}/{task['id']}/complete",
        json={"variables": {"approved": {"value": True, "type": "Boolean"}, "n": {"value": 3}}},
    )
    assert response.status_code == 204
    assert response.content == b""
    assert variables_of(client, instance_id) == {"approved": True, "n": 3}
    nxt = only_task(client, instance_id)
    assert (nxt["taskDefinitionKey"], nxt["assignee"]) == ("archive", "demo")
    assert_error(client.get(f"{TASK}/{task['id']}"), 404, "InvalidRequestException")


def test_complete_with_variables_in_return(client: TestClient) -> None:
    instance_id, task = review_task(client)
    client.post(
        f"{BASE}/process-instance/{instance_id}/variables/doc",
        json={},
    )
    returned = assert_json(
        client.post(
            f"{TASK}/{task['id']}/complete",
            json={
                "variables": {
                    "order": {
                        "value": '{"a": 1}',
                        "type": "Object",
                        "valueInfo": {
                            "objectTypeName": "java.util.LinkedHashMap",
                            "serializationDataFormat": "application/json",
                        },
                    },
                    "s": {"value": "x", "type": "String"},
                },
                "withVariablesInReturn": True,
            },
        )
    )
    assert returned["s"] == {"type": "String", "value": "x", "valueInfo": {}}
    # serialized form, as Camunda returns it
    assert returned["order"]["type"] == "Object"
    assert returned["order"]["value"] == '{"a": 1}'

    # the last task: the instance ends, the variables are still returned
    last = only_task(client, instance_id)
    final = assert_json(client.post(f"{TASK}/{last['id']}/complete", json={"withVariablesInReturn": True}))
    assert set(final) == {"order", "s"}
    assert tasks_of(client, instance_id) == []


def test_complete_errors_change_nothing(client: TestClient) -> None:
    instance_id, task = review_task(client)
    body = assert_error(
        client.post(f"{TASK}/nope/complete", json={}),
        404,
        "RestException",
        f"Cannot complete task nope: {MISSING}",
    )
    assert body["code"] == 0
    assert_error(
        client.post(
            f"{TASK}/{task['id']}/complete", json={"variables": {"v": {"value": "x", "type": "Nope"}}}
        ),
        400,
        "RestException",
        f"Cannot complete task {task['id']}: Unsupported value type 'Nope'",
    )
    assert_error(
        client.post(
            f"{TASK}/{task['id']}/complete", json={"variables": {"v": {"value": "x", "type": "Integer"}}}
        ),
        400,
        "InvalidRequestException",
    )
    assert_error(
        client.post(f"{TASK}/{task['id']}/complete", json={"withVariablesInReturn": "maybe"}),
        400,
        "InvalidRequestException",
    )
    assert get_task(client, task["id"]) == task
    assert variables_of(client, instance_id) == {}


def test_submit_form_completes(client: TestClient) -> None:
    instance_id, task = review_task(client)
    response = client.post(
        f"{TASK}/{task['id']}/submit-form",
        json={"variables": {"comment": {"value": "fine", "type": "String", "valueInfo": None}}},
    )
    assert response.status_code == 204
    assert variables_of(client, instance_id) == {"comment": "fine"}
    last = only_task(client, instance_id)
    assert last["taskDefinitionKey"] == "archive"
    returned = assert_json(
        client.post(f"{TASK}/{last['id']}/submit-form", json={"variables": {}, "withVariablesInReturn": True})
    )
    assert returned == {"comment": {"type": "String", "value": "fine", "valueInfo": {}}}


def test_submit_form_resolves_a_delegated_task(client: TestClient) -> None:
    instance_id, task = review_task(client)
    url = f"{TASK}/{task['id']}"
    client.post(f"{url}/claim", json={"userId": "kermit"})
    client.post(f"{url}/delegate", json={"userId": "gonzo"})
    assert client.post(f"{url}/submit-form", json={"variables": {"x": {"value": 1}}}).status_code == 204
    resolved = get_task(client, task["id"])
    assert (resolved["delegationState"], resolved["assignee"]) == ("RESOLVED", "kermit")
    assert variables_of(client, instance_id) == {"x": 1}


def test_submit_form_errors(client: TestClient) -> None:
    _, task = review_task(client)
    assert_error(
        client.post(f"{TASK}/nope/submit-form", json={}),
        404,
        "RestException",
        f"Cannot submit task form nope: {MISSING}",
    )
    assert_error(
        client.post(
            f"{TASK}/{task['id']}/submit-form", json={"variables": {"v": {"value": 1, "type": "Nope"}}}
        ),
        400,
        "RestException",
        f"Cannot submit task form {task['id']}: Unsupported value type 'Nope'",
    )
    assert get_task(client, task["id"]) == task


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({}, "errorCode is null"),
        ({"errorCode": None}, "errorCode is null"),
        ({"errorCode": ""}, "errorCode is empty"),
        ({"errorCode": "   "}, "errorCode is empty"),
    ],
)
def test_bpmn_error_needs_an_error_code(client: TestClient, body: dict[str, object], message: str) -> None:
    instance_id, task = review_task(client)
    body = {**body, "variables": {"v": {"value": 1}}}
    result = assert_error(
        client.post(f"{TASK}/{task['id']}/bpmnError", json=body), 400, "RestException", message
    )
    assert result["code"] is None
    assert get_task(client, task["id"]) == task
    assert variables_of(client, instance_id) == {}


def test_bpmn_error_request_errors(client: TestClient) -> None:
    instance_id, task = review_task(client)
    assert_error(
        client.post(f"{TASK}/nope/bpmnError", json={"errorCode": "E"}), 404, "RestException", MISSING
    )
    assert_error(
        client.post(
            f"{TASK}/{task['id']}/bpmnError",
            json={"errorCode": "E", "variables": {"v": {"value": 1, "type": "Nope"}}},
        ),
        400,
        "RestException",
        "Unsupported value type 'Nope'",
    )
    assert_error(
        client.post(f"{TASK}/{task['id']}/bpmnError", json={"errorCode": 5}), 400, "InvalidRequestException"
    )
    assert get_task(client, task["id"]) == task
    assert variables_of(client, instance_id) == {}


def test_bpmn_error_is_caught_by_the_boundary_event(client: TestClient) -> None:
    deploy_tasks(client, "review_error")
    instance_id = start(client, "review_error")
    task = only_task(client, instance_id)
    response = client.post(
        f"{TASK}/{task['id']}/bpmnError",
        json={
            "errorCode": "REJECTED",
            "errorMessage": "no receipt",
            "variables": {"extra": {"value": "kept", "type": "String"}},
        },
    )
    assert response.status_code == 204, response.text
    assert [t["taskDefinitionKey"] for t in tasks_of(client, instance_id)] == ["fix"]
    assert variables_of(client, instance_id) == {"extra": "kept", "code": "REJECTED", "reason": "no receipt"}


def test_bpmn_error_without_handler_ends_the_path(client: TestClient) -> None:
    instance_id, task = review_task(client)
    response = client.post(f"{TASK}/{task['id']}/bpmnError", json={"errorCode": "UNKNOWN"})
    assert response.status_code == 204, response.text
    assert tasks_of(client, instance_id) == []
    assert_error(client.get(f"{BASE}/process-instance/{instance_id}"), 404, "InvalidRequestException")


def test_bpmn_escalation_request_errors(client: TestClient) -> None:
    _, task = review_task(client)
    url = f"{TASK}/{task['id']}/bpmnEscalation"
    assert_error(client.post(url, json={}), 400, "RestException", "escalationCode is null")
    assert_error(
        client.post(url, json={"escalationCode": " "}), 400, "RestException", "escalationCode is empty"
    )
    assert_error(
        client.post(f"{TASK}/nope/bpmnEscalation", json={"escalationCode": "C"}),
        404,
        "RestException",
        MISSING,
    )
    assert get_task(client, task["id"]) == task


def test_bpmn_escalation_is_caught_by_a_non_interrupting_boundary_event(client: TestClient) -> None:
    deploy_tasks(client, "review_error")
    instance_id = start(client, "review_error")
    task = only_task(client, instance_id)
    response = client.post(
        f"{TASK}/{task['id']}/bpmnEscalation",
        json={"escalationCode": "TOO_HARD", "variables": {"why": {"value": "long"}}},
    )
    assert response.status_code == 204, response.text
    assert [t["taskDefinitionKey"] for t in tasks_of(client, instance_id)] == ["help", "reviewTask"]
    assert variables_of(client, instance_id) == {"why": "long"}


def test_bpmn_escalation_without_handler_is_refused_and_rolled_back(client: TestClient) -> None:
    instance_id, task = review_task(client)
    body = assert_error(
        client.post(
            f"{TASK}/{task['id']}/bpmnEscalation",
            json={"escalationCode": "NOBODY", "variables": {"v": {"value": 1}}},
        ),
        500,
        "RestException",
    )
    assert "ENGINE-02043" in body["message"]
    assert get_task(client, task["id"]) == task
    assert variables_of(client, instance_id) == {}
