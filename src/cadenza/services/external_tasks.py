"""External task service: queries (fetch-and-lock, complete, failure and BPMN errors come with
the external-task work)."""

from __future__ import annotations

from cadenza.engine.state import ExternalTask
from cadenza.errors import NotFoundError
from cadenza.services.runner import CommandRunner
from cadenza.store import Store, external_tasks as store_external_tasks
from cadenza.store.queries import ExternalTaskQuery, Page

__all__ = ["ExternalTaskService"]


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
