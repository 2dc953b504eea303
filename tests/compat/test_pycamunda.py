"""pycamunda 0.6.1, unchanged, against a real ``cadenza run`` process.

pycamunda reads response keys with ``data[...]`` and parses dates with
``%Y-%m-%dT%H:%M:%S.%f%z``, so every call below also checks that the answer has Camunda's full
shape. pycamunda 0.6.1 has no request class for ``POST /task/{id}/bpmnError`` (``task.py`` offers
no ``HandleBPMNError``): the BPMN error caught by a boundary event is thrown on an external task
with ``externaltask.HandleBPMNError``.
"""

from __future__ import annotations

import datetime as dt

import pycamunda.deployment
import pycamunda.externaltask
import pycamunda.incident
import pycamunda.processdef
import pycamunda.processinst
import pycamunda.task
import pytest
from pycamunda.externaltask import ExternalTask
from tests.compat.conftest import COMPAT_MODELS, Server
from tests.compat.helpers import COMPAT_RESOURCES, Engine

pytestmark = pytest.mark.compat

WORKER = "pycamunda-worker"


@pytest.fixture(scope="module")
def url(cadenza_server: Server) -> str:
    """The engine URL, with the compat models deployed by pycamunda's ``deployment.Create``."""
    create = pycamunda.deployment.Create(cadenza_server.base_url, name="pycamunda", source="compat")
    for name in COMPAT_MODELS:
        create.add_resource((name, (COMPAT_RESOURCES / name).read_bytes()))
    deployment = create()
    assert deployment.name == "pycamunda"
    assert deployment.source == "compat"
    assert isinstance(deployment.deployment_time, dt.datetime)
    assert sorted(d.key for d in deployment.deployed_process_definitions.values()) == [
        "compat_external",
        "compat_external_error",
        "compat_user_task",
    ]
    return cadenza_server.base_url


def _start(url: str, key: str, **variables: object) -> str:
    start = pycamunda.processdef.StartInstance(url, key=key, business_key=f"py-{key}")
    for name, value in variables.items():
        start.add_variable(name, value)
    instance = start()
    assert instance.business_key == f"py-{key}"
    assert instance.definition_id.startswith(f"{key}:")
    assert not instance.suspended
    return str(instance.id_)


def _fetch(url: str, topic: str) -> ExternalTask:
    fetch = pycamunda.externaltask.FetchAndLock(url, WORKER, max_tasks=1, async_response_timeout=1000)
    fetch.add_topic(topic, lock_duration=10000)
    [task] = fetch()
    assert task.topic_name == topic
    assert task.worker_id == WORKER
    assert task.lock_expiration_time > dt.datetime.now(dt.UTC)
    return task


def _variables(url: str, instance: str) -> dict[str, tuple[str, object]]:
    variables = pycamunda.processinst.VariablesGetList(url, instance)()
    return {name: (v.type_, v.value) for name, v in variables.items()}


def test_user_task_claim_and_complete(url: str, engine: Engine) -> None:
    instance = _start(url, "compat_user_task", amount=10)
    [definition] = pycamunda.processdef.GetList(url, key="compat_user_task", latest_version=True)()
    [listed] = pycamunda.processinst.GetList(url, business_key="py-compat_user_task")()
    assert listed.id_ == instance
    assert listed.definition_id == definition.id_
    assert pycamunda.processinst.Get(url, instance)().id_ == instance
    [task] = pycamunda.task.GetList(url, process_instance_id=instance)()
    assert task.name == "Approve"
    assert task.task_definition_key == "approve"
    assert task.assignee is None
    assert isinstance(task.created, dt.datetime)

    pycamunda.task.Claim(url, task.id_, user_id="demo")()
    [claimed] = pycamunda.task.GetList(url, process_instance_id=instance, assignee="demo")()
    assert claimed.id_ == task.id_
    assert pycamunda.task.Get(url, task.id_)().assignee == "demo"

    complete = pycamunda.task.Complete(url, task.id_)
    complete.add_variable("approved", True)
    complete()

    assert pycamunda.task.GetList(url, process_instance_id=instance)() == ()
    assert not engine.instance_exists(instance)  # "approve" led straight to the end event


def test_external_task_complete_with_variables(url: str, engine: Engine) -> None:
    instance = _start(url, "compat_external", topic="py-complete", amount=42)
    task = _fetch(url, "py-complete")
    assert task.process_instance_id == instance
    assert task.activity_id == "work"
    assert task.retries is None

    pycamunda.externaltask.ExtendLock(url, task.id_, new_duration=60000, worker_id=WORKER)()
    extended = pycamunda.externaltask.Get(url, task.id_)()
    assert extended.lock_expiration_time > task.lock_expiration_time
    pycamunda.externaltask.Unlock(url, task.id_)()  # sends the body {}
    assert pycamunda.externaltask.Get(url, task.id_)().worker_id is None
    task = _fetch(url, "py-complete")

    complete = pycamunda.externaltask.Complete(url, task.id_, WORKER)
    complete.add_variable("approved", True)
    complete.add_variable("score", 1.5, type_="Double")
    complete.add_variable("note", "done", type_="String")
    complete()

    assert [t.task_definition_key for t in pycamunda.task.GetList(url, process_instance_id=instance)()] == [
        "check"
    ]
    assert _variables(url, instance) == {
        "topic": ("String", "py-complete"),
        "amount": ("Integer", 42),
        "approved": ("Boolean", True),
        "score": ("Double", 1.5),
        "note": ("String", "done"),
    }


def test_external_task_failure_raises_an_incident(url: str, engine: Engine) -> None:
    instance = _start(url, "compat_external", topic="py-fail")
    task = _fetch(url, "py-fail")
    pycamunda.externaltask.HandleFailure(
        url, task.id_, WORKER, error_message="py boom", error_details="details", retries=0, retry_timeout=0
    )()

    [incident] = pycamunda.incident.GetList(url, process_instance_id=instance)()
    assert incident.incident_type == pycamunda.incident.IncidentType.failed_external_task
    assert incident.incident_message == "py boom"
    assert incident.configuration == task.id_
    assert incident.activity_id == "work"
    assert isinstance(incident.incident_timestamp, dt.datetime)

    [failed] = pycamunda.externaltask.GetList(url, process_instance_id=instance)()
    assert failed.retries == 0
    assert failed.error_message == "py boom"
    assert failed.error_details == "details"

    pycamunda.externaltask.SetRetries(url, task.id_, retries=1)()
    assert pycamunda.incident.GetList(url, process_instance_id=instance)() == ()
    retried = _fetch(url, "py-fail")
    assert retried.id_ == task.id_
    assert retried.retries == 1
    pycamunda.externaltask.Complete(url, retried.id_, WORKER)()
    assert engine.task_keys(instance) == ["check"]


def test_external_task_bpmn_error_caught_by_boundary_event(url: str, engine: Engine) -> None:
    instance = _start(url, "compat_external_error", topic="py-error")
    task = _fetch(url, "py-error")
    error = pycamunda.externaltask.HandleBPMNError(
        url, task.id_, WORKER, error_code="COMPAT_ERROR", error_message="rejected by pycamunda"
    )
    error.add_variable("reason", "py says no")
    error()

    [handle] = pycamunda.task.GetList(url, process_instance_id=instance)()
    assert handle.task_definition_key == "handleError"
    assert _variables(url, instance) == {
        "topic": ("String", "py-error"),
        "reason": ("String", "py says no"),
        "caughtCode": ("String", "COMPAT_ERROR"),
        "caughtMessage": ("String", "rejected by pycamunda"),
    }
