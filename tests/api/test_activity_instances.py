"""``GET /process-instance/{id}/activity-instances``: the activity-instance tree."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from cadenza.services import Engine

from .cockpit_support import complete_approval, complete_charge, deploy_order, fail_charge, start_order
from .helpers import BASE, assert_error, assert_json, resource

KEYS = {
    "id",
    "parentActivityInstanceId",
    "activityId",
    "activityType",
    "processInstanceId",
    "processDefinitionId",
    "childActivityInstances",
    "childTransitionInstances",
    "executionIds",
    "activityName",
    "incidentIds",
    "incidents",
    "name",
}


def _tree(client: TestClient, instance_id: str) -> dict[str, Any]:
    url = f"{BASE}/process-instance/{instance_id}/activity-instances"
    tree: dict[str, Any] = assert_json(client.get(url))
    return tree


def _children(node: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {child["activityId"]: child for child in node["childActivityInstances"]}


def test_root_is_the_process_instance(client: TestClient, engine: Engine) -> None:
    definition_id = deploy_order(engine)
    instance_id = start_order(client)
    tree = _tree(client, instance_id)
    assert set(tree) == KEYS
    assert tree["id"] == instance_id
    assert tree["parentActivityInstanceId"] is None
    assert tree["activityId"] == definition_id
    assert tree["activityType"] == "processDefinition"
    assert tree["activityName"] == tree["name"] == "Order fulfilment"
    assert tree["processInstanceId"] == instance_id
    assert tree["processDefinitionId"] == definition_id
    assert tree["executionIds"] == [instance_id]
    assert tree["childTransitionInstances"] == []
    assert (tree["incidentIds"], tree["incidents"]) == ([], [])


def test_parallel_paths_are_sibling_activity_instances(client: TestClient, engine: Engine) -> None:
    deploy_order(engine)
    instance_id = start_order(client)
    tree = _tree(client, instance_id)
    children = _children(tree)
    assert set(children) == {"approve", "charge"}
    approve, charge = children["approve"], children["charge"]
    assert set(approve) == KEYS
    assert approve["id"].startswith("approve:")
    assert approve["parentActivityInstanceId"] == instance_id
    assert (approve["activityType"], approve["activityName"]) == ("userTask", "Approve order")
    assert (charge["activityType"], charge["activityName"]) == ("serviceTask", "Charge card")
    assert approve["childActivityInstances"] == []
    # each path is its own concurrent execution
    assert len(approve["executionIds"]) == 1
    assert approve["executionIds"] != charge["executionIds"]
    assert instance_id not in approve["executionIds"]
    (task,) = assert_json(client.get(f"{BASE}/task", params={"activityInstanceIdIn": approve["id"]}))
    assert task["taskDefinitionKey"] == "approve"
    assert task["executionId"] == approve["executionIds"][0]


def test_sub_process_nests_its_activities(client: TestClient, engine: Engine) -> None:
    deploy_order(engine)
    instance_id = start_order(client)
    complete_approval(client, instance_id)
    complete_charge(client, instance_id)
    tree = _tree(client, instance_id)
    children = _children(tree)
    assert set(children) == {"shipping"}
    shipping = children["shipping"]
    assert shipping["activityType"] == "subProcess"
    assert shipping["parentActivityInstanceId"] == instance_id
    pack = _children(shipping)["pack"]
    assert pack["parentActivityInstanceId"] == shipping["id"]
    assert pack["activityType"] == "userTask"
    assert pack["executionIds"] == shipping["executionIds"]  # the sub-process scope runs "pack"
    (task,) = assert_json(client.get(f"{BASE}/task", params={"activityInstanceIdIn": pack["id"]}))
    assert task["taskDefinitionKey"] == "pack"


def test_incident_is_on_the_failing_activity_instance(client: TestClient, engine: Engine) -> None:
    deploy_order(engine)
    instance_id = start_order(client)
    fail_charge(client, instance_id)
    incident = assert_json(client.get(f"{BASE}/incident", params={"processInstanceId": instance_id}))[0]
    tree = _tree(client, instance_id)
    charge = _children(tree)["charge"]
    assert charge["incidentIds"] == [incident["id"]]
    assert charge["incidents"] == [{"id": incident["id"], "activityId": "charge"}]
    assert _children(tree)["approve"]["incidentIds"] == []
    assert tree["incidentIds"] == []


def test_single_task_process_runs_on_the_root_execution(client: TestClient, engine: Engine) -> None:
    engine.repository.deploy([("user_task.bpmn", resource("user_task.bpmn"))])
    started = assert_json(client.post(f"{BASE}/process-definition/key/userProcess/start", json={}))
    tree = _tree(client, started["id"])
    (review,) = tree["childActivityInstances"]
    assert review["activityId"] == "review"
    assert review["executionIds"] == [started["id"]]


def test_unknown_or_ended_instance_is_404(client: TestClient, engine: Engine) -> None:
    response = client.get(f"{BASE}/process-instance/nope/activity-instances")
    assert_error(response, 404, "InvalidRequestException", "Process instance with id nope does not exist")
    deploy_order(engine)
    instance_id = start_order(client)
    assert client.delete(f"{BASE}/process-instance/{instance_id}").status_code == 204
    response = client.get(f"{BASE}/process-instance/{instance_id}/activity-instances")
    assert_error(response, 404, "InvalidRequestException")
