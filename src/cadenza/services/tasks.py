"""Task service (Camunda ``TaskService``): user task queries and completion (claiming,
delegation and BPMN errors come with the user-task issue)."""

from __future__ import annotations

from collections.abc import Mapping

from cadenza.engine.behaviors.tasks import complete_user_task
from cadenza.engine.state import UserTask
from cadenza.engine.variables import visible_variables
from cadenza.errors import BadUserRequestError, NotFoundError
from cadenza.expr.values import TypedValue
from cadenza.services.runner import CommandRunner, ServiceContext
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

    def complete(
        self,
        task_id: str,
        variables: Mapping[str, TypedValue] | None = None,
        *,
        with_variables_in_return: bool = False,
    ) -> dict[str, TypedValue] | None:
        """Complete a user task: its variables are set on the task's execution (non-local),
        then the process continues in the same transaction.

        Returns:
            With ``with_variables_in_return``, the variables visible from the task's execution
            after the process moved on; else None.
        """

        def command(ctx: ServiceContext) -> dict[str, TypedValue] | None:
            found = store_tasks.find_task(ctx.sql.connection, task_id)
            if found is None:
                raise NotFoundError(f"Cannot find task with id {task_id}: task is null")
            graph = ctx.graph(found.process_instance_id)
            task = graph.user_tasks[task_id]
            if task.suspended:
                raise BadUserRequestError(f"Task with id '{task_id}' is suspended.")
            execution = graph.executions[task.execution_id]
            # keep a handle on the instance's variables: they leave the graph if it ends now
            root_variables = graph.execution_variables.setdefault(execution.process_instance_id, {})
            complete_user_task(ctx, graph, task, variables or {})
            ctx.run_agenda()
            if not with_variables_in_return:
                return None
            if execution.id in graph.executions:
                return {n: v.value for n, v in visible_variables(graph, execution).items()}
            return {n: v.value for n, v in root_variables.items()}

        return self._runner.run(command)
