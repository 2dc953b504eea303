"""Statistics service (the statistics queries of Camunda's ``ManagementService``): what Cockpit
shows on the definition list and on a definition's diagram."""

from __future__ import annotations

from cadenza.services.runner import CommandRunner
from cadenza.store import Store, statistics as store_statistics
from cadenza.store.statistics import ActivityStatistics, DefinitionStatistics, IncidentFilter

__all__ = ["ActivityStatistics", "DefinitionStatistics", "IncidentFilter", "StatisticsService"]


class StatisticsService:
    def __init__(self, runner: CommandRunner) -> None:
        self._store: Store = runner.store

    def process_definition_statistics(
        self, incidents: IncidentFilter | None = None
    ) -> list[DefinitionStatistics]:
        """Every deployed definition with its running instances (and incidents by type)."""
        with self._store.read() as connection:
            return store_statistics.definition_statistics(connection, incidents or IncidentFilter())

    def activity_statistics(
        self, definition_id: str, incidents: IncidentFilter | None = None
    ) -> list[ActivityStatistics]:
        """Activities of ``definition_id`` with running activity instances or open incidents.

        An unknown definition has no activities: an empty list, as Camunda answers.
        """
        with self._store.read() as connection:
            return store_statistics.activity_statistics(
                connection, definition_id, incidents or IncidentFilter()
            )
