"""``/process-definition``: list, get by id/key, XML, start."""

from __future__ import annotations

from fastapi.testclient import TestClient

from .conftest import Deploy
from .helpers import BASE, assert_error, assert_json, resource
from .test_deployment import DEFINITION_KEYS

INSTANCE_KEYS = {
    "links",
    "id",
    "definitionId",
    "definitionKey",
    "businessKey",
    "caseInstanceId",
    "ended",
    "suspended",
    "tenantId",
}


def _instances(client: TestClient) -> int:
    count: int = assert_json(client.get(f"{BASE}/process-instance/count"))["count"]
    return count


def test_list_count_and_filters(client: TestClient, deploy: Deploy) -> None:
    deploy("external_task.bpmn", "user_task.bpmn")
    deploy("external_task.bpmn")
    listed = assert_json(
        client.get(f"{BASE}/process-definition", params={"sortBy": "version", "sortOrder": "desc"})
    )
    assert len(listed) == 3
    assert all(set(d) == DEFINITION_KEYS for d in listed)
    assert listed[0]["version"] == 2
    latest = assert_json(
        client.get(
            f"{BASE}/process-definition",
            params={"key": "externalProcess", "latestVersion": "True"},
        )
    )
    assert [d["version"] for d in latest] == [2]
    assert assert_json(
        client.get(f"{BASE}/process-definition/count", params={"keysIn": "externalProcess,userProcess"})
    ) == {"count": 3}
    assert_error(
        client.get(f"{BASE}/process-definition", params={"version": "one"}),
        400,
        "InvalidRequestException",
        "Cannot set query parameter 'version' to value 'one'",
    )


def test_get_by_id_and_key(client: TestClient, deploy: Deploy) -> None:
    deployed = deploy("external_task.bpmn")
    (definition_id,) = deployed["deployedProcessDefinitions"]
    by_id = assert_json(client.get(f"{BASE}/process-definition/{definition_id}"))
    by_key = assert_json(client.get(f"{BASE}/process-definition/key/externalProcess"))
    assert by_id == by_key
    assert by_id["id"] == definition_id


def test_unknown_definition_is_404(client: TestClient) -> None:
    assert_error(
        client.get(f"{BASE}/process-definition/nope:1:x"),
        404,
        "InvalidRequestException",
        "No matching definition with id nope:1:x",
    )
    assert_error(
        client.get(f"{BASE}/process-definition/key/nope"),
        404,
        "RestException",
        "No matching process definition with key: nope and no tenant-id",
    )
    assert_error(client.get(f"{BASE}/process-definition/key/nope/xml"), 404, "RestException")
    assert_error(client.post(f"{BASE}/process-definition/key/nope/start", json={}), 404, "RestException")
    assert_error(client.get(f"{BASE}/process-definition/key/nope/tenant-id/t1"), 404, "RestException")


def test_xml(client: TestClient, deploy: Deploy) -> None:
    deployed = deploy("external_task.bpmn")
    (definition_id,) = deployed["deployedProcessDefinitions"]
    for path in (f"{definition_id}/xml", "key/externalProcess/xml"):
        body = assert_json(client.get(f"{BASE}/process-definition/{path}"))
        assert set(body) == {"id", "bpmn20Xml"}
        assert body["id"] == definition_id
        assert body["bpmn20Xml"] == resource("external_task.bpmn").decode()


def test_start_by_key_returns_instance_with_self_link(client: TestClient, deploy: Deploy) -> None:
    deploy("external_task.bpmn")
    response = client.post(
        f"{BASE}/process-definition/key/externalProcess/start",
        json={"businessKey": "order-1", "variables": {"amount": {"value": 5, "type": "Integer"}}},
    )
    body = assert_json(response)
    assert set(body) == INSTANCE_KEYS
    assert body["links"] == [
        {"method": "GET", "href": f"http://testserver{BASE}/process-instance/{body['id']}", "rel": "self"}
    ]
    assert body["businessKey"] == "order-1"
    assert body["definitionKey"] == "externalProcess"
    assert body["ended"] is False
    assert body["caseInstanceId"] is None
    variables = assert_json(client.get(f"{BASE}/process-instance/{body['id']}/variables"))
    assert variables == {"amount": {"type": "Integer", "value": 5, "valueInfo": {}}}


def test_start_by_id_with_variables_in_return(client: TestClient, deploy: Deploy) -> None:
    deployed = deploy("straight_through.bpmn")
    (definition_id,) = deployed["deployedProcessDefinitions"]
    body = assert_json(
        client.post(
            f"{BASE}/process-definition/{definition_id}/start",
            json={
                "variables": {
                    "s": {"value": "x", "type": "string", "valueInfo": None},
                    "untyped": {"value": 3},
                    "obj": {"value": {"a": 1}},
                },
                "withVariablesInReturn": True,
                "unknownProperty": "ignored",
                "caseInstanceId": None,
            },
        )
    )
    assert set(body) == INSTANCE_KEYS | {"variables"}
    assert body["ended"] is True
    assert body["variables"]["s"] == {"type": "String", "value": "x", "valueInfo": {}}
    assert body["variables"]["untyped"]["type"] == "Integer"
    # serialized form for Object values in the start response
    assert isinstance(body["variables"]["obj"]["value"], str)


def test_start_with_empty_body(client: TestClient, deploy: Deploy) -> None:
    deploy("external_task.bpmn")
    response = client.post(f"{BASE}/process-definition/key/externalProcess/start")
    assert assert_json(response)["businessKey"] is None


def test_start_with_bad_variable_is_400_and_starts_nothing(client: TestClient, deploy: Deploy) -> None:
    deployed = deploy("external_task.bpmn")
    (definition_id,) = deployed["deployedProcessDefinitions"]
    response = client.post(
        f"{BASE}/process-definition/{definition_id}/start",
        json={"variables": {"n": {"value": "abc", "type": "Integer"}}},
    )
    body = assert_error(response, 400, "InvalidRequestException")
    assert body["message"].startswith(f"Cannot instantiate process definition {definition_id}: ")
    response = client.post(
        f"{BASE}/process-definition/key/externalProcess/start",
        json={"variables": {"n": {"value": 1, "type": "STRING"}}},
    )
    assert response.status_code == 400
    assert _instances(client) == 0


def test_start_with_wrong_json_types_is_400(client: TestClient, deploy: Deploy) -> None:
    deploy("external_task.bpmn")
    url = f"{BASE}/process-definition/key/externalProcess/start"
    body = assert_error(client.post(url, json={"businessKey": ["a"]}), 400, "InvalidRequestException")
    assert "businessKey" in body["message"]
    body = assert_error(client.post(url, json={"variables": []}), 400, "InvalidRequestException")
    assert "variables" in body["message"]
    body = assert_error(
        client.post(url, json={"variables": {"x": {"valueInfo": "nope"}}}), 400, "InvalidRequestException"
    )
    assert "valueInfo" in body["message"]
    assert_error(client.post(url, json=["not", "an", "object"]), 400, "InvalidRequestException")
    body = assert_error(
        client.post(url, content=b"{not json", headers={"content-type": "application/json"}),
        400,
        "InvalidRequestException",
    )
    assert "JSON" in body["message"]
    assert_error(
        client.post(url, content=b"businessKey=x", headers={"content-type": "text/plain"}),
        415,
        "NotSupportedException",
    )
    assert _instances(client) == 0


def test_start_instructions_are_refused(client: TestClient, deploy: Deploy) -> None:
    deploy("external_task.bpmn")
    response = client.post(
        f"{BASE}/process-definition/key/externalProcess/start",
        json={"startInstructions": [{"type": "startBeforeActivity", "activityId": "work"}]},
    )
    assert response.status_code == 400
    assert _instances(client) == 0
