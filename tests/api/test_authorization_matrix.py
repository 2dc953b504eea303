"""The authorization matrix through the real app (SQLite, HTTP Basic on): every protected
endpoint x (no credentials, wrong password, user without permission, user with exactly the
permission Camunda asks for, administrator) gives 401/401/403-or-filtered/2xx/2xx, and a
refused call changes nothing (reliability R13, semantics §1.3)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from cadenza.services import (
    AuthorizationQuery,
    DeploymentQuery,
    Engine,
    ExecutionQuery,
    ExternalTaskQuery,
    FetchTopic,
    GroupQuery,
    IncidentQuery,
    JobQuery,
    ProcessDefinitionQuery,
    ProcessInstanceQuery,
    TaskQuery,
    TenantQuery,
    User,
    UserQuery,
)
from cadenza.services.variables import VariableInstanceQuery

from .auth_support import ADMIN_AUTH, auth_client, basic
from .helpers import BASE, resource

NOBODY = basic("nobody", "nobody-pw")
GRANTED = basic("granted", "granted-pw")
WRONG = basic("granted", "not-the-password")

# Camunda resource type ids
USER, GROUP, GROUP_MEMBERSHIP, AUTHORIZATION = 1, 2, 3, 4
PROCESS_DEFINITION, TASK, PROCESS_INSTANCE, DEPLOYMENT, TENANT = 6, 7, 8, 9, 11


@dataclass
class World:
    engine: Engine
    client: TestClient
    deployment_id: str = ""
    instance_id: str = ""
    task_id: str = ""
    authorization_id: str = ""
    external_task_id: str = ""
    ids: dict[str, str] = field(default_factory=dict)
    """more ids by name: definition (of userProcess), variable (of the userProcess instance),
    job (waiting in front of jobs_and_messages' async task), incident (a failed job)"""

    def format(self, text: str) -> str:
        return text.format(
            deployment=self.deployment_id,
            instance=self.instance_id,
            task=self.task_id,
            authorization=self.authorization_id,
            external_task=self.external_task_id,
            **self.ids,
        )

    def grant(self, resource_type: int, resource_id: str, *permissions: str, user: str = "granted") -> None:
        body = {
            "type": 1,
            "permissions": list(permissions),
            "userId": user,
            "resourceType": resource_type,
            "resourceId": self.format(resource_id),
        }
        response = self.client.post(f"{BASE}/authorization/create", json=body, headers=ADMIN_AUTH)
        assert response.status_code == 200, response.text

    def snapshot(self) -> dict[str, Any]:
        """What a refused call must leave untouched (read without any user: no filtering)."""
        e = self.engine
        return {
            "tasks": [(t.id, t.assignee, t.name) for t in e.tasks.query(TaskQuery())],
            "instances": [
                (i.id, i.suspended) for i in e.runtime.query_process_instances(ProcessInstanceQuery())
            ],
            "executions": [(x.id, x.activity_id) for x in e.runtime.query_executions(ExecutionQuery())],
            "variables": e.runtime.get_variables(self.instance_id) if self.instance_exists() else None,
            "task_variables": e.tasks.get_variables(self.task_id) if self.instance_exists() else None,
            "definitions": [
                (d.id, d.suspended) for d in e.repository.query_process_definitions(ProcessDefinitionQuery())
            ],
            "jobs": [
                (j.id, j.retries, j.due_date, j.suspended, j.priority) for j in e.jobs.query(JobQuery())
            ],
            "incidents": [(i.id, i.annotation) for i in e.incidents.query(IncidentQuery())],
            "deployments": [d.id for d in e.repository.query_deployments(DeploymentQuery())],
            "users": [u.id for u in e.identity.query_users(UserQuery())],
            "groups": [
                (g.id, [u.id for u in e.identity.query_users(UserQuery(member_of_group=g.id))])
                for g in e.identity.query_groups(GroupQuery())
            ],
            "tenants": [t.id for t in e.identity.query_tenants(TenantQuery())],
            "authorizations": [a.id for a in e.authorizations.query(AuthorizationQuery())],
            "external_tasks": [
                (t.id, t.worker_id, t.lock_expiration_time, t.retries, t.error_message, t.priority)
                for t in e.external_tasks.query(ExternalTaskQuery())
            ],
        }

    def instance_exists(self) -> bool:
        instances = self.engine.runtime.query_process_instances(ProcessInstanceQuery())
        return any(i.id == self.instance_id for i in instances)


@pytest.fixture
def world_factory(tmp_path: Path) -> Iterator[Callable[[], World]]:
    stack: list[Any] = []

    def make() -> World:
        directory = tmp_path / f"w{len(stack)}"
        directory.mkdir()
        manager = auth_client(directory)
        engine, client = manager.__enter__()
        stack.append(manager)
        world = World(engine, client)
        for user_id in ("nobody", "granted", "victim"):
            engine.identity.create_user(User(user_id), f"{user_id}-pw")
        files = {"data": ("user_task.bpmn", resource("user_task.bpmn"), "application/octet-stream")}
        deployed = client.post(f"{BASE}/deployment/create", files=files, headers=ADMIN_AUTH).json()
        world.deployment_id = deployed["id"]
        document = {"value": "aGVsbG8=", "type": "Bytes"}
        amount = {"variables": {"amount": {"value": 5, "type": "Integer"}, "document": document}}
        started = client.post(
            f"{BASE}/process-definition/key/userProcess/start", json=amount, headers=ADMIN_AUTH
        )
        world.instance_id = started.json()["id"]
        world.ids["definition"] = engine.repository.get_latest_process_definition("userProcess").id
        variables = engine.variables.query_variable_instances(
            VariableInstanceQuery(process_instance_id_in=[world.instance_id])
        )
        world.ids["variable"] = next(v.id for v in variables if v.name == "document")
        tasks = client.get(f"{BASE}/task", headers=ADMIN_AUTH).json()
        world.task_id = tasks[0]["id"]
        files = {"data": ("external_task.bpmn", resource("external_task.bpmn"), "application/octet-stream")}
        client.post(f"{BASE}/deployment/create", files=files, headers=ADMIN_AUTH)
        for _ in range(2):  # one to lock here, one left for fetchAndLock
            client.post(f"{BASE}/process-definition/key/externalProcess/start", json={}, headers=ADMIN_AUTH)
        [locked] = engine.external_tasks.fetch_and_lock("w1", 1, [FetchTopic("work", 60_000)])
        world.external_task_id = locked.task.id
        _jobs_and_messages(world)
        client.post(f"{BASE}/group/create", json={"id": "sales"}, headers=ADMIN_AUTH)
        body = {
            "type": 1,
            "permissions": ["READ"],
            "userId": "victim",
            "resourceType": USER,
            "resourceId": "x",
        }
        world.authorization_id = client.post(
            f"{BASE}/authorization/create", json=body, headers=ADMIN_AUTH
        ).json()["id"]
        return world

    yield make
    for manager in reversed(stack):
        manager.__exit__(None, None, None)


def _jobs_and_messages(world: World) -> None:
    """jobs_and_messages.bpmn four times: one instance before its async job, one failed job
    (an incident), one waiting for message ``go`` (business key ``order-m``), one at the user
    task with a boundary event for signal ``alarm``."""
    engine, client = world.engine, world.client
    files = {"data": ("jobs.bpmn", resource("jobs_and_messages.bpmn"), "application/octet-stream")}
    client.post(f"{BASE}/deployment/create", files=files, headers=ADMIN_AUTH)
    ok = {"ok": {"value": True, "type": "Boolean"}}
    instances = {}
    for name in ("job", "failed", "message", "signal"):
        body = {"variables": ok, "businessKey": f"order-{name}"}
        started = client.post(
            f"{BASE}/process-definition/key/jobs_and_messages/start", json=body, headers=ADMIN_AUTH
        )
        instances[name] = started.json()["id"]
    job_of = {name: engine.jobs.query(JobQuery(process_instance_id=i))[0].id for name, i in instances.items()}
    world.ids["job"] = job_of["job"]
    engine.jobs.set_retries(job_of["failed"], 0)
    world.ids["incident"] = engine.incidents.query(IncidentQuery(process_instance_id=instances["failed"]))[
        0
    ].id
    engine.jobs.execute(job_of["message"])
    engine.jobs.execute(job_of["signal"])
    engine.messages.correlate("go", business_key="order-signal")


@dataclass(frozen=True)
class Case:
    name: str
    method: str
    path: str
    grants: tuple[tuple[int, str, tuple[str, ...]], ...]
    status: int
    body: dict[str, Any] | None = None
    files: bool = False
    listing: bool = False
    """a query: refused users get 200 and see nothing instead of 403"""
    hidden: bool = False
    """a read by id: refused users get 404, as the query finds nothing"""


CASES = [
    Case("task-complete", "POST", "/task/{task}/complete", ((TASK, "{task}", ("TASK_WORK",)),), 204, {}),
    Case(
        "task-complete-by-definition",
        "POST",
        "/task/{task}/complete",
        ((PROCESS_DEFINITION, "userProcess", ("UPDATE_TASK",)),),
        204,
        {},
    ),
    Case(
        "task-bpmn-error",
        "POST",
        "/task/{task}/bpmnError",
        ((TASK, "{task}", ("UPDATE",)),),
        204,
        {"errorCode": "E"},
    ),
    Case(
        "task-assignee",
        "POST",
        "/task/{task}/assignee",
        ((PROCESS_DEFINITION, "userProcess", ("TASK_ASSIGN",)),),
        204,
        {"userId": "someone"},
    ),
    Case("task-claim-unclaim", "POST", "/task/{task}/unclaim", ((TASK, "*", ("TASK_ASSIGN",)),), 204),
    Case(
        "task-update",
        "PUT",
        "/task/{task}",
        ((PROCESS_DEFINITION, "*", ("UPDATE_TASK",)),),
        204,
        {"name": "x"},
    ),
    Case("task-get", "GET", "/task/{task}", ((TASK, "{task}", ("READ",)),), 200, hidden=True),
    Case(
        "task-list", "GET", "/task", ((PROCESS_DEFINITION, "userProcess", ("READ_TASK",)),), 200, listing=True
    ),
    Case("task-count", "GET", "/task/count", ((TASK, "*", ("READ",)),), 200, listing=True),
    Case(
        "instance-list", "GET", "/process-instance", ((PROCESS_INSTANCE, "*", ("READ",)),), 200, listing=True
    ),
    Case(
        "instance-get",
        "GET",
        "/process-instance/{instance}",
        ((PROCESS_DEFINITION, "userProcess", ("READ_INSTANCE",)),),
        200,
        hidden=True,
    ),
    Case(
        "instance-delete",
        "DELETE",
        "/process-instance/{instance}",
        ((PROCESS_INSTANCE, "{instance}", ("DELETE",)),),
        204,
    ),
    Case(
        "instance-variables",
        "POST",
        "/process-instance/{instance}/variables",
        ((PROCESS_DEFINITION, "userProcess", ("UPDATE_INSTANCE",)),),
        204,
        {"modifications": {"a": {"value": 1, "type": "Integer"}}},
    ),
    Case(
        "definition-start",
        "POST",
        "/process-definition/{definition}/start",
        ((PROCESS_INSTANCE, "*", ("CREATE",)), (PROCESS_DEFINITION, "userProcess", ("CREATE_INSTANCE",))),
        200,
        {},
    ),
    Case(  # by key the definition is looked up first: Camunda's query needs READ (404 without)
        "definition-start-by-key",
        "POST",
        "/process-definition/key/userProcess/start",
        (
            (PROCESS_INSTANCE, "*", ("CREATE",)),
            (PROCESS_DEFINITION, "userProcess", ("READ", "CREATE_INSTANCE")),
        ),
        200,
        {},
        hidden=True,
    ),
    Case(
        "definition-list",
        "GET",
        "/process-definition",
        ((PROCESS_DEFINITION, "userProcess", ("READ",)),),
        200,
        listing=True,
    ),
    Case(
        "definition-count",
        "GET",
        "/process-definition/count",
        ((PROCESS_DEFINITION, "*", ("READ",)),),
        200,
        listing=True,
    ),
    Case(
        "definition-get",
        "GET",
        "/process-definition/{definition}",
        ((PROCESS_DEFINITION, "userProcess", ("READ",)),),
        200,
    ),
    Case(
        "definition-xml",
        "GET",
        "/process-definition/{definition}/xml",
        ((PROCESS_DEFINITION, "*", ("READ",)),),
        200,
    ),
    Case(
        "definition-by-key",
        "GET",
        "/process-definition/key/userProcess",
        ((PROCESS_DEFINITION, "userProcess", ("READ",)),),
        200,
        hidden=True,
    ),
    Case(
        "definition-statistics",
        "GET",
        "/process-definition/statistics",
        ((PROCESS_DEFINITION, "userProcess", ("READ",)),),
        200,
        listing=True,
    ),
    Case(
        "activity-statistics",
        "GET",
        "/process-definition/{definition}/statistics",
        ((PROCESS_DEFINITION, "userProcess", ("READ",)),),
        200,
    ),
    Case(
        "definition-suspend",
        "PUT",
        "/process-definition/{definition}/suspended",
        ((PROCESS_DEFINITION, "userProcess", ("SUSPEND",)),),
        204,
        {"suspended": True},
    ),
    Case(
        "definition-suspend-with-instances",
        "PUT",
        "/process-definition/key/userProcess/suspended",
        ((PROCESS_DEFINITION, "userProcess", ("UPDATE", "SUSPEND_INSTANCE")),),
        204,
        {"suspended": True, "includeProcessInstances": True},
    ),
    Case(
        "instance-suspend",
        "PUT",
        "/process-instance/{instance}/suspended",
        ((PROCESS_INSTANCE, "{instance}", ("SUSPEND",)),),
        204,
        {"suspended": True},
    ),
    Case(
        "instance-activity-tree",
        "GET",
        "/process-instance/{instance}/activity-instances",
        ((PROCESS_INSTANCE, "{instance}", ("READ",)),),
        200,
    ),
    Case(
        "instance-variables-get",
        "GET",
        "/process-instance/{instance}/variables",
        ((PROCESS_INSTANCE, "{instance}", ("READ",)),),
        200,
    ),
    Case(
        "execution-local-variables-get",
        "GET",
        "/execution/{instance}/localVariables",
        ((PROCESS_DEFINITION, "userProcess", ("READ_INSTANCE",)),),
        200,
    ),
    Case(
        "instance-variable-put",
        "PUT",
        "/process-instance/{instance}/variables/amount",
        ((PROCESS_INSTANCE, "{instance}", ("UPDATE_VARIABLE",)),),
        204,
        {"value": 6, "type": "Integer"},
    ),
    Case("execution-list", "GET", "/execution", ((PROCESS_INSTANCE, "*", ("READ",)),), 200, listing=True),
    Case(
        "execution-get",
        "GET",
        "/execution/{instance}",
        ((PROCESS_INSTANCE, "*", ("READ",)),),
        200,
        hidden=True,
    ),
    Case(
        "variable-instance-list",
        "GET",
        "/variable-instance",
        ((PROCESS_INSTANCE, "{instance}", ("READ",)),),
        200,
        listing=True,
    ),
    Case(
        "variable-instance-count",
        "POST",
        "/variable-instance/count",
        ((PROCESS_DEFINITION, "userProcess", ("READ_INSTANCE",)),),
        200,
        {},
        listing=True,
    ),
    Case(
        "variable-instance-get",
        "GET",
        "/variable-instance/{variable}",
        ((PROCESS_INSTANCE, "*", ("READ",)),),
        200,
        hidden=True,
    ),
    Case(
        "variable-instance-data",
        "GET",
        "/variable-instance/{variable}/data",
        ((PROCESS_INSTANCE, "*", ("READ",)),),
        200,
        hidden=True,
    ),
    Case("task-variables-get", "GET", "/task/{task}/variables", ((TASK, "{task}", ("READ",)),), 200),
    Case(
        "task-variable-put",
        "PUT",
        "/task/{task}/localVariables/note",
        ((TASK, "{task}", ("UPDATE_VARIABLE",)),),
        204,
        {"value": "x", "type": "String"},
    ),
    Case(
        "task-identity-links",
        "GET",
        "/task/{task}/identity-links",
        ((PROCESS_DEFINITION, "userProcess", ("READ_TASK",)),),
        200,
    ),
    Case("task-form", "GET", "/task/{task}/form", ((TASK, "{task}", ("READ",)),), 200),
    Case("task-form-variables", "GET", "/task/{task}/form-variables", ((TASK, "*", ("READ",)),), 200),
    Case("incident-list", "GET", "/incident", ((PROCESS_INSTANCE, "*", ("READ",)),), 200, listing=True),
    Case(
        "incident-count",
        "GET",
        "/incident/count",
        ((PROCESS_DEFINITION, "jobs_and_messages", ("READ_INSTANCE",)),),
        200,
        listing=True,
    ),
    Case(
        "incident-get", "GET", "/incident/{incident}", ((PROCESS_INSTANCE, "*", ("READ",)),), 200, hidden=True
    ),
    Case(
        "incident-annotation",
        "PUT",
        "/incident/{incident}/annotation",
        ((PROCESS_DEFINITION, "jobs_and_messages", ("UPDATE_INSTANCE",)),),
        204,
        {"annotation": "seen"},
    ),
    Case(
        "incident-annotation-clear",
        "DELETE",
        "/incident/{incident}/annotation",
        ((PROCESS_INSTANCE, "*", ("UPDATE",)),),
        204,
    ),
    Case(
        "job-list",
        "GET",
        "/job",
        ((PROCESS_DEFINITION, "jobs_and_messages", ("READ_INSTANCE",)),),
        200,
        listing=True,
    ),
    Case("job-count", "GET", "/job/count", ((PROCESS_INSTANCE, "*", ("READ",)),), 200, listing=True),
    Case("job-get", "GET", "/job/{job}", ((PROCESS_INSTANCE, "*", ("READ",)),), 200, hidden=True),
    Case(
        "job-retries",
        "PUT",
        "/job/{job}/retries",
        ((PROCESS_INSTANCE, "*", ("RETRY_JOB",)),),
        204,
        {"retries": 5},
    ),
    Case(
        "job-duedate",
        "PUT",
        "/job/{job}/duedate",
        ((PROCESS_INSTANCE, "*", ("UPDATE",)),),
        204,
        {"duedate": "2030-01-01T10:00:00.000+0000"},
    ),
    Case(
        "job-suspend",
        "PUT",
        "/job/{job}/suspended",
        ((PROCESS_DEFINITION, "jobs_and_messages", ("SUSPEND_INSTANCE",)),),
        204,
        {"suspended": True},
    ),
    Case(
        "job-priority",
        "PUT",
        "/job/{job}/priority",
        ((PROCESS_DEFINITION, "*", ("UPDATE_INSTANCE",)),),
        204,
        {"priority": 7},
    ),
    Case("job-execute", "POST", "/job/{job}/execute", ((PROCESS_INSTANCE, "*", ("UPDATE",)),), 204),
    Case(
        "message-correlate",
        "POST",
        "/message",
        ((PROCESS_INSTANCE, "*", ("UPDATE",)),),
        204,
        {"messageName": "go", "businessKey": "order-message"},
    ),
    Case(
        "signal",
        "POST",
        "/signal",
        ((PROCESS_DEFINITION, "jobs_and_messages", ("UPDATE_INSTANCE",)),),
        204,
        {"name": "alarm"},
    ),
    Case(
        "deployment-create", "POST", "/deployment/create", ((DEPLOYMENT, "*", ("CREATE",)),), 200, files=True
    ),
    Case(
        "deployment-list",
        "GET",
        "/deployment",
        ((DEPLOYMENT, "{deployment}", ("READ",)),),
        200,
        listing=True,
    ),
    Case("deployment-count", "GET", "/deployment/count", ((DEPLOYMENT, "*", ("READ",)),), 200, listing=True),
    Case(
        "deployment-get",
        "GET",
        "/deployment/{deployment}",
        ((DEPLOYMENT, "{deployment}", ("READ",)),),
        200,
        hidden=True,
    ),
    Case(
        "deployment-resources",
        "GET",
        "/deployment/{deployment}/resources",
        ((DEPLOYMENT, "{deployment}", ("READ",)),),
        200,
    ),
    Case(
        "deployment-delete",
        "DELETE",
        "/deployment/{deployment}?cascade=true",
        ((DEPLOYMENT, "{deployment}", ("DELETE",)),),
        204,
    ),
    Case(
        "user-create",
        "POST",
        "/user/create",
        ((USER, "*", ("CREATE",)),),
        204,
        {"profile": {"id": "newbie"}, "credentials": {"password": "pw"}},
    ),
    Case("user-delete", "DELETE", "/user/victim", ((USER, "victim", ("DELETE",)),), 204),
    Case("user-list", "GET", "/user?idIn=victim,granted", ((USER, "victim", ("READ",)),), 200, listing=True),
    Case(
        "group-member", "PUT", "/group/sales/members/victim", ((GROUP_MEMBERSHIP, "sales", ("CREATE",)),), 204
    ),
    Case(
        "external-task-fetch",
        "POST",
        "/external-task/fetchAndLock",
        ((PROCESS_INSTANCE, "*", ("READ", "UPDATE")),),
        200,
        {"workerId": "w2", "maxTasks": 5, "topics": [{"topicName": "work", "lockDuration": 1000}]},
        listing=True,
    ),
    Case(
        "external-task-complete",
        "POST",
        "/external-task/{external_task}/complete",
        ((PROCESS_DEFINITION, "externalProcess", ("UPDATE_INSTANCE",)),),
        204,
        {"workerId": "w1"},
    ),
    Case(
        "external-task-failure",
        "POST",
        "/external-task/{external_task}/failure",
        ((PROCESS_INSTANCE, "*", ("UPDATE",)),),
        204,
        {"workerId": "w1", "errorMessage": "down", "retries": 0, "retryTimeout": 0},
    ),
    Case(
        "external-task-bpmn-error",
        "POST",
        "/external-task/{external_task}/bpmnError",
        ((PROCESS_DEFINITION, "*", ("UPDATE_INSTANCE",)),),
        204,
        {"workerId": "w1", "errorCode": "E"},
    ),
    Case(
        "external-task-unlock",
        "POST",
        "/external-task/{external_task}/unlock",
        ((PROCESS_INSTANCE, "*", ("UPDATE",)),),
        204,
    ),
    Case(
        "external-task-lock",
        "POST",
        "/external-task/{external_task}/lock",
        ((PROCESS_INSTANCE, "*", ("UPDATE",)),),
        204,
        {"workerId": "w1", "lockDuration": 5000},
    ),
    Case(
        "external-task-retries",
        "PUT",
        "/external-task/{external_task}/retries",
        ((PROCESS_INSTANCE, "*", ("UPDATE",)),),
        204,
        {"retries": 7},
    ),
    Case(
        "external-task-list",
        "GET",
        "/external-task",
        ((PROCESS_DEFINITION, "externalProcess", ("READ_INSTANCE",)),),
        200,
        listing=True,
    ),
    Case(
        "external-task-get",
        "GET",
        "/external-task/{external_task}",
        ((PROCESS_INSTANCE, "*", ("READ",)),),
        200,
        hidden=True,
    ),
    Case("tenant-create", "POST", "/tenant/create", ((TENANT, "*", ("CREATE",)),), 204, {"id": "t9"}),
    Case(
        "authorization-create",
        "POST",
        "/authorization/create",
        ((AUTHORIZATION, "*", ("CREATE",)),),
        200,
        {"type": 1, "permissions": ["ALL"], "userId": "nobody", "resourceType": TASK, "resourceId": "*"},
    ),
    Case(
        "authorization-delete",
        "DELETE",
        "/authorization/{authorization}",
        ((AUTHORIZATION, "*", ("DELETE",)),),
        204,
    ),
]


def _call(world: World, case: Case, headers: dict[str, str]) -> Any:
    url = f"{BASE}{world.format(case.path)}"
    if case.files:
        files = {"data": ("user_task.bpmn", resource("user_task.bpmn"), "application/octet-stream")}
        return world.client.request(case.method, url, files=files, headers=headers)
    return world.client.request(case.method, url, json=case.body, headers=headers)


def _visible_count(response: Any) -> int:
    data = response.json()
    return int(data["count"]) if isinstance(data, dict) else len(data)


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_authorization_matrix(world_factory: Callable[[], World], case: Case) -> None:
    world = world_factory()
    before = world.snapshot()

    for headers in ({}, WRONG):
        response = _call(world, case, headers)
        assert response.status_code == 401, response.text
        assert response.headers["WWW-Authenticate"] == 'Basic realm="default"'
    assert world.snapshot() == before

    refused = _call(world, case, NOBODY)
    if case.listing:
        assert refused.status_code == 200, refused.text
        assert _visible_count(refused) == 0
    elif case.hidden:
        assert refused.status_code == 404, refused.text
    else:
        assert refused.status_code == 403, refused.text
        body = refused.json()
        assert body["type"] == "AuthorizationException"
        assert body["userId"] == "nobody"
        assert body["message"].startswith("The user with id 'nobody' does not have ")
        missing = body["missingAuthorizations"]
        assert missing and all(set(m) == {"permissionName", "resourceName", "resourceId"} for m in missing)
        if len(missing) == 1:
            assert body["permissionName"] == missing[0]["permissionName"]
        else:
            assert body["permissionName"] is None
    assert world.snapshot() == before

    for resource_type, resource_id, permissions in case.grants:
        world.grant(resource_type, resource_id, *permissions)
    granted = _call(world, case, GRANTED)
    assert granted.status_code == case.status, granted.text
    if case.listing:
        assert _visible_count(granted) >= 1

    admin_world = world_factory()
    admin = _call(admin_world, case, ADMIN_AUTH)
    assert admin.status_code == case.status, admin.text


def test_forbidden_body_names_the_missing_permission(world_factory: Callable[[], World]) -> None:
    world = world_factory()
    definition = world.ids["definition"]
    response = world.client.post(f"{BASE}/process-definition/{definition}/start", json={}, headers=NOBODY)
    assert response.status_code == 403
    assert response.headers["content-type"] == "application/json"
    assert response.json() == {
        "type": "AuthorizationException",
        "message": (
            "The user with id 'nobody' does not have 'CREATE' permission on resource 'ProcessInstance'."
        ),
        "code": 0,
        "userId": "nobody",
        "permissionName": "CREATE",
        "resourceName": "ProcessInstance",
        "resourceId": None,
        "missingAuthorizations": [
            {"permissionName": "CREATE", "resourceName": "ProcessInstance", "resourceId": None}
        ],
    }
    response = world.client.post(f"{BASE}/task/{world.task_id}/complete", json={}, headers=NOBODY)
    body = response.json()
    assert body["message"] == (
        f"The user with id 'nobody' does not have one of the following permissions: "
        f"'TASK_WORK' permission on resource '{world.task_id}' of type 'Task' or "
        f"'UPDATE' permission on resource '{world.task_id}' of type 'Task' or "
        "'TASK_WORK' permission on resource 'userProcess' of type 'ProcessDefinition' or "
        "'UPDATE_TASK' permission on resource 'userProcess' of type 'ProcessDefinition'."
    )
    assert body["resourceName"] is None and len(body["missingAuthorizations"]) == 4
