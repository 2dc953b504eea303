"""Job service (Camunda ``ManagementService`` job parts): acquire and execute jobs, query them,
set retries, due dates and suspension.

``execute`` runs one job in one transaction (``engine.job_handlers``). When the job's work fails
the transaction is rolled back and a *new* transaction records the failure on the job
(Camunda ``FailedJobListener`` + ``DefaultJobRetryCmd``): exception message and stack trace,
one retry less (or the ``failedJobRetryTimeCycle`` schedule), unlocked; at 0 retries a
``failedJob`` incident opens. An optimistic-lock conflict is not a failure: the job is simply
unlocked for a later attempt.
"""

from __future__ import annotations

import logging
import traceback
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

import sqlalchemy as sa

from cadenza.engine.incidents import set_job_retries
from cadenza.engine.job_handlers import job_failed, run_job
from cadenza.engine.records import JobDue
from cadenza.engine.retries import next_retry
from cadenza.engine.state import InstanceGraph, Job, JobDefinition
from cadenza.engine.variables import evaluate
from cadenza.errors import (
    BadUserRequestError,
    EngineError,
    NotFoundError,
    OptimisticLockError,
    ProcessEngineError,
)
from cadenza.services.authorization import AuthorizationError, TenantAccessError, check_job, restriction
from cadenza.services.runner import CommandRunner, ServiceContext
from cadenza.store import Store, jobs as store_jobs, tables
from cadenza.store.jobs import JobDefinitionQuery, JobQuery
from cadenza.store.queries import Page

__all__ = ["JobDefinitionQuery", "JobDueRecord", "JobOutcome", "JobQuery", "JobService"]

JobDueRecord = JobDue
"""the record announcing a due job (re-exported for the job executor, which sees services only)"""

log = logging.getLogger(__name__)

_MAX_MESSAGE = 4000


class JobOutcome(StrEnum):
    DONE = "done"
    FAILED = "failed"
    GONE = "gone"
    """the job no longer exists, or another node holds its lock now"""
    CONFLICT = "conflict"
    """optimistic-lock conflicts every time: unlocked, to be retried later"""


@dataclass(frozen=True)
class _Failure:
    message: str
    stacktrace: str


def _message_of(error: BaseException) -> str:
    if isinstance(error, EngineError):
        return error.message
    text = str(error)
    return f"{type(error).__name__}: {text}" if text else type(error).__name__


class JobService:
    def __init__(self, runner: CommandRunner) -> None:
        self._runner = runner
        self._store: Store = runner.store

    # ── acquisition and execution ───────────────────────────────────────────────────────────
    def acquire(self, lock_owner: str, max_jobs: int, lock_time: timedelta) -> list[str]:
        """Lock up to ``max_jobs`` due jobs for ``lock_owner`` until now + ``lock_time``."""

        def command(ctx: ServiceContext) -> list[str]:
            now = ctx.now()
            return store_jobs.acquire_jobs(
                ctx.sql.connection,
                now=now,
                lock_owner=lock_owner,
                lock_expiration_time=now + lock_time,
                max_jobs=max_jobs,
            )

        return self._runner.run(command)

    def next_due_date(self) -> datetime | None:
        """The earliest due date of a job that waits for its time (for the executor's sleep)."""
        j = tables.job
        with self._store.read() as connection:
            value = connection.execute(
                sa.select(sa.func.min(j.c.due_date)).where(j.c.retries > 0, j.c.suspended.is_(False))
            ).scalar()
        if isinstance(value, datetime) and value.tzinfo is None:
            from datetime import UTC

            value = value.replace(tzinfo=UTC)
        return value if isinstance(value, datetime) else None

    def execute(self, job_id: str, *, lock_owner: str | None = None) -> JobOutcome:
        """Run a job now (the executor passes the ``lock_owner`` it acquired the job with).

        Raises:
            NotFoundError: unknown job (only without ``lock_owner``).
            ProcessEngineError: the job's work failed (only without ``lock_owner``); the
                failure is recorded on the job first.
        """

        def command(ctx: ServiceContext) -> bool:
            check_job(ctx, job_id, "update")
            row = store_jobs.find_job(ctx.sql.connection, job_id)
            if row is None:
                if lock_owner is not None:
                    return False
                raise NotFoundError(f"No job found with id '{job_id}'")
            if lock_owner is not None and row.lock_owner != lock_owner:
                return False  # our lock expired and another node took the job
            graph: InstanceGraph | None = None
            job: Job | None
            if row.process_instance_id is not None:
                graph = ctx.sql.load_graph(row.process_instance_id)
                if graph is not None:
                    ctx.register_graph(row.process_instance_id, graph)
                    job = graph.jobs.get(job_id)
                else:
                    job = ctx.sql.load_one(Job, job_id)
            else:
                job = ctx.sql.load_one(Job, job_id)
            if job is None:
                return False
            run_job(ctx, job, graph)
            ctx.run_agenda()
            return True

        try:
            ran = self._runner.run(command)
        except OptimisticLockError:
            self._unlock(job_id, lock_owner)
            return JobOutcome.CONFLICT
        except (AuthorizationError, TenantAccessError):
            raise  # a refusal, not a failure of the job: nothing is recorded
        except NotFoundError:
            if lock_owner is None:
                raise
            failure = _Failure(f"No job found with id '{job_id}'", "")
            self._record_failure(job_id, failure)
            return JobOutcome.FAILED
        except Exception as error:
            failure = _Failure(_message_of(error), "".join(traceback.format_exception(error)))
            log.info("job %s failed: %s", job_id, failure.message)
            self._record_failure(job_id, failure)
            if lock_owner is None:
                raise ProcessEngineError(failure.message) from error
            return JobOutcome.FAILED
        return JobOutcome.DONE if ran else JobOutcome.GONE

    def _unlock(self, job_id: str, lock_owner: str | None) -> None:
        j = tables.job
        condition = [j.c.id == job_id]
        if lock_owner is not None:
            condition.append(j.c.lock_owner == lock_owner)
        try:
            with self._store.write() as uow:
                uow.connection.execute(
                    j.update()
                    .where(*condition)
                    .values(lock_owner=None, lock_expiration_time=None, rev=j.c.rev + 1)
                )
        except OptimisticLockError:
            pass  # the lock expires by itself

    def _record_failure(self, job_id: str, failure: _Failure) -> None:
        def command(ctx: ServiceContext) -> None:
            job, graph = self._load(ctx, job_id)
            if job is None:
                return
            cycle = self._retry_cycle(ctx, job, graph)
            decision = next_retry(
                cycle,
                retries=job.retries,
                first_failure=job.exception_message is None,
                due_date=job.due_date,
                now=ctx.now(),
            )
            job_failed(
                ctx,
                job,
                graph,
                message=failure.message[:_MAX_MESSAGE],
                stacktrace=failure.stacktrace,
                retries=decision.retries,
                due_date=decision.due_date,
            )

        try:
            self._runner.run(command)
        except EngineError as error:  # a broken retry cycle: count down without it
            log.warning("could not record the failure of job %s: %s", job_id, error.message)

    @staticmethod
    def _retry_cycle(ctx: ServiceContext, job: Job, graph: InstanceGraph | None) -> str | None:
        if job.process_definition_id is None or job.activity_id is None:
            return None
        try:
            process = ctx.definitions.deployed_process(job.process_definition_id).process
        except NotFoundError:
            return None
        node = process.nodes.get(job.activity_id)
        if node is None or node.retry_time_cycle is None:
            return None
        text = node.retry_time_cycle
        if "${" in text or "#{" in text:
            execution = graph.executions.get(job.execution_id or "") if graph is not None else None
            if graph is None or execution is None:
                return None
            value = evaluate(ctx, graph, execution, text)
            return None if value is None else str(value)
        return text

    @staticmethod
    def _load(ctx: ServiceContext, job_id: str) -> tuple[Job | None, InstanceGraph | None]:
        row = store_jobs.find_job(ctx.sql.connection, job_id)
        if row is None:
            return None, None
        if row.process_instance_id is not None:
            graph = ctx.sql.load_graph(row.process_instance_id)
            if graph is not None:
                ctx.register_graph(row.process_instance_id, graph)
                return graph.jobs.get(job_id), graph
        return ctx.sql.load_one(Job, job_id), None

    # ── management ──────────────────────────────────────────────────────────────────────────
    def query(self, query: JobQuery, page: Page | None = None, *, user_id: str | None = None) -> list[Job]:
        """Jobs the acting user may read: READ on the instance or READ_INSTANCE on the
        definition (jobs of no definition: everybody)."""
        if query.executable and query.now is None:
            query.now = self._runner.clock.now()
        with self._store.read() as connection:
            visible = restriction(connection, self._runner, user_id, "job")
            return store_jobs.query_jobs(connection, query, page or Page(), visible)

    def count(self, query: JobQuery, *, user_id: str | None = None) -> int:
        if query.executable and query.now is None:
            query.now = self._runner.clock.now()
        with self._store.read() as connection:
            visible = restriction(connection, self._runner, user_id, "job")
            return store_jobs.count_jobs(connection, query, visible)

    def get(self, job_id: str, *, user_id: str | None = None) -> Job:
        """Raises NotFoundError, also for a job the user may not read."""
        found = self.query(JobQuery(job_id=job_id), Page(0, 1), user_id=user_id)
        if not found:
            raise NotFoundError(f"Job with id {job_id} does not exist")
        return found[0]

    def set_retries(self, job_id: str, retries: int, *, due_date: datetime | None = None) -> None:
        """Set a job's retries (resolving its incident when raised above 0) and optionally its
        due date.

        Raises:
            BadUserRequestError: negative retries.
            NotFoundError: unknown job.
        """
        if retries < 0:
            raise BadUserRequestError(
                "The number of job retries must be a non-negative Integer, "
                f"but '{retries}' has been provided."
            )

        def command(ctx: ServiceContext) -> None:
            check_job(ctx, job_id, "retry")
            job, graph = self._load(ctx, job_id)
            if job is None:
                raise NotFoundError(f"No job found with id '{job_id}'.")
            set_job_retries(ctx, graph, job, retries)
            if due_date is not None:
                job.due_date = due_date
            if retries > 0:
                ctx.emit(JobDue(ctx.now(), job.id, job.due_date))

        self._runner.run(command)

    def set_retries_batch(self, job_ids: list[str], retries: int) -> None:
        for job_id in job_ids:
            self.set_retries(job_id, retries)

    def set_due_date(self, job_id: str, due_date: datetime | None) -> None:
        def command(ctx: ServiceContext) -> None:
            check_job(ctx, job_id, "update")
            job, _ = self._load(ctx, job_id)
            if job is None:
                raise NotFoundError(f"No job found with id '{job_id}'.")
            job.due_date = due_date
            ctx.emit(JobDue(ctx.now(), job.id, due_date))

        self._runner.run(command)

    def set_suspended(self, job_id: str, suspended: bool) -> None:
        def command(ctx: ServiceContext) -> None:
            check_job(ctx, job_id, "suspend")
            job, _ = self._load(ctx, job_id)
            if job is None:
                raise NotFoundError(f"Cannot find job with id '{job_id}'")
            job.suspended = suspended
            if not suspended:
                ctx.emit(JobDue(ctx.now(), job.id, job.due_date))

        self._runner.run(command)

    def set_priority(self, job_id: str, priority: int) -> None:
        def command(ctx: ServiceContext) -> None:
            check_job(ctx, job_id, "update")
            job, _ = self._load(ctx, job_id)
            if job is None:
                raise NotFoundError(f"No job found with id '{job_id}'.")
            job.priority = priority

        self._runner.run(command)

    def stacktrace(self, job_id: str) -> str:
        job = self.get(job_id)
        if job.exception_stacktrace is None:
            raise NotFoundError(f"No exception stacktrace for job with id {job_id}")
        return job.exception_stacktrace

    # ── job definitions ─────────────────────────────────────────────────────────────────────
    def query_definitions(self, query: JobDefinitionQuery, page: Page | None = None) -> list[JobDefinition]:
        with self._store.read() as connection:
            return store_jobs.query_job_definitions(connection, query, page or Page())

    def count_definitions(self, query: JobDefinitionQuery) -> int:
        with self._store.read() as connection:
            return store_jobs.count_job_definitions(connection, query)
