"""The application layer and public Python API: one method call = one transaction.

    from cadenza.services import Engine
    from cadenza.config import EngineConfig

    engine = Engine(EngineConfig(database_url="sqlite:///cadenza.db"))
    result = engine.repository.deploy([("order.bpmn", xml_bytes)])
    started = engine.runtime.start_process_instance(result.process_definitions[0].id)

The REST API (``cadenza.api``) is a thin translation of these services, so the embedded API and
HTTP behave the same.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence

from cadenza.clock import Clock, SystemClock
from cadenza.config import EngineConfig
from cadenza.engine.records import ExternalTaskAvailable, JobDue, Record
from cadenza.engine.state import (
    Deployment,
    Execution,
    ExternalTask,
    IdentityLink,
    Incident,
    IncidentType,
    Job,
    JobDefinition,
    ProcessDefinition,
    Resource,
    UserTask,
    VariableInstance,
)
from cadenza.expr.values import (
    TypedValue,
    ValueType,
    format_date,
    parse_date,
    typed_value_from_dto,
    typed_value_from_python,
    typed_value_to_dto,
)
from cadenza.services.authorization import (
    ADMIN_GROUP,
    Authorization,
    AuthorizationCheck,
    AuthorizationError,
    AuthorizationService,
    MissingAuthorization,
    task_defaults,
)
from cadenza.services.external_tasks import ExternalTaskService, FetchTopic, LockedExternalTask
from cadenza.services.history import HistoryConsumer
from cadenza.services.identity import (
    Group,
    GroupInfo,
    GroupQuery,
    IdentityService,
    Tenant,
    TenantQuery,
    User,
    UserQuery,
)
from cadenza.services.incidents import IncidentQuery, IncidentService
from cadenza.services.jobs import JobDefinitionQuery, JobOutcome, JobQuery, JobService
from cadenza.services.messages import (
    CorrelationResult,
    MessageService,
    MismatchingCorrelationError,
    SignalService,
)
from cadenza.services.notifications import Notifications
from cadenza.services.repository import DeploymentResult, RepositoryService
from cadenza.services.runner import CommandRunner, ConsumerFunction, ServiceConsumer
from cadenza.services.runtime import ProcessInstance, RuntimeService, StartedInstance
from cadenza.services.start_events import on_deploy
from cadenza.services.suspension import SuspensionService
from cadenza.services.tasks import TaskService
from cadenza.services.variables import VariableService
from cadenza.store import open_store
from cadenza.store.identity import AuthorizationQuery
from cadenza.store.pg_notify import PgListener, notify_topics
from cadenza.store.queries import (
    VARIABLE_OPERATORS,
    DeploymentQuery,
    ExecutionQuery,
    ExternalTaskQuery,
    Page,
    ProcessDefinitionQuery,
    ProcessInstanceQuery,
    TaskQuery,
    VariableFilter,
)

__all__ = [
    "ADMIN_GROUP",
    "VARIABLE_OPERATORS",
    "Authorization",
    "AuthorizationCheck",
    "AuthorizationError",
    "AuthorizationQuery",
    "CorrelationResult",
    "Deployment",
    "DeploymentQuery",
    "DeploymentResult",
    "Engine",
    "Execution",
    "ExecutionQuery",
    "ExternalTask",
    "ExternalTaskAvailable",
    "ExternalTaskQuery",
    "FetchTopic",
    "Group",
    "GroupInfo",
    "GroupQuery",
    "IdentityLink",
    "Incident",
    "IncidentQuery",
    "IncidentType",
    "Job",
    "JobDefinition",
    "JobDefinitionQuery",
    "JobDue",
    "JobOutcome",
    "JobQuery",
    "LockedExternalTask",
    "MismatchingCorrelationError",
    "MissingAuthorization",
    "Notifications",
    "Page",
    "ProcessDefinition",
    "ProcessDefinitionQuery",
    "ProcessInstance",
    "ProcessInstanceQuery",
    "Record",
    "Resource",
    "StartedInstance",
    "TaskQuery",
    "Tenant",
    "TenantQuery",
    "TypedValue",
    "User",
    "UserQuery",
    "UserTask",
    "ValueType",
    "VariableFilter",
    "VariableInstance",
    "format_date",
    "parse_date",
    "typed_value_from_dto",
    "typed_value_from_python",
    "typed_value_to_dto",
]


def record_consumers() -> list[ServiceConsumer]:
    """What every command runs on its records before its flush, in this order: the events of
    new deployments (their jobs' records reach the others in the next round), the historic
    process instances, the default task authorizations."""
    return [ConsumerFunction(on_deploy), HistoryConsumer(), ConsumerFunction(task_defaults)]


class Engine:
    """One engine node: its store, clock and the services built on them.

    Args:
        config: settings (database URL, limits).
        clock: the time source; tests pass a ``SettableClock``.
        upgrade_schema: create/upgrade the database schema on start (default true).
    """

    def __init__(
        self,
        config: EngineConfig | None = None,
        *,
        clock: Clock | None = None,
        upgrade_schema: bool = True,
    ) -> None:
        self.config = config or EngineConfig()
        self.clock: Clock = clock or SystemClock()
        self.store = open_store(self.config)
        if upgrade_schema:
            self.store.upgrade()
        self.notifications = Notifications()
        self.runner = CommandRunner(
            self.store, self.clock, self.config, self.notifications, consumers=record_consumers()
        )
        self.identity = IdentityService(self.runner)
        self._build_services(self.runner)
        self._listener: PgListener | None = None
        self._listener_lock = threading.Lock()
        if not self.store.is_sqlite:
            self.notifications.subscribe(self._notify_other_nodes)

    def _build_services(self, runner: CommandRunner) -> None:
        """The services over ``runner`` (a service added to the engine belongs here too, so
        that ``as_user`` binds it)."""
        self.repository = RepositoryService(runner)
        self.runtime = RuntimeService(runner)
        self.external_tasks = ExternalTaskService(runner)
        self.tasks = TaskService(runner)
        self.incidents = IncidentService(runner)
        self.variables = VariableService(runner)
        self.authorizations = AuthorizationService(runner)
        self.jobs = JobService(runner)
        self.messages = MessageService(runner)
        self.signals = SignalService(runner)
        self.suspension = SuspensionService(runner)

    def as_user(self, user_id: str | None) -> Engine:
        """This engine acting for ``user_id``: every service call is checked against that
        user's authorizations (when authentication is enabled), as if each call passed
        ``user_id=...``. Shares store, clock, notifications and the password cache."""
        bound = Engine.__new__(Engine)
        bound.__dict__.update(self.__dict__)
        bound.runner = self.runner.for_user(user_id)
        bound.identity = self.identity.for_runner(bound.runner)
        bound._build_services(bound.runner)
        return bound

    # ── cluster wake-ups (PostgreSQL) ───────────────────────────────────────────────────────
    def _notify_other_nodes(self, records: Sequence[Record]) -> None:
        """After a commit that made tasks fetchable, tell the other nodes (NOTIFY)."""
        listener = self._listener
        if listener is not None and threading.current_thread() is listener.thread:
            return  # a re-published remote notification: do not echo it back
        topics = {r.topic_name for r in records if isinstance(r, ExternalTaskAvailable)}
        if topics:
            notify_topics(self.store.engine, topics)

    def _on_remote_topic(self, topic: str) -> None:
        self.notifications.publish([ExternalTaskAvailable(self.clock.now(), "", topic)])

    def start_listening(self) -> None:
        """PostgreSQL: run this node's LISTEN connection so tasks made fetchable on other
        nodes wake local long polls at once (idempotent; a no-op on SQLite)."""
        if self.store.is_sqlite:
            return
        with self._listener_lock:
            if self._listener is None:
                self._listener = PgListener(self.config.database_url, self._on_remote_topic)
                self._listener.start()

    def stop_listening(self) -> None:
        with self._listener_lock:
            listener, self._listener = self._listener, None
        if listener is not None:
            listener.stop()

    def close(self) -> None:
        self.stop_listening()
        self.store.close()

    def __enter__(self) -> Engine:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
