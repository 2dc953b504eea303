"""Variable service: the runtime variable instances across all scopes (Camunda
``RuntimeService.createVariableInstanceQuery``), as ``GET /variable-instance`` shows them.

Reading and writing the variables of one scope stays with the scope's service
(``engine.runtime`` for process instances and executions, ``engine.tasks`` for tasks).
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from cadenza.engine.state import VariableInstance
from cadenza.errors import NotFoundError
from cadenza.expr.values import TypedValue
from cadenza.services.authorization import restriction
from cadenza.services.runner import CommandRunner
from cadenza.store import Store, tables, variables as store_variables
from cadenza.store.queries import Page
from cadenza.store.variables import VariableInstanceQuery

__all__ = ["VariableInstanceQuery", "VariableService", "VariableView"]


@dataclass(frozen=True)
class VariableView:
    """One variable instance as ``VariableInstanceDto`` shows it."""

    id: str
    name: str
    value: TypedValue
    process_definition_id: str | None
    process_instance_id: str
    execution_id: str
    task_id: str | None
    activity_instance_id: str | None
    tenant_id: str | None


def _view(variable: VariableInstance) -> VariableView:
    return VariableView(
        id=variable.id,
        name=variable.name,
        value=variable.value,
        process_definition_id=variable.process_definition_id,
        process_instance_id=variable.process_instance_id,
        execution_id=variable.execution_id,
        task_id=variable.task_id,
        activity_instance_id=store_variables.reported_activity_instance_id(variable),
        tenant_id=variable.tenant_id,
    )


class VariableService:
    def __init__(self, runner: CommandRunner) -> None:
        self._runner = runner
        self._store: Store = runner.store

    def query_variable_instances(
        self, query: VariableInstanceQuery, page: Page | None = None, *, user_id: str | None = None
    ) -> list[VariableView]:
        """Variable instances of every scope matching ``query`` (transient ones never exist
        here) that the acting user may read: READ on the instance or READ_INSTANCE on its
        definition; for task variables also READ on the task or READ_TASK on the definition."""
        with self._store.read() as connection:
            visible = restriction(connection, self._runner, user_id, "variable")
            found = store_variables.query_variable_instances(connection, query, page or Page(), visible)
        return [_view(v) for v in found]

    def count_variable_instances(self, query: VariableInstanceQuery, *, user_id: str | None = None) -> int:
        with self._store.read() as connection:
            visible = restriction(connection, self._runner, user_id, "variable")
            return store_variables.count_variable_instances(connection, query, visible)

    def get_variable_instance(self, variable_id: str, *, user_id: str | None = None) -> VariableView:
        """One variable instance by id.

        Raises:
            NotFoundError: no such variable instance, or one the user may not read.
        """
        with self._store.read() as connection:
            visible = restriction(connection, self._runner, user_id, "variable")
            if visible is None:
                found = store_variables.find_variable_instance(connection, variable_id)
            else:
                only = sa.and_(tables.variable.c.id == variable_id, visible)
                matches = store_variables.query_variable_instances(
                    connection, VariableInstanceQuery(), Page(0, 1), only
                )
                found = matches[0] if matches else None
        if found is None:
            raise NotFoundError(f"Variable instance with Id '{variable_id}' does not exist.")
        return _view(found)
