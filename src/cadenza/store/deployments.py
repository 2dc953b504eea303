"""Deployments, resources and process definitions; the parsed-model cache.

A definition's model is parsed from its stored resource the first time a node needs it and
kept in a bounded LRU cache keyed by definition id (definitions never change once deployed).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Any

import sqlalchemy as sa

from cadenza.bpmn import parse_bpmn
from cadenza.engine.definitions import DeployedProcess
from cadenza.engine.state import Deployment, ProcessDefinition, Resource
from cadenza.errors import NotFoundError
from cadenza.store import tables
from cadenza.store.mapping import mapping_for
from cadenza.store.queries import (
    DeploymentQuery,
    Page,
    ProcessDefinitionQuery,
    apply_page,
    apply_sorting,
    count_of,
)

__all__ = [
    "DefinitionCache",
    "count_deployments",
    "count_process_definitions",
    "find_deployment",
    "find_process_definition",
    "latest_process_definition",
    "latest_version",
    "query_deployments",
    "query_process_definitions",
    "resources_of",
]

_definition = mapping_for(ProcessDefinition)
_deployment = mapping_for(Deployment)
_resource = mapping_for(Resource)


class DefinitionCache:
    """Parsed models by definition id; thread-safe, bounded (least recently used goes first)."""

    def __init__(self, engine: sa.Engine, size: int) -> None:
        self._engine = engine
        self._size = size
        self._lock = threading.Lock()
        self._items: OrderedDict[str, DeployedProcess] = OrderedDict()

    def deployed_process(self, process_definition_id: str) -> DeployedProcess:
        with self._lock:
            found = self._items.get(process_definition_id)
            if found is not None:
                self._items.move_to_end(process_definition_id)
                return found
        with self._engine.connect() as connection:
            definition = find_process_definition(connection, process_definition_id)
            content = connection.execute(
                sa.select(tables.resource.c.content).where(
                    tables.resource.c.deployment_id == definition.deployment_id,
                    tables.resource.c.name == definition.resource_name,
                )
            ).scalar_one()
        deployed = DeployedProcess(
            definition, parse_bpmn(content, definition.resource_name).process(definition.key)
        )
        self.put(deployed)
        return deployed

    def find_deployed_process(
        self,
        key: str,
        *,
        tenant_id: str | None,
        version: int | None = None,
        deployment_id: str | None = None,
    ) -> DeployedProcess | None:
        """The newest definition of ``key`` for ``tenant_id`` (only ``version`` or only those of
        ``deployment_id`` when given), or None: what a call activity's binding asks for."""
        t = tables.process_definition
        statement = sa.select(t.c.id).where(t.c.key == key, t.c.tenant_key == (tenant_id or ""))
        if version is not None:
            statement = statement.where(t.c.version == version)
        if deployment_id is not None:
            statement = statement.where(t.c.deployment_id == deployment_id)
        with self._engine.connect() as connection:
            found = connection.execute(statement.order_by(t.c.version.desc()).limit(1)).scalar()
        return None if found is None else self.deployed_process(found)

    def put(self, deployed: DeployedProcess) -> None:
        with self._lock:
            self._items[deployed.definition.id] = deployed
            self._items.move_to_end(deployed.definition.id)
            while len(self._items) > self._size:
                self._items.popitem(last=False)

    def evict(self, definition_ids: list[str]) -> None:
        with self._lock:
            for definition_id in definition_ids:
                self._items.pop(definition_id, None)

    def refresh_suspension(self, definition_id: str, suspended: bool) -> None:
        with self._lock:
            found = self._items.get(definition_id)
            if found is not None:
                found.definition.suspended = suspended


def find_process_definition(connection: sa.Connection, definition_id: str) -> ProcessDefinition:
    row = (
        connection.execute(
            sa.select(tables.process_definition).where(tables.process_definition.c.id == definition_id)
        )
        .mappings()
        .first()
    )
    if row is None:
        raise NotFoundError(f"No matching definition with id {definition_id}")
    definition: ProcessDefinition = _definition.from_row(row)
    return definition


def latest_process_definition(
    connection: sa.Connection, key: str, tenant_id: str | None
) -> ProcessDefinition | None:
    t = tables.process_definition
    row = (
        connection.execute(
            sa.select(t)
            .where(t.c.key == key, t.c.tenant_key == (tenant_id or ""))
            .order_by(t.c.version.desc())
            .limit(1)
        )
        .mappings()
        .first()
    )
    return None if row is None else _definition.from_row(row)


def latest_version(connection: sa.Connection, key: str, tenant_id: str | None) -> int:
    t = tables.process_definition
    found = connection.execute(
        sa.select(sa.func.max(t.c.version)).where(t.c.key == key, t.c.tenant_key == (tenant_id or ""))
    ).scalar()
    return int(found or 0)


def find_deployment(connection: sa.Connection, deployment_id: str) -> Deployment:
    row = (
        connection.execute(sa.select(tables.deployment).where(tables.deployment.c.id == deployment_id))
        .mappings()
        .first()
    )
    if row is None:
        raise NotFoundError(f"Deployment with id '{deployment_id}' does not exist")
    deployment: Deployment = _deployment.from_row(row)
    return deployment


def resources_of(connection: sa.Connection, deployment_id: str) -> list[Resource]:
    rows = connection.execute(
        sa.select(tables.resource)
        .where(tables.resource.c.deployment_id == deployment_id)
        .order_by(tables.resource.c.name)
    ).mappings()
    return [_resource.from_row(row) for row in rows]


def _tenant_filter(
    column: sa.ColumnElement[Any],
    tenant_ids: list[str] | None,
    without: bool,
    include_without: bool,
) -> list[sa.ColumnElement[bool]]:
    if tenant_ids is not None:
        condition: sa.ColumnElement[bool] = column.in_(tenant_ids)
        if include_without:
            condition = sa.or_(condition, column.is_(None))
        return [condition]
    if without:
        return [column.is_(None)]
    return []


def _deployment_select(
    query: DeploymentQuery, restriction: sa.ColumnElement[bool] | None = None
) -> sa.Select[Any]:
    t = tables.deployment
    conditions: list[sa.ColumnElement[bool]] = []
    if restriction is not None:  # the rows the acting user may read (services.authorization)
        conditions.append(restriction)
    if query.id is not None:
        conditions.append(t.c.id == query.id)
    if query.name is not None:
        conditions.append(t.c.name == query.name)
    if query.name_like is not None:
        conditions.append(t.c.name.like(query.name_like))
    if query.source is not None:
        conditions.append(t.c.source == query.source)
    if query.without_source:
        conditions.append(t.c.source.is_(None))
    if query.after is not None:
        conditions.append(t.c.deployment_time > query.after)
    if query.before is not None:
        conditions.append(t.c.deployment_time < query.before)
    conditions += _tenant_filter(
        t.c.tenant_id,
        query.tenant_id_in,
        query.without_tenant_id,
        query.include_deployments_without_tenant_id,
    )
    return sa.select(t).where(*conditions)


def query_deployments(
    connection: sa.Connection,
    query: DeploymentQuery,
    page: Page,
    restriction: sa.ColumnElement[bool] | None = None,
) -> list[Deployment]:
    statement = apply_sorting(
        _deployment_select(query, restriction), tables.deployment, DeploymentQuery.SORT_FIELDS, query.sorting
    )
    rows = connection.execute(apply_page(statement, page)).mappings()
    return [_deployment.from_row(row) for row in rows]


def count_deployments(
    connection: sa.Connection, query: DeploymentQuery, restriction: sa.ColumnElement[bool] | None = None
) -> int:
    return count_of(connection, _deployment_select(query, restriction))


def _definition_select(
    query: ProcessDefinitionQuery, restriction: sa.ColumnElement[bool] | None = None
) -> sa.Select[Any]:
    t = tables.process_definition
    c: list[sa.ColumnElement[bool]] = []
    if restriction is not None:  # the rows the acting user may read (services.authorization)
        c.append(restriction)
    if query.process_definition_id is not None:
        c.append(t.c.id == query.process_definition_id)
    if query.process_definition_id_in is not None:
        c.append(t.c.id.in_(query.process_definition_id_in))
    if query.key is not None:
        c.append(t.c.key == query.key)
    if query.keys_in is not None:
        c.append(t.c.key.in_(query.keys_in))
    if query.key_like is not None:
        c.append(t.c.key.like(query.key_like))
    if query.name is not None:
        c.append(t.c.name == query.name)
    if query.name_like is not None:
        c.append(t.c.name.like(query.name_like))
    if query.deployment_id is not None:
        c.append(t.c.deployment_id == query.deployment_id)
    if query.resource_name is not None:
        c.append(t.c.resource_name == query.resource_name)
    if query.resource_name_like is not None:
        c.append(t.c.resource_name.like(query.resource_name_like))
    if query.version is not None:
        c.append(t.c.version == query.version)
    if query.active:
        c.append(t.c.suspended.is_(False))
    if query.suspended:
        c.append(t.c.suspended.is_(True))
    if query.version_tag is not None:
        c.append(t.c.version_tag == query.version_tag)
    if query.version_tag_like is not None:
        c.append(t.c.version_tag.like(query.version_tag_like))
    if query.without_version_tag:
        c.append(t.c.version_tag.is_(None))
    if query.startable_in_tasklist:
        c.append(t.c.startable_in_tasklist.is_(True))
    if query.not_startable_in_tasklist:
        c.append(t.c.startable_in_tasklist.is_(False))
    c += _tenant_filter(
        t.c.tenant_id,
        query.tenant_id_in,
        query.without_tenant_id,
        query.include_process_definitions_without_tenant_id,
    )
    if query.latest_version:
        outer = t.alias("pd")
        inner = t.alias("latest")
        latest = (
            sa.select(sa.func.max(inner.c.version))
            .where(inner.c.key == outer.c.key, inner.c.tenant_key == outer.c.tenant_key)
            .scalar_subquery()
        )
        ids = sa.select(outer.c.id).where(outer.c.version == latest)
        c.append(t.c.id.in_(ids))
    return sa.select(t).where(*c)


def query_process_definitions(
    connection: sa.Connection,
    query: ProcessDefinitionQuery,
    page: Page,
    restriction: sa.ColumnElement[bool] | None = None,
) -> list[ProcessDefinition]:
    statement = apply_sorting(
        _definition_select(query, restriction),
        tables.process_definition,
        ProcessDefinitionQuery.SORT_FIELDS,
        query.sorting,
    )
    rows = connection.execute(apply_page(statement, page)).mappings()
    return [_definition.from_row(row) for row in rows]


def count_process_definitions(
    connection: sa.Connection,
    query: ProcessDefinitionQuery,
    restriction: sa.ColumnElement[bool] | None = None,
) -> int:
    return count_of(connection, _definition_select(query, restriction))
