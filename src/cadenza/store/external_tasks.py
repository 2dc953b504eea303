"""External task rows: list/count queries (fetch-and-lock comes with the external-task work)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa

from cadenza.engine.state import ExternalTask
from cadenza.store import tables
from cadenza.store.mapping import mapping_for
from cadenza.store.queries import ExternalTaskQuery, Page, apply_page, apply_sorting, count_of

__all__ = [
    "count_external_tasks",
    "fetchable_candidates",
    "find_external_task",
    "query_external_tasks",
    "try_lock",
]

_mapping = mapping_for(ExternalTask)
_t = tables.external_task


def find_external_task(connection: sa.Connection, external_task_id: str) -> ExternalTask | None:
    row = connection.execute(sa.select(_t).where(_t.c.id == external_task_id)).mappings().first()
    return None if row is None else _mapping.from_row(row)


def _select(query: ExternalTaskQuery, now: datetime) -> sa.Select[Any]:
    c: list[sa.ColumnElement[bool]] = []
    if query.external_task_id is not None:
        c.append(_t.c.id == query.external_task_id)
    if query.external_task_id_in is not None:
        c.append(_t.c.id.in_(query.external_task_id_in))
    if query.activity_id is not None:
        c.append(_t.c.activity_id == query.activity_id)
    if query.activity_id_in is not None:
        c.append(_t.c.activity_id.in_(query.activity_id_in))
    if query.lock_expiration_before is not None:
        c.append(_t.c.lock_expiration_time < query.lock_expiration_before)
    if query.lock_expiration_after is not None:
        c.append(_t.c.lock_expiration_time > query.lock_expiration_after)
    if query.topic_name is not None:
        c.append(_t.c.topic_name == query.topic_name)
    if query.locked:
        c.append(_t.c.lock_expiration_time > now)
    if query.not_locked:
        c.append(sa.or_(_t.c.lock_expiration_time.is_(None), _t.c.lock_expiration_time <= now))
    if query.execution_id is not None:
        c.append(_t.c.execution_id == query.execution_id)
    if query.process_instance_id is not None:
        c.append(_t.c.process_instance_id == query.process_instance_id)
    if query.process_instance_id_in is not None:
        c.append(_t.c.process_instance_id.in_(query.process_instance_id_in))
    if query.process_definition_id is not None:
        c.append(_t.c.process_definition_id == query.process_definition_id)
    if query.process_definition_key is not None:
        c.append(_t.c.process_definition_key == query.process_definition_key)
    if query.process_definition_key_in is not None:
        c.append(_t.c.process_definition_key.in_(query.process_definition_key_in))
    if query.active:
        c.append(_t.c.suspended.is_(False))
    if query.suspended:
        c.append(_t.c.suspended.is_(True))
    if query.with_retries_left:
        c.append(sa.or_(_t.c.retries.is_(None), _t.c.retries > 0))
    if query.no_retries_left:
        c.append(_t.c.retries == 0)
    if query.worker_id is not None:
        c.append(_t.c.worker_id == query.worker_id)
    if query.tenant_id_in is not None:
        c.append(_t.c.tenant_id.in_(query.tenant_id_in))
    if query.priority_higher_than_or_equals is not None:
        c.append(_t.c.priority >= query.priority_higher_than_or_equals)
    if query.priority_lower_than_or_equals is not None:
        c.append(_t.c.priority <= query.priority_lower_than_or_equals)
    return sa.select(_t).where(*c)


def query_external_tasks(
    connection: sa.Connection, query: ExternalTaskQuery, page: Page, now: datetime
) -> list[ExternalTask]:
    statement = apply_sorting(_select(query, now), _t, ExternalTaskQuery.SORT_FIELDS, query.sorting)
    return [_mapping.from_row(row) for row in connection.execute(apply_page(statement, page)).mappings()]


def count_external_tasks(connection: sa.Connection, query: ExternalTaskQuery, now: datetime) -> int:
    return count_of(connection, _select(query, now))


def fetchable_candidates(
    connection: sa.Connection,
    topic_names: list[str],
    now: datetime,
    limit: int,
    *,
    use_priority: bool,
    skip_locked: bool,
) -> list[ExternalTask]:
    """Tasks a worker may lock now (Camunda's ``selectExternalTasksForTopics`` predicate):
    lock free or expired, active, retries left. On PostgreSQL rows locked by a concurrent
    fetch are skipped instead of waited for."""
    statement = sa.select(_t).where(
        _t.c.topic_name.in_(topic_names),
        sa.or_(_t.c.lock_expiration_time.is_(None), _t.c.lock_expiration_time <= now),
        _t.c.suspended.is_(False),
        sa.or_(_t.c.retries.is_(None), _t.c.retries > 0),
    )
    if use_priority:
        statement = statement.order_by(_t.c.priority.desc(), _t.c.create_time.asc())
    statement = statement.limit(limit)
    if skip_locked:
        statement = statement.with_for_update(skip_locked=True)
    return [_mapping.from_row(row) for row in connection.execute(statement).mappings()]


def try_lock(connection: sa.Connection, task: ExternalTask, worker_id: str, expires: datetime) -> bool:
    """Lock one candidate unless another transaction changed it since we read it."""
    result = connection.execute(
        _t.update()
        .where(_t.c.id == task.id, _t.c.rev == task.rev)
        .values(worker_id=worker_id, lock_expiration_time=expires, rev=task.rev + 1)
    )
    if result.rowcount != 1:
        return False
    task.worker_id, task.lock_expiration_time, task.rev = worker_id, expires, task.rev + 1
    return True
