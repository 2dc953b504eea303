"""External task service (Camunda ``ExternalTaskService``): queries, fetch-and-lock, complete.

Failure reporting, BPMN errors, lock management and long polling come with the external-task
issue; what is here already follows Camunda's rules (worker check on complete, silent drop of
tasks another worker locked first).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import timedelta

from cadenza.engine.behaviors.tasks import complete_external_task
from cadenza.engine.state import ExternalTask
from cadenza.engine.variables import visible_variables
from cadenza.errors import BadUserRequestError, NotFoundError, ProcessEngineError
from cadenza.expr.values import TypedValue
from cadenza.services.runner import CommandRunner, ServiceContext
from cadenza.store import Store, external_tasks as store_external_tasks
from cadenza.store.queries import ExternalTaskQuery, Page

__all__ = ["ExternalTaskService", "FetchTopic", "LockedExternalTask"]


@dataclass(frozen=True)
class FetchTopic:
    """One topic of a fetch-and-lock request."""

    topic_name: str
    lock_duration: int
    """milliseconds, > 0"""
    variables: Sequence[str] | None = None
    """names to return; None = all visible variables, [] = none"""
    local_variables: bool = False


@dataclass(frozen=True)
class LockedExternalTask:
    task: ExternalTask
    variables: dict[str, TypedValue] = field(default_factory=dict)


class ExternalTaskService:
    def __init__(self, runner: CommandRunner) -> None:
        self._runner = runner
        self._store: Store = runner.store

    def query(self, query: ExternalTaskQuery, page: Page | None = None) -> list[ExternalTask]:
        with self._store.read() as connection:
            return store_external_tasks.query_external_tasks(
                connection, query, page or Page(), self._runner.clock.now()
            )

    def count(self, query: ExternalTaskQuery) -> int:
        with self._store.read() as connection:
            return store_external_tasks.count_external_tasks(connection, query, self._runner.clock.now())

    def get(self, external_task_id: str) -> ExternalTask:
        with self._store.read() as connection:
            found = store_external_tasks.find_external_task(connection, external_task_id)
        if found is None:
            raise NotFoundError(
                f"External task with id {external_task_id} does not exist",
                camunda_type="RestException",
            )
        return found

    def fetch_and_lock(
        self,
        worker_id: str,
        max_tasks: int,
        topics: Sequence[FetchTopic],
        *,
        use_priority: bool = False,
    ) -> list[LockedExternalTask]:
        """Lock up to ``max_tasks`` fetchable tasks of the given topics for ``worker_id``.

        A task another worker locked between our read and our update is left out silently
        (Camunda's ``CompetingExternalTaskFetchingTest``): a task is never locked twice.
        """
        if not worker_id:
            raise ProcessEngineError("workerId is null", camunda_type="NullValueException")
        if max_tasks < 0:
            raise BadUserRequestError("maxResults is not greater than or equal to 0")
        by_topic: dict[str, FetchTopic] = {}
        for topic in topics:  # duplicate topic names: the last one wins, as in Camunda
            if not topic.topic_name:
                raise ProcessEngineError("topicName is null", camunda_type="NullValueException")
            if topic.lock_duration <= 0:
                raise ProcessEngineError("lockTime is not greater than 0")
            by_topic[topic.topic_name] = topic
        if max_tasks == 0 or not by_topic:
            return []

        def command(ctx: ServiceContext) -> list[LockedExternalTask]:
            now = ctx.now()
            candidates = store_external_tasks.fetchable_candidates(
                ctx.sql.connection,
                list(by_topic),
                now,
                max_tasks,
                use_priority=use_priority,
                skip_locked=not self._store.is_sqlite,
            )
            locked: list[LockedExternalTask] = []
            for task in candidates:
                topic = by_topic[task.topic_name]
                expires = now + timedelta(milliseconds=topic.lock_duration)
                if not store_external_tasks.try_lock(ctx.sql.connection, task, worker_id, expires):
                    continue
                variables: dict[str, TypedValue] = {}
                if topic.variables is None or topic.variables:
                    graph = ctx.graph(task.process_instance_id)
                    execution = graph.executions[task.execution_id]
                    visible = visible_variables(graph, execution, local=topic.local_variables)
                    wanted = (
                        visible
                        if topic.variables is None
                        else {n: visible[n] for n in topic.variables if n in visible}
                    )
                    variables = {n: v.value for n, v in wanted.items()}
                locked.append(LockedExternalTask(task, variables))
            return locked

        return self._runner.run(command)

    def complete(
        self,
        external_task_id: str,
        worker_id: str,
        *,
        variables: Mapping[str, TypedValue] | None = None,
        local_variables: Mapping[str, TypedValue] | None = None,
    ) -> None:
        """Complete a task locked by ``worker_id`` and continue the process in the same
        transaction.

        Raises:
            NotFoundError: no such task (also when it was cancelled).
            BadUserRequestError: the task is locked by another worker (or not locked).
            ProcessEngineError: continuing the process failed; nothing was changed.
        """
        if not worker_id:
            raise ProcessEngineError("workerId is null", camunda_type="NullValueException")

        def command(ctx: ServiceContext) -> None:
            found = store_external_tasks.find_external_task(ctx.sql.connection, external_task_id)
            if found is None:
                raise NotFoundError(
                    f"External task with id {external_task_id} does not exist",
                    camunda_type="RestException",
                    code=0,
                )
            graph = ctx.graph(found.process_instance_id)
            task = graph.external_tasks[external_task_id]
            if task.worker_id != worker_id:
                raise BadUserRequestError(
                    f"External Task {external_task_id} cannot be completed by worker "
                    # Camunda prints Java's null for an unlocked task (semantics §2.4 step 3)
                    f"'{worker_id}'. It is locked by worker '{task.worker_id or 'null'}'.",
                    camunda_type="RestException",
                )
            if task.suspended:
                raise BadUserRequestError(
                    f"ENGINE-03043 ExternalTask with id '{external_task_id}' is suspended.",
                    camunda_type="RestException",
                )
            complete_external_task(ctx, graph, task, variables or {}, local_variables or {})

        self._runner.run(command)
