"""Incident service (Camunda's incident parts of ``RuntimeService``): query incidents, annotate
them, resolve custom ones. External-task incidents are opened and resolved by the external task
service through ``engine.incidents``."""

from __future__ import annotations

from cadenza.engine.incidents import resolve_incident
from cadenza.engine.state import Incident, IncidentType
from cadenza.errors import BadUserRequestError, NotFoundError
from cadenza.services.authorization import check_incident, restriction
from cadenza.services.runner import CommandRunner, ServiceContext
from cadenza.store import Store, incidents as store_incidents
from cadenza.store.incidents import IncidentQuery
from cadenza.store.queries import Page

__all__ = ["IncidentQuery", "IncidentService"]

_BUILT_IN = frozenset(t.value for t in IncidentType)


class IncidentService:
    def __init__(self, runner: CommandRunner) -> None:
        self._runner = runner
        self._store: Store = runner.store

    def query(
        self, query: IncidentQuery, page: Page | None = None, *, user_id: str | None = None
    ) -> list[Incident]:
        """Incidents of instances the acting user may read (READ on the instance or
        READ_INSTANCE on its definition, and one of its tenants)."""
        with self._store.read() as connection:
            visible = restriction(connection, self._runner, user_id, "incident")
            return store_incidents.query_incidents(connection, query, page or Page(), visible)

    def count(self, query: IncidentQuery, *, user_id: str | None = None) -> int:
        with self._store.read() as connection:
            visible = restriction(connection, self._runner, user_id, "incident")
            return store_incidents.count_incidents(connection, query, visible)

    def get(self, incident_id: str, *, user_id: str | None = None) -> Incident:
        """Raises NotFoundError ``No matching incident with id X`` (Camunda's 404 text), also
        for an incident the user may not read (the query finds nothing)."""
        found = self.query(IncidentQuery(incident_id=incident_id), Page(0, 1), user_id=user_id)
        if not found:
            raise NotFoundError(f"No matching incident with id {incident_id}")
        return found[0]

    def set_annotation(self, incident_id: str, annotation: str | None) -> None:
        """Set (or with None clear) the incident's annotation (UPDATE on its instance).

        Raises:
            BadUserRequestError: unknown incident (Camunda answers 400 here, not 404).
        """

        def command(ctx: ServiceContext) -> None:
            check_incident(ctx, incident_id, "update")
            incident = self._load(ctx, incident_id)
            if incident is None:
                raise BadUserRequestError(
                    f"Cannot find an incident with id '{incident_id}': incident is null",
                    camunda_type="NotFoundException",
                )
            incident.annotation = annotation

        self._runner.run(command)

    def resolve(self, incident_id: str) -> None:
        """Resolve a custom incident; built-in ones go away when their cause is fixed.

        Raises:
            NotFoundError: unknown incident.
            BadUserRequestError: a ``failedJob``/``failedExternalTask`` incident.
        """

        def command(ctx: ServiceContext) -> None:
            check_incident(ctx, incident_id, "update")
            incident = self._load(ctx, incident_id)
            if incident is None:
                raise NotFoundError(f"Cannot find an incident with id '{incident_id}': incident is null")
            if incident.incident_type in _BUILT_IN:
                raise BadUserRequestError(f"Cannot resolve an incident of type {incident.incident_type}")
            resolve_incident(ctx, ctx.graph(incident.process_instance_id), incident)

        self._runner.run(command)

    @staticmethod
    def _load(ctx: ServiceContext, incident_id: str) -> Incident | None:
        found = store_incidents.find_incident(ctx.sql.connection, incident_id)
        if found is None:
            return None
        graph = ctx.graph(found.process_instance_id)
        return graph.incidents.get(incident_id)
