"""External tasks on SQLite and PostgreSQL: fetch-and-lock, lock expiry, variable selection,
complete (worker check, continuation, rollback on failure)."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest

from cadenza.clock import SettableClock
from cadenza.errors import BadUserRequestError, ExpressionError, NotFoundError
from cadenza.expr.values import TypedValue, ValueType
from cadenza.services import Engine, ExternalTaskQuery, FetchTopic, ProcessInstanceQuery, TaskQuery
from conftest import Deploy

CHARGE = FetchTopic("charge", lock_duration=60_000)


def _start(engine: Engine, deploy: Deploy, resource: str, **variables: object) -> str:
    definition = deploy(f"external_tasks/{resource}.bpmn").process_definitions[0]
    typed = {name: TypedValue(ValueType.STRING, str(value)) for name, value in variables.items()}
    return engine.runtime.start_process_instance(definition.id, variables=typed).instance.id


def test_start_process_reaching_external_task_creates_unlocked_task(engine: Engine, deploy: Deploy) -> None:
    instance = _start(engine, deploy, "charge_then_confirm")

    (task,) = engine.external_tasks.query(ExternalTaskQuery(process_instance_id=instance))
    assert (task.topic_name, task.activity_id, task.process_definition_key) == (
        "charge",
        "charge",
        "charge_then_confirm",
    )
    assert task.worker_id is None and task.lock_expiration_time is None and task.retries is None


def test_fetch_and_lock_locks_task_once_second_worker_gets_nothing(
    engine: Engine, deploy: Deploy, clock: SettableClock
) -> None:
    instance = _start(engine, deploy, "charge_then_confirm")

    first = engine.external_tasks.fetch_and_lock("worker-1", 10, [CHARGE])
    second = engine.external_tasks.fetch_and_lock("worker-2", 10, [CHARGE])

    assert [locked.task.process_instance_id for locked in first] == [instance]
    assert first[0].task.worker_id == "worker-1"
    assert first[0].task.lock_expiration_time == clock.now() + timedelta(seconds=60)
    assert second == []
    stored = engine.external_tasks.get(first[0].task.id)
    assert (stored.worker_id, stored.lock_expiration_time) == (
        "worker-1",
        clock.now() + timedelta(seconds=60),
    )


def test_fetch_and_lock_respects_max_tasks_and_topics(engine: Engine, deploy: Deploy) -> None:
    for _ in range(3):
        _start(engine, deploy, "charge_then_confirm")

    assert engine.external_tasks.fetch_and_lock("w", 10, [FetchTopic("other", 1000)]) == []
    assert len(engine.external_tasks.fetch_and_lock("w", 2, [CHARGE])) == 2
    assert len(engine.external_tasks.fetch_and_lock("w", 2, [CHARGE])) == 1
    assert engine.external_tasks.fetch_and_lock("w", 0, [CHARGE]) == []


def test_fetch_and_lock_after_lock_expiry_lets_another_worker_lock_it(
    engine: Engine, deploy: Deploy, clock: SettableClock
) -> None:
    _start(engine, deploy, "charge_then_confirm")
    (locked,) = engine.external_tasks.fetch_and_lock("worker-1", 1, [CHARGE])

    clock.advance(timedelta(seconds=59, milliseconds=999))
    assert engine.external_tasks.fetch_and_lock("worker-2", 1, [CHARGE]) == []
    assert engine.external_tasks.count(ExternalTaskQuery(locked=True)) == 1
    clock.advance(timedelta(milliseconds=1))
    assert engine.external_tasks.count(ExternalTaskQuery(not_locked=True)) == 1
    (relocked,) = engine.external_tasks.fetch_and_lock("worker-2", 1, [CHARGE])

    assert relocked.task.id == locked.task.id
    assert relocked.task.worker_id == "worker-2"
    with pytest.raises(BadUserRequestError, match="locked by worker 'worker-2'"):
        engine.external_tasks.complete(locked.task.id, "worker-1")


@pytest.mark.parametrize(
    ("names", "expected"),
    [(None, {"customer", "amount"}), ([], set()), (["amount", "unknown"], {"amount"})],
)
def test_fetch_and_lock_variables_selection_returns_requested_variables(
    engine: Engine, deploy: Deploy, names: list[str] | None, expected: set[str]
) -> None:
    _start(engine, deploy, "charge_then_confirm", customer="ACME", amount=12)

    (locked,) = engine.external_tasks.fetch_and_lock("w", 1, [FetchTopic("charge", 1000, variables=names)])

    assert set(locked.variables) == expected
    if "amount" in expected:
        assert locked.variables["amount"] == TypedValue(ValueType.STRING, "12")


def test_complete_by_locking_worker_continues_process_with_variables(engine: Engine, deploy: Deploy) -> None:
    instance = _start(engine, deploy, "charge_then_confirm")
    (locked,) = engine.external_tasks.fetch_and_lock("w", 1, [CHARGE])

    engine.external_tasks.complete(
        locked.task.id, "w", variables={"transactionId": TypedValue(ValueType.STRING, "tx-9")}
    )

    assert engine.external_tasks.count(ExternalTaskQuery()) == 0
    (task,) = engine.tasks.query(TaskQuery(process_instance_id=instance))
    assert task.task_definition_key == "confirm"
    assert engine.runtime.get_variables(instance) == {"transactionId": TypedValue(ValueType.STRING, "tx-9")}


def test_complete_after_lock_expired_by_same_worker_still_succeeds(
    engine: Engine, deploy: Deploy, clock: SettableClock
) -> None:
    instance = _start(engine, deploy, "charge_then_confirm")
    (locked,) = engine.external_tasks.fetch_and_lock("w", 1, [CHARGE])
    clock.advance(timedelta(hours=1))

    engine.external_tasks.complete(locked.task.id, "w")

    assert engine.tasks.count(TaskQuery(process_instance_id=instance)) == 1


def test_complete_by_other_worker_raises_bad_user_request_and_keeps_task(
    engine: Engine, deploy: Deploy
) -> None:
    _start(engine, deploy, "charge_then_confirm")
    (locked,) = engine.external_tasks.fetch_and_lock("owner", 1, [CHARGE])

    with pytest.raises(BadUserRequestError) as caught:
        engine.external_tasks.complete(locked.task.id, "intruder")

    assert caught.value.message == (
        f"External Task {locked.task.id} cannot be completed by worker 'intruder'. "
        "It is locked by worker 'owner'."
    )
    assert engine.external_tasks.get(locked.task.id).worker_id == "owner"


def test_complete_unlocked_task_raises_bad_user_request_naming_null_owner(
    engine: Engine, deploy: Deploy
) -> None:
    instance = _start(engine, deploy, "charge_then_confirm")
    (task,) = engine.external_tasks.query(ExternalTaskQuery(process_instance_id=instance))

    with pytest.raises(BadUserRequestError, match=r"It is locked by worker 'null'\.$"):
        engine.external_tasks.complete(task.id, "w")


def test_complete_unknown_task_raises_not_found(engine: Engine) -> None:
    with pytest.raises(NotFoundError, match="External task with id nope does not exist"):
        engine.external_tasks.complete("nope", "w")


def test_complete_with_failing_condition_after_task_rolls_everything_back(
    engine: Engine, deploy: Deploy, clock: SettableClock
) -> None:
    instance = _start(engine, deploy, "condition_fails_after_task")
    (locked,) = engine.external_tasks.fetch_and_lock("w", 1, [CHARGE])

    with pytest.raises(ExpressionError, match="paymentStatus"):
        engine.external_tasks.complete(
            locked.task.id, "w", variables={"other": TypedValue(ValueType.LONG, 1)}
        )

    task = engine.external_tasks.get(locked.task.id)
    assert task.worker_id == "w"
    assert task.lock_expiration_time == clock.now() + timedelta(seconds=60)
    assert engine.runtime.get_variables(instance) == {}
    assert engine.tasks.count(TaskQuery()) == 0
    assert engine.runtime.count_process_instances(ProcessInstanceQuery()) == 1

    # with the variable the condition needs, the same worker can complete it afterwards
    engine.external_tasks.complete(
        locked.task.id, "w", variables={"paymentStatus": TypedValue(ValueType.STRING, "ok")}
    )
    assert [t.task_definition_key for t in engine.tasks.query(TaskQuery())] == ["ok"]


def test_fetch_and_lock_by_two_workers_at_once_never_delivers_a_task_twice(
    engine: Engine, deploy: Deploy
) -> None:
    started = {_start(engine, deploy, "charge_then_confirm") for _ in range(6)}
    barrier = threading.Barrier(2, timeout=20)
    results: dict[str, list[str]] = {}

    def fetch(worker: str) -> None:
        barrier.wait()
        locked = engine.external_tasks.fetch_and_lock(worker, 6, [CHARGE])
        results[worker] = [t.task.process_instance_id for t in locked]

    threads = [threading.Thread(target=fetch, args=(w,)) for w in ("w1", "w2")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    delivered = results["w1"] + results["w2"]
    assert sorted(delivered) == sorted(started)
    for worker, instances in results.items():
        assert engine.external_tasks.count(ExternalTaskQuery(worker_id=worker)) == len(instances)


def test_fetch_and_lock_local_variables_returns_only_the_task_execution_variables(
    engine: Engine, deploy: Deploy
) -> None:
    instance = _start(engine, deploy, "charge_then_confirm", customer="ACME")
    other = _start(engine, deploy, "charge_then_confirm")
    engine.runtime.set_variable(other, "local", TypedValue(ValueType.STRING, "x"), local=True)

    locked = engine.external_tasks.fetch_and_lock("w", 2, [FetchTopic("charge", 1000, local_variables=True)])

    by_instance = {t.task.process_instance_id: t.variables for t in locked}
    # a plain service task runs on the process instance execution: its variables are "local"
    assert by_instance[instance] == {"customer": TypedValue(ValueType.STRING, "ACME")}
    assert by_instance[other] == {"local": TypedValue(ValueType.STRING, "x")}
