"""Every Camunda value type through REST: PUT/GET round trips, refusals, deserializeValues,
transient values, binary values through ``/data``, size limits, and ``/variable-instance``."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from tests.variable_cases import REFUSALS, ROUND_TRIPS

from cadenza.api import create_app
from cadenza.config import EngineConfig
from cadenza.services import Engine

from .conftest import Deploy, Start
from .helpers import BASE, assert_error, assert_json, resource

PI = f"{BASE}/process-instance"
VI = f"{BASE}/variable-instance"


@pytest.fixture
def pid(deploy: Deploy, start: Start) -> str:
    deploy("user_task.bpmn")
    return str(start("userProcess")["id"])


def _put(client: TestClient, pid: str, name: str, dto: dict[str, Any]) -> Any:
    return client.put(f"{PI}/{pid}/variables/{name}", json=dto)


def _task_id(client: TestClient, pid: str, key: str | None = None) -> str:
    params = {"processInstanceId": pid, **({"taskDefinitionKey": key} if key else {})}
    tasks = assert_json(client.get(f"{BASE}/task", params=params))
    assert len(tasks) == 1, tasks
    return str(tasks[0]["id"])


# ── round trips ─────────────────────────────────────────────────────────────────────────────


@pytest.mark.parametrize(("sent", "answered"), [c[1:] for c in ROUND_TRIPS], ids=[c[0] for c in ROUND_TRIPS])
def test_put_then_get_round_trips_every_type(
    client: TestClient, pid: str, sent: dict[str, Any], answered: dict[str, Any]
) -> None:
    assert _put(client, pid, "v", sent).status_code == 204
    assert assert_json(client.get(f"{PI}/{pid}/variables/v")) == answered
    assert assert_json(client.get(f"{PI}/{pid}/variables"))["v"] == answered
    assert assert_json(client.get(f"{BASE}/execution/{pid}/localVariables/v")) == answered


@pytest.mark.parametrize(("sent", "answered"), [c[1:] for c in ROUND_TRIPS], ids=[c[0] for c in ROUND_TRIPS])
def test_start_and_modify_take_every_type(
    client: TestClient, deploy: Deploy, start: Start, sent: dict[str, Any], answered: dict[str, Any]
) -> None:
    deploy("user_task.bpmn")
    pid = start("userProcess", variables={"v": sent})["id"]
    assert assert_json(client.get(f"{PI}/{pid}/variables/v")) == answered
    response = client.post(f"{PI}/{pid}/variables", json={"modifications": {"w": sent}})
    assert response.status_code == 204
    assert assert_json(client.get(f"{PI}/{pid}/variables/w")) == answered


@pytest.mark.parametrize(("sent", "message"), [c[1:] for c in REFUSALS], ids=[c[0] for c in REFUSALS])
def test_bad_values_are_refused_with_400(
    client: TestClient, pid: str, sent: dict[str, Any], message: str
) -> None:
    body = assert_json(_put(client, pid, "v", sent), 400)
    assert body["message"].startswith("Cannot put process instance variable v: "), body
    assert message in body["message"], body
    assert client.get(f"{PI}/{pid}/variables/v").status_code == 404


@pytest.mark.parametrize(("sent", "message"), [c[1:] for c in REFUSALS], ids=[c[0] for c in REFUSALS])
def test_bad_values_are_refused_on_start(
    client: TestClient, deploy: Deploy, sent: dict[str, Any], message: str
) -> None:
    deploy("user_task.bpmn")
    response = client.post(
        f"{BASE}/process-definition/key/userProcess/start", json={"variables": {"v": sent}}
    )
    body = assert_json(response, 400)
    assert message in body["message"], body
    assert assert_json(client.get(f"{PI}/count"))["count"] == 0


def test_type_names_are_case_sensitive_after_the_first_letter(client: TestClient, pid: str) -> None:
    for name in ("integer", "Integer"):
        assert _put(client, pid, "v", {"type": name, "value": 1}).status_code == 204
        assert assert_json(client.get(f"{PI}/{pid}/variables/v"))["type"] == "Integer"
    assert_error(
        _put(client, pid, "v", {"type": "iNTEGER", "value": 1}),
        400,
        "RestException",
        "Cannot put process instance variable v: Unsupported value type 'iNTEGER'",
    )


def test_deserialize_values_flag(client: TestClient, pid: str) -> None:
    text = '{"b":1}'
    info = {"serializationDataFormat": "application/json", "objectTypeName": "java.util.HashMap"}
    _put(client, pid, "o", {"type": "Object", "value": text, "valueInfo": info})
    _put(client, pid, "j", {"type": "Json", "value": text})
    url = f"{PI}/{pid}/variables"
    assert assert_json(client.get(f"{url}/o"))["value"] == {"b": 1}
    assert assert_json(client.get(f"{url}/o", params={"deserializeValue": "false"}))["value"] == text
    assert assert_json(client.get(url))["o"]["value"] == {"b": 1}
    assert assert_json(client.get(url, params={"deserializeValues": "false"}))["o"]["value"] == text
    # Json values are strings either way (clients JSON.parse them)
    assert assert_json(client.get(f"{url}/j"))["value"] == text
    assert assert_json(client.get(f"{url}/j", params={"deserializeValue": "false"}))["value"] == text
    listed = assert_json(client.get(VI, params={"variableName": "o", "deserializeValues": "false"}))
    assert listed[0]["value"] == text
    assert assert_json(client.get(VI, params={"variableName": "o"}))[0]["value"] == {"b": 1}
    assert_error(client.get(f"{url}/o", params={"deserializeValue": "maybe"}), 400, "InvalidRequestException")


def test_fetch_and_lock_serializes_unless_asked(client: TestClient, deploy: Deploy, start: Start) -> None:
    deploy("external_task.bpmn")
    info = {"serializationDataFormat": "application/json", "objectTypeName": "java.util.HashMap"}
    start("externalProcess", variables={"o": {"type": "Object", "value": '{"b":1}', "valueInfo": info}})

    def fetch(**topic: Any) -> Any:
        body = {
            "workerId": "w",
            "maxTasks": 1,
            "topics": [{"topicName": "work", "lockDuration": 1000, **topic}],
        }
        tasks = assert_json(client.post(f"{BASE}/external-task/fetchAndLock", json=body))
        client.post(f"{BASE}/external-task/{tasks[0]['id']}/unlock")
        return tasks[0]["variables"]["o"]["value"]

    assert fetch() == '{"b":1}'
    assert fetch(deserializeValues=True) == {"b": 1}


# ── transient values ────────────────────────────────────────────────────────────────────────


def test_transient_start_variable_routes_but_is_not_stored(
    client: TestClient, deploy: Deploy, start: Start
) -> None:
    deploy("variables_start_route.bpmn")
    route = {"type": "String", "value": "yes", "valueInfo": {"transient": True}}
    pid = start("variablesStartRoute", variables={"route": route})["id"]
    assert (
        assert_json(client.get(f"{BASE}/task", params={"processInstanceId": pid}))[0]["taskDefinitionKey"]
        == "yes"
    )
    assert assert_json(client.get(f"{PI}/{pid}/variables")) == {}
    assert assert_json(client.get(f"{VI}/count"))["count"] == 0


def test_transient_task_completion_variable_routes_but_is_not_stored(
    client: TestClient, deploy: Deploy, start: Start
) -> None:
    deploy("variables_route.bpmn")
    pid = start("variablesRoute")["id"]
    task = _task_id(client, pid)
    body = {"variables": {"route": {"value": "yes", "valueInfo": {"transient": True}}}}
    assert client.post(f"{BASE}/task/{task}/complete", json=body).status_code == 204
    assert (
        assert_json(client.get(f"{BASE}/task", params={"processInstanceId": pid}))[0]["taskDefinitionKey"]
        == "yes"
    )
    assert assert_json(client.get(f"{PI}/{pid}/variables")) == {}


def test_transient_put_and_modify_are_not_stored(client: TestClient, pid: str) -> None:
    transient = {"type": "Integer", "value": 1, "valueInfo": {"transient": True}}
    assert _put(client, pid, "t", transient).status_code == 204
    assert client.get(f"{PI}/{pid}/variables/t").status_code == 404
    assert client.post(f"{PI}/{pid}/variables", json={"modifications": {"u": transient}}).status_code == 204
    assert assert_json(client.get(f"{PI}/{pid}/variables")) == {}
    task = _task_id(client, pid)
    assert client.put(f"{BASE}/task/{task}/localVariables/t", json=transient).status_code == 204
    assert assert_json(client.get(f"{BASE}/task/{task}/localVariables")) == {}
    assert assert_json(client.get(f"{VI}/count"))["count"] == 0


def test_transient_over_persistent_is_refused(client: TestClient, pid: str) -> None:
    _put(client, pid, "x", {"value": 1})
    body = assert_json(_put(client, pid, "x", {"value": 2, "valueInfo": {"transient": True}}), 400)
    assert "ENGINE-03078" in body["message"]
    assert assert_json(client.get(f"{PI}/{pid}/variables/x"))["value"] == 1


def test_transient_external_task_variables_are_not_stored(
    client: TestClient, deploy: Deploy, start: Start
) -> None:
    deploy("variables_scopes.bpmn")
    pid = start("variablesScopes")["id"]
    body = {"workerId": "w", "maxTasks": 1, "topics": [{"topicName": "left", "lockDuration": 5000}]}
    task = assert_json(client.post(f"{BASE}/external-task/fetchAndLock", json=body))[0]
    done = {
        "workerId": "w",
        "variables": {
            "tr": {"type": "integer", "value": 1, "valueInfo": {"transient": True}},
            "kept": {"value": 2},
        },
        "localVariables": {"trl": {"value": "x", "valueInfo": {"transient": True}}},
    }
    assert client.post(f"{BASE}/external-task/{task['id']}/complete", json=done).status_code == 204
    assert set(assert_json(client.get(f"{PI}/{pid}/variables"))) == {"kept"}


# ── binary values through /data ─────────────────────────────────────────────────────────────


def test_file_upload_and_download_on_every_resource(client: TestClient, pid: str) -> None:
    content = bytes(range(256)) * 4
    files = {"data": ("report.pdf", content, "application/pdf")}
    response = client.post(f"{PI}/{pid}/variables/doc/data", files=files, data={"valueType": "File"})
    assert response.status_code == 204, response.text
    meta = assert_json(client.get(f"{PI}/{pid}/variables/doc"))
    assert meta == {
        "type": "File",
        "value": None,
        "valueInfo": {"filename": "report.pdf", "mimeType": "application/pdf"},
    }
    variable_id = assert_json(client.get(VI, params={"variableName": "doc"}))[0]["id"]
    for url in (
        f"{PI}/{pid}/variables/doc/data",
        f"{BASE}/execution/{pid}/localVariables/doc/data",  # the JavaScript client's download
        f"{VI}/{variable_id}/data",
        f"{BASE}/task/{_task_id(client, pid)}/variables/doc/data",
    ):
        download = client.get(url)
        assert download.status_code == 200, url
        assert download.content == content
        assert download.headers["content-type"] == "application/pdf"
        assert download.headers["content-disposition"] == 'attachment; filename="report.pdf"'


def test_file_sent_as_json_is_served_with_charset(client: TestClient, pid: str) -> None:
    info = {"filename": "sample.bpmn", "mimetype": "text/xml", "encoding": "UTF-8"}
    _put(client, pid, "f", {"type": "file", "value": base64.b64encode(b"<x/>").decode(), "valueInfo": info})
    download = client.get(f"{PI}/{pid}/variables/f/data")
    assert download.content == b"<x/>"
    assert download.headers["content-type"] == "text/xml; charset=UTF-8"


def test_file_upload_takes_encoding_and_transient_from_the_part_content_type(
    client: TestClient, pid: str
) -> None:
    files = {"data": ("a.txt", b"hi", "text/plain; encoding=ISO-8859-1")}
    client.post(f"{PI}/{pid}/variables/f/data", files=files, data={"valueType": "file"})
    info = assert_json(client.get(f"{PI}/{pid}/variables/f"))["valueInfo"]
    assert info == {"filename": "a.txt", "mimeType": "text/plain", "encoding": "ISO-8859-1"}
    files = {"data": ("a.txt", b"hi", "text/plain; transient=true")}
    assert (
        client.post(f"{PI}/{pid}/variables/g/data", files=files, data={"valueType": "File"}).status_code
        == 204
    )
    assert client.get(f"{PI}/{pid}/variables/g").status_code == 404


def test_bytes_upload_is_the_default(client: TestClient, pid: str) -> None:
    files = {"data": ("blob", b"\x00\x01\xff", "application/octet-stream")}
    assert client.post(f"{PI}/{pid}/variables/b/data", files=files).status_code == 204
    assert assert_json(client.get(f"{PI}/{pid}/variables/b")) == {
        "type": "Bytes",
        "value": "AAH/",
        "valueInfo": {},
    }
    download = client.get(f"{PI}/{pid}/variables/b/data")
    assert download.content == b"\x00\x01\xff"
    assert download.headers["content-type"] == "application/octet-stream"
    assert "content-disposition" not in download.headers


def test_object_upload_with_a_type_part(client: TestClient, pid: str) -> None:
    files = {"data": ("o.json", b'{"a":1}', "application/json")}
    data = {"type": "com.acme.Order"}
    assert client.post(f"{PI}/{pid}/variables/o/data", files=files, data=data).status_code == 204
    assert assert_json(client.get(f"{PI}/{pid}/variables/o")) == {
        "type": "Object",
        "value": {"a": 1},
        "valueInfo": {"objectTypeName": "com.acme.Order", "serializationDataFormat": "application/json"},
    }
    files = {"data": ("o.bin", b"\xac\xed", "application/octet-stream")}
    body = assert_json(client.post(f"{PI}/{pid}/variables/p/data", files=files, data=data), 400)
    assert "Unrecognized content type for serialized java type" in body["message"]


def test_task_binary_variables_local_and_visible(client: TestClient, pid: str) -> None:
    task = _task_id(client, pid)
    files = {"data": ("notes.txt", b"local", "text/plain")}
    url = f"{BASE}/task/{task}/localVariables/notes/data"
    assert client.post(url, files=files, data={"valueType": "File"}).status_code == 204
    assert client.get(url).content == b"local"
    assert client.get(f"{BASE}/task/{task}/variables/notes/data").content == b"local"
    assert client.get(f"{PI}/{pid}/variables/notes").status_code == 404  # task-local, not on the instance
    assert assert_json(client.get(VI, params={"taskIdIn": task}))[0]["name"] == "notes"
    files = {"data": ("shared.txt", b"shared", "text/plain")}
    assert (
        client.post(
            f"{BASE}/task/{task}/variables/shared/data", files=files, data={"valueType": "File"}
        ).status_code
        == 204
    )
    assert client.get(f"{PI}/{pid}/variables/shared/data").content == b"shared"


def test_data_errors(client: TestClient, pid: str) -> None:
    _put(client, pid, "s", {"value": "text"})
    assert_error(
        client.get(f"{PI}/{pid}/variables/s/data"),
        400,
        "InvalidRequestException",
        "Value of variable with id s is not a binary value.",
    )
    assert_error(
        client.get(f"{PI}/{pid}/variables/nope/data"),
        404,
        "InvalidRequestException",
        "process instance variable with name nope does not exist",
    )
    variable_id = assert_json(client.get(VI))[0]["id"]
    assert_error(
        client.get(f"{VI}/{variable_id}/data"),
        400,
        "InvalidRequestException",
        f"Value of variable with id {variable_id} is not a binary value.",
    )
    assert_error(client.get(f"{VI}/missing/data"), 404, "InvalidRequestException")
    assert client.get(f"{PI}/not-there/variables/x/data").status_code == 404
    files = {"data": ("a", b"x", "text/plain")}
    body = assert_json(
        client.post(f"{PI}/{pid}/variables/x/data", files=files, data={"valueType": "String"}), 400
    )
    assert body["message"] == "Cannot put process instance variable x: Unsupported value type 'String'"
    assert client.post(f"{PI}/{pid}/variables/x/data", json={"value": 1}).status_code == 415
    assert client.post(f"{PI}/{pid}/variables/x/data", files={"other": ("a", b"x")}).status_code == 400
    files = {"data": ("a", b"x", "not a mime type")}
    assert (
        client.post(f"{PI}/{pid}/variables/x/data", files=files, data={"valueType": "File"}).status_code
        == 400
    )


def test_download_headers_are_always_safe(client: TestClient, pid: str) -> None:
    info = {"filename": 'ü "q".txt\r\nX-Evil: 1', "mimeType": "text/plain\r\nX-Evil: 1", "encoding": "a b"}
    _put(client, pid, "f", {"type": "File", "value": "aGk=", "valueInfo": info})
    download = client.get(f"{PI}/{pid}/variables/f/data")
    assert download.status_code == 200
    assert download.headers["content-type"] == "application/octet-stream"
    assert "x-evil" not in download.headers
    disposition = download.headers["content-disposition"]
    assert disposition.startswith("attachment; filename=\"_ _q_.txt__X-Evil: 1\"; filename*=UTF-8''")
    # the exact valueInfo still round-trips through JSON
    assert assert_json(client.get(f"{PI}/{pid}/variables/f"))["valueInfo"] == info


# ── size limits ─────────────────────────────────────────────────────────────────────────────


@pytest.fixture
def small_client(tmp_path: Path) -> Iterator[TestClient]:
    config = EngineConfig(
        database_url=f"sqlite:///{tmp_path}/small.db",
        max_variable_value_bytes=100,
        max_variable_bytes_per_command=150,
    )
    with Engine(config) as engine, TestClient(create_app(engine)) as test_client:
        files = [("r", ("user_task.bpmn", resource("user_task.bpmn"), "application/octet-stream"))]
        assert test_client.post(f"{BASE}/deployment/create", files=files).status_code == 200
        yield test_client


def test_size_limits_answer_400(small_client: TestClient) -> None:
    client = small_client
    pid = assert_json(client.post(f"{BASE}/process-definition/key/userProcess/start", json={}))["id"]
    body = assert_json(_put(client, pid, "big", {"value": "x" * 101}), 400)
    assert body["message"] == (
        "Cannot put process instance variable big: Cannot set variable with name big: its value has "
        "101 bytes, more than the maximum of 100 bytes per value"
    )
    assert _put(client, pid, "ok", {"value": "é" * 50}).status_code == 204  # 100 bytes of UTF-8
    files = {"data": ("f.bin", b"\x00" * 101, "application/octet-stream")}
    assert assert_json(
        client.post(f"{PI}/{pid}/variables/f/data", files=files, data={"valueType": "File"}), 400
    )
    two = {"modifications": {"a": {"value": "x" * 80}, "b": {"value": "y" * 80}}}
    body = assert_json(client.post(f"{PI}/{pid}/variables", json=two), 400)
    assert "exceed the maximum of 150 bytes in all" in body["message"]
    assert set(assert_json(client.get(f"{PI}/{pid}/variables"))) == {"ok"}  # nothing of the refused call
    start = {"variables": {"a": {"value": "x" * 80}, "b": {"value": "y" * 80}}}
    assert_json(client.post(f"{BASE}/process-definition/key/userProcess/start", json=start), 400)


def test_name_limits_answer_400(client: TestClient, pid: str) -> None:
    long_name = "n" * 256
    body = assert_json(
        client.post(f"{PI}/{pid}/variables", json={"modifications": {long_name: {"value": 1}}}), 400
    )
    assert "at most 255 characters" in body["message"]
    assert (
        client.post(f"{PI}/{pid}/variables", json={"modifications": {"n" * 255: {"value": 1}}}).status_code
        == 204
    )


# ── /variable-instance ──────────────────────────────────────────────────────────────────────


DTO_KEYS = {
    "id",
    "name",
    "type",
    "value",
    "valueInfo",
    "processDefinitionId",
    "processInstanceId",
    "executionId",
    "caseInstanceId",
    "caseExecutionId",
    "taskId",
    "batchId",
    "activityInstanceId",
    "tenantId",
    "errorMessage",
}


def _names(response: Any) -> list[str]:
    return [v["name"] for v in assert_json(response)]


def test_variable_instance_query(client: TestClient, deploy: Deploy, start: Start) -> None:
    deploy("user_task.bpmn")
    first = start("userProcess", variables={"customer": {"value": "Acme"}, "amount": {"value": 10}})["id"]
    second = start(
        "userProcess", variables={"customer": {"value": "acme"}, "amount": {"type": "Double", "value": 2.5}}
    )["id"]
    task = _task_id(client, first)
    client.put(f"{BASE}/task/{task}/localVariables/note", json={"value": "n"})

    everything = assert_json(client.get(VI, params={"sortBy": "variableName", "sortOrder": "asc"}))
    assert [v["name"] for v in everything] == ["amount", "amount", "customer", "customer", "note"]
    assert all(set(v) == DTO_KEYS for v in everything)
    note = everything[-1]
    assert note["taskId"] == task and note["processInstanceId"] == first
    amount = next(v for v in everything if v["processInstanceId"] == first and v["name"] == "amount")
    assert amount["activityInstanceId"] == first  # instance-level variables: the instance's id
    assert amount["executionId"] == first and amount["processDefinitionId"].startswith("userProcess:")

    assert assert_json(client.get(f"{VI}/count"))["count"] == 5
    assert _names(client.get(VI, params={"variableName": "note"})) == ["note"]
    assert sorted(_names(client.get(VI, params={"variableNameLike": "cust%"}))) == ["customer", "customer"]
    assert sorted(_names(client.get(VI, params={"processInstanceIdIn": second}))) == ["amount", "customer"]
    assert len(assert_json(client.get(VI, params={"processInstanceIdIn": f"{first},{second}"}))) == 5
    assert len(assert_json(client.get(VI, params={"executionIdIn": first}))) == 3
    assert _names(client.get(VI, params={"taskIdIn": task})) == ["note"]
    assert len(assert_json(client.get(VI, params={"activityInstanceIdIn": first}))) == 2
    assert assert_json(client.get(VI, params={"tenantIdIn": "t1"})) == []
    assert assert_json(client.get(VI, params={"caseInstanceIdIn": "c"})) == []
    assert _names(client.get(VI, params={"variableValues": "customer_eq_Acme"})) == ["customer"]
    both = client.get(VI, params={"variableValues": "customer_eq_acme", "variableValuesIgnoreCase": "true"})
    assert len(assert_json(both)) == 2
    upper = client.get(VI, params={"variableValues": "CUSTOMER_eq_Acme", "variableNamesIgnoreCase": "true"})
    assert len(assert_json(upper)) == 1
    numeric = {"variableValues": [{"name": "amount", "operator": "gt", "value": 5}]}
    found = assert_json(client.post(VI, json=numeric))
    assert [(v["processInstanceId"], v["value"]) for v in found] == [(first, 10)]
    assert (
        assert_json(
            client.post(
                f"{VI}/count", json={"variableValues": [{"name": "amount", "operator": "lt", "value": 5}]}
            )
        )["count"]
        == 1
    )
    by_type = {"sorting": [{"sortBy": "variableType", "sortOrder": "desc"}], "processInstanceIdIn": [second]}
    assert [v["type"] for v in assert_json(client.post(VI, json=by_type))] == ["String", "Double"]
    assert len(assert_json(client.get(VI, params={"firstResult": 1, "maxResults": 2}))) == 2

    one = assert_json(client.get(f"{VI}/{note['id']}"))
    assert one == note
    assert_error(
        client.get(f"{VI}/missing"),
        404,
        "InvalidRequestException",
        "Variable instance with Id 'missing' does not exist.",
    )
    assert_error(
        client.get(VI, params={"sortBy": "value", "sortOrder": "asc"}), 400, "InvalidRequestException"
    )
    assert_error(client.get(VI, params={"sortBy": "variableName"}), 400, "InvalidRequestException")
    assert_error(client.get(VI, params={"variableValues": "nonsense"}), 400, "InvalidRequestException")


def test_variable_instance_routes_under_the_engine_name(client: TestClient, pid: str) -> None:
    _put(client, pid, "x", {"value": 1})
    assert len(assert_json(client.get(f"{BASE}/engine/default/variable-instance"))) == 1


# ── scopes: where complete, failure, bpmnError and start put variables ───────────────────────


def _fetch(client: TestClient, topic: str) -> dict[str, Any]:
    body = {"workerId": "w", "maxTasks": 1, "topics": [{"topicName": topic, "lockDuration": 60000}]}
    tasks = assert_json(client.post(f"{BASE}/external-task/fetchAndLock", json=body))
    assert len(tasks) == 1
    task: dict[str, Any] = tasks[0]
    return task


def _values(client: TestClient, url: str) -> dict[str, Any]:
    return {name: v["value"] for name, v in assert_json(client.get(url)).items()}


def test_external_task_variables_land_where_camunda_puts_them(
    client: TestClient, deploy: Deploy, start: Start
) -> None:
    deploy("variables_scopes.bpmn")
    pid = start("variablesScopes", variables={"started": {"value": 1}})["id"]
    left = _fetch(client, "left")
    assert left["executionId"] != pid  # a concurrent branch: local variables are truly local

    failure = {
        "workerId": "w",
        "retries": 1,
        "variables": {"failedOnce": {"value": True}},
        "localVariables": {"attempt": {"value": 1}},
    }
    assert client.post(f"{BASE}/external-task/{left['id']}/failure", json=failure).status_code == 204
    assert _values(client, f"{PI}/{pid}/variables") == {"started": 1, "failedOnce": True}
    assert _values(client, f"{BASE}/execution/{left['executionId']}/localVariables") == {"attempt": 1}
    assert _values(client, f"{PI}/{left['executionId']}/variables") == {
        "started": 1,
        "failedOnce": True,
        "attempt": 1,
    }

    # non-local writes update the nearest scope that has the name: "attempt" stays local
    complete = {
        "workerId": "w",
        "variables": {"attempt": {"value": 2}, "leftResult": {"value": "L"}},
        "localVariables": {"leftLocal": {"value": "gone"}},
    }
    assert client.post(f"{BASE}/external-task/{left['id']}/complete", json=complete).status_code == 204
    assert _values(client, f"{PI}/{pid}/variables") == {"started": 1, "failedOnce": True, "leftResult": "L"}

    right = _fetch(client, "right")
    error = {"workerId": "w", "errorCode": "E", "variables": {"why": {"value": "broken"}}}
    assert client.post(f"{BASE}/external-task/{right['id']}/bpmnError", json=error).status_code == 204
    handled = _task_id(client, pid, "handled")
    assert _values(client, f"{BASE}/task/{handled}/variables")["why"] == "broken"
    assert _values(client, f"{PI}/{pid}/variables")["why"] == "broken"


def test_local_variables_of_a_scope_activity_end_with_it(
    client: TestClient, deploy: Deploy, start: Start
) -> None:
    deploy("variables_scopes.bpmn")
    pid = start("variablesScopes")["id"]
    for topic in ("left", "right"):
        task = _fetch(client, topic)
        body = {
            "workerId": "w",
            "variables": {f"{topic}Out": {"value": 1}},
            "localVariables": {"tmp": {"value": 0}},
        }
        assert client.post(f"{BASE}/external-task/{task['id']}/complete", json=body).status_code == 204
    assert _values(client, f"{PI}/{pid}/variables") == {"leftOut": 1, "rightOut": 1}


def test_user_task_variables_land_where_camunda_puts_them(client: TestClient, pid: str) -> None:
    task = _task_id(client, pid)
    client.put(f"{BASE}/task/{task}/localVariables/draft", json={"value": "d"})
    client.put(f"{BASE}/task/{task}/variables/shared", json={"value": "s"})
    assert _values(client, f"{BASE}/task/{task}/localVariables") == {"draft": "d"}
    assert _values(client, f"{PI}/{pid}/variables") == {"shared": "s"}
    assert _values(client, f"{BASE}/task/{task}/variables") == {"draft": "d", "shared": "s"}
    # complete: non-local from the task's execution; a task-local name is not updated
    body = {
        "variables": {"draft": {"value": "final"}, "approved": {"value": True}},
        "withVariablesInReturn": True,
    }
    returned = assert_json(client.post(f"{BASE}/task/{task}/complete", json=body))
    assert {name: v["value"] for name, v in returned.items()} == {
        "shared": "s",
        "draft": "final",
        "approved": True,
    }
