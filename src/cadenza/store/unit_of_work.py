"""The unit of work: what one command loaded, created and deleted, flushed at commit.

Loaded entities are remembered with a snapshot of their row; at flush every entity whose row
differs (or that was ``touch``-ed) is written with ``UPDATE ... SET rev = rev + 1 WHERE id = ?
AND rev = ?``. A row count of 0 means somebody else changed or deleted the row since we read it:
``OptimisticLockError``, and the command runner re-runs the command. Entities created and
deleted within the same command never reach the database (a process instance that runs to its
end in one call writes only its history row).
"""

from __future__ import annotations

import functools
from collections import defaultdict
from collections.abc import Iterable, Mapping
from typing import Any

import sqlalchemy as sa

from cadenza.engine.state import (
    EventSubscription,
    Execution,
    ExternalTask,
    HistoricProcessInstance,
    IdentityLink,
    Incident,
    InstanceGraph,
    Job,
    UserTask,
    VariableInstance,
)
from cadenza.errors import OptimisticLockError
from cadenza.store import tables
from cadenza.store.mapping import EntityMapping, mapping_for

__all__ = ["SqlUnitOfWork"]


class SqlUnitOfWork:
    """Tracks entities of one transaction on one connection (implements ``engine.ports.UnitOfWork``)."""

    def __init__(self, connection: sa.Connection) -> None:
        self.connection = connection
        self._loaded: dict[int, tuple[Any, dict[str, Any]]] = {}
        self._new: dict[int, Any] = {}
        self._deleted: dict[int, Any] = {}
        self._touched: set[int] = set()

    # ── registration ────────────────────────────────────────────────────────────────────────
    def insert(self, entity: object) -> None:
        self._new[id(entity)] = entity

    def delete(self, entity: object) -> None:
        key = id(entity)
        if self._new.pop(key, None) is not None:
            return  # created and dropped in the same command: never written
        self._deleted[key] = entity

    def new_entities(self, cls: type) -> list[Any]:
        """Entities of ``cls`` registered for insertion in this transaction."""
        return [e for e in self._new.values() if isinstance(e, cls)]

    def changed_entities(self, cls: type) -> list[tuple[Any, dict[str, Any]]]:
        """Loaded entities of ``cls`` (not deleted) with the row they were loaded as, to compare
        with their current state before the flush."""
        return [
            (entity, snapshot)
            for key, (entity, snapshot) in self._loaded.items()
            if isinstance(entity, cls) and key not in self._deleted
        ]

    def deleted_entities(self, cls: type) -> list[Any]:
        """Entities of ``cls`` registered for deletion in this transaction."""
        return [e for e in self._deleted.values() if isinstance(e, cls)]

    def touch(self, entity: object) -> None:
        if id(entity) in self._loaded:
            self._touched.add(id(entity))

    def track(self, entity: Any) -> Any:
        """Remember a freshly loaded entity so changes to it are flushed."""
        mapping = mapping_for(type(entity))
        self._loaded[id(entity)] = (entity, mapping.to_row(entity))
        return entity

    # ── loading ─────────────────────────────────────────────────────────────────────────────
    def load(self, cls: type, criterion: sa.ColumnElement[bool]) -> list[Any]:
        """Load and track every row of ``cls``'s table matching ``criterion``."""
        mapping = mapping_for(cls)
        rows = self.connection.execute(sa.select(mapping.table).where(criterion)).mappings()
        return [self.track(mapping.from_row(row)) for row in rows]

    def load_by(self, cls: type, column: str, value: object) -> list[Any]:
        """``load`` for the common case ``column == value``, with a statement built once."""
        mapping = mapping_for(cls)
        rows = self.connection.execute(_select_by(mapping.table, column), {"_key": value}).mappings()
        return [self.track(mapping.from_row(row)) for row in rows]

    def load_one(self, cls: type, entity_id: str) -> Any | None:
        found = self.load_by(cls, "id", entity_id)
        return found[0] if found else None

    def load_graph(self, process_instance_id: str) -> InstanceGraph | None:
        executions = self.load_by(Execution, "process_instance_id", process_instance_id)
        if not executions:
            return None
        graph = InstanceGraph(executions={e.id: e for e in executions})
        for variable in self.load_by(VariableInstance, "process_instance_id", process_instance_id):
            if variable.task_id is not None:
                graph.task_variables.setdefault(variable.task_id, {})[variable.name] = variable
            else:
                graph.execution_variables.setdefault(variable.execution_id, {})[variable.name] = variable
        for task in self.load_by(ExternalTask, "process_instance_id", process_instance_id):
            graph.external_tasks[task.id] = task
        for user_task in self.load_by(UserTask, "process_instance_id", process_instance_id):
            graph.user_tasks[user_task.id] = user_task
        graph.identity_links = self.load_by(IdentityLink, "process_instance_id", process_instance_id)
        graph.history = self.load_one(HistoricProcessInstance, process_instance_id)
        for incident in self.load_by(Incident, "process_instance_id", process_instance_id):
            graph.incidents[incident.id] = incident
        for job in self.load_by(Job, "process_instance_id", process_instance_id):
            graph.jobs[job.id] = job
        for subscription in self.load_by(EventSubscription, "process_instance_id", process_instance_id):
            graph.subscriptions[subscription.id] = subscription
        return graph

    def find_event_subscriptions(self, event_type: str, event_name: str) -> list[EventSubscription]:
        table = tables.event_subscription
        mapping = mapping_for(EventSubscription)
        rows = self.connection.execute(
            sa.select(table).where(table.c.event_type == event_type, table.c.event_name == event_name)
        ).mappings()
        return [mapping.from_row(row) for row in rows]

    # ── flushing ────────────────────────────────────────────────────────────────────────────
    def flush(self) -> None:
        self._flush_inserts(self._new.values())
        for key, (entity, snapshot) in self._loaded.items():
            if key in self._deleted:
                continue
            mapping = mapping_for(type(entity))
            row = mapping.to_row(entity)
            if row != snapshot or key in self._touched:
                self._update(mapping, entity, row, snapshot)
        gone_tasks: list[str] = []
        gone_jobs: list[str] = []
        for entity in self._deleted.values():
            self._delete(mapping_for(type(entity)), entity)
            if isinstance(entity, ExternalTask):
                gone_tasks.append(entity.id)
            elif isinstance(entity, Job):
                gone_jobs.append(entity.id)
        if gone_tasks:
            self._delete_incidents_of(gone_tasks)
        if gone_jobs:
            self._delete_incidents_of(gone_jobs, "failedJob")
        self._new.clear()
        self._deleted.clear()
        self._touched.clear()
        self._loaded.clear()

    def _delete_incidents_of(
        self, external_task_ids: list[str], incident_type: str = "failedExternalTask"
    ) -> None:
        """An external task that goes takes its incidents with it (Camunda deletes them on
        cancellation and resolves them on completion; without incident history both mean the
        row goes). Whoever removes a task need not know about incidents, like a cascading
        foreign key; incidents the engine already removed are simply not found any more."""
        table = tables.incident
        self.connection.execute(
            table.delete().where(
                table.c.incident_type == incident_type,
                table.c.configuration.in_(external_task_ids),
            )
        )

    def _flush_inserts(self, entities: Iterable[Any]) -> None:
        by_mapping: dict[EntityMapping, list[dict[str, Any]]] = defaultdict(list)
        for entity in entities:
            mapping = mapping_for(type(entity))
            if mapping.has_rev:
                entity.rev = 1
            by_mapping[mapping].append(mapping.to_row(entity))
        # insert in a stable table order so concurrent transactions take locks alike
        for mapping, rows in sorted(by_mapping.items(), key=lambda item: item[0].table.name):
            self.connection.execute(mapping.table.insert(), rows)

    def _update(
        self, mapping: EntityMapping, entity: Any, row: dict[str, Any], snapshot: Mapping[str, Any]
    ) -> None:
        changed = {k: v for k, v in row.items() if snapshot.get(k) != v and k not in ("id", "rev")}
        if mapping.has_rev:
            changed["rev"] = snapshot["rev"] + 1
        statement = _update_statement(mapping.table, tuple(sorted(changed)), mapping.has_rev)
        parameters = {**changed, "_id": entity.id, "_rev": snapshot.get("rev")}
        result = self.connection.execute(statement, parameters)
        if result.rowcount != 1:
            raise OptimisticLockError(
                f"ENGINE-03005 Execution of 'UPDATE {type(entity).__name__}[{entity.id}]' failed. "
                "Entity was updated by another transaction concurrently."
            )
        if mapping.has_rev:
            entity.rev = changed["rev"]

    def _delete(self, mapping: EntityMapping, entity: Any) -> None:
        rev = None
        if mapping.has_rev:
            snapshot = self._loaded.get(id(entity))
            rev = snapshot[1]["rev"] if snapshot else entity.rev
        statement = _delete_statement(mapping.table, mapping.has_rev)
        result = self.connection.execute(statement, {"_id": entity.id, "_rev": rev})
        if result.rowcount != 1:
            raise OptimisticLockError(
                f"ENGINE-03005 Execution of 'DELETE {type(entity).__name__}[{entity.id}]' failed. "
                "Entity was updated by another transaction concurrently."
            )


# Statements are built once per table (and per set of changed columns) with bound parameters:
# building SQLAlchemy expressions per call cost more than running them on the hot path.


@functools.cache
def _select_by(table: sa.Table, column: str) -> sa.Select[Any]:
    return sa.select(table).where(table.c[column] == sa.bindparam("_key"))


@functools.cache
def _update_statement(table: sa.Table, columns: tuple[str, ...], has_rev: bool) -> sa.Update:
    statement = table.update().where(table.c.id == sa.bindparam("_id"))
    if has_rev:
        statement = statement.where(table.c.rev == sa.bindparam("_rev"))
    return statement.values({column: sa.bindparam(column) for column in columns})


@functools.cache
def _delete_statement(table: sa.Table, has_rev: bool) -> sa.Delete:
    statement = table.delete().where(table.c.id == sa.bindparam("_id"))
    if has_rev:
        statement = statement.where(table.c.rev == sa.bindparam("_rev"))
    return statement
