"""Hostile and malformed input through the REST API: every case is a clean 4xx in Camunda's
error body, and nothing is written."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from .conftest import Deploy, Start
from .helpers import BASE

_MODEL_HEAD = (
    b'<?xml version="1.0"?>\n'
    b'<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" '
    b'xmlns:camunda="http://camunda.org/schema/1.0/bpmn" targetNamespace="t">'
)


def _model(body: bytes) -> bytes:
    return _MODEL_HEAD + b'<process id="p" isExecutable="true">' + body + b"</process></definitions>"


_VALID_START = b'<startEvent id="s"/><sequenceFlow id="f" sourceRef="s" targetRef="e"/><endEvent id="e"/>'

HOSTILE_MODELS: dict[str, bytes] = {
    "truncated": _model(_VALID_START)[:-20],
    "not xml": b"\x00\x01\x02 definitely not xml \xff\xfe",
    "empty": b"",
    "wrong root": b'<?xml version="1.0"?><html><body/></html>',
    "xxe local file": (
        b'<?xml version="1.0"?>\n<!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n'
        + _model(b'<startEvent id="s" name="&x;"/>')[len(b'<?xml version="1.0"?>\n') :]
    ),
    "external dtd": (
        b'<?xml version="1.0"?>\n<!DOCTYPE definitions SYSTEM "http://127.0.0.1:9/evil.dtd">\n'
        + _model(_VALID_START)[len(b'<?xml version="1.0"?>\n') :]
    ),
    "billion laughs": (
        b'<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol">'
        + b"".join(
            f'<!ENTITY lol{i} "{("&lol" + str(i - 1) + ";") * 10 if i > 1 else "&lol;" * 10}">'.encode()
            for i in range(1, 10)
        )
        + b"]>"
        + _model(b'<startEvent id="s" name="&lol9;"/>')[len(b'<?xml version="1.0"?>\n') :]
    ),
    "xinclude": _model(
        b'<startEvent id="s"><xi:include xmlns:xi="http://www.w3.org/2001/XInclude" '
        b'href="file:///etc/passwd" parse="text"/></startEvent>'
    ),
    "unsupported element": _model(
        b'<startEvent id="s"/><sequenceFlow id="f1" sourceRef="s" targetRef="g"/>'
        b'<complexGateway id="g"/><sequenceFlow id="f2" sourceRef="g" targetRef="e"/><endEvent id="e"/>'
    ),
    "java delegate": _model(
        b'<startEvent id="s"/><sequenceFlow id="f1" sourceRef="s" targetRef="t"/>'
        b'<serviceTask id="t" camunda:class="com.example.Evil"/>'
        b'<sequenceFlow id="f2" sourceRef="t" targetRef="e"/><endEvent id="e"/>'
    ),
    "script task": _model(
        b'<startEvent id="s"/><sequenceFlow id="f1" sourceRef="s" targetRef="t"/>'
        b'<scriptTask id="t" scriptFormat="python"><script>import os</script></scriptTask>'
        b'<sequenceFlow id="f2" sourceRef="t" targetRef="e"/><endEvent id="e"/>'
    ),
    "dangling flow": _model(b'<startEvent id="s"/><sequenceFlow id="f" sourceRef="s" targetRef="nowhere"/>'),
    "python in a condition": _model(
        b'<startEvent id="s"/><sequenceFlow id="f1" sourceRef="s" targetRef="g"/>'
        b'<exclusiveGateway id="g" default="f3"/>'
        b'<sequenceFlow id="f2" sourceRef="g" targetRef="e"><conditionExpression>'
        b"${__import__('os').system('id')}</conditionExpression></sequenceFlow>"
        b'<sequenceFlow id="f3" sourceRef="g" targetRef="e"/><endEvent id="e"/>'
    ),
}


def _assert_camunda_error(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/json"
    body: dict[str, Any] = response.json()
    assert set(body) >= {"type", "message", "code"}
    assert isinstance(body["type"], str) and body["type"]
    assert isinstance(body["message"], str)
    return body


def _counts(client: TestClient) -> tuple[int, int, int]:
    return (
        client.get(f"{BASE}/deployment/count").json()["count"],
        client.get(f"{BASE}/process-definition/count").json()["count"],
        client.get(f"{BASE}/process-instance/count").json()["count"],
    )


@pytest.mark.parametrize("case", sorted(HOSTILE_MODELS))
def test_deploy_hostile_or_broken_model_is_refused_with_parse_exception(
    client: TestClient, case: str
) -> None:
    before = _counts(client)
    response = client.post(
        f"{BASE}/deployment/create",
        data={"deployment-name": case},
        files={"data": ("model.bpmn", HOSTILE_MODELS[case], "application/octet-stream")},
    )
    body = _assert_camunda_error(response, 400)
    assert body["type"] == "ParseException"
    assert "root:" not in body["message"]  # no file content echoed back (XXE)
    assert _counts(client) == before


def test_deploy_unsupported_element_names_its_id(client: TestClient) -> None:
    response = client.post(
        f"{BASE}/deployment/create",
        files={"data": ("m.bpmn", HOSTILE_MODELS["unsupported element"], "application/xml")},
    )
    body = _assert_camunda_error(response, 400)
    errors = body["details"]["m.bpmn"]["errors"]
    assert any("g" in error["elementIds"] for error in errors)


def test_deploy_one_bad_resource_stores_none_of_the_others(client: TestClient) -> None:
    before = _counts(client)
    response = client.post(
        f"{BASE}/deployment/create",
        files=[
            ("a", ("good.bpmn", _model(_VALID_START), "application/xml")),
            ("b", ("bad.bpmn", HOSTILE_MODELS["truncated"], "application/xml")),
        ],
    )
    _assert_camunda_error(response, 400)
    assert _counts(client) == before


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        ({"variables": "not an object"}, "variables"),
        ({"variables": {"x": {"value": 1, "type": "NoSuchType"}}}, "NoSuchType"),
        ({"variables": {"x": {"value": "abc", "type": "Integer"}}}, "Integer"),
        ({"variables": {"x": {"value": 2**40, "type": "Integer"}}}, "Integer"),
        ({"variables": {"x": {"value": "31.02.2024", "type": "Date"}}}, "Date"),
        ({"variables": {"x": {"value": {"a": 1}, "type": "Json"}}}, "Json"),
        (
            {
                "variables": {
                    "x": {
                        "value": "rO0ABXNy",
                        "type": "Object",
                        "valueInfo": {"serializationDataFormat": "application/x-java-serialized-object"},
                    }
                }
            },
            "Java serialization",
        ),
        ({"businessKey": {"nested": True}}, "businessKey"),
    ],
)
def test_start_with_malformed_body_is_refused_and_creates_nothing(
    client: TestClient, deploy: Deploy, body: dict[str, Any], fragment: str
) -> None:
    deploy("straight_through.bpmn")
    key = client.get(f"{BASE}/process-definition").json()[0]["key"]
    before = _counts(client)
    response = client.post(f"{BASE}/process-definition/key/{key}/start", json=body)
    error = _assert_camunda_error(response, 400)
    assert fragment in error["message"]
    assert _counts(client) == before


def test_start_with_broken_json_is_refused(client: TestClient, deploy: Deploy) -> None:
    deploy("straight_through.bpmn")
    key = client.get(f"{BASE}/process-definition").json()[0]["key"]
    response = client.post(
        f"{BASE}/process-definition/key/{key}/start",
        content=b'{"businessKey": "x",',
        headers={"content-type": "application/json"},
    )
    _assert_camunda_error(response, 400)


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/process-instance/00000000-0000-0000-0000-000000000000"),
        ("DELETE", "/process-instance/00000000-0000-0000-0000-000000000000"),
        ("GET", "/process-instance/00000000-0000-0000-0000-000000000000/variables"),
        ("GET", "/process-definition/nope:1:x"),
        ("GET", "/process-definition/key/nope"),
        ("POST", "/process-definition/key/nope/start"),
        ("GET", "/process-definition/nope:1:x/xml"),
        ("GET", "/deployment/nope"),
        ("DELETE", "/deployment/nope"),
        ("GET", "/task/nope"),
        ("GET", "/external-task/nope"),
        ("GET", "/execution/nope"),
        ("GET", "/no-such-resource"),
    ],
)
def test_unknown_ids_answer_404_in_camunda_body(client: TestClient, method: str, path: str) -> None:
    response = client.request(method, f"{BASE}{path}", json={} if method == "POST" else None)
    _assert_camunda_error(response, 404)


@pytest.mark.parametrize(
    "query",
    [
        "maxResults=lots",
        "firstResult=-x",
        "sortBy=id",
        "sortBy=nonsense&sortOrder=asc",
        "sortBy=instanceId&sortOrder=sideways",
        "active=maybe",
    ],
)
def test_bad_query_parameters_answer_400(client: TestClient, query: str) -> None:
    response = client.get(f"{BASE}/process-instance?{query}")
    _assert_camunda_error(response, 400)


def test_put_variable_with_wrong_type_changes_nothing(
    client: TestClient, start: Start, deploy: Deploy
) -> None:
    deploy("user_task.bpmn")
    instance = start("userProcess", variables={"amount": {"value": 5, "type": "Integer"}})
    path = f"{BASE}/process-instance/{instance['id']}/variables/amount"
    response = client.put(path, json={"value": "five", "type": "Integer"})
    _assert_camunda_error(response, 400)
    assert client.get(path).json() == {"type": "Integer", "value": 5, "valueInfo": {}}


def test_oversized_body_is_refused(client: TestClient) -> None:
    huge = b"x" * (51 * 1024 * 1024)
    response = client.post(
        f"{BASE}/deployment/create",
        files={"data": ("big.bpmn", huge, "application/xml")},
    )
    assert response.status_code == 413
    assert response.json()["type"]
