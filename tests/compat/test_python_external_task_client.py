"""camunda-external-task-client-python3 4.5.0, unchanged, against a real ``cadenza run`` process.

The package's ``ExternalTaskWorker.subscribe`` loops forever (and sleeps 300 s after an error),
so the tests drive its one-round API, ``fetch_and_execute``: one ``fetchAndLock`` long poll,
then the action and the ``complete``/``failure``/``bpmnError`` call the executor makes for the
``TaskResult`` the action returns. Everything else (starting instances, reading state back,
resetting retries, which this client has no call for) is plain REST in ``tests.compat.helpers``.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pytest
from camunda.external_task.external_task import ExternalTask, TaskResult
from camunda.external_task.external_task_worker import ExternalTaskWorker, NoExternalTaskFound
from tests.compat.conftest import Server
from tests.compat.helpers import Engine, wait_until

pytestmark = pytest.mark.compat

CONFIG: dict[str, Any] = {
    "maxTasks": 1,
    "lockDuration": 10000,
    "asyncResponseTimeout": 1000,
    "retries": 2,
    "retryTimeout": 200,
    "sleepSeconds": 0,
}


def _worker(server: Server) -> ExternalTaskWorker:
    return ExternalTaskWorker(worker_id="py3-worker", base_url=server.base_url, config=CONFIG)


def _run_one(
    worker: ExternalTaskWorker, topic: str, action: Callable[[ExternalTask], TaskResult], timeout: float = 15
) -> None:
    """Long-poll ``topic`` until the worker has executed one task (bounded by ``timeout``)."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            worker.fetch_and_execute(topic, action)
        except NoExternalTaskFound:
            if time.monotonic() > deadline:
                raise AssertionError(f"no task for topic {topic!r} within {timeout} s") from None
            continue
        return


def test_complete_with_variables(cadenza_server: Server, deployed_engine: Engine) -> None:
    engine = deployed_engine
    instance = engine.start("compat_external", {"topic": "py3-complete", "amount": 42, "customer": "ACME"})
    seen: dict[str, Any] = {}

    def action(task: ExternalTask) -> TaskResult:
        seen.update(
            id=task.get_task_id(),
            instance=task.get_process_instance_id(),
            activity=task.get_activity_id(),
            worker=task.get_worker_id(),
            variables=task.get_variables(),
        )
        return task.complete(
            {
                "approved": True,
                "score": 9.5,
                "count": 3,
                "note": "looks good",
                "payload": {"value": '{"items": [1, 2]}', "type": "Json"},
            },
            {"scratch": "local only"},
        )

    _run_one(_worker(cadenza_server), "py3-complete", action)

    assert seen["instance"] == instance
    assert seen["activity"] == "work"
    assert seen["worker"] == "py3-worker"
    assert seen["variables"] == {"topic": "py3-complete", "amount": 42, "customer": "ACME"}
    assert engine.task_keys(instance) == ["check"]
    variables = engine.variables(instance)
    assert {name: (v["type"], v["value"]) for name, v in variables.items()} == {
        "topic": ("String", "py3-complete"),
        "amount": ("Integer", 42),
        "customer": ("String", "ACME"),
        "approved": ("Boolean", True),
        "score": ("Double", 9.5),
        "count": ("Integer", 3),
        "note": ("String", "looks good"),
        "payload": ("Json", '{"items": [1, 2]}'),
        # "work" is not a scope, so its execution is the process instance: local lands there too
        "scratch": ("String", "local only"),
    }
    assert engine.external_tasks(instance) == []


def test_failure_with_retries_then_incident_then_retries_reset(
    cadenza_server: Server, deployed_engine: Engine
) -> None:
    engine = deployed_engine
    instance = engine.start("compat_external", {"topic": "py3-flaky"})
    worker = _worker(cadenza_server)
    sent_retries: list[int] = []

    def fail(task: ExternalTask) -> TaskResult:
        result = task.failure("boom", "stack trace", CONFIG["retries"], CONFIG["retryTimeout"])
        sent_retries.append(result.retries)
        return result

    # the client counts down itself: no retries yet -> configured 2, then 1, then 0
    for _ in range(3):
        _run_one(worker, "py3-flaky", fail)
    assert sent_retries == [2, 1, 0]

    [external_task] = engine.external_tasks(instance)
    assert external_task["retries"] == 0
    assert external_task["errorMessage"] == "boom"
    [incident] = engine.incidents(instance)
    assert incident["incidentType"] == "failedExternalTask"
    assert incident["incidentMessage"] == "boom"
    assert incident["configuration"] == external_task["id"]
    assert incident["activityId"] == "work"

    # with no retries left the task is not fetched
    with pytest.raises(NoExternalTaskFound):
        worker.fetch_and_execute("py3-flaky", fail)

    engine.call("PUT", f"/external-task/{external_task['id']}/retries", json={"retries": 1})
    assert engine.incidents(instance) == []

    completed: list[int | None] = []

    def complete(task: ExternalTask) -> TaskResult:
        completed.append(task._context["retries"])
        return task.complete({"recovered": True})

    _run_one(worker, "py3-flaky", complete)
    assert completed == [1]
    assert engine.task_keys(instance) == ["check"]
    assert engine.variables(instance)["recovered"]["value"] is True
    assert engine.incidents(instance) == []


def test_bpmn_error_caught_by_boundary_event(cadenza_server: Server, deployed_engine: Engine) -> None:
    engine = deployed_engine
    instance = engine.start("compat_external_error", {"topic": "py3-error"})

    def reject(task: ExternalTask) -> TaskResult:
        return task.bpmn_error("COMPAT_ERROR", "rejected by the worker", {"reason": "bad input"})

    _run_one(_worker(cadenza_server), "py3-error", reject)

    assert wait_until(lambda: engine.task_keys(instance), "the boundary path") == ["handleError"]
    variables = {name: v["value"] for name, v in engine.variables(instance).items()}
    assert variables == {
        "topic": "py3-error",
        "reason": "bad input",
        "caughtCode": "COMPAT_ERROR",
        "caughtMessage": "rejected by the worker",
    }
    assert engine.external_tasks(instance) == []
