"""Task service: user task queries (claim, complete and BPMN errors come with the user-task
work)."""

from __future__ import annotations

from cadenza.engine.state import UserTask
from cadenza.errors import NotFoundError
from cadenza.services.runner import CommandRunner
from cadenza.store import Store, tasks as store_tasks
from cadenza.store.queries import Page, TaskQuery

__all__ = ["TaskService"]


class TaskService:
    def __init__(self, runner: CommandRunner) -> None:
        self._runner = runner
        self._store: Store = runner.store

    def query(self, query: TaskQuery, page: Page | None = None) -> list[UserTask]:
        with self._store.read() as connection:
            return store_tasks.query_tasks(connection, query, page or Page())

    def count(self, query: TaskQuery) -> int:
        with self._store.read() as connection:
            return store_tasks.count_tasks(connection, query)

    def get(self, task_id: str) -> UserTask:
        with self._store.read() as connection:
            found = store_tasks.find_task(connection, task_id)
        if found is None:
            raise NotFoundError(f"No matching task with id {task_id}")
        return found
