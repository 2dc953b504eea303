"""Activity-instance trees (Camunda ``RuntimeService.getActivityInstance``): where a running
process instance stands, for Cockpit's diagram highlighting and for clients."""

from __future__ import annotations

from cadenza.engine.activity_instances import ActivityInstance, activity_instance_tree
from cadenza.errors import NotFoundError
from cadenza.services.authorization import ReadAccess, check_instance
from cadenza.services.runner import CommandRunner
from cadenza.store import Store
from cadenza.store.unit_of_work import SqlUnitOfWork

__all__ = ["ActivityInstance", "ActivityInstanceService"]


class ActivityInstanceService:
    def __init__(self, runner: CommandRunner) -> None:
        self._runner = runner
        self._store: Store = runner.store

    def get_tree(self, process_instance_id: str, *, user_id: str | None = None) -> ActivityInstance:
        """The activity-instance tree of a running instance.

        Raises:
            NotFoundError: no running instance with this id (also: a child execution's id).
            AuthorizationError: no READ on the instance (nor READ_INSTANCE on its definition).
        """
        with self._store.read() as connection:
            check_instance(ReadAccess(connection, self._runner, user_id), process_instance_id, "read")
            graph = SqlUnitOfWork(connection).load_graph(process_instance_id)
        if graph is None or process_instance_id not in graph.executions:
            raise NotFoundError(f"Process instance with id {process_instance_id} does not exist")
        root = graph.root
        process = self._store.definitions.deployed_process(root.process_definition_id).process
        return activity_instance_tree(graph, process)
