"""Job, job definition and event subscription rows: REST queries and job acquisition.

Acquisition (Camunda ``AcquireJobsCmd``): due (no due date or past), not locked (no or an
expired lock), retries left, not suspended; an exclusive job is skipped while another exclusive
job of its process instance is locked. Candidates are then locked one by one with a
``rev``-checked update, so two nodes never both lock a job; on PostgreSQL the candidate query
also takes ``FOR UPDATE SKIP LOCKED`` row locks so competing nodes pick different jobs instead
of colliding on the same ones.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, ClassVar

import sqlalchemy as sa

from cadenza.engine.state import EventSubscription, Job, JobDefinition
from cadenza.store import tables
from cadenza.store.mapping import mapping_for
from cadenza.store.queries import Page, apply_page, apply_sorting, count_of

__all__ = [
    "JobDefinitionQuery",
    "JobQuery",
    "acquire_jobs",
    "count_job_definitions",
    "count_jobs",
    "find_job",
    "query_event_subscriptions",
    "query_job_definitions",
    "query_jobs",
]

_j = tables.job
_jd = tables.job_definition
_job = mapping_for(Job)
_job_definition = mapping_for(JobDefinition)
_subscription = mapping_for(EventSubscription)


@dataclass
class JobQuery:
    job_id: str | None = None
    job_ids: list[str] | None = None
    job_definition_id: str | None = None
    process_instance_id: str | None = None
    process_instance_ids: list[str] | None = None
    execution_id: str | None = None
    process_definition_id: str | None = None
    process_definition_key: str | None = None
    activity_id: str | None = None
    failed_activity_id: str | None = None
    with_retries_left: bool = False
    no_retries_left: bool = False
    executable: bool = False
    timers: bool = False
    messages: bool = False
    due_date_before: datetime | None = None
    due_date_after: datetime | None = None
    create_time_before: datetime | None = None
    create_time_after: datetime | None = None
    with_exception: bool = False
    exception_message: str | None = None
    no_tenant_id: bool = False
    tenant_id_in: list[str] | None = None
    active: bool = False
    suspended: bool = False
    priority_lower_than_or_equals: int | None = None
    priority_higher_than_or_equals: int | None = None
    now: datetime | None = None
    """the engine time for ``executable``"""
    sorting: list[tuple[str, bool]] = field(default_factory=list)

    SORT_FIELDS: ClassVar[dict[str, str]] = {
        "jobId": "id",
        "executionId": "execution_id",
        "processInstanceId": "process_instance_id",
        "processDefinitionId": "process_definition_id",
        "processDefinitionKey": "process_definition_key",
        "jobPriority": "priority",
        "jobRetries": "retries",
        "jobDueDate": "due_date",
        "tenantId": "tenant_id",
    }


def _job_select(query: JobQuery, restriction: sa.ColumnElement[bool] | None = None) -> sa.Select[Any]:
    c: list[sa.ColumnElement[bool]] = []
    if restriction is not None:  # the rows the acting user may read (services.authorization)
        c.append(restriction)
    if query.job_id is not None:
        c.append(_j.c.id == query.job_id)
    if query.job_ids is not None:
        c.append(_j.c.id.in_(query.job_ids))
    if query.job_definition_id is not None:
        c.append(_j.c.job_definition_id == query.job_definition_id)
    if query.process_instance_id is not None:
        c.append(_j.c.process_instance_id == query.process_instance_id)
    if query.process_instance_ids is not None:
        c.append(_j.c.process_instance_id.in_(query.process_instance_ids))
    if query.execution_id is not None:
        c.append(_j.c.execution_id == query.execution_id)
    if query.process_definition_id is not None:
        c.append(_j.c.process_definition_id == query.process_definition_id)
    if query.process_definition_key is not None:
        c.append(_j.c.process_definition_key == query.process_definition_key)
    if query.activity_id is not None:
        c.append(_j.c.activity_id == query.activity_id)
    if query.failed_activity_id is not None:
        c.append(_j.c.failed_activity_id == query.failed_activity_id)
    if query.with_retries_left:
        c.append(_j.c.retries > 0)
    if query.no_retries_left:
        c.append(_j.c.retries <= 0)
    if query.executable:
        c.append(_j.c.retries > 0)
        if query.now is not None:
            c.append(sa.or_(_j.c.due_date.is_(None), _j.c.due_date <= query.now))
    if query.timers:
        c.append(_j.c.type == "timer")
    if query.messages:
        c.append(_j.c.type == "message")
    if query.due_date_before is not None:
        c.append(_j.c.due_date < query.due_date_before)
    if query.due_date_after is not None:
        c.append(_j.c.due_date > query.due_date_after)
    if query.create_time_before is not None:
        c.append(_j.c.create_time < query.create_time_before)
    if query.create_time_after is not None:
        c.append(_j.c.create_time > query.create_time_after)
    if query.with_exception:
        c.append(_j.c.exception_message.is_not(None))
    if query.exception_message is not None:
        c.append(_j.c.exception_message == query.exception_message)
    if query.no_tenant_id:
        c.append(_j.c.tenant_id.is_(None))
    if query.tenant_id_in is not None:
        c.append(_j.c.tenant_id.in_(query.tenant_id_in))
    if query.active:
        c.append(_j.c.suspended.is_(False))
    if query.suspended:
        c.append(_j.c.suspended.is_(True))
    if query.priority_lower_than_or_equals is not None:
        c.append(_j.c.priority <= query.priority_lower_than_or_equals)
    if query.priority_higher_than_or_equals is not None:
        c.append(_j.c.priority >= query.priority_higher_than_or_equals)
    return sa.select(_j).where(*c)


def query_jobs(
    connection: sa.Connection, query: JobQuery, page: Page, restriction: sa.ColumnElement[bool] | None = None
) -> list[Job]:
    statement = apply_sorting(_job_select(query, restriction), _j, JobQuery.SORT_FIELDS, query.sorting)
    return [_job.from_row(row) for row in connection.execute(apply_page(statement, page)).mappings()]


def count_jobs(
    connection: sa.Connection, query: JobQuery, restriction: sa.ColumnElement[bool] | None = None
) -> int:
    return count_of(connection, _job_select(query, restriction))


def find_job(connection: sa.Connection, job_id: str) -> Job | None:
    row = connection.execute(sa.select(_j).where(_j.c.id == job_id)).mappings().first()
    return None if row is None else _job.from_row(row)


def acquire_jobs(
    connection: sa.Connection,
    *,
    now: datetime,
    lock_owner: str,
    lock_expiration_time: datetime,
    max_jobs: int,
) -> list[str]:
    """Lock up to ``max_jobs`` acquirable jobs for ``lock_owner``; returns their ids."""
    other = _j.alias("other")
    locked_exclusive = sa.exists(
        sa.select(other.c.id).where(
            other.c.process_instance_id == _j.c.process_instance_id,
            other.c.exclusive.is_(True),
            other.c.lock_expiration_time.is_not(None),
            other.c.lock_expiration_time > now,
        )
    )
    statement = (
        sa.select(_j.c.id, _j.c.rev, _j.c.process_instance_id, _j.c.exclusive)
        .where(
            _j.c.retries > 0,
            _j.c.suspended.is_(False),
            sa.or_(_j.c.due_date.is_(None), _j.c.due_date <= now),
            sa.or_(_j.c.lock_expiration_time.is_(None), _j.c.lock_expiration_time <= now),
            sa.or_(_j.c.exclusive.is_(False), _j.c.process_instance_id.is_(None), sa.not_(locked_exclusive)),
        )
        .order_by(_j.c.priority.desc(), _j.c.due_date.asc(), _j.c.id.asc())
        .limit(max_jobs * 4)
    )
    if connection.dialect.name == "postgresql":
        statement = statement.with_for_update(skip_locked=True, of=_j)
    acquired: list[str] = []
    instances: set[str] = set()
    for row in connection.execute(statement).mappings():
        if len(acquired) >= max_jobs:
            break
        if row["exclusive"] and row["process_instance_id"] is not None:
            if row["process_instance_id"] in instances:
                continue  # one exclusive job per instance at a time
            instances.add(row["process_instance_id"])
        result = connection.execute(
            _j.update()
            .where(_j.c.id == row["id"], _j.c.rev == row["rev"])
            .values(lock_owner=lock_owner, lock_expiration_time=lock_expiration_time, rev=row["rev"] + 1)
        )
        if result.rowcount == 1:
            acquired.append(row["id"])
    return acquired


@dataclass
class JobDefinitionQuery:
    SORT_FIELDS: ClassVar[dict[str, str]] = {
        "jobDefinitionId": "id",
        "activityId": "activity_id",
        "processDefinitionId": "process_definition_id",
        "processDefinitionKey": "process_definition_key",
        "jobType": "job_type",
        "jobConfiguration": "job_configuration",
        "tenantId": "tenant_id",
    }

    job_definition_id: str | None = None
    process_definition_id: str | None = None
    process_definition_key: str | None = None
    activity_id_in: list[str] | None = None
    job_type: str | None = None
    job_configuration: str | None = None
    active: bool = False
    suspended: bool = False
    sorting: list[tuple[str, bool]] = field(default_factory=list)


def _job_definition_select(query: JobDefinitionQuery) -> sa.Select[Any]:
    c: list[sa.ColumnElement[bool]] = []
    if query.job_definition_id is not None:
        c.append(_jd.c.id == query.job_definition_id)
    if query.process_definition_id is not None:
        c.append(_jd.c.process_definition_id == query.process_definition_id)
    if query.process_definition_key is not None:
        c.append(_jd.c.process_definition_key == query.process_definition_key)
    if query.activity_id_in is not None:
        c.append(_jd.c.activity_id.in_(query.activity_id_in))
    if query.job_type is not None:
        c.append(_jd.c.job_type == query.job_type)
    if query.job_configuration is not None:
        c.append(_jd.c.job_configuration == query.job_configuration)
    if query.active:
        c.append(_jd.c.suspended.is_(False))
    if query.suspended:
        c.append(_jd.c.suspended.is_(True))
    return sa.select(_jd).where(*c)


def query_job_definitions(
    connection: sa.Connection, query: JobDefinitionQuery, page: Page
) -> list[JobDefinition]:
    statement = apply_sorting(
        _job_definition_select(query), _jd, JobDefinitionQuery.SORT_FIELDS, query.sorting
    )
    return [_job_definition.from_row(r) for r in connection.execute(apply_page(statement, page)).mappings()]


def count_job_definitions(connection: sa.Connection, query: JobDefinitionQuery) -> int:
    return count_of(connection, _job_definition_select(query))


def query_event_subscriptions(
    connection: sa.Connection,
    *,
    event_type: str | None = None,
    event_name: str | None = None,
    execution_id: str | None = None,
    process_instance_id: str | None = None,
) -> list[EventSubscription]:
    t = tables.event_subscription
    c: list[sa.ColumnElement[bool]] = []
    if event_type is not None:
        c.append(t.c.event_type == event_type)
    if event_name is not None:
        c.append(t.c.event_name == event_name)
    if execution_id is not None:
        c.append(t.c.execution_id == execution_id)
    if process_instance_id is not None:
        c.append(t.c.process_instance_id == process_instance_id)
    rows = connection.execute(sa.select(t).where(*c).order_by(t.c.created, t.c.id)).mappings()
    return [_subscription.from_row(row) for row in rows]
