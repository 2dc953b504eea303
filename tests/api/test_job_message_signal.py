"""REST contract of /job, /job-definition, /message, /signal and the suspension endpoints
(semantics §5.2, §6.4, §6.5)."""

from __future__ import annotations

from fastapi.testclient import TestClient

from .conftest import Deploy, Start
from .helpers import BASE, DATE_FORMAT, assert_error, assert_json

JOB_FIELDS = {
    "id",
    "jobDefinitionId",
    "processInstanceId",
    "processDefinitionId",
    "processDefinitionKey",
    "executionId",
    "exceptionMessage",
    "failedActivityId",
    "retries",
    "dueDate",
    "suspended",
    "priority",
    "tenantId",
    "createTime",
    "batchId",
}


def _job(client: TestClient, instance: str) -> dict[str, object]:
    (job,) = assert_json(client.get(f"{BASE}/job", params={"processInstanceId": instance}))
    return job  # type: ignore[no-any-return]


def test_async_job_is_listed_executed_and_fails_into_an_incident(
    client: TestClient, deploy: Deploy, start: Start
) -> None:
    deploy("jobs_and_messages.bpmn")
    instance = start("jobs_and_messages", variables={"ok": {"value": False, "type": "Boolean"}})["id"]
    job = _job(client, instance)
    assert set(job) == JOB_FIELDS
    assert job["retries"] == 3 and job["exceptionMessage"] is None and job["failedActivityId"] is None
    assert DATE_FORMAT.match(str(job["createTime"]))
    assert assert_json(client.get(f"{BASE}/job/count", params={"messages": "true"})) == {"count": 1}
    assert assert_json(client.get(f"{BASE}/job/count", params={"timers": "true"})) == {"count": 0}
    definitions = assert_json(client.get(f"{BASE}/job-definition"))
    assert [(d["activityId"], d["jobType"], d["jobConfiguration"]) for d in definitions] == [
        ("work", "async-continuation", "async-before")
    ]

    response = client.post(f"{BASE}/job/{job['id']}/execute")
    body = assert_error(response, 500, "ProcessEngineException")
    assert "ENGINE-02004" in body["message"]
    job = _job(client, instance)
    assert job["retries"] == 2 and job["failedActivityId"] == "work"
    trace = client.get(f"{BASE}/job/{job['id']}/stacktrace")
    assert trace.status_code == 200 and trace.headers["content-type"].startswith("text/plain")
    assert assert_json(client.get(f"{BASE}/job/count", params={"withException": "true"})) == {"count": 1}

    assert client.put(f"{BASE}/job/{job['id']}/retries", json={"retries": 0}).status_code == 204
    (incident,) = assert_json(client.get(f"{BASE}/incident", params={"incidentType": "failedJob"}))
    assert incident["configuration"] == job["id"]
    assert assert_json(client.get(f"{BASE}/job/count", params={"noRetriesLeft": "true"})) == {"count": 1}
    assert client.put(f"{BASE}/job/{job['id']}/retries", json={"retries": 1}).status_code == 204
    assert assert_json(client.get(f"{BASE}/incident/count")) == {"count": 0}

    assert (
        client.put(
            f"{BASE}/process-instance/{instance}/variables/ok", json={"value": True, "type": "Boolean"}
        ).status_code
        == 204
    )
    assert client.post(f"{BASE}/job/{job['id']}/execute").status_code == 204
    assert assert_json(client.get(f"{BASE}/job/count")) == {"count": 0}


def test_job_not_found_and_due_date_and_suspension(client: TestClient, deploy: Deploy, start: Start) -> None:
    assert_error(client.get(f"{BASE}/job/nope"), 404, "InvalidRequestException")
    assert_error(client.post(f"{BASE}/job/nope/execute"), 404, "InvalidRequestException")
    deploy("jobs_and_messages.bpmn")
    instance = start("jobs_and_messages", variables={"ok": {"value": True, "type": "Boolean"}})["id"]
    job = _job(client, instance)
    due = "2030-01-01T10:00:00.000+0000"
    assert client.put(f"{BASE}/job/{job['id']}/duedate", json={"duedate": due}).status_code == 204
    assert _job(client, instance)["dueDate"] == due
    assert client.put(f"{BASE}/job/{job['id']}/suspended", json={"suspended": True}).status_code == 204
    assert _job(client, instance)["suspended"] is True
    assert assert_json(client.get(f"{BASE}/job/count", params={"active": "true"})) == {"count": 0}


def test_message_correlation_and_signal(client: TestClient, deploy: Deploy, start: Start) -> None:
    deploy("jobs_and_messages.bpmn")
    instance = start(
        "jobs_and_messages", businessKey="order-1", variables={"ok": {"value": True, "type": "Boolean"}}
    )["id"]
    assert_error(
        client.post(f"{BASE}/message", json={"messageName": "go"}),
        400,
        "RestException",
        "org.camunda.bpm.engine.MismatchingMessageCorrelationException: Cannot correlate message 'go': "
        "No process definition or execution matches the parameters",
    )
    job = _job(client, instance)
    assert client.post(f"{BASE}/job/{job['id']}/execute").status_code == 204
    assert_error(
        client.post(f"{BASE}/message", json={}), 400, "InvalidRequestException", "No message name supplied"
    )
    body = assert_json(
        client.post(
            f"{BASE}/message",
            json={
                "messageName": "go",
                "businessKey": "order-1",
                "processVariables": {"amount": {"value": 5, "type": "Integer"}},
                "resultEnabled": True,
                "variablesInResultEnabled": True,
            },
        )
    )
    assert body[0]["resultType"] == "Execution"
    assert body[0]["execution"]["processInstanceId"] == instance
    assert body[0]["processInstance"] is None
    assert body[0]["variables"]["amount"] == {"type": "Integer", "value": 5, "valueInfo": {}}
    assert_error(
        client.post(f"{BASE}/signal", json={}), 400, "InvalidRequestException", "No signal name given"
    )
    assert client.post(f"{BASE}/signal", json={"name": "alarm"}).status_code == 204
    (task,) = assert_json(client.get(f"{BASE}/task", params={"processInstanceId": instance}))
    assert task["name"] == "Alarmed"


def test_process_instance_and_definition_suspension(client: TestClient, deploy: Deploy, start: Start) -> None:
    deployed = deploy("jobs_and_messages.bpmn")
    (definition_id,) = deployed["deployedProcessDefinitions"]
    instance = start("jobs_and_messages", variables={"ok": {"value": True, "type": "Boolean"}})["id"]
    assert (
        client.put(f"{BASE}/process-instance/{instance}/suspended", json={"suspended": True}).status_code
        == 204
    )
    assert assert_json(client.get(f"{BASE}/process-instance/{instance}"))["suspended"] is True
    assert _job(client, instance)["suspended"] is True
    assert_error(
        client.put(f"{BASE}/process-instance/nope/suspended", json={"suspended": True}),
        404,
        "NotFoundException",
    )
    assert (
        client.put(f"{BASE}/process-instance/{instance}/suspended", json={"suspended": False}).status_code
        == 204
    )
    assert _job(client, instance)["suspended"] is False

    response = client.put(
        f"{BASE}/process-definition/key/jobs_and_messages/suspended",
        json={"suspended": True, "includeProcessInstances": True},
    )
    assert response.status_code == 204
    assert assert_json(client.get(f"{BASE}/process-definition/{definition_id}"))["suspended"] is True
    assert _job(client, instance)["suspended"] is True
    started = client.post(f"{BASE}/process-definition/{definition_id}/start", json={})
    assert started.status_code in (400, 500)
    assert (
        client.put(
            f"{BASE}/process-definition/{definition_id}/suspended", json={"suspended": False}
        ).status_code
        == 204
    )
    assert assert_json(client.get(f"{BASE}/process-definition/{definition_id}"))["suspended"] is False
