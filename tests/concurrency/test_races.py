"""Threads racing through the services on SQLite and PostgreSQL (reliability.md R3, R4, §2):

* the same task completed by several threads at once: exactly one succeeds, every other call
  is a clean ``NotFoundError``/``BadUserRequestError`` (never an ``OptimisticLockError``);
* workers mixing fetch-and-lock, complete, failure and unlock: no task is locked by two
  workers at once, none is completed twice, none is lost;
* parallel joins completed by many threads over many instances fire exactly once each, the
  conflicts behind that are retried inside the engine (counted through the runner's hook).

The clock stands still, so a lock never expires: a task handed to a second worker while the
first still holds it can only be a double lock.
"""

from __future__ import annotations

import random
import threading
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from cadenza.errors import BadUserRequestError, NotFoundError
from cadenza.expr.values import TypedValue, ValueType
from cadenza.services import Engine, ExternalTaskQuery, FetchTopic, ProcessInstanceQuery, TaskQuery
from conftest import Deploy

from .interleaving import conflict_counter

LONG_LOCK = 600_000
CLEAN = (NotFoundError, BadUserRequestError)


def _start_many(engine: Engine, definition_id: str, count: int) -> list[str]:
    with ThreadPoolExecutor(4) as pool:
        return list(
            pool.map(lambda _: engine.runtime.start_process_instance(definition_id).instance.id, range(count))
        )


def _race_each(items: list[str], threads: int, call: Callable[[str], object]) -> dict[str, list[str]]:
    """Every thread calls ``call`` on every item; a barrier lines the threads up per item.
    Returns per item the outcomes: ``"ok"`` or the exception's class name."""
    outcomes: dict[str, list[str]] = {item: [] for item in items}
    lock = threading.Lock()
    barrier = threading.Barrier(threads, timeout=30)

    def run() -> None:
        for item in items:
            barrier.wait()
            try:
                call(item)
                result = "ok"
            except CLEAN as error:
                result = type(error).__name__
            except Exception as error:  # anything else is a failure of the test
                result = f"{type(error).__name__}: {error}"
            with lock:
                outcomes[item].append(result)

    workers = [threading.Thread(target=run) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=120)
    return outcomes


def _assert_one_winner(outcomes: dict[str, list[str]], threads: int) -> None:
    wrong = {
        item: results
        for item, results in outcomes.items()
        if len(results) != threads
        or results.count("ok") != 1
        or any(r not in ("ok", "NotFoundError", "BadUserRequestError") for r in results)
    }
    assert wrong == {}


def test_racing_completes_of_one_external_task_exactly_one_succeeds(engine: Engine, deploy: Deploy) -> None:
    definition = deploy(Path("external_tasks/et_simple.bpmn")).process_definitions[0].id
    _start_many(engine, definition, 100)
    locked = [
        t.task.id for t in engine.external_tasks.fetch_and_lock("w", 100, [FetchTopic("work", LONG_LOCK)])
    ]
    assert len(locked) == 100

    with conflict_counter(engine) as conflicts:
        outcomes = _race_each(locked, 4, lambda task_id: engine.external_tasks.complete(task_id, "w"))

    _assert_one_winner(outcomes, 4)
    rejected = Counter(r for results in outcomes.values() for r in results if r != "ok")
    print(
        f"\n{engine.store.engine.dialect.name}: rejections {dict(rejected)}, "
        f"retried conflicts {conflicts.total()}"
    )
    assert engine.runtime.count_process_instances(ProcessInstanceQuery()) == 0


def test_racing_completes_of_one_user_task_exactly_one_succeeds(engine: Engine, deploy: Deploy) -> None:
    definition = deploy(Path("runtime/one_user_task.bpmn")).process_definitions[0].id
    _start_many(engine, definition, 100)
    tasks = [t.id for t in engine.tasks.query(TaskQuery())]
    assert len(tasks) == 100

    outcomes = _race_each(tasks, 4, lambda task_id: engine.tasks.complete(task_id))

    _assert_one_winner(outcomes, 4)
    assert engine.tasks.count(TaskQuery()) == 0
    assert engine.runtime.count_process_instances(ProcessInstanceQuery()) == 0


def test_racing_complete_failure_and_unlock_of_one_task_never_conflict(
    engine: Engine, deploy: Deploy
) -> None:
    """complete vs. failure vs. unlock vs. a second complete on the same locked task: exactly
    one complete succeeds per task; failure and unlock succeed or are cleanly refused."""
    definition = deploy(Path("external_tasks/et_simple.bpmn")).process_definitions[0].id
    _start_many(engine, definition, 60)
    locked = [
        t.task.id for t in engine.external_tasks.fetch_and_lock("w", 60, [FetchTopic("work", LONG_LOCK)])
    ]
    completions: Counter[str] = Counter()
    lock = threading.Lock()

    def complete(task_id: str) -> None:
        engine.external_tasks.complete(task_id, "w")
        with lock:
            completions[task_id] += 1

    calls: list[Callable[[str], object]] = [
        complete,
        complete,
        lambda task_id: engine.external_tasks.handle_failure(task_id, "w", error_message="x", retries=3),
        lambda task_id: engine.external_tasks.unlock(task_id),
    ]
    turn = threading.local()
    counter = iter(range(len(calls)))
    counter_lock = threading.Lock()

    def call(task_id: str) -> object:
        if not hasattr(turn, "index"):
            with counter_lock:
                turn.index = next(counter)
        return calls[turn.index](task_id)

    outcomes = _race_each(locked, len(calls), call)

    odd = {k: v for k, v in outcomes.items() if any(r not in ("ok", *[c.__name__ for c in CLEAN]) for r in v)}
    assert odd == {}
    # a task unlocked before both completes is no longer the worker's: then it stays, unlocked
    left = {t.id: t for t in engine.external_tasks.query(ExternalTaskQuery())}
    assert all(count == 1 for count in completions.values())
    assert set(completions) | set(left) == set(locked)
    assert not set(completions) & set(left)
    assert all(task.worker_id is None for task in left.values())


def test_workers_mixing_fetch_complete_failure_unlock_keep_the_invariants(
    engine: Engine, deploy: Deploy
) -> None:
    definition = deploy(Path("external_tasks/et_simple.bpmn")).process_definitions[0].id
    instances = set(_start_many(engine, definition, 300))
    expected = {t.id for t in engine.external_tasks.query(ExternalTaskQuery())}
    lock = threading.Lock()
    holder: dict[str, str] = {}
    completed: Counter[str] = Counter()
    violations: list[str] = []
    errors: list[str] = []
    counts: Counter[str] = Counter()

    def release(task_id: str, worker: str, call: Callable[[], object], op: str) -> bool:
        """Run a call that frees the task; the holder is cleared first, restored on refusal."""
        with lock:
            holder.pop(task_id, None)
        try:
            call()
        except CLEAN as error:
            with lock:
                counts[f"{op} refused"] += 1
                violations.append(f"{worker} {op} {task_id} refused: {error}")
            return False
        except Exception as error:
            with lock:
                errors.append(f"{op}: {type(error).__name__}: {error}")
            return False
        with lock:
            counts[op] += 1
        return True

    def worker(number: int) -> None:
        name = f"w{number}"
        rng = random.Random(number)
        idle = 0
        while idle < 5:
            try:
                batch = engine.external_tasks.fetch_and_lock(
                    name, rng.randint(1, 4), [FetchTopic("work", LONG_LOCK)]
                )
            except Exception as error:
                with lock:
                    errors.append(f"fetch: {type(error).__name__}: {error}")
                return
            with lock:
                for item in batch:
                    if item.task.id in holder:
                        violations.append(
                            f"{item.task.id} locked by {name} while {holder[item.task.id]} holds it"
                        )
                    holder[item.task.id] = name
                done = len(completed) >= len(expected)
            if not batch:
                idle = 5 if done else idle + 1
                time.sleep(0.005)
                continue
            idle = 0
            for item in batch:
                task_id = item.task.id
                roll = rng.random()
                if roll < 0.15:
                    release(
                        task_id,
                        name,
                        lambda t=task_id: engine.external_tasks.handle_failure(
                            t, name, error_message="try again", retries=5, retry_timeout=0
                        ),
                        "failure",
                    )
                elif roll < 0.3:
                    release(task_id, name, lambda t=task_id: engine.external_tasks.unlock(t), "unlock")
                else:
                    if release(
                        task_id,
                        name,
                        lambda t=task_id: engine.external_tasks.complete(t, name),
                        "complete",
                    ):
                        with lock:
                            completed[task_id] += 1
                    # a stale second report by the same worker must be refused cleanly
                    try:
                        engine.external_tasks.complete(task_id, name)
                    except CLEAN:
                        pass
                    except Exception as error:
                        with lock:
                            errors.append(f"stale complete: {type(error).__name__}: {error}")
                    else:
                        with lock:
                            completed[task_id] += 1

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(12)]
    began = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    print(
        f"\n{engine.store.engine.dialect.name}: {len(expected)} tasks in {time.monotonic() - began:.1f}s, "
        f"{dict(counts)}"
    )
    assert errors == []
    assert violations == []
    assert [t for t, n in completed.items() if n > 1] == []
    assert set(completed) == expected
    assert engine.external_tasks.count(ExternalTaskQuery()) == 0
    assert (
        engine.runtime.count_process_instances(ProcessInstanceQuery(process_instance_ids=list(instances)))
        == 0
    )


def test_parallel_joins_completed_concurrently_fire_exactly_once(engine: Engine, deploy: Deploy) -> None:
    """80 instances x 4 parallel branches, 8 threads completing branch tasks (each also writing
    the same variable): each join fires once, no client sees a conflict, the variable ends as
    one of the values written."""
    instances_count, threads_count = 80, 8
    definition = deploy(Path("concurrency/fork_join.bpmn")).process_definitions[0].id
    instances = _start_many(engine, definition, instances_count)
    lock = threading.Lock()
    errors: list[str] = []
    written: dict[str, set[str]] = {i: set() for i in instances}

    def worker(number: int) -> None:
        name = f"w{number}"
        idle = 0
        while idle < 3:
            batch = engine.external_tasks.fetch_and_lock(name, 2, [FetchTopic("branch", LONG_LOCK)])
            if not batch:
                idle += 1
                time.sleep(0.01)
                continue
            idle = 0
            for item in batch:
                value = f"{name}:{item.task.id}"
                with lock:
                    written[item.task.process_instance_id].add(value)
                try:
                    engine.external_tasks.complete(
                        item.task.id, name, variables={"last": TypedValue(ValueType.STRING, value)}
                    )
                except Exception as error:
                    with lock:
                        errors.append(f"{type(error).__name__}: {error}")

    with conflict_counter(engine) as conflicts:
        threads = [threading.Thread(target=worker, args=(n,)) for n in range(threads_count)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)

    after = engine.external_tasks.query(ExternalTaskQuery(activity_id="after"))
    print(
        f"\n{engine.store.engine.dialect.name}: {instances_count} joins, "
        f"conflicts retried in the engine: {conflicts.total()}"
    )
    assert errors == []
    assert (
        engine.external_tasks.count(
            ExternalTaskQuery(activity_id_in=["branchA", "branchB", "branchC", "branchD"])
        )
        == 0
    )
    assert sorted(t.process_instance_id for t in after) == sorted(instances)
    for instance in instances:
        assert engine.runtime.get_variables(instance)["last"].value in written[instance]
    closing = engine.external_tasks.fetch_and_lock(
        "closer", instances_count, [FetchTopic("after", LONG_LOCK)]
    )
    assert len(closing) == instances_count
    for item in closing:
        engine.external_tasks.complete(item.task.id, "closer")
    assert engine.runtime.count_process_instances(ProcessInstanceQuery()) == 0
