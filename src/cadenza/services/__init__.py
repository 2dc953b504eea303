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

from cadenza.clock import Clock, SystemClock
from cadenza.config import EngineConfig
from cadenza.engine.state import (
    Deployment,
    Execution,
    ExternalTask,
    IdentityLink,
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
from cadenza.services.external_tasks import ExternalTaskService, FetchTopic, LockedExternalTask
from cadenza.services.notifications import Notifications
from cadenza.services.repository import DeploymentResult, RepositoryService
from cadenza.services.runner import CommandRunner
from cadenza.services.runtime import ProcessInstance, RuntimeService, StartedInstance
from cadenza.services.tasks import TaskService
from cadenza.store import open_store
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
    "VARIABLE_OPERATORS",
    "Deployment",
    "DeploymentQuery",
    "DeploymentResult",
    "Engine",
    "Execution",
    "ExecutionQuery",
    "ExternalTask",
    "ExternalTaskQuery",
    "FetchTopic",
    "IdentityLink",
    "LockedExternalTask",
    "Page",
    "ProcessDefinition",
    "ProcessDefinitionQuery",
    "ProcessInstance",
    "ProcessInstanceQuery",
    "Resource",
    "StartedInstance",
    "TaskQuery",
    "TypedValue",
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
        self.runner = CommandRunner(self.store, self.clock, self.config, self.notifications)
        self.repository = RepositoryService(self.runner)
        self.runtime = RuntimeService(self.runner)
        self.external_tasks = ExternalTaskService(self.runner)
        self.tasks = TaskService(self.runner)

    def close(self) -> None:
        self.store.close()

    def __enter__(self) -> Engine:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
