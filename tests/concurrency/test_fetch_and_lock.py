"""16 workers race over 2,000 external tasks through the services, on SQLite and PostgreSQL
(reliability.md §2.2, R1): no task is locked by two workers at once, none is completed twice,
none is lost.

Each worker thread runs its own loop: fetch-and-lock up to 5 tasks, complete each, then try to
complete the same task a second time (which must fail with "does not exist"). Locks last ten
minutes on a clock that stands still, so a task handed out twice can only be a double lock.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from cadenza.errors import NotFoundError
from cadenza.services import Engine, ExternalTaskQuery, FetchTopic, ProcessInstanceQuery
from conftest import Deploy

WORKERS = 16
TASKS = 2000
TOPIC = FetchTopic("work", lock_duration=600_000)


def test_concurrent_workers_lock_and_complete_each_task_exactly_once(engine: Engine, deploy: Deploy) -> None:
    definition = deploy(Path("external_tasks/et_simple.bpmn")).process_definitions[0].id
    began = time.monotonic()
    with ThreadPoolExecutor(8) as pool:
        instances = list(
            pool.map(lambda _: engine.runtime.start_process_instance(definition).instance.id, range(TASKS))
        )
    created = time.monotonic()
    expected = {t.id for t in engine.external_tasks.query(ExternalTaskQuery())}
    assert len(expected) == TASKS

    lock = threading.Lock()
    delivered: Counter[str] = Counter()
    completed: Counter[str] = Counter()
    second_completions: list[str] = []
    errors: list[BaseException] = []

    def worker(number: int) -> None:
        name = f"worker-{number}"
        empty_rounds = 0
        try:
            while empty_rounds < 3:
                batch = engine.external_tasks.fetch_and_lock(name, 5, [TOPIC])
                with lock:
                    delivered.update(item.task.id for item in batch)
                    if not batch and len(completed) >= TASKS:
                        empty_rounds = 3
                if not batch:
                    empty_rounds += 1
                    time.sleep(0.01)
                    continue
                empty_rounds = 0
                for item in batch:
                    engine.external_tasks.complete(item.task.id, name)
                    with lock:
                        completed[item.task.id] += 1
                    try:
                        engine.external_tasks.complete(item.task.id, name)
                    except NotFoundError:
                        pass
                    else:
                        with lock:
                            second_completions.append(item.task.id)
        except BaseException as error:  # reported below, the thread must not die silently
            with lock:
                errors.append(error)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(WORKERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    finished = time.monotonic()
    assert not [t for t in threads if t.is_alive()], "a worker hung"

    locked_twice = [task_id for task_id, count in delivered.items() if count > 1]
    completed_twice = [task_id for task_id, count in completed.items() if count > 1] + second_completions
    lost = expected - set(completed)
    print(
        f"\n{engine.store.engine.dialect.name}: {TASKS} tasks created in {created - began:.1f}s, "
        f"{WORKERS} workers done in {finished - created:.1f}s; locked twice: {len(locked_twice)}, "
        f"completed twice: {len(completed_twice)}, lost: {len(lost)}, errors: {len(errors)}"
    )
    assert errors == []
    assert locked_twice == []
    assert completed_twice == []
    assert lost == set()
    assert set(delivered) == expected
    assert engine.external_tasks.count(ExternalTaskQuery()) == 0
    assert engine.runtime.count_process_instances(ProcessInstanceQuery()) == 0
    assert len(instances) == TASKS
