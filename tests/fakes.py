"""In-memory implementations of ``engine.ports`` for database-free engine tests.

``FakeUnitOfWork`` keeps every live entity in per-type tables (keyed by id), like a tiny
database: ``insert`` adds a row, ``delete`` removes it, and ``load_graph`` rebuilds an
``InstanceGraph`` from the rows of one instance, so anything the engine forgets to register
with the unit of work is lost between commands, exactly as with the SQL store. It also records
every call (``inserted``, ``deleted``, ``touched``) for assertions.

``FakeEngine`` bundles it with an in-memory ``DefinitionSource``, a settable clock and helpers
that run one command per call (new ``CommandContext``, then the agenda and the record consumers,
as the command runner does: by default the history consumer, which writes through the unit of
work only).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any, TypeVar

from cadenza.bpmn import parse_bpmn
from cadenza.clock import SettableClock
from cadenza.config import EngineConfig
from cadenza.engine import lifecycle, records as r
from cadenza.engine.context import CommandContext, RecordConsumer
from cadenza.engine.definitions import DeployedProcess
from cadenza.engine.external_tasks import complete_external_task
from cadenza.engine.state import (
    EventSubscription,
    Execution,
    ExternalTask,
    HistoricProcessInstance,
    IdentityLink,
    Incident,
    InstanceGraph,
    Job,
    ProcessDefinition,
    UserTask,
    VariableInstance,
)
from cadenza.engine.user_tasks import complete_user_task
from cadenza.engine.variables import visible_variables
from cadenza.errors import NotFoundError
from cadenza.expr.values import TypedValue, expression_value, typed_value_from_python
from cadenza.services.history import HistoryConsumer

__all__ = ["FakeDefinitions", "FakeEngine", "FakeUnitOfWork", "bpmn", "trail"]

T = TypeVar("T")

_NAMESPACES = (
    'xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:camunda="http://camunda.org/schema/1.0/bpmn"'
)


def bpmn(body: str, *, process_id: str = "p") -> bytes:
    """A one-process BPMN document whose process ``process_id`` contains ``body``."""
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<definitions {_NAMESPACES} id="defs" '
        f'targetNamespace="http://example.org/tests">\n'
        f'<process id="{process_id}" isExecutable="true">\n{body}\n</process>\n</definitions>\n'
    ).encode()


def _subject(record: r.Record) -> str:
    """What a record is about, in a word (see ``trail``)."""
    match record:
        case r.ProcessInstanceStarted():
            return record.process_definition_key
        case r.ProcessInstanceEnded() | r.ProcessInstanceStateChanged():
            return record.state.value
        case r.ActivityStarted():
            return record.activity_id
        case r.ActivityEnded():
            flags = [f for f, on in (("canceled", record.canceled), ("scope", record.completed_scope)) if on]
            return " ".join([record.activity_id, *flags])
        case (
            r.UserTaskCreated()
            | r.UserTaskAssigned()
            | r.UserTaskUpdated()
            | r.UserTaskCompleted()
            | r.UserTaskDeleted()
        ):
            return record.task.task_definition_key
        case r.IdentityLinkAdded() | r.IdentityLinkDeleted():
            return f"{record.type} {record.user_id or record.group_id}"
        case r.VariableCreated() | r.VariableUpdated() | r.VariableDeleted():
            return record.variable.name
        case r.IncidentOpened() | r.IncidentResolved() | r.IncidentDeleted():
            return record.incident.incident_type
        case (
            r.ExternalTaskCreated()
            | r.ExternalTaskLocked()
            | r.ExternalTaskFailed()
            | r.ExternalTaskCompleted()
            | r.ExternalTaskBpmnError()
            | r.ExternalTaskDeleted()
        ):
            return record.task.topic_name
        case r.ExternalTaskAvailable():
            return record.topic_name
        case r.JobCreated() | r.JobFailed() | r.JobExecuted() | r.JobDeleted():
            return record.job.handler_type
        case r.JobDue():
            return "due"
        case r.ProcessDefinitionDeployed():
            return record.deployed.definition.key
    raise AssertionError(f"unknown record {record!r}")


def trail(records: Sequence[r.Record], *, signals: bool = False) -> list[str]:
    """The records of a command as ``"<RecordType> <subject>"`` lines, in order, for readable
    assertions on the record stream (the wake-up signals only with ``signals``)."""
    wake_ups = (r.ExternalTaskAvailable, r.JobDue)
    return [
        f"{type(record).__name__} {_subject(record)}"
        for record in records
        if signals or not isinstance(record, wake_ups)
    ]


class FakeUnitOfWork:
    """An in-memory ``engine.ports.UnitOfWork``: live rows per entity type, plus a call log."""

    def __init__(self) -> None:
        self.rows: dict[type, dict[str, Any]] = {}
        self.inserted: list[Any] = []
        self.deleted: list[Any] = []
        self.touched: list[Any] = []

    # ── engine.ports.UnitOfWork ─────────────────────────────────────────────────────────────
    def insert(self, entity: object) -> None:
        table = self.rows.setdefault(type(entity), {})
        entity_id = entity.id  # type: ignore[attr-defined]
        assert entity_id not in table, f"{type(entity).__name__} {entity_id} inserted twice"
        table[entity_id] = entity
        self.inserted.append(entity)

    def delete(self, entity: object) -> None:
        table = self.rows.get(type(entity), {})
        entity_id = entity.id  # type: ignore[attr-defined]
        assert table.get(entity_id) is entity, f"{type(entity).__name__} {entity_id} is not stored"
        del table[entity_id]
        self.deleted.append(entity)
        if isinstance(entity, ExternalTask | Job):
            # the store deletes the incidents of a deleted external task or job with it
            kind = "failedExternalTask" if isinstance(entity, ExternalTask) else "failedJob"
            incidents = self.rows.get(Incident, {})
            for incident in [
                i for i in incidents.values() if i.incident_type == kind and i.configuration == entity_id
            ]:
                del incidents[incident.id]

    def find_event_subscriptions(self, event_type: str, event_name: str) -> list[EventSubscription]:
        return [
            s for s in self.all(EventSubscription) if (s.event_type, s.event_name) == (event_type, event_name)
        ]

    def touch(self, entity: object) -> None:
        self.touched.append(entity)

    def load_graph(self, process_instance_id: str) -> InstanceGraph | None:
        executions = [e for e in self.all(Execution) if e.process_instance_id == process_instance_id]
        if not executions:
            return None
        graph = InstanceGraph(executions={e.id: e for e in executions})
        for variable in self.all(VariableInstance):
            if variable.process_instance_id != process_instance_id:
                continue
            if variable.task_id is not None:
                graph.task_variables.setdefault(variable.task_id, {})[variable.name] = variable
            else:
                graph.execution_variables.setdefault(variable.execution_id, {})[variable.name] = variable
        graph.external_tasks = {
            t.id: t for t in self.all(ExternalTask) if t.process_instance_id == process_instance_id
        }
        graph.user_tasks = {
            t.id: t for t in self.all(UserTask) if t.process_instance_id == process_instance_id
        }
        graph.identity_links = [
            link for link in self.all(IdentityLink) if link.process_instance_id == process_instance_id
        ]
        graph.incidents = {
            i.id: i for i in self.all(Incident) if i.process_instance_id == process_instance_id
        }
        graph.jobs = {j.id: j for j in self.all(Job) if j.process_instance_id == process_instance_id}
        graph.subscriptions = {
            s.id: s for s in self.all(EventSubscription) if s.process_instance_id == process_instance_id
        }
        graph.history = self.rows.get(HistoricProcessInstance, {}).get(process_instance_id)
        return graph

    # ── inspection ──────────────────────────────────────────────────────────────────────────
    def all(self, cls: type[T]) -> list[T]:
        """Live rows of one entity type, in insertion order."""
        return list(self.rows.get(cls, {}).values())

    def clear_log(self) -> None:
        self.inserted.clear()
        self.deleted.clear()
        self.touched.clear()


class FakeDefinitions:
    """An in-memory ``engine.ports.DefinitionSource``: deployed processes by definition id."""

    def __init__(self) -> None:
        self.processes: dict[str, DeployedProcess] = {}
        self._versions: dict[str, int] = {}

    def deployed_process(self, process_definition_id: str) -> DeployedProcess:
        found = self.processes.get(process_definition_id)
        if found is None:
            raise NotFoundError(f"No matching definition with id {process_definition_id}")
        return found

    def find_deployed_process(
        self,
        key: str,
        *,
        tenant_id: str | None,
        version: int | None = None,
        deployment_id: str | None = None,
    ) -> DeployedProcess | None:
        """The latest version of ``key`` (call activities; ``version`` picks one)."""
        found = [
            d
            for d in self.processes.values()
            if d.definition.key == key and (version is None or d.definition.version == version)
        ]
        return max(found, key=lambda d: d.definition.version) if found else None

    def deploy(self, xml: bytes) -> DeployedProcess:
        """Parse ``xml`` and register its (single) process as the next version of its key."""
        (process,) = parse_bpmn(xml, "test.bpmn").processes
        version = self._versions.get(process.id, 0) + 1
        self._versions[process.id] = version
        definition = ProcessDefinition(
            id=f"{process.id}:{version}:fake",
            key=process.id,
            version=version,
            deployment_id="deployment",
            resource_name="test.bpmn",
        )
        deployed = DeployedProcess(definition, process)
        self.processes[definition.id] = deployed
        return deployed


class FakeEngine:
    """Runs commands against the fakes; each call is one command with a fresh context."""

    def __init__(
        self,
        config: EngineConfig | None = None,
        consumers: Sequence[RecordConsumer[CommandContext]] | None = None,
    ) -> None:
        self.uow = FakeUnitOfWork()
        self.definitions = FakeDefinitions()
        self.clock = SettableClock(datetime(2026, 1, 15, 10, 0, 0, tzinfo=UTC))
        self.config = config or EngineConfig()
        self.consumers = list(consumers) if consumers is not None else [HistoryConsumer()]
        self.last: CommandContext | None = None

    def context(self) -> CommandContext:
        return CommandContext(self.uow, self.definitions, self.clock, self.config)

    def deploy(self, body: str, *, process_id: str = "p") -> DeployedProcess:
        return self.definitions.deploy(bpmn(body, process_id=process_id))

    def run(self, command: Callable[[CommandContext], T]) -> T:
        """One command: ``command(ctx)``, then the agenda and the consumers until both are done."""
        ctx = self.context()
        self.last = ctx
        result = command(ctx)
        ctx.settle(self.consumers)
        return result

    def start(
        self,
        deployed: DeployedProcess,
        variables: dict[str, object] | None = None,
        *,
        business_key: str | None = None,
    ) -> str:
        """Start an instance and run it to its wait states; returns the instance id."""
        typed = {name: typed_value_from_python(value) for name, value in (variables or {}).items()}

        def command(ctx: CommandContext) -> str:
            root, _ = lifecycle.start_process_instance(
                ctx, deployed, business_key=business_key, variables=typed
            )
            return root.id

        return self.run(command)

    # ── driving wait states ─────────────────────────────────────────────────────────────────
    def complete_user_task(self, task: UserTask, variables: dict[str, object] | None = None) -> None:
        typed = {name: typed_value_from_python(value) for name, value in (variables or {}).items()}

        def command(ctx: CommandContext) -> None:
            graph = ctx.graph(task.process_instance_id)
            complete_user_task(ctx, graph, graph.user_tasks[task.id], typed)

        self.run(command)

    def complete_external_task(
        self,
        task: ExternalTask,
        variables: dict[str, object] | None = None,
        local_variables: dict[str, object] | None = None,
    ) -> None:
        def typed(values: dict[str, object] | None) -> dict[str, TypedValue]:
            return {name: typed_value_from_python(value) for name, value in (values or {}).items()}

        def command(ctx: CommandContext) -> None:
            graph = ctx.graph(task.process_instance_id)
            complete_external_task(
                ctx, graph, graph.external_tasks[task.id], typed(variables), typed(local_variables)
            )

        self.run(command)

    # ── queries ─────────────────────────────────────────────────────────────────────────────
    def executions(self, process_instance_id: str) -> list[Execution]:
        return [e for e in self.uow.all(Execution) if e.process_instance_id == process_instance_id]

    def is_ended(self, process_instance_id: str) -> bool:
        return not self.executions(process_instance_id)

    def history(self, process_instance_id: str) -> HistoricProcessInstance:
        return self.uow.rows[HistoricProcessInstance][process_instance_id]

    def active_activity_ids(self, process_instance_id: str) -> list[str]:
        """Sorted ids of the activities where a token currently is (Camunda's
        ``getActiveActivityIds``): active executions without active children."""
        executions = self.executions(process_instance_id)
        parents = {e.parent_id for e in executions if e.is_active}
        return sorted(
            e.activity_id
            for e in executions
            if e.is_active and e.activity_id is not None and e.id not in parents
        )

    def user_tasks(self, process_instance_id: str | None = None) -> list[UserTask]:
        return [
            t
            for t in self.uow.all(UserTask)
            if process_instance_id is None or t.process_instance_id == process_instance_id
        ]

    def user_task(self, task_definition_key: str) -> UserTask:
        (task,) = [t for t in self.uow.all(UserTask) if t.task_definition_key == task_definition_key]
        return task

    def external_tasks(self, process_instance_id: str | None = None) -> list[ExternalTask]:
        return [
            t
            for t in self.uow.all(ExternalTask)
            if process_instance_id is None or t.process_instance_id == process_instance_id
        ]

    def variables(self, execution_id: str, *, local: bool = False) -> dict[str, object]:
        """Plain values of the variables visible from an execution (or only its own)."""
        execution = self.uow.rows[Execution][execution_id]
        graph = self.uow.load_graph(execution.process_instance_id)
        assert graph is not None
        visible = visible_variables(graph, execution, local=local)
        return {name: expression_value(var.value) for name, var in visible.items()}

    def variable_rows(self, process_instance_id: str) -> list[VariableInstance]:
        return [v for v in self.uow.all(VariableInstance) if v.process_instance_id == process_instance_id]
