"""External task rows: list/count queries, the fetch-and-lock candidate query, topic names."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any, Protocol

import sqlalchemy as sa

from cadenza.engine.state import ExternalTask
from cadenza.store import tables
from cadenza.store.mapping import mapping_for
from cadenza.store.queries import (
    ExternalTaskQuery,
    Page,
    VariableFilter,
    apply_page,
    apply_sorting,
    count_of,
    variable_exists,
)

__all__ = [
    "TopicFilter",
    "count_external_tasks",
    "fetchable_candidates",
    "find_external_task",
    "query_external_tasks",
    "topic_names",
    "try_lock",
]


class TopicFilter(Protocol):
    """What one topic of a fetch-and-lock request filters on (``services.FetchTopic``)."""

    @property
    def topic_name(self) -> str: ...
    @property
    def business_key(self) -> str | None: ...
    @property
    def process_definition_id(self) -> str | None: ...
    @property
    def process_definition_id_in(self) -> Sequence[str] | None: ...
    @property
    def process_definition_key(self) -> str | None: ...
    @property
    def process_definition_key_in(self) -> Sequence[str] | None: ...
    @property
    def process_definition_version_tag(self) -> str | None: ...
    @property
    def tenant_id_in(self) -> Sequence[str] | None: ...
    @property
    def without_tenant_id(self) -> bool: ...
    @property
    def process_variables(self) -> Mapping[str, object] | None: ...


_mapping = mapping_for(ExternalTask)
_t = tables.external_task


def find_external_task(connection: sa.Connection, external_task_id: str) -> ExternalTask | None:
    row = connection.execute(sa.select(_t).where(_t.c.id == external_task_id)).mappings().first()
    return None if row is None else _mapping.from_row(row)


def _select(
    query: ExternalTaskQuery, now: datetime, restriction: sa.ColumnElement[bool] | None = None
) -> sa.Select[Any]:
    c: list[sa.ColumnElement[bool]] = []
    if restriction is not None:  # the rows the acting user may read (services.authorization)
        c.append(restriction)
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
    connection: sa.Connection,
    query: ExternalTaskQuery,
    page: Page,
    now: datetime,
    restriction: sa.ColumnElement[bool] | None = None,
) -> list[ExternalTask]:
    statement = apply_sorting(
        _select(query, now, restriction), _t, ExternalTaskQuery.SORT_FIELDS, query.sorting
    )
    return [_mapping.from_row(row) for row in connection.execute(apply_page(statement, page)).mappings()]


def count_external_tasks(
    connection: sa.Connection,
    query: ExternalTaskQuery,
    now: datetime,
    restriction: sa.ColumnElement[bool] | None = None,
) -> int:
    return count_of(connection, _select(query, now, restriction))


def _topic_condition(topic: TopicFilter) -> sa.ColumnElement[bool]:
    c: list[sa.ColumnElement[bool]] = [_t.c.topic_name == topic.topic_name]
    if topic.business_key is not None:
        c.append(_t.c.business_key == topic.business_key)
    if topic.process_definition_id is not None:
        c.append(_t.c.process_definition_id == topic.process_definition_id)
    if topic.process_definition_id_in:
        c.append(_t.c.process_definition_id.in_(list(topic.process_definition_id_in)))
    if topic.process_definition_key is not None:
        c.append(_t.c.process_definition_key == topic.process_definition_key)
    if topic.process_definition_key_in:
        c.append(_t.c.process_definition_key.in_(list(topic.process_definition_key_in)))
    if topic.process_definition_version_tag is not None:
        # Camunda compares with LIKE, so a client may send wildcards
        c.append(_t.c.process_definition_version_tag.like(topic.process_definition_version_tag))
    if topic.tenant_id_in:
        c.append(_t.c.tenant_id.in_(list(topic.tenant_id_in)))
    if topic.without_tenant_id:
        c.append(_t.c.tenant_id.is_(None))
    if topic.process_variables:
        # equality on variables of the process instance itself; entries are OR-ed (Camunda's
        # <foreach separator="or">)
        c.append(
            sa.or_(
                *(
                    variable_exists(
                        tables.variable, _t.c.process_instance_id, VariableFilter(name, "eq", value)
                    )
                    for name, value in topic.process_variables.items()
                )
            )
        )
    return sa.and_(*c)


def fetchable_candidates(
    connection: sa.Connection,
    topics: Sequence[TopicFilter],
    now: datetime,
    limit: int,
    *,
    use_priority: bool,
    create_time_ascending: bool | None = None,
    skip_locked: bool,
    restriction: sa.ColumnElement[bool] | None = None,
) -> list[ExternalTask]:
    """Tasks a worker may lock now (Camunda's ``selectExternalTasksForTopics`` predicate):
    lock free or expired, active, retries left, instance not suspended; topics OR-ed, each
    topic's filters AND-ed. Without ``use_priority`` and a create-time order there is no ORDER
    BY, as in Camunda. On PostgreSQL rows locked by a concurrent fetch are skipped instead of
    waited for."""
    execution = tables.execution
    suspended_instance = sa.exists(
        sa.select(execution.c.id).where(
            execution.c.id == _t.c.process_instance_id, execution.c.suspended.is_(True)
        )
    )
    statement = sa.select(_t).where(
        sa.or_(*(_topic_condition(topic) for topic in topics)),
        sa.or_(_t.c.lock_expiration_time.is_(None), _t.c.lock_expiration_time <= now),
        _t.c.suspended.is_(False),
        ~suspended_instance,
        sa.or_(_t.c.retries.is_(None), _t.c.retries > 0),
    )
    if restriction is not None:  # only tasks the acting user may fetch (Camunda filters)
        statement = statement.where(restriction)
    order: list[sa.ColumnElement[Any]] = []
    if use_priority:
        order.append(_t.c.priority.desc())
    if create_time_ascending is not None:
        order.append(_t.c.create_time.asc() if create_time_ascending else _t.c.create_time.desc())
    if order:
        statement = statement.order_by(*order)
    statement = statement.limit(limit)
    if skip_locked:
        statement = statement.with_for_update(of=_t, skip_locked=True)
    return [_mapping.from_row(row) for row in connection.execute(statement).mappings()]


def topic_names(
    connection: sa.Connection,
    now: datetime,
    *,
    with_locked_tasks: bool = False,
    with_unlocked_tasks: bool = False,
    with_retries_left: bool = False,
) -> list[str]:
    """Distinct topic names of the tasks matching every flag given (sorted)."""
    c: list[sa.ColumnElement[bool]] = []
    if with_locked_tasks:
        c.append(_t.c.lock_expiration_time > now)
    if with_unlocked_tasks:
        c.append(sa.or_(_t.c.lock_expiration_time.is_(None), _t.c.lock_expiration_time <= now))
    if with_retries_left:
        c.append(sa.or_(_t.c.retries.is_(None), _t.c.retries > 0))
    statement = sa.select(_t.c.topic_name).where(*c).distinct().order_by(_t.c.topic_name)
    return [str(name) for name in connection.execute(statement).scalars()]


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
