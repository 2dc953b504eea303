"""External task lifecycle on SQLite and PostgreSQL with a settable clock: retries and
incidents, retry timeouts and lock expiry, priority, process-variable filters, suspension and
``camunda:errorEventDefinition``."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from cadenza.clock import SettableClock
from cadenza.errors import BadUserRequestError, ExpressionError
from cadenza.services import (
    Engine,
    ExternalTaskQuery,
    FetchTopic,
    IncidentQuery,
    TaskQuery,
    typed_value_from_python,
)
from cadenza.store import tables
from conftest import Deploy

WORK = FetchTopic("work", lock_duration=60_000)
SHIP = FetchTopic("ship", lock_duration=60_000)
MODELS = Path("external_tasks")


def _start(engine: Engine, deploy: Deploy, model: str, **variables: object) -> str:
    definition = deploy(MODELS / f"{model}.bpmn").process_definitions[0]
    typed = {name: typed_value_from_python(value) for name, value in variables.items()}
    return engine.runtime.start_process_instance(definition.id, variables=typed).instance.id


def _incidents(engine: Engine) -> list[tuple[str, str | None, str | None]]:
    return [
        (i.incident_type, i.configuration, i.incident_message)
        for i in engine.incidents.query(IncidentQuery())
    ]


def test_retries_incident_lifecycle(engine: Engine, deploy: Deploy, clock: SettableClock) -> None:
    _start(engine, deploy, "et_simple")
    (locked,) = engine.external_tasks.fetch_and_lock("w1", 1, [WORK])
    task_id = locked.task.id
    service = engine.external_tasks

    service.handle_failure(task_id, "w1", error_message="flaky", retries=1, retry_timeout=10_000)
    assert service.fetch_and_lock("w2", 1, [WORK]) == []
    clock.advance(timedelta(seconds=9, milliseconds=999))
    assert service.fetch_and_lock("w2", 1, [WORK]) == []
    clock.advance(timedelta(milliseconds=1))
    (again,) = service.fetch_and_lock("w2", 1, [WORK])
    assert (again.task.retries, again.task.error_message) == (1, "flaky")

    service.handle_failure(task_id, "w2", error_message="dead", error_details="trace", retries=0)
    assert _incidents(engine) == [("failedExternalTask", task_id, "dead")]
    clock.advance(timedelta(hours=1))
    assert service.fetch_and_lock("w3", 1, [WORK]) == []
    assert service.count(ExternalTaskQuery(no_retries_left=True)) == 1

    service.set_retries(task_id, 2)
    assert _incidents(engine) == []
    (third,) = service.fetch_and_lock("w3", 1, [WORK])
    assert third.task.error_details == "trace"

    service.set_retries(task_id, 0)  # incident with the current message
    assert _incidents(engine) == [("failedExternalTask", task_id, "dead")]
    service.complete(task_id, "w3")
    assert _incidents(engine) == []
    assert service.count(ExternalTaskQuery()) == 0


def test_failure_keeps_the_lock_owner(engine: Engine, deploy: Deploy, clock: SettableClock) -> None:
    _start(engine, deploy, "et_simple")
    (locked,) = engine.external_tasks.fetch_and_lock("w1", 1, [WORK])
    engine.external_tasks.handle_failure(locked.task.id, "w1", retries=3, retry_timeout=5_000)
    task = engine.external_tasks.get(locked.task.id)
    assert task.worker_id == "w1"
    assert task.lock_expiration_time == clock.now() + timedelta(seconds=5)
    with pytest.raises(BadUserRequestError, match="cannot be completed by worker 'w2'"):
        engine.external_tasks.complete(locked.task.id, "w2")
    engine.external_tasks.complete(locked.task.id, "w1")


def test_lock_expiry_rules(engine: Engine, deploy: Deploy, clock: SettableClock) -> None:
    _start(engine, deploy, "et_simple")
    service = engine.external_tasks
    (locked,) = service.fetch_and_lock("w1", 1, [FetchTopic("work", 1_000)])
    task_id = locked.task.id

    with pytest.raises(BadUserRequestError, match="cannot be locked by worker 'w2'"):
        service.lock(task_id, "w2", 5_000)
    clock.advance(timedelta(seconds=2))
    now_ms = int(clock.now().timestamp() * 1000)
    with pytest.raises(BadUserRequestError) as refused:
        service.extend_lock(task_id, "w1", 5_000)
    assert refused.value.message == (
        f"Cannot extend a lock that expired: lockExpirationTime is not greater than or equal to {now_ms}"
    )
    # nobody re-locked it: the last locker may still complete... but first another worker locks it
    service.lock(task_id, "w2", 5_000)
    service.extend_lock(task_id, "w2", 60_000)
    assert service.get(task_id).lock_expiration_time == clock.now() + timedelta(minutes=1)
    with pytest.raises(BadUserRequestError, match="It is locked by worker 'w2'"):
        service.complete(task_id, "w1")
    service.complete(task_id, "w2")


def test_completing_after_own_lock_expired_is_allowed(
    engine: Engine, deploy: Deploy, clock: SettableClock
) -> None:
    _start(engine, deploy, "et_simple")
    (locked,) = engine.external_tasks.fetch_and_lock("w1", 1, [FetchTopic("work", 1_000)])
    clock.advance(timedelta(minutes=5))
    engine.external_tasks.complete(locked.task.id, "w1")
    assert engine.external_tasks.count(ExternalTaskQuery()) == 0


def test_priority_ordering(engine: Engine, deploy: Deploy, clock: SettableClock) -> None:
    expected = []
    for priority in (3, 10, -1, 7):
        expected.append((priority, _start(engine, deploy, "et_priority", priority=priority)))
        clock.advance(timedelta(seconds=1))
    topic = FetchTopic("ranked", 1_000)
    found = engine.external_tasks.fetch_and_lock("w", 4, [topic], use_priority=True)
    assert [t.task.process_instance_id for t in found] == [p for _, p in sorted(expected, reverse=True)]
    clock.advance(timedelta(seconds=2))
    oldest_first = engine.external_tasks.fetch_and_lock("w", 4, [topic], sorting=[("createTime", "asc")])
    assert [t.task.process_instance_id for t in oldest_first] == [p for _, p in expected]


def test_process_variables_filter_matches_instance_variables_only(engine: Engine, deploy: Deploy) -> None:
    red = _start(engine, deploy, "et_simple", colour="red", size=3)
    blue = _start(engine, deploy, "et_simple", colour="blue", size=4)

    def fetch_ids(filter_: dict[str, object]) -> set[str]:
        topic = FetchTopic("work", 1_000, process_variables=filter_)
        found = engine.external_tasks.fetch_and_lock("w", 10, [topic])
        for item in found:
            engine.external_tasks.unlock(item.task.id)
        return {item.task.process_instance_id for item in found}

    assert fetch_ids({"colour": "red"}) == {red}
    assert fetch_ids({"colour": "green", "size": 4}) == {blue}
    assert fetch_ids({"size": 3.5}) == set()
    assert fetch_ids({"colour": None}) == set()


def test_suspended_instance_tasks_are_not_fetched(engine: Engine, deploy: Deploy) -> None:
    instance = _start(engine, deploy, "et_simple")
    with engine.store.engine.begin() as connection:
        connection.execute(
            sa.update(tables.execution).where(tables.execution.c.id == instance).values(suspended=True)
        )
    assert engine.external_tasks.fetch_and_lock("w", 1, [WORK]) == []


def test_failure_with_matching_error_definition_throws_bpmn_error(engine: Engine, deploy: Deploy) -> None:
    instance = _start(engine, deploy, "et_error_definition", fraud=False)
    (locked,) = engine.external_tasks.fetch_and_lock("w", 1, [SHIP])
    engine.external_tasks.handle_failure(
        locked.task.id, "w", error_message="bad", error_details="an address error occurred", retries=0
    )
    assert engine.external_tasks.count(ExternalTaskQuery(process_instance_id=instance)) == 0
    assert _incidents(engine) == []  # no incident: the error was thrown instead
    (fix,) = engine.tasks.query(TaskQuery(process_instance_id=instance))
    assert fix.task_definition_key == "fix"


def test_failure_with_failing_error_definition_counts_it_as_false(engine: Engine, deploy: Deploy) -> None:
    instance = _start(engine, deploy, "et_error_definition")  # no 'fraud' variable: evaluation fails
    (locked,) = engine.external_tasks.fetch_and_lock("w", 1, [SHIP])
    engine.external_tasks.handle_failure(locked.task.id, "w", error_message="bad", retries=0)
    assert _incidents(engine) == [("failedExternalTask", locked.task.id, "bad")]
    assert engine.tasks.query(TaskQuery(process_instance_id=instance)) == []
    # on complete the same evaluation error fails the call and nothing changes
    with pytest.raises(ExpressionError):
        engine.external_tasks.complete(locked.task.id, "w")
    assert engine.external_tasks.get(locked.task.id).retries == 0


def test_complete_with_matching_error_definition_throws_bpmn_error(engine: Engine, deploy: Deploy) -> None:
    instance = _start(engine, deploy, "et_error_definition", fraud=False)
    (locked,) = engine.external_tasks.fetch_and_lock("w", 1, [SHIP])
    engine.external_tasks.complete(locked.task.id, "w", variables={"fraud": typed_value_from_python(True)})
    (fix,) = engine.tasks.query(TaskQuery(process_instance_id=instance))
    assert fix.task_definition_key == "fix"
    assert engine.runtime.get_variable(instance, "fraud") == typed_value_from_python(True)


def test_complete_without_match_continues_normally(engine: Engine, deploy: Deploy) -> None:
    instance = _start(engine, deploy, "et_error_definition", fraud=False)
    (locked,) = engine.external_tasks.fetch_and_lock("w", 1, [SHIP])
    engine.external_tasks.complete(locked.task.id, "w")
    assert engine.tasks.query(TaskQuery(process_instance_id=instance)) == []
    assert engine.external_tasks.count(ExternalTaskQuery()) == 0


def test_deleting_instance_removes_incidents(engine: Engine, deploy: Deploy) -> None:
    instance = _start(engine, deploy, "et_simple")
    (locked,) = engine.external_tasks.fetch_and_lock("w", 1, [WORK])
    engine.external_tasks.handle_failure(locked.task.id, "w", error_message="x", retries=0)
    assert len(_incidents(engine)) == 1
    engine.runtime.delete_process_instance(instance)
    assert _incidents(engine) == []
