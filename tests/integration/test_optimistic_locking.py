"""Optimistic locking on SQLite and PostgreSQL: stale writes fail, the runner retries a
conflicting command, and a parallel join reached by two concurrent commands fires once."""

from __future__ import annotations

import threading

import pytest

from cadenza.errors import OptimisticLockError
from cadenza.expr.values import TypedValue, ValueType
from cadenza.services import Engine, ExecutionQuery, ExternalTaskQuery, FetchTopic, TaskQuery
from cadenza.services.runner import ServiceContext
from cadenza.store import tables
from cadenza.store.unit_of_work import SqlUnitOfWork
from conftest import Deploy


def _start(engine: Engine, deploy: Deploy, resource: str) -> str:
    definition = deploy(resource).process_definitions[0]
    return engine.runtime.start_process_instance(definition.id).instance.id


def test_flush_of_stale_row_after_concurrent_change_raises_optimistic_lock_error(
    engine: Engine, deploy: Deploy
) -> None:
    instance = _start(engine, deploy, "runtime/one_user_task.bpmn")
    with engine.store.engine.connect() as first_conn, engine.store.engine.connect() as second_conn:
        first, second = SqlUnitOfWork(first_conn), SqlUnitOfWork(second_conn)
        with first_conn.begin():
            first_graph = first.load_graph(instance)
        with second_conn.begin():
            second_graph = second.load_graph(instance)
        assert first_graph is not None and second_graph is not None
        (first_task,) = first_graph.user_tasks.values()
        (second_task,) = second_graph.user_tasks.values()
        first_task.assignee = "first"
        second_task.assignee = "second"

        with first_conn.begin():
            first.flush()
        with pytest.raises(OptimisticLockError, match="ENGINE-03005"), second_conn.begin():
            second.flush()

    (stored,) = engine.tasks.query(TaskQuery(process_instance_id=instance))
    assert stored.assignee == "first"
    assert stored.rev == 2


def test_delete_of_row_changed_concurrently_raises_optimistic_lock_error(
    engine: Engine, deploy: Deploy
) -> None:
    instance = _start(engine, deploy, "runtime/one_user_task.bpmn")
    with engine.store.engine.connect() as connection:
        stale = SqlUnitOfWork(connection)
        with connection.begin():
            graph = stale.load_graph(instance)
        assert graph is not None
        (task,) = graph.user_tasks.values()
        engine.runtime.set_variable(instance, "x", TypedValue(ValueType.STRING, "y"))
        engine.runtime.delete_process_instance(instance)  # the task row is gone now
        stale.delete(task)
        with pytest.raises(OptimisticLockError), connection.begin():
            stale.flush()


def test_run_command_conflicting_once_is_retried_on_fresh_data(engine: Engine, deploy: Deploy) -> None:
    instance = _start(engine, deploy, "runtime/one_user_task.bpmn")
    attempts: list[int] = []

    def command(ctx: ServiceContext) -> None:
        attempts.append(len(attempts) + 1)
        graph = ctx.graph(instance)
        (task,) = graph.user_tasks.values()
        task.assignee = f"attempt-{len(attempts)}"
        if len(attempts) == 1:
            # another transaction committed a change to the same row after we read it
            t = tables.task
            ctx.sql.connection.execute(t.update().where(t.c.id == task.id).values(rev=t.c.rev + 1))

    engine.runner.run(command)

    assert attempts == [1, 2]
    (task,) = engine.tasks.query(TaskQuery(process_instance_id=instance))
    assert task.assignee == "attempt-2"


def test_run_command_always_conflicting_raises_after_bounded_retries(engine: Engine, deploy: Deploy) -> None:
    instance = _start(engine, deploy, "runtime/one_user_task.bpmn")
    attempts: list[int] = []

    def command(ctx: ServiceContext) -> None:
        attempts.append(1)
        (task,) = ctx.graph(instance).user_tasks.values()
        task.assignee = "never"
        t = tables.task
        ctx.sql.connection.execute(t.update().where(t.c.id == task.id).values(rev=t.c.rev + 1))

    with pytest.raises(OptimisticLockError):
        engine.runner.run(command)

    assert len(attempts) == engine.config.max_optimistic_lock_retries + 1
    (task,) = engine.tasks.query(TaskQuery(process_instance_id=instance))
    assert task.assignee is None


def test_parallel_join_reached_by_two_concurrent_commands_fires_exactly_once(
    engine: Engine, deploy: Deploy, monkeypatch: pytest.MonkeyPatch
) -> None:
    instance = _start(engine, deploy, "optimistic_locking/parallel_join.bpmn")
    locked = engine.external_tasks.fetch_and_lock(
        "w", 2, [FetchTopic("left", 60_000), FetchTopic("right", 60_000)]
    )
    assert sorted(t.task.activity_id for t in locked) == ["left", "right"]

    flushes: list[str] = []
    concurrent = not engine.store.is_sqlite
    both_read = threading.Barrier(2, timeout=20)
    waited = threading.local()
    original_flush = SqlUnitOfWork.flush

    def flush(self: SqlUnitOfWork) -> None:
        flushes.append(threading.current_thread().name)
        # PostgreSQL: hold both transactions until each has read the instance and run its part
        # of the process, so they really overlap (SQLite serializes writers with BEGIN IMMEDIATE)
        if concurrent and not getattr(waited, "done", False):
            waited.done = True
            both_read.wait()
        original_flush(self)

    monkeypatch.setattr(SqlUnitOfWork, "flush", flush)
    start = threading.Barrier(2, timeout=20)
    errors: list[BaseException] = []

    def complete(task_id: str) -> None:
        try:
            start.wait()
            engine.external_tasks.complete(task_id, "w")
        except BaseException as error:  # reported below
            errors.append(error)

    threads = [threading.Thread(target=complete, args=(t.task.id,), name=t.task.activity_id) for t in locked]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    after = engine.tasks.query(TaskQuery(process_instance_id=instance))
    assert [t.task_definition_key for t in after] == ["after"]
    assert engine.external_tasks.count(ExternalTaskQuery()) == 0
    (root,) = engine.runtime.query_executions(ExecutionQuery(process_instance_id=instance))
    assert root.id == instance and root.activity_id == "after"
    if concurrent:
        assert len(flushes) == 3  # exactly one of the two commands conflicted and was re-run
