"""External task service (Camunda ``ExternalTaskService``): queries, fetch-and-lock, complete,
failure, BPMN error, lock management, retries and priority.

Every method is one transaction and follows Camunda's order of checks (input, then "does the
task exist" → 404, then "is it locked by this worker" → 400, then "is it suspended" → 400).
Texts are Camunda's (``camunda7-semantics.md`` §2). Two deliberate differences: numeric input
out of range (negative ``retries``/``retryTimeout``/``maxTasks``, ``lockDuration <= 0``, empty
error code or message) is answered with 400 and Camunda's text instead of Camunda's 500, and a
task becoming fetchable again through ``failure`` with ``retryTimeout`` 0 or through raised
retries wakes long polls at once (Camunda notices it at its 30 s re-check).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import timedelta

from cadenza.engine.external_tasks import (
    complete_external_task,
    fail_external_task,
    lock_external_task,
    report_external_task_bpmn_error,
    unlock_external_task,
    update_external_task_retries,
)
from cadenza.engine.state import ExternalTask, InstanceGraph
from cadenza.engine.variables import visible_variables
from cadenza.errors import (
    BadUserRequestError,
    InvalidRequestError,
    NotFoundError,
)
from cadenza.expr.values import TypedValue
from cadenza.services.authorization import check_external_task, fetch_filter, restriction
from cadenza.services.runner import CommandRunner, ServiceContext
from cadenza.store import Store, external_tasks as store_external_tasks, instances as store_instances
from cadenza.store.queries import ExternalTaskQuery, Page, ProcessInstanceQuery

__all__ = ["ExternalTaskService", "FetchTopic", "LockedExternalTask"]


@dataclass(frozen=True)
class FetchTopic:
    """One topic of a fetch-and-lock request (Camunda ``FetchExternalTaskTopicDto``)."""

    topic_name: str
    lock_duration: int
    """milliseconds, > 0"""
    variables: Sequence[str] | None = None
    """names to return; None = all visible variables, [] = none"""
    local_variables: bool = False
    """only variables of the task's own execution"""
    deserialize_values: bool = False
    """how the REST layer renders serialized Object values"""
    include_extension_properties: bool = False
    business_key: str | None = None
    process_definition_id: str | None = None
    process_definition_id_in: Sequence[str] | None = None
    process_definition_key: str | None = None
    process_definition_key_in: Sequence[str] | None = None
    process_definition_version_tag: str | None = None
    """compared with LIKE"""
    tenant_id_in: Sequence[str] | None = None
    without_tenant_id: bool = False
    process_variables: Mapping[str, object] | None = None
    """name -> plain value; equality on process-instance variables, entries OR-ed"""


@dataclass(frozen=True)
class LockedExternalTask:
    """A task just locked for a worker, with what the worker asked to see."""

    task: ExternalTask
    variables: dict[str, TypedValue] = field(default_factory=dict)
    extension_properties: dict[str, str] = field(default_factory=dict)
    deserialize_values: bool = False


def _not_found(external_task_id: str) -> NotFoundError:
    return NotFoundError(
        f"External task with id {external_task_id} does not exist", camunda_type="RestException", code=0
    )


def _rest_400(message: str) -> BadUserRequestError:
    # Camunda's resource re-throws BadUserRequestExceptions as RestException (code 0)
    return BadUserRequestError(message, camunda_type="RestException")


def _require_worker(worker_id: str | None) -> str:
    if not worker_id:
        raise BadUserRequestError("workerId is null", camunda_type="NullValueException")
    return worker_id


def _owner(task: ExternalTask) -> str:
    return task.worker_id or "null"  # Camunda prints Java's null for an unlocked task


def _check_worker(task: ExternalTask, worker_id: str, refused: str) -> None:
    """``refused`` is Camunda's text up to and including the worker's id in quotes."""
    if task.worker_id != worker_id:
        raise _rest_400(f"{refused}. It is locked by worker '{_owner(task)}'.")


def _check_active(graph: InstanceGraph, task: ExternalTask) -> None:
    if task.suspended or graph.root.suspended:
        raise _rest_400(f"ENGINE-03043 ExternalTask with id '{task.id}' is suspended.")


def _load(ctx: ServiceContext, external_task_id: str) -> tuple[InstanceGraph, ExternalTask]:
    """The task and its instance graph, once the user may update it (Camunda checks UPDATE on
    the instance for every external task command)."""
    check_external_task(ctx, external_task_id)
    found = store_external_tasks.find_external_task(ctx.sql.connection, external_task_id)
    if found is None:
        raise _not_found(external_task_id)
    graph = ctx.graph(found.process_instance_id)
    task = graph.external_tasks.get(external_task_id)
    if task is None:  # gone between the two reads
        raise _not_found(external_task_id)
    return graph, task


def _load_for_report(
    ctx: ServiceContext, external_task_id: str, worker_id: str, refused: str
) -> tuple[InstanceGraph, ExternalTask]:
    """A worker's report (complete, failure, BPMN error): the task must exist, be locked by
    that worker (lock expiry does not matter, as in Camunda) and be active."""
    graph, task = _load(ctx, external_task_id)
    _check_worker(task, worker_id, refused)
    _check_active(graph, task)
    return graph, task


def _check_sorting(sorting: Iterable[tuple[object, object]]) -> bool | None:
    """Camunda accepts ``createTime`` with ``asc``/``desc`` only (case-sensitive)."""
    ascending: bool | None = None
    for sort_by, sort_order in sorting:
        if sort_by != "createTime":
            raise InvalidRequestError(f"Cannot set query sortBy parameter to value {sort_by}")
        if sort_order not in ("asc", "desc"):
            raise InvalidRequestError(f"Cannot set query sortOrder parameter to value {sort_order}")
        if ascending is None:
            ascending = sort_order == "asc"
    return ascending


class ExternalTaskService:
    def __init__(self, runner: CommandRunner) -> None:
        self._runner = runner
        self._store: Store = runner.store

    # ── queries ─────────────────────────────────────────────────────────────────────────────
    def query(
        self, query: ExternalTaskQuery, page: Page | None = None, *, user_id: str | None = None
    ) -> list[ExternalTask]:
        """Tasks matching ``query`` the acting user may read (READ on the process instance or
        READ_INSTANCE on the definition, and one of its tenants)."""
        with self._store.read() as connection:
            visible = restriction(connection, self._runner, user_id, "external_task")
            return store_external_tasks.query_external_tasks(
                connection, query, page or Page(), self._runner.clock.now(), visible
            )

    def count(self, query: ExternalTaskQuery, *, user_id: str | None = None) -> int:
        with self._store.read() as connection:
            visible = restriction(connection, self._runner, user_id, "external_task")
            return store_external_tasks.count_external_tasks(
                connection, query, self._runner.clock.now(), visible
            )

    def get(self, external_task_id: str, *, user_id: str | None = None) -> ExternalTask:
        found_tasks = self.query(
            ExternalTaskQuery(external_task_id=external_task_id), Page(0, 1), user_id=user_id
        )
        found = found_tasks[0] if found_tasks else None
        if found is None:
            raise NotFoundError(
                f"External task with id {external_task_id} does not exist",
                camunda_type="RestException",
            )
        return found

    def get_error_details(self, external_task_id: str) -> str | None:
        """The full error details of the latest failure, or None.

        Raises:
            NotFoundError: no such task (Camunda answers this one with a 500; an unknown id is
                the client's mistake, so Cadenza says 404).
        """
        with self._store.read() as connection:
            found = store_external_tasks.find_external_task(connection, external_task_id)
        if found is None:
            raise NotFoundError(
                f"No external task found with id {external_task_id}: externalTask is null",
                camunda_type="NullValueException",
                code=0,
            )
        return found.error_details

    def topic_names(
        self,
        *,
        with_locked_tasks: bool = False,
        with_unlocked_tasks: bool = False,
        with_retries_left: bool = False,
    ) -> list[str]:
        """Distinct topic names of existing tasks; each true flag narrows the selection."""
        with self._store.read() as connection:
            return store_external_tasks.topic_names(
                connection,
                self._runner.clock.now(),
                with_locked_tasks=with_locked_tasks,
                with_unlocked_tasks=with_unlocked_tasks,
                with_retries_left=with_retries_left,
            )

    # ── fetch and lock ──────────────────────────────────────────────────────────────────────
    def fetch_and_lock(
        self,
        worker_id: str,
        max_tasks: int,
        topics: Sequence[FetchTopic],
        *,
        use_priority: bool = False,
        sorting: Sequence[tuple[str, str]] = (),
        user_id: str | None = None,
    ) -> list[LockedExternalTask]:
        """Lock up to ``max_tasks`` fetchable tasks of the given topics for ``worker_id``.

        A task another worker locked between our read and our update is left out silently
        (Camunda's ``CompetingExternalTaskFetchingTest``): a task is never locked twice.

        Args:
            worker_id: the locking worker.
            max_tasks: most tasks to return over all topics (0 ⇒ none).
            topics: per topic: lock duration, variables to return and filters.
            use_priority: highest priority first.
            sorting: ``(sortBy, sortOrder)`` pairs; only ``createTime`` with ``asc``/``desc``.

        Raises:
            ProcessEngineError: ``worker_id`` or a topic name missing (Camunda's 500).
            BadUserRequestError: negative ``max_tasks`` or a lock duration <= 0.
            InvalidRequestError: an unknown sorting.
        """
        _require_worker(worker_id)
        if max_tasks < 0:
            raise BadUserRequestError("maxResults is not greater than or equal to 0")
        create_time_ascending = _check_sorting(sorting)
        by_topic: dict[str, FetchTopic] = {}
        for topic in topics:  # duplicate topic names: the last one wins, as in Camunda
            if not topic.topic_name:
                raise BadUserRequestError("topicName is null", camunda_type="NullValueException")
            if topic.lock_duration <= 0:
                raise BadUserRequestError("lockTime is not greater than 0")
            by_topic[topic.topic_name] = topic
        if max_tasks == 0 or not by_topic:
            return []

        def command(ctx: ServiceContext) -> list[LockedExternalTask]:
            allowed = fetch_filter(ctx.sql.connection, self._runner, ctx.user_id)
            now = ctx.now()
            candidates = store_external_tasks.fetchable_candidates(
                ctx.sql.connection,
                list(by_topic.values()),
                now,
                max_tasks,
                use_priority=use_priority,
                create_time_ascending=create_time_ascending,
                skip_locked=not self._store.is_sqlite,
                restriction=allowed,
            )
            locked: list[LockedExternalTask] = []
            for task in candidates:
                topic = by_topic[task.topic_name]
                expires = now + timedelta(milliseconds=topic.lock_duration)
                if not store_external_tasks.try_lock(ctx.sql.connection, task, worker_id, expires):
                    continue
                lock_external_task(ctx, task, worker_id, expires)  # the store has locked it: record it
                locked.append(self._locked(ctx, task, topic))
            return locked

        return self._runner.run(command, user_id=user_id)

    @staticmethod
    def _locked(ctx: ServiceContext, task: ExternalTask, topic: FetchTopic) -> LockedExternalTask:
        variables: dict[str, TypedValue] = {}
        if topic.variables is None or topic.variables:
            graph = ctx.graph(task.process_instance_id)
            execution = graph.executions[task.execution_id]
            visible = visible_variables(graph, execution, local=topic.local_variables)
            wanted = (
                visible
                if topic.variables is None
                else {n: visible[n] for n in topic.variables if n in visible}
            )
            variables = {n: v.value for n, v in wanted.items()}
        properties: dict[str, str] = {}
        if topic.include_extension_properties:
            node = ctx.definitions.deployed_process(task.process_definition_id).process.node(task.activity_id)
            properties = dict(node.properties)
        return LockedExternalTask(task, variables, properties, topic.deserialize_values)

    # ── worker reports ──────────────────────────────────────────────────────────────────────
    def complete(
        self,
        external_task_id: str,
        worker_id: str,
        *,
        variables: Mapping[str, TypedValue] | None = None,
        local_variables: Mapping[str, TypedValue] | None = None,
    ) -> None:
        """Complete a task locked by ``worker_id`` and continue the process in the same
        transaction (or throw the BPMN error of a matching ``camunda:errorEventDefinition``).

        Raises:
            NotFoundError: no such task (also when it was cancelled).
            BadUserRequestError: the task is locked by another worker (or not locked), or suspended.
            ProcessEngineError: continuing the process failed; nothing was changed.
        """
        _require_worker(worker_id)

        def command(ctx: ServiceContext) -> None:
            graph, task = _load_for_report(
                ctx,
                external_task_id,
                worker_id,
                f"External Task {external_task_id} cannot be completed by worker '{worker_id}'",
            )
            complete_external_task(ctx, graph, task, variables or {}, local_variables or {})

        self._runner.run(command)

    def handle_failure(
        self,
        external_task_id: str,
        worker_id: str,
        *,
        error_message: str | None = None,
        error_details: str | None = None,
        retries: int = 0,
        retry_timeout: int = 0,
        variables: Mapping[str, TypedValue] | None = None,
        local_variables: Mapping[str, TypedValue] | None = None,
    ) -> None:
        """Report a failed attempt (Camunda ``handleFailure``).

        The task stays owned by ``worker_id`` and is locked until ``now + retry_timeout``;
        ``retries`` 0 opens a ``failedExternalTask`` incident, raising them again resolves it.

        Raises:
            BadUserRequestError: negative ``retries``/``retry_timeout``, wrong worker, suspended.
            NotFoundError: no such task.
        """
        _require_worker(worker_id)
        if retries < 0:
            raise BadUserRequestError("retries is not greater than or equal to 0")
        if retry_timeout < 0:
            raise BadUserRequestError("retryDuration is not greater than or equal to 0")

        def command(ctx: ServiceContext) -> None:
            graph, task = _load_for_report(
                ctx,
                external_task_id,
                worker_id,
                f"Failure of External Task {external_task_id} cannot be reported by worker '{worker_id}'",
            )
            fail_external_task(
                ctx,
                graph,
                task,
                error_message=error_message,
                error_details=error_details,
                retries=retries,
                retry_timeout=retry_timeout,
                variables=variables or {},
                local_variables=local_variables or {},
            )

        self._runner.run(command)

    def handle_bpmn_error(
        self,
        external_task_id: str,
        worker_id: str,
        error_code: str | None,
        *,
        error_message: str | None = None,
        variables: Mapping[str, TypedValue] | None = None,
    ) -> None:
        """Report a business error: ``variables`` are set non-locally, then the error propagates
        to the nearest catching boundary/event sub-process (the task goes with its scope).

        Raises:
            ProcessEngineError: missing ``error_code`` (Camunda's 500), or propagation failed
                (``ENGINE-13033 Propagation of bpmn error X failed.``, rolled back).
            BadUserRequestError: empty code or message, wrong worker, suspended.
            NotFoundError: no such task.
        """
        _require_worker(worker_id)
        if error_code is None:
            raise BadUserRequestError("errorCode is null", camunda_type="NullValueException")

        def command(ctx: ServiceContext) -> None:
            graph, task = _load_for_report(
                ctx,
                external_task_id,
                worker_id,
                f"Bpmn error of External Task {external_task_id} cannot be reported by worker '{worker_id}'",
            )
            if not error_code:
                raise BadUserRequestError("Error Code is empty")
            if error_message == "":
                raise BadUserRequestError("Error Message is empty")
            report_external_task_bpmn_error(ctx, graph, task, error_code, error_message, variables or {})

        self._runner.run(command)

    # ── locks ───────────────────────────────────────────────────────────────────────────────
    def lock(self, external_task_id: str, worker_id: str, lock_duration: int) -> None:
        """Lock one task by id (Camunda 7.15+): allowed when it is unlocked, its lock expired,
        or this worker holds it. Retries and suspension are not checked, as in Camunda."""
        _require_worker(worker_id)
        if lock_duration <= 0:
            raise _rest_400("lockDuration is not greater than 0")

        def command(ctx: ServiceContext) -> None:
            _, task = _load(ctx, external_task_id)
            now = ctx.now()
            expired = task.lock_expiration_time is None or task.lock_expiration_time <= now
            if task.worker_id is not None and task.worker_id != worker_id and not expired:
                raise _rest_400(
                    f"External Task {external_task_id} cannot be locked by worker '{worker_id}'. "
                    f"It is locked by worker '{task.worker_id}'."
                )
            lock_external_task(ctx, task, worker_id, now + timedelta(milliseconds=lock_duration))

        self._runner.run(command)

    def extend_lock(self, external_task_id: str, worker_id: str, new_duration: int) -> None:
        """Set the lock to ``now + new_duration`` for the worker holding an unexpired lock."""
        _require_worker(worker_id)
        if new_duration <= 0:
            raise _rest_400("lockTime is not greater than 0")

        def command(ctx: ServiceContext) -> None:
            graph, task = _load(ctx, external_task_id)
            # the doubled quote is Camunda's literal text
            _check_worker(
                task,
                worker_id,
                f"The lock of the External Task {external_task_id} cannot be extended "
                f"by worker '{worker_id}''",
            )
            now = ctx.now()
            if task.lock_expiration_time is None or task.lock_expiration_time < now:
                now_ms = int(now.timestamp() * 1000)
                raise _rest_400(
                    "Cannot extend a lock that expired: lockExpirationTime is not greater than "
                    f"or equal to {now_ms}"
                )
            _check_active(graph, task)
            task.lock_expiration_time = now + timedelta(milliseconds=new_duration)

        self._runner.run(command)

    def unlock(self, external_task_id: str) -> None:
        """Clear the lock (no worker check, suspended tasks too) and wake long polls."""

        def command(ctx: ServiceContext) -> None:
            _, task = _load(ctx, external_task_id)
            unlock_external_task(ctx, task)

        self._runner.run(command)

    # ── retries and priority ────────────────────────────────────────────────────────────────
    def set_retries(self, external_task_id: str, retries: int) -> None:
        """Set the retries (0 opens an incident with the current error message, > 0 after 0
        resolves it); the lock is left as it is.

        Raises:
            BadUserRequestError: negative ``retries``.
            NotFoundError: no such task.
        """
        _check_retries(retries)

        def command(ctx: ServiceContext) -> None:
            try:
                graph, task = _load(ctx, external_task_id)
            except NotFoundError as error:
                raise NotFoundError(error.message, camunda_type="InvalidRequestException", code=0) from None
            update_external_task_retries(ctx, graph, task, retries)

        self._runner.run(command)

    def set_priority(self, external_task_id: str, priority: int) -> None:
        def command(ctx: ServiceContext) -> None:
            try:
                _, task = _load(ctx, external_task_id)
            except NotFoundError as error:
                raise NotFoundError(error.message, camunda_type="InvalidRequestException", code=0) from None
            task.priority = priority

        self._runner.run(command)

    def set_retries_for(
        self,
        retries: int,
        *,
        external_task_ids: Sequence[str | None] = (),
        process_instance_ids: Sequence[str] = (),
        external_task_query: ExternalTaskQuery | None = None,
        process_instance_query: ProcessInstanceQuery | None = None,
    ) -> list[str]:
        """Set the retries of many tasks in one transaction: the listed ids, the tasks matching
        ``external_task_query``, and every task of the listed/queried process instances.

        Returns:
            The ids of the tasks changed.

        Raises:
            BadUserRequestError: negative ``retries``, a null id, or nothing selected.
            NotFoundError: a listed id does not exist.
        """
        _check_retries(retries)
        if any(task_id is None for task_id in external_task_ids):
            raise BadUserRequestError("External task id cannot be null")
        listed = [task_id for task_id in external_task_ids if task_id is not None]

        def command(ctx: ServiceContext) -> list[str]:
            connection = ctx.sql.connection
            now = ctx.now()
            selected: dict[str, None] = dict.fromkeys(listed)
            if external_task_query is not None:
                for task in store_external_tasks.query_external_tasks(
                    connection, external_task_query, Page(), now
                ):
                    selected[task.id] = None
            instances = list(process_instance_ids)
            if process_instance_query is not None:
                instances += [
                    execution.id
                    for execution, _ in store_instances.query_process_instances(
                        connection, process_instance_query, Page()
                    )
                ]
            if instances:
                for task in store_external_tasks.query_external_tasks(
                    connection, ExternalTaskQuery(process_instance_id_in=instances), Page(), now
                ):
                    selected[task.id] = None
            if not selected:
                raise BadUserRequestError("externalTaskIds is empty")
            for task_id in selected:
                try:
                    graph, task = _load(ctx, task_id)
                except NotFoundError:
                    raise NotFoundError(
                        f"Cannot find external task with id {task_id}: externalTask is null",
                        camunda_type="InvalidRequestException",
                    ) from None
                update_external_task_retries(ctx, graph, task, retries)
            return list(selected)

        return self._runner.run(command)


def _check_retries(retries: int) -> None:
    if retries < 0:
        raise BadUserRequestError(
            "The number of retries cannot be negative: retries is not greater than or equal to 0"
        )
