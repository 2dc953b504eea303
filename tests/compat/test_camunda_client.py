"""camunda-client 0.15.0 (asyncio, strict pydantic v2 models), unchanged, against ``cadenza run``.

Its ``ExternalTaskWorker`` handles the external-task scenarios (complete, a handler exception
reported as ``failure`` with ``retries: null`` which must raise an incident, bpmnError caught by a
boundary event); its ``CamundaEngineClient`` drives a user task end to end. The client validates
ids as UUIDs and every response against its models, so each call doubles as a shape check.

camunda-client has no call for ``POST /task/{id}/complete`` or ``/task/{id}/bpmnError``: user
tasks are completed with ``submit_task_form``, the only completion it offers, and the BPMN error
caught by a boundary event is thrown by its external-task worker.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import timedelta
from typing import Any, TypeVar

import httpx
import pytest
from camunda_client import (
    CamundaEngineClient,
    ExternalTaskClient,
    ExternalTaskConfig,
    ExternalTaskContext,
    ExternalTaskDTO,
    ExternalTaskWorker,
    VariableValueSchema,
)
from camunda_client.clients.dto import AuthData
from camunda_client.clients.engine.dto import GetTaskVariableDTO
from camunda_client.clients.engine.schemas.body import GetTasksFilterSchema
from camunda_client.clients.engine.schemas.query import ProcessInstanceQuerySchema
from camunda_client.clients.engine.schemas.response import TaskSchema
from tests.compat.conftest import Server
from tests.compat.helpers import Engine

pytestmark = pytest.mark.compat

AUTH = AuthData(username="demo", password="demo")
T = TypeVar("T")


def _run(coro: Callable[[], Awaitable[T]]) -> T:
    async def bounded() -> T:
        return await asyncio.wait_for(coro(), timeout=30)

    return asyncio.run(bounded())


@asynccontextmanager
async def _engine_client(server: Server) -> AsyncIterator[CamundaEngineClient]:
    client = CamundaEngineClient(server.base_url, AUTH, httpx.AsyncHTTPTransport())
    try:
        yield client
    finally:
        await client._http_client.aclose()  # the client offers no close()


async def _handle_one(
    server: Server, topic: str, handler: Callable[[ExternalTaskContext, ExternalTaskDTO], Awaitable[None]]
) -> None:
    """Run the package's worker until it has handed one task of ``topic`` to ``handler``."""
    config = ExternalTaskConfig(
        lock_duration=timedelta(seconds=10),
        async_response_timeout=timedelta(seconds=1),
        retry_timeout=timedelta(milliseconds=200),
    )
    client = ExternalTaskClient("cc-worker", server.base_url, AUTH, httpx.AsyncHTTPTransport(), config)
    worker = ExternalTaskWorker(client, pull_interval=timedelta(milliseconds=50))
    try:
        async with worker, worker.subscribe(topic) as consumer:
            context = await anext(consumer)
            async with context as task:
                await handler(context, task)
    finally:
        await client._http_client.aclose()  # the client offers no close()


def test_worker_completes_with_variables(cadenza_server: Server, deployed_engine: Engine) -> None:
    engine = deployed_engine
    instance = engine.start("compat_external", {"topic": "cc-complete", "amount": 42})
    seen: dict[str, Any] = {}

    async def complete(context: ExternalTaskContext, task: ExternalTaskDTO) -> None:
        seen.update(task.model_dump(include={"process_instance_id", "activity_id", "worker_id", "retries"}))
        seen["variables"] = task.parsed_variables
        await context.complete(
            global_variables={
                "approved": VariableValueSchema(value=True, type="Boolean"),
                "count": VariableValueSchema(value=5, type="Integer"),
                "meta": VariableValueSchema(value='{"a":1}', type="Json"),
                "note": VariableValueSchema(value="from camunda-client", type="String"),
            }
        )

    _run(lambda: _handle_one(cadenza_server, "cc-complete", complete))

    assert seen == {
        "process_instance_id": instance,
        "activity_id": "work",
        "worker_id": "cc-worker",
        "retries": None,
        "variables": {"topic": "cc-complete", "amount": 42},
    }
    assert engine.task_keys(instance) == ["check"]
    variables = {name: (v["type"], v["value"]) for name, v in engine.variables(instance).items()}
    assert variables == {
        "topic": ("String", "cc-complete"),
        "amount": ("Integer", 42),
        "approved": ("Boolean", True),
        "count": ("Integer", 5),
        "meta": ("Json", '{"a":1}'),
        "note": ("String", "from camunda-client"),
    }


def test_handler_exception_reports_failure_and_raises_incident(
    cadenza_server: Server, deployed_engine: Engine
) -> None:
    engine = deployed_engine
    instance = engine.start("compat_external", {"topic": "cc-fail"})

    async def explode(context: ExternalTaskContext, task: ExternalTaskDTO) -> None:
        raise RuntimeError("handler exploded")

    # the context reports the failure, then the exception leaves the worker's task group
    with pytest.raises(ExceptionGroup) as raised:
        _run(lambda: _handle_one(cadenza_server, "cc-fail", explode))
    assert raised.group_contains(RuntimeError, match="handler exploded")

    [external_task] = engine.external_tasks(instance)
    assert external_task["retries"] == 0  # "retries": null counts as 0, as in Camunda
    assert external_task["errorMessage"] == "RuntimeError"

    async def read_back() -> tuple[Any, Any, Any]:
        async with _engine_client(cadenza_server) as client:
            incidents = await client.get_incidents("failedExternalTask")
            fetched = await client.get_external_task(external_task["id"])
            details = await client.get_external_task_error_details(external_task["id"])
            return incidents, fetched, details

    incidents, fetched, details = _run(read_back)
    [incident] = [i for i in incidents if str(i.process_instance_id) == instance]
    assert incident.incident_type == "failedExternalTask"
    assert incident.incident_message == "RuntimeError"
    assert incident.configuration == external_task["id"]
    assert fetched is not None
    assert fetched.retries == 0
    assert fetched.error_message == "RuntimeError"
    assert details is not None
    assert "RuntimeError: handler exploded" in details


def test_worker_bpmn_error_caught_by_boundary_event(cadenza_server: Server, deployed_engine: Engine) -> None:
    engine = deployed_engine
    instance = engine.start("compat_external_error", {"topic": "cc-error"})

    async def reject(context: ExternalTaskContext, task: ExternalTaskDTO) -> None:
        await context.bpmn_error(
            "COMPAT_ERROR",
            "rejected by camunda-client",
            {"reason": VariableValueSchema(value="no", type="String")},
        )

    _run(lambda: _handle_one(cadenza_server, "cc-error", reject))

    assert engine.task_keys(instance) == ["handleError"]
    variables = {name: v["value"] for name, v in engine.variables(instance).items()}
    assert variables == {
        "topic": "cc-error",
        "reason": "no",
        "caughtCode": "COMPAT_ERROR",
        "caughtMessage": "rejected by camunda-client",
    }


def test_engine_client_drives_a_user_task(cadenza_server: Server, deployed_engine: Engine) -> None:
    engine = deployed_engine
    user = uuid.uuid4()

    async def scenario() -> dict[str, Any]:
        async with _engine_client(cadenza_server) as client:
            started = await client.start_process(
                "compat_user_task",
                business_key="cc-user-task",
                variables={"amount": VariableValueSchema(value=10, type="Integer")},
            )
            query = GetTasksFilterSchema(process_instance_id=started.id)
            [task] = await client.get_tasks(query)
            count = await client.get_tasks_count(query)
            await client.claim_task(task.id, user)
            claimed = await client.get_task(task.id)
            links = await client.get_identity_links(task.id)
            await client.unclaim_task(task.id)
            unclaimed = await client.get_task(task.id)
            await client.set_assignee_task(task.id, user)
            amount = await client.get_task_variable(GetTaskVariableDTO(task.id, "amount"))
            absent = await client.get_task_variable(GetTaskVariableDTO(task.id, "absent"))
            instances = await client.get_process_instances(
                ProcessInstanceQuerySchema(business_key="cc-user-task")
            )
            await client.submit_task_form(
                task.id, {"approved": VariableValueSchema(value=True, type="Boolean")}
            )
            after = await client.get_tasks(query)
            missing = await client.get_task(task.id)
            return {
                "started": started,
                "task": task,
                "count": count.count,
                "claimed": claimed,
                "links": links,
                "unclaimed": unclaimed,
                "amount": amount,
                "absent": absent,
                "instances": instances,
                "after": after,
                "missing": missing,
            }

    result = _run(scenario)
    started = result["started"]
    task: TaskSchema = result["task"]
    assert started.business_key == "cc-user-task"
    assert started.definition_id is not None and started.definition_id.startswith("compat_user_task:")
    assert task.name == "Approve"
    assert task.task_definition_key == "approve"
    assert task.process_instance_id == started.id
    assert task.assignee is None
    assert result["count"] == 1
    assert result["claimed"].assignee_uuid == user
    assert [(link.type, link.user_id) for link in result["links"]] == [("assignee", user)]
    assert result["unclaimed"].assignee is None
    assert (result["amount"].type, result["amount"].value) == ("Integer", 10)
    assert result["absent"] is None  # 404 on GET /task/{id}/variables/{name}
    assert [instance.id for instance in result["instances"]] == [started.id]
    assert result["after"] == []
    assert result["missing"] is None  # 404 on GET /task/{id}
    assert not engine.instance_exists(str(started.id))  # "approve" led straight to the end event
