"""``/process-instance``: queries, get, delete, variables."""

from __future__ import annotations

from fastapi.testclient import TestClient

from .conftest import Deploy, Start
from .helpers import BASE, assert_error, assert_json
from .test_process_definition import INSTANCE_KEYS

PI = f"{BASE}/process-instance"


def test_query_get_and_post(client: TestClient, deploy: Deploy, start: Start) -> None:
    deploy("external_task.bpmn", "user_task.bpmn")
    a = start("externalProcess", businessKey="a")
    b = start("userProcess", businessKey="b")

    listed = assert_json(client.get(PI, params={"sortBy": "businessKey", "sortOrder": "asc"}))
    assert [i["businessKey"] for i in listed] == ["a", "b"]
    assert all(set(i) == INSTANCE_KEYS and i["links"] == [] for i in listed)

    by_ids = assert_json(client.get(PI, params={"processInstanceIds": f"{a['id']},{b['id']}"}))
    assert len(by_ids) == 2
    assert assert_json(client.get(f"{PI}/count", params={"processDefinitionKey": "userProcess"})) == {
        "count": 1
    }

    posted = assert_json(
        client.post(
            PI,
            params={"firstResult": 0, "maxResults": 1},
            json={
                "processDefinitionKeyIn": ["externalProcess", "userProcess"],
                "sorting": [{"sortBy": "businessKey", "sortOrder": "desc"}],
                "variables": None,
                "active": True,
            },
        )
    )
    assert [i["businessKey"] for i in posted] == ["b"]
    assert assert_json(client.post(f"{PI}/count", json={"businessKey": "a"})) == {"count": 1}
    assert assert_json(client.post(f"{PI}/count")) == {"count": 2}


def test_variable_filters(client: TestClient, deploy: Deploy, start: Start) -> None:
    deploy("external_task.bpmn")
    start("externalProcess", variables={"customer_name": {"value": "acme"}})
    start("externalProcess", variables={"customer_name": {"value": "other"}})
    got = assert_json(client.get(PI, params={"variables": "customer_name_eq_acme"}))
    assert len(got) == 1
    posted = assert_json(
        client.post(PI, json={"variables": [{"name": "customer_name", "operator": "eq", "value": "other"}]})
    )
    assert len(posted) == 1
    assert_error(
        client.get(PI, params={"variables": "nonsense"}),
        400,
        "InvalidRequestException",
        "Cannot set query parameter 'variables' to value 'nonsense': "
        "variable query parameter has to have format KEY_OPERATOR_VALUE.",
    )
    assert_error(
        client.post(PI, json={"variables": [{"name": "x", "operator": "about", "value": 1}]}),
        400,
        "InvalidRequestException",
        "Invalid variable comparator specified: about",
    )


def test_query_errors(client: TestClient) -> None:
    assert_error(
        client.get(PI, params={"sortOrder": "asc"}),
        400,
        "InvalidRequestException",
        "Only a single sorting parameter specified. sortBy and sortOrder required",
    )
    assert_error(
        client.post(PI, json={"sorting": [{"sortBy": "nope", "sortOrder": "asc"}]}),
        400,
        "InvalidRequestException",
        "Cannot set query parameter 'sortBy' to value 'nope'",
    )
    body = assert_error(
        client.post(PI, json={"processInstanceIds": "a,b", "active": "sometimes"}),
        400,
        "InvalidRequestException",
    )
    assert "active" in body["message"]
    body = assert_error(
        client.post(PI, json={"processDefinitionKeyIn": [1, 2]}), 400, "InvalidRequestException"
    )
    assert "processDefinitionKeyIn" in body["message"]
    assert_error(client.get(PI, params={"active": "yes"}), 400, "InvalidRequestException")
    assert_error(client.get(PI, params={"firstResult": "-1"}), 400, "InvalidRequestException")


def test_booleans_are_case_insensitive(client: TestClient, deploy: Deploy, start: Start) -> None:
    deploy("external_task.bpmn")
    start("externalProcess")
    for value in ("true", "True", "TRUE"):
        assert len(assert_json(client.get(PI, params={"active": value}))) == 1
    assert assert_json(client.get(PI, params={"suspended": "True"})) == []


def test_get_single_has_self_link(client: TestClient, deploy: Deploy, start: Start) -> None:
    deploy("external_task.bpmn")
    started = start("externalProcess", businessKey="k")
    body = assert_json(client.get(f"{PI}/{started['id']}"))
    assert set(body) == INSTANCE_KEYS
    assert body["links"] == [
        {"method": "GET", "href": f"http://testserver{PI}/{started['id']}", "rel": "self"}
    ]
    assert body["businessKey"] == "k"


def test_unknown_instance_is_404(client: TestClient) -> None:
    body = assert_error(
        client.get(f"{PI}/nope"),
        404,
        "InvalidRequestException",
        "Process instance with id nope does not exist",
    )
    assert body["code"] is None


def test_delete(client: TestClient, deploy: Deploy, start: Start) -> None:
    deploy("external_task.bpmn")
    started = start("externalProcess")
    response = client.request(
        "DELETE", f"{PI}/{started['id']}", params={"skipCustomListeners": "true"}, json={}
    )
    assert response.status_code == 204, response.text
    assert response.content == b""
    assert_error(client.delete(f"{PI}/{started['id']}"), 404, "InvalidRequestException")
    assert client.delete(f"{PI}/{started['id']}", params={"failIfNotExists": "false"}).status_code == 204
    assert assert_json(client.get(f"{PI}/count")) == {"count": 0}


def test_variables_roundtrip(client: TestClient, deploy: Deploy, start: Start) -> None:
    deploy("external_task.bpmn")
    pid = start("externalProcess", variables={"a": {"value": "one"}})["id"]
    url = f"{PI}/{pid}/variables"

    put = client.put(f"{url}/b", json={"value": 42, "type": "Long"})
    assert put.status_code == 204, put.text
    assert assert_json(client.get(f"{url}/b")) == {"type": "Long", "value": 42, "valueInfo": {}}

    obj = client.put(
        f"{url}/o",
        json={
            "value": '{"x": 1}',
            "type": "Object",
            "valueInfo": {
                "objectTypeName": "java.util.HashMap",
                "serializationDataFormat": "application/json",
            },
        },
    )
    assert obj.status_code == 204, obj.text
    assert assert_json(client.get(f"{url}/o"))["value"] == {"x": 1}
    assert assert_json(client.get(f"{url}/o", params={"deserializeValue": "false"}))["value"] == '{"x": 1}'
    everything = assert_json(client.get(url, params={"deserializeValues": "False"}))
    assert set(everything) == {"a", "b", "o"}
    assert everything["o"]["value"] == '{"x": 1}'

    patch = client.post(
        url, json={"modifications": {"c": {"value": True}}, "deletions": ["a"], "workerId": "ignored"}
    )
    assert patch.status_code == 204, patch.text
    assert set(assert_json(client.get(url))) == {"b", "c", "o"}

    assert client.delete(f"{url}/b").status_code == 204
    assert_error(
        client.get(f"{url}/b"),
        404,
        "InvalidRequestException",
        "process instance variable with name b does not exist",
    )


def test_variable_errors_write_nothing(client: TestClient, deploy: Deploy, start: Start) -> None:
    deploy("external_task.bpmn")
    pid = start("externalProcess", variables={"a": {"value": "one"}})["id"]
    url = f"{PI}/{pid}/variables"
    body = assert_error(
        client.put(f"{url}/n", json={"value": "x", "type": "Integer"}), 400, "InvalidRequestException"
    )
    assert body["message"].startswith("Cannot put process instance variable n: ")
    body = assert_error(
        client.post(url, json={"modifications": {"ok": {"value": 1}, "bad": {"value": "x", "type": "Nope"}}}),
        400,
        "RestException",
    )
    assert body["message"].startswith(f"Cannot modify variables for process instance {pid}: ")
    body = assert_error(client.post(url, json={"modifications": [1]}), 400, "InvalidRequestException")
    assert "modifications" in body["message"]
    assert set(assert_json(client.get(url))) == {"a"}


def test_variables_of_unknown_instance(client: TestClient) -> None:
    response = client.get(f"{PI}/nope/variables/x")
    assert response.status_code == 404
    response = client.put(f"{PI}/nope/variables/x", json={"value": 1})
    assert response.status_code == 404
    assert response.json()["message"].startswith("Cannot put process instance variable x: ")
