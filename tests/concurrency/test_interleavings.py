"""Camunda's competing-command tests (``engine/.../test/concurrency``), ported with the
deterministic interleaving harness: transaction A is held after its reads, B runs to its end,
then A flushes. On PostgreSQL B really commits in between and A must cope with B's changes
(the runner re-runs it); on SQLite writers are serialized and the same commands run one after
the other. Either way the loser gets a clean answer (0 tasks, 404, 400), never a conflict.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from cadenza.errors import BadUserRequestError, NotFoundError
from cadenza.expr.values import TypedValue, ValueType
from cadenza.services import (
    Engine,
    ExternalTaskQuery,
    FetchTopic,
    ProcessDefinitionQuery,
    ProcessInstanceQuery,
    TaskQuery,
)
from conftest import RESOURCES, Deploy

from .interleaving import race

LONG_LOCK = 600_000


def _one_external_task(engine: Engine, deploy: Deploy) -> str:
    definition = deploy(Path("external_tasks/et_simple.bpmn")).process_definitions[0].id
    engine.runtime.start_process_instance(definition)
    (task,) = engine.external_tasks.query(ExternalTaskQuery())
    return task.id


def _fetch(engine: Engine, worker: str) -> list[str]:
    return [
        t.task.id for t in engine.external_tasks.fetch_and_lock(worker, 5, [FetchTopic("work", LONG_LOCK)])
    ]


def test_competing_fetch_loser_gets_no_task_and_no_error(engine: Engine, deploy: Deploy) -> None:
    """CompetingExternalTaskFetchingTest: two fetches for one task, one gets it, the other
    gets an empty list."""
    task_id = _one_external_task(engine, deploy)

    outcome = race(engine, lambda: _fetch(engine, "w1"), lambda: _fetch(engine, "w2"))

    assert outcome.first.error is None and outcome.second.error is None
    # A locked the task before it was held: PostgreSQL's SKIP LOCKED hides the row from B,
    # SQLite runs B after A; both ways B finds nothing
    assert outcome.first.result == [task_id]
    assert outcome.second.result == []
    assert outcome.second_done_while_first_held is not engine.store.is_sqlite
    (stored,) = engine.external_tasks.query(ExternalTaskQuery())
    assert stored.worker_id == "w1"


def test_competing_lock_by_id_and_fetch_lock_the_task_once(engine: Engine, deploy: Deploy) -> None:
    """CompetingExternalTaskLockingTest: ``lock`` read the task, a fetch locked it meanwhile."""
    task_id = _one_external_task(engine, deploy)

    outcome = race(
        engine,
        lambda: engine.external_tasks.lock(task_id, "by-id", LONG_LOCK),
        lambda: _fetch(engine, "fetcher"),
    )

    (stored,) = engine.external_tasks.query(ExternalTaskQuery())
    if engine.store.is_sqlite:  # serialized: lock first, the fetch finds nothing
        assert outcome.first.error is None
        assert outcome.second.result == []
        assert stored.worker_id == "by-id"
    else:  # the fetch committed while lock was held: lock is re-run and refused
        assert outcome.second_done_while_first_held
        assert outcome.second.result == [task_id]
        assert isinstance(outcome.first.error, BadUserRequestError)
        assert "It is locked by worker 'fetcher'" in outcome.first.error.message
        assert outcome.first.conflicts >= 1
        assert stored.worker_id == "fetcher"


def test_competing_complete_of_external_task_one_wins_other_gets_404(engine: Engine, deploy: Deploy) -> None:
    task_id = _one_external_task(engine, deploy)
    assert _fetch(engine, "w") == [task_id]

    outcome = race(
        engine,
        lambda: engine.external_tasks.complete(task_id, "w"),
        lambda: engine.external_tasks.complete(task_id, "w"),
    )

    winner, loser = (
        (outcome.first, outcome.second) if engine.store.is_sqlite else (outcome.second, outcome.first)
    )
    assert winner.error is None
    assert isinstance(loser.error, NotFoundError), loser.error
    if not engine.store.is_sqlite:
        assert outcome.second_done_while_first_held and loser.conflicts >= 1
    assert engine.runtime.count_process_instances(ProcessInstanceQuery()) == 0


def test_competing_complete_and_failure_of_external_task(engine: Engine, deploy: Deploy) -> None:
    """complete read the task, a failure report changed it meanwhile: the complete is re-run
    on the failed task (still locked by the same worker) and succeeds; nothing is lost."""
    task_id = _one_external_task(engine, deploy)
    assert _fetch(engine, "w") == [task_id]

    outcome = race(
        engine,
        lambda: engine.external_tasks.complete(task_id, "w"),
        lambda: engine.external_tasks.handle_failure(task_id, "w", error_message="boom", retries=2),
    )

    assert outcome.first.error is None
    if engine.store.is_sqlite:  # failure ran after the completion: the task is gone
        assert isinstance(outcome.second.error, NotFoundError)
    else:
        assert outcome.second.error is None and outcome.first.conflicts >= 1
    assert engine.external_tasks.count(ExternalTaskQuery()) == 0
    assert engine.runtime.count_process_instances(ProcessInstanceQuery()) == 0


def test_competing_complete_of_user_task_one_wins_other_gets_404(engine: Engine, deploy: Deploy) -> None:
    definition = deploy(Path("runtime/one_user_task.bpmn")).process_definitions[0].id
    instance = engine.runtime.start_process_instance(definition).instance.id
    (task,) = engine.tasks.query(TaskQuery(process_instance_id=instance))

    outcome = race(engine, lambda: engine.tasks.complete(task.id), lambda: engine.tasks.complete(task.id))

    winner, loser = (
        (outcome.first, outcome.second) if engine.store.is_sqlite else (outcome.second, outcome.first)
    )
    assert winner.error is None
    assert isinstance(loser.error, NotFoundError), loser.error
    if not engine.store.is_sqlite:
        assert loser.conflicts >= 1
    assert engine.tasks.count(TaskQuery()) == 0


def test_competing_join_fires_once(engine: Engine, deploy: Deploy) -> None:
    """CompetingJoinTest: both branches arrive at the join at once; one command is re-run and
    the join continues exactly once."""
    definition = deploy(Path("optimistic_locking/parallel_join.bpmn")).process_definitions[0].id
    instance = engine.runtime.start_process_instance(definition).instance.id
    locked = engine.external_tasks.fetch_and_lock(
        "w", 2, [FetchTopic("left", LONG_LOCK), FetchTopic("right", LONG_LOCK)]
    )
    left, right = sorted(locked, key=lambda t: t.task.activity_id)

    outcome = race(
        engine,
        lambda: engine.external_tasks.complete(left.task.id, "w"),
        lambda: engine.external_tasks.complete(right.task.id, "w"),
    )

    assert outcome.first.error is None and outcome.second.error is None
    if not engine.store.is_sqlite:
        assert outcome.second_done_while_first_held and outcome.first.conflicts >= 1
    after = engine.tasks.query(TaskQuery(process_instance_id=instance))
    assert [t.task_definition_key for t in after] == ["after"]
    assert engine.external_tasks.count(ExternalTaskQuery()) == 0


def test_competing_variable_updates_both_apply_last_commit_wins(engine: Engine, deploy: Deploy) -> None:
    """ConcurrentVariableUpdateTest, without the client-visible conflict: the held update is
    re-run on top of the committed one."""
    definition = deploy(Path("runtime/one_user_task.bpmn")).process_definitions[0].id
    instance = engine.runtime.start_process_instance(definition).instance.id
    engine.runtime.set_variable(instance, "x", TypedValue(ValueType.STRING, "initial"))

    outcome = race(
        engine,
        lambda: engine.runtime.set_variable(instance, "x", TypedValue(ValueType.STRING, "first")),
        lambda: engine.runtime.set_variable(instance, "x", TypedValue(ValueType.STRING, "second")),
    )

    assert outcome.first.error is None and outcome.second.error is None
    last = "second" if engine.store.is_sqlite else "first"
    assert engine.runtime.get_variables(instance)["x"].value == last


@pytest.mark.parametrize("duplicate_filtering", [False, True])
def test_concurrent_deployment_of_same_resource_gives_distinct_versions(
    engine: Engine, duplicate_filtering: bool
) -> None:
    """ConcurrentDeploymentTest: no two definitions share a version; with duplicate filtering
    only one deployment is made."""
    resource = [("et_simple.bpmn", (RESOURCES / "external_tasks/et_simple.bpmn").read_bytes())]

    def deploy_once() -> object:
        return engine.repository.deploy(resource, name="same", enable_duplicate_filtering=duplicate_filtering)

    outcome = race(engine, deploy_once, deploy_once)

    assert outcome.first.error is None and outcome.second.error is None
    definitions = engine.repository.query_process_definitions(ProcessDefinitionQuery(key="et_simple"))
    versions = sorted(d.version for d in definitions)
    assert versions == ([1] if duplicate_filtering else [1, 2])
    if not engine.store.is_sqlite:
        assert outcome.first.conflicts >= 1
