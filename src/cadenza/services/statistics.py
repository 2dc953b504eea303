"""Statistics service (the statistics queries of Camunda's ``ManagementService``): what Cockpit
shows on the definition list and on a definition's diagram."""

from __future__ import annotations

import sqlalchemy as sa

from cadenza.errors import NotFoundError
from cadenza.services.authorization import ReadAccess, check_definition, restriction
from cadenza.services.runner import CommandRunner
from cadenza.store import Store, deployments as store_deployments, statistics as store_statistics
from cadenza.store.statistics import ActivityStatistics, DefinitionStatistics, IncidentFilter, Visibility

__all__ = ["ActivityStatistics", "DefinitionStatistics", "IncidentFilter", "StatisticsService"]


class StatisticsService:
    def __init__(self, runner: CommandRunner) -> None:
        self._runner = runner
        self._store: Store = runner.store

    def _visibility(self, connection: sa.Connection, user_id: str | None) -> Visibility:
        def only(kind: str) -> tuple[sa.ColumnElement[bool], ...]:
            condition = restriction(connection, self._runner, user_id, kind)
            return () if condition is None else (condition,)

        return Visibility(only("process_definition"), only("process_instance"), only("incident"))

    def process_definition_statistics(
        self, incidents: IncidentFilter | None = None, *, user_id: str | None = None
    ) -> list[DefinitionStatistics]:
        """Every deployed definition with its running instances (and incidents by type):
        only the definitions, instances and incidents the acting user may read."""
        with self._store.read() as connection:
            visible = self._visibility(connection, user_id)
            return store_statistics.definition_statistics(connection, incidents or IncidentFilter(), visible)

    def activity_statistics(
        self, definition_id: str, incidents: IncidentFilter | None = None, *, user_id: str | None = None
    ) -> list[ActivityStatistics]:
        """Activities of ``definition_id`` with running activity instances or open incidents
        (those the acting user may read; READ on the definition is required).

        An unknown definition has no activities: an empty list, as Camunda answers.
        """
        with self._store.read() as connection:
            try:
                definition = store_deployments.find_process_definition(connection, definition_id)
            except NotFoundError:
                pass  # nothing to count, nothing to protect
            else:
                access = ReadAccess(connection, self._runner, user_id)
                check_definition(access, definition.key, "READ", definition.tenant_id)
            visible = self._visibility(connection, user_id)
            return store_statistics.activity_statistics(
                connection, definition_id, incidents or IncidentFilter(), visible
            )
