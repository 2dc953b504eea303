"""``/execution``: queries, get, local variables."""

from __future__ import annotations

from fastapi.testclient import TestClient

from .conftest import Deploy, Start
from .helpers import BASE, assert_error, assert_json

EX = f"{BASE}/execution"


def test_list_get_and_count(client: TestClient, deploy: Deploy, start: Start) -> None:
    deploy("external_task.bpmn")
    pid = start("externalProcess")["id"]
    listed = assert_json(client.get(EX, params={"processInstanceId": pid}))
    assert listed
    assert all(set(e) == {"id", "processInstanceId", "ended", "tenantId"} for e in listed)
    assert all(e["processInstanceId"] == pid and e["ended"] is False for e in listed)
    assert assert_json(client.get(f"{EX}/count", params={"processInstanceId": pid})) == {"count": len(listed)}
    assert assert_json(client.post(f"{EX}/count", json={"processInstanceId": pid})) == {"count": len(listed)}
    assert len(assert_json(client.post(EX, json={"processDefinitionKey": "externalProcess"}))) == len(listed)
    single = assert_json(client.get(f"{EX}/{listed[0]['id']}"))
    assert single == listed[0]


def test_unknown_execution_is_404(client: TestClient) -> None:
    assert_error(
        client.get(f"{EX}/nope"), 404, "InvalidRequestException", "Execution with id nope does not exist"
    )


def test_bad_sort(client: TestClient) -> None:
    assert_error(
        client.get(EX, params={"sortBy": "name", "sortOrder": "asc"}),
        400,
        "InvalidRequestException",
        "Cannot set query parameter 'sortBy' to value 'name'",
    )


def test_local_variables(client: TestClient, deploy: Deploy, start: Start) -> None:
    deploy("external_task.bpmn")
    pid = start("externalProcess")["id"]
    url = f"{EX}/{pid}/localVariables"
    assert client.put(f"{url}/x", json={"value": "v", "type": "String"}).status_code == 204
    assert assert_json(client.get(f"{url}/x")) == {"type": "String", "value": "v", "valueInfo": {}}
    assert assert_json(client.get(url)) == {"x": {"type": "String", "value": "v", "valueInfo": {}}}
    assert client.post(url, json={"deletions": ["x"]}).status_code == 204
    assert_error(
        client.get(f"{url}/x"),
        404,
        "InvalidRequestException",
        "execution variable with name x does not exist",
    )
