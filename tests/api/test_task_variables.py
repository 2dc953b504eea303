"""``/task/{id}/variables``, ``/localVariables``, ``/form`` and ``/form-variables``."""

from __future__ import annotations

from fastapi.testclient import TestClient

from .helpers import BASE, assert_error, assert_json
from .task_support import TASK, get_task, only_task, review_task, variables_of

MISSING = "Cannot find task with id nope: task is null"
JSON_OBJECT = {
    "value": '{"k": [1, 2]}',
    "type": "Object",
    "valueInfo": {"objectTypeName": "java.util.LinkedHashMap", "serializationDataFormat": "application/json"},
}


def test_local_variables_belong_to_the_task(client: TestClient) -> None:
    instance_id, task = review_task(client)
    url = f"{TASK}/{task['id']}"
    client.post(
        f"{BASE}/process-instance/{instance_id}/variables",
        json={"modifications": {"shared": {"value": "pi"}, "shadowed": {"value": "pi"}}},
    )
    assert client.put(f"{url}/localVariables/mine", json={"value": 1, "type": "Integer"}).status_code == 204
    assert client.put(f"{url}/localVariables/shadowed", json={"value": "task"}).status_code == 204

    local = assert_json(client.get(f"{url}/localVariables"))
    assert local == {
        "mine": {"type": "Integer", "value": 1, "valueInfo": {}},
        "shadowed": {"type": "String", "value": "task", "valueInfo": {}},
    }
    visible = assert_json(client.get(f"{url}/variables"))
    assert {n: v["value"] for n, v in visible.items()} == {"mine": 1, "shadowed": "task", "shared": "pi"}
    assert variables_of(client, instance_id) == {"shared": "pi", "shadowed": "pi"}
    assert assert_json(client.get(f"{url}/localVariables/mine")) == {
        "type": "Integer",
        "value": 1,
        "valueInfo": {},
    }
    assert assert_json(client.get(f"{url}/variables/shared"))["value"] == "pi"
    assert_error(
        client.get(f"{url}/localVariables/shared"),
        404,
        "InvalidRequestException",
        "task variable with name shared does not exist",
    )
    assert get_task(client, task["id"])["taskState"] == "Updated"


def test_non_local_writes_update_the_nearest_scope_else_the_instance(client: TestClient) -> None:
    instance_id, task = review_task(client)
    url = f"{TASK}/{task['id']}"
    client.put(f"{url}/localVariables/x", json={"value": "local"})
    assert client.put(f"{url}/variables/x", json={"value": "updated"}).status_code == 204
    assert client.put(f"{url}/variables/y", json={"value": "new"}).status_code == 204
    assert assert_json(client.get(f"{url}/localVariables"))["x"]["value"] == "updated"
    assert variables_of(client, instance_id) == {"y": "new"}

    # deletions: the nearest variable of that name goes
    assert client.delete(f"{url}/variables/x").status_code == 204
    assert client.delete(f"{url}/variables/y").status_code == 204
    assert client.delete(f"{url}/variables/never").status_code == 204
    assert assert_json(client.get(f"{url}/variables")) == {}


def test_modify_variables_sets_then_deletes(client: TestClient) -> None:
    instance_id, task = review_task(client)
    url = f"{TASK}/{task['id']}"
    client.put(f"{url}/localVariables/old", json={"value": 1})
    response = client.post(
        f"{url}/localVariables",
        json={"modifications": {"a": {"value": "A"}, "gone": {"value": "x"}}, "deletions": ["old", "gone"]},
    )
    assert response.status_code == 204
    assert set(assert_json(client.get(f"{url}/localVariables"))) == {"a"}
    assert client.post(f"{url}/variables", json={"modifications": {"p": {"value": 2}}}).status_code == 204
    assert variables_of(client, instance_id) == {"p": 2}


def test_object_values_deserialized_or_not(client: TestClient) -> None:
    _, task = review_task(client)
    url = f"{TASK}/{task['id']}"
    assert client.put(f"{url}/localVariables/obj", json=JSON_OBJECT).status_code == 204
    assert assert_json(client.get(f"{url}/localVariables/obj"))["value"] == {"k": [1, 2]}
    raw = assert_json(client.get(f"{url}/localVariables/obj", params={"deserializeValue": "false"}))
    assert raw["value"] == '{"k": [1, 2]}'
    listed = assert_json(client.get(f"{url}/variables", params={"deserializeValues": "false"}))
    assert listed["obj"]["value"] == '{"k": [1, 2]}'


def test_task_local_variables_go_with_the_task(client: TestClient) -> None:
    instance_id, task = review_task(client)
    url = f"{TASK}/{task['id']}"
    client.put(f"{url}/localVariables/note", json={"value": "draft"})
    assert client.post(f"{url}/complete", json={}).status_code == 204
    nxt = only_task(client, instance_id)
    assert assert_json(client.get(f"{TASK}/{nxt['id']}/variables")) == {}
    assert variables_of(client, instance_id) == {}


def test_variable_errors_change_nothing(client: TestClient) -> None:
    instance_id, task = review_task(client)
    url = f"{TASK}/{task['id']}"
    client.put(f"{url}/localVariables/keep", json={"value": "k"})
    before = assert_json(client.get(f"{url}/variables"))

    assert_error(
        client.put(f"{url}/variables/x", json={"value": "a", "type": "Nope"}),
        400,
        "RestException",
        "Cannot put task variable x: Unsupported value type 'Nope'",
    )
    assert_error(
        client.put(f"{url}/localVariables/x", json={"value": "a", "type": "Integer"}),
        400,
        "InvalidRequestException",
    )
    body = assert_error(
        client.post(f"{url}/variables", json={"modifications": {"x": {"value": 1, "type": "Nope"}}}),
        400,
        "RestException",
    )
    assert body["message"].startswith(f"Cannot modify variables for task {task['id']}: ")
    assert_error(client.post(f"{url}/variables", json={"deletions": "keep"}), 400, "InvalidRequestException")
    assert_error(
        client.get(f"{url}/variables/x"),
        404,
        "InvalidRequestException",
        "task variable with name x does not exist",
    )
    assert_error(
        client.get(f"{url}/variables", params={"deserializeValues": "perhaps"}),
        400,
        "InvalidRequestException",
        "Cannot set query parameter 'deserializeValues' to value 'perhaps'",
    )
    assert assert_json(client.get(f"{url}/variables")) == before
    assert variables_of(client, instance_id) == {}


def test_variables_of_a_missing_task(client: TestClient) -> None:
    url = f"{TASK}/nope"
    assert_error(client.get(f"{url}/variables"), 404, "NullValueException", MISSING)
    assert_error(client.get(f"{url}/localVariables"), 404, "NullValueException", MISSING)
    assert_error(
        client.get(f"{url}/variables/x"), 404, "NullValueException", f"Cannot get task variable x: {MISSING}"
    )
    assert_error(
        client.put(f"{url}/localVariables/x", json={"value": 1}),
        404,
        "NullValueException",
        f"Cannot put task variable x: {MISSING}",
    )
    assert_error(
        client.delete(f"{url}/variables/x"),
        404,
        "NullValueException",
        f"Cannot delete task variable x: {MISSING}",
    )
    assert_error(
        client.post(f"{url}/variables", json={}),
        404,
        "NullValueException",
        f"Cannot modify variables for task nope: {MISSING}",
    )


def test_form_and_form_variables(client: TestClient) -> None:
    instance_id, task = review_task(client)
    url = f"{TASK}/{task['id']}"
    assert assert_json(client.get(f"{url}/form")) == {
        "key": "embedded:app:forms/review.html",
        "camundaFormRef": None,
        "contextPath": None,
    }
    client.post(
        f"{BASE}/process-instance/{instance_id}/variables",
        json={"modifications": {"a": {"value": 1}, "b": {"value": "two"}, "obj": JSON_OBJECT}},
    )
    client.put(f"{url}/localVariables/c", json={"value": True})
    form = assert_json(client.get(f"{url}/form-variables"))
    assert {n: v["value"] for n, v in form.items()} == {"a": 1, "b": "two", "c": True, "obj": {"k": [1, 2]}}
    some = assert_json(client.get(f"{url}/form-variables", params={"variableNames": "a,c,zzz"}))
    assert set(some) == {"a", "c"}
    raw = assert_json(client.get(f"{url}/form-variables", params={"deserializeValues": "false"}))
    assert raw["obj"]["value"] == '{"k": [1, 2]}'

    assert_error(client.get(f"{TASK}/nope/form"), 404, "RestException", "Cannot get form for task nope")
    assert_error(client.get(f"{TASK}/nope/form-variables"), 404, "NullValueException", MISSING)


def test_form_of_a_task_without_form_key(client: TestClient) -> None:
    instance_id, task = review_task(client)
    client.post(f"{TASK}/{task['id']}/complete", json={})
    archive = only_task(client, instance_id)
    assert assert_json(client.get(f"{TASK}/{archive['id']}/form")) == {
        "key": None,
        "camundaFormRef": None,
        "contextPath": None,
    }
