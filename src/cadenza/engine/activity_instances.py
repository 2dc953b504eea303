"""The activity-instance tree of a process instance, derived from its execution tree.

Camunda shows a running instance as a tree of activity instances: the process instance at the
root, each running activity below the scope (process or sub-process instance) it runs in. Here
the tree is computed from the executions (see ``state``):

- the root execution stands for the process-instance activity instance;
- a non-root *scope execution* belongs to the scope node its parent waits on; that scope
  node's activity instance id is the one the waiting parent holds;
- an active execution on a node (that is not the scope node itself) is a leaf activity
  instance in the scope activity instance of its own scope execution (for a concurrent path:
  of its parent);
- inactive executions without a scope child (paths joined at a parallel gateway, the scope
  execution after a fork) are not activity instances.

The same rules give the ``ActivityStarted`` / ``ActivityEnded`` records the lifecycle emits
(``activity_started``, ``activity_ended``): an execution *holds* the activity instance whose id
it carries unless it shares that id with its parent (the scope execution of a scope node, the
body of a multi-instance activity: the parent holds it).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from cadenza.bpmn.model import (
    Activity,
    BoundaryEvent,
    CallActivity,
    EndEvent,
    ErrorEventDefinition,
    EscalationEventDefinition,
    ExclusiveGateway,
    FlowNode,
    IntermediateThrowEvent,
    ManualTask,
    ParallelGateway,
    Process,
    ServiceTask,
    StartEvent,
    SubProcess,
    Task,
    TerminateEventDefinition,
    UserTask,
)
from cadenza.engine.called_instances import called_instance_id
from cadenza.engine.context import CommandContext
from cadenza.engine.records import ActivityEnded, ActivityStarted
from cadenza.engine.state import Execution, Incident, InstanceGraph

__all__ = [
    "ActivityInstance",
    "activity_ended",
    "activity_holder",
    "activity_instance_tree",
    "activity_started",
    "activity_type",
    "holds_running_activity",
    "runs_instance",
]


@dataclass
class ActivityInstance:
    """One node of the tree (Camunda ``ActivityInstance``)."""

    id: str
    parent_activity_instance_id: str | None
    activity_id: str
    activity_type: str
    activity_name: str | None
    process_instance_id: str
    process_definition_id: str
    execution_ids: list[str] = field(default_factory=list)
    children: list[ActivityInstance] = field(default_factory=list)
    incidents: list[Incident] = field(default_factory=list)

    def walk(self) -> list[ActivityInstance]:
        """This instance and all below it, depth first."""
        found = [self]
        for child in self.children:
            found.extend(child.walk())
        return found


_SIMPLE_TYPES: tuple[tuple[type[FlowNode], str], ...] = (
    (UserTask, "userTask"),
    (ManualTask, "manualTask"),
    (CallActivity, "callActivity"),
    (ExclusiveGateway, "exclusiveGateway"),
    (ParallelGateway, "parallelGateway"),
    (Task, "task"),
)


_BY_CLASS = dict(_SIMPLE_TYPES)
"""the same names by exact class (none of these classes is a special case below)"""


def _event_kind(definition: object) -> str:
    if isinstance(definition, ErrorEventDefinition):
        return "error"
    if isinstance(definition, EscalationEventDefinition):
        return "escalation"
    if isinstance(definition, TerminateEventDefinition):
        return "terminate"
    return "none"


def activity_type(node: FlowNode) -> str:
    """Camunda's ``activityType`` name for a node (its ``ActivityTypes`` constants)."""
    simple = _BY_CLASS.get(type(node))
    if simple is not None:
        return simple
    if isinstance(node, ServiceTask):
        return node.element_type
    if isinstance(node, SubProcess):
        return "eventSubProcess" if node.triggered_by_event else "subProcess"
    if isinstance(node, EndEvent):
        return f"{_event_kind(node.event_definition)}EndEvent"
    if isinstance(node, StartEvent):
        kind = _event_kind(node.event_definition)
        return "startEvent" if kind == "none" else f"{kind}StartEvent"
    if isinstance(node, BoundaryEvent):
        return "boundary" + _event_kind(node.event_definition).capitalize()
    if isinstance(node, IntermediateThrowEvent):
        return f"intermediate{_event_kind(node.event_definition).capitalize()}ThrowEvent"
    for node_type, name in _SIMPLE_TYPES:
        if isinstance(node, node_type):
            return name
    name = type(node).__name__
    return name[:1].lower() + name[1:]


def activity_instance_tree(graph: InstanceGraph, process: Process) -> ActivityInstance:
    """The tree of the instance in ``graph`` (``process`` is its parsed model)."""
    root_execution = graph.root
    definition_id = root_execution.process_definition_id
    instance_id = root_execution.process_instance_id
    root = ActivityInstance(
        id=instance_id,
        parent_activity_instance_id=None,
        activity_id=definition_id,
        activity_type="processDefinition",
        activity_name=process.name or process.id,
        process_instance_id=instance_id,
        process_definition_id=definition_id,
        execution_ids=[root_execution.id],
    )
    by_id: dict[str, ActivityInstance] = {root.id: root}
    children_of: dict[str, list[Execution]] = {}
    for execution in graph.executions.values():
        if execution.parent_id is not None:
            children_of.setdefault(execution.parent_id, []).append(execution)

    def new_instance(execution: Execution, parent: ActivityInstance) -> ActivityInstance:
        assert execution.activity_id is not None and execution.activity_instance_id is not None
        node = process.nodes.get(execution.activity_id)
        instance = ActivityInstance(
            id=execution.activity_instance_id,
            parent_activity_instance_id=parent.id,
            activity_id=execution.activity_id,
            activity_type=activity_type(node) if node is not None else "unknown",
            activity_name=node.name if node is not None else None,
            process_instance_id=instance_id,
            process_definition_id=definition_id,
        )
        parent.children.append(instance)
        by_id[instance.id] = instance
        return instance

    def visit(scope_execution: Execution, scope_instance: ActivityInstance) -> None:
        """Place the executions below (and on) a scope execution into ``scope_instance``."""
        paths = [scope_execution]
        concurrent = [c for c in children_of.get(scope_execution.id, []) if c.is_concurrent]
        paths.extend(concurrent)
        for path in paths:
            scope_children = [c for c in children_of.get(path.id, []) if not c.is_concurrent]
            on_scope_node = (
                path is scope_execution
                and not path.is_process_instance
                and path.activity_instance_id == scope_instance.id
            )
            if on_scope_node:
                # the scope execution runs the scope node itself (task with boundary events/IO)
                continue
            if path.activity_id is None or path.activity_instance_id is None:
                continue
            if scope_children:
                for child_scope in scope_children:
                    nested = by_id.get(path.activity_instance_id) or new_instance(path, scope_instance)
                    nested.execution_ids.append(child_scope.id)
                    visit(child_scope, nested)
            elif path.is_active:
                new_instance(path, scope_instance).execution_ids.append(path.id)

    visit(root_execution, root)
    leaves = {e: ai for ai in root.walk() for e in ai.execution_ids}
    for incident in sorted(graph.incidents.values(), key=lambda i: (i.incident_timestamp, i.id)):
        owner = leaves.get(incident.execution_id, root)
        owner.incidents.append(incident)
    return root


# ── activity instance records ───────────────────────────────────────────────────────────────────


def runs_instance(graph: InstanceGraph, execution: Execution, node: FlowNode) -> bool:
    """Whether ``execution`` runs one instance of the multi-instance ``node`` (below its body)."""
    body = graph.parent(execution)
    if body is None or body.activity_id != node.id or not body.is_scope:
        return False
    entered = graph.parent(body)
    return entered is not None and entered.activity_id == node.id


def _is_body(graph: InstanceGraph, execution: Execution, node: FlowNode) -> bool:
    multi = isinstance(node, Activity) and node.multi_instance is not None
    return multi and not runs_instance(graph, execution, node)


def activity_holder(graph: InstanceGraph, execution: Execution) -> Execution:
    """The execution that holds the activity instance ``execution`` carries."""
    parent = graph.parent(execution)
    if parent is not None and parent.activity_instance_id == execution.activity_instance_id:
        return parent
    return execution


def holds_running_activity(graph: InstanceGraph, execution: Execution) -> bool:
    """Whether ``execution`` holds a started, not yet ended activity instance: it carries one of
    its own and no async continuation is pending (before: the instance has not started; after:
    it has ended already)."""
    if execution.activity_id is None or execution.activity_instance_id is None:
        return False
    if activity_holder(graph, execution) is not execution:
        return False
    return not any(
        job.execution_id == execution.id and job.handler_type == "async-continuation"
        for job in graph.jobs.values()
    )


def _parent_activity_instance_id(graph: InstanceGraph, execution: Execution) -> str:
    """The activity instance of the scope ``execution``'s token runs in: the process instance,
    or the scope node its scope execution's parent waits on."""
    executions = graph.executions  # (runs twice per node: plain lookups, no helpers)
    scope = executions.get(execution.parent_id or "") if execution.is_concurrent else execution
    if scope is None or scope.parent_id is None:
        return execution.process_instance_id
    holder = executions.get(scope.parent_id)
    if holder is None or holder.activity_instance_id is None:
        return execution.process_instance_id
    return holder.activity_instance_id


def _describe(node: FlowNode, body: bool) -> tuple[str, str]:
    if body:
        return f"{node.id}#multiInstanceBody", "multiInstanceBody"
    return node.id, activity_type(node)


def activity_started(
    ctx: CommandContext, execution: Execution, node: FlowNode, *, body: bool = False
) -> None:
    """``execution`` began the activity instance it carries (``body``: of a multi-instance
    activity as a whole)."""
    assert execution.activity_instance_id is not None
    graph = ctx.graph(execution.process_instance_id)
    activity_id, kind = _describe(node, body)
    ctx.emit(
        ActivityStarted(
            ctx.now(),
            execution.activity_instance_id,
            _parent_activity_instance_id(graph, execution),
            activity_id,
            kind,
            node.name,
            execution.id,
            execution.process_instance_id,
            execution.process_definition_id,
            execution.tenant_id,
        )
    )


def activity_ended(
    ctx: CommandContext,
    execution: Execution,
    node: FlowNode | None = None,
    *,
    canceled: bool = False,
    completed_scope: bool = False,
) -> None:
    """The activity instance ``execution`` carries ended (once per command: a second end of the
    same instance, reached another way, is no news). ``node``: its node, if the caller has it."""
    instance_id = execution.activity_instance_id
    if instance_id is None or instance_id in ctx.ended_activity_instances:
        return
    graph = ctx.graph(execution.process_instance_id)
    execution = activity_holder(graph, execution)
    if execution.activity_id is None:
        return
    if node is None or node.id != execution.activity_id:
        node = ctx.deployed(execution).process.nodes.get(execution.activity_id)
        if node is None:
            return
    ctx.ended_activity_instances.add(instance_id)
    body = _is_body(graph, execution, node)
    activity_id, kind = _describe(node, body)
    called = called_instance_id(execution) if isinstance(node, CallActivity) and not body else None
    ctx.emit(
        ActivityEnded(
            ctx.now(),
            instance_id,
            _parent_activity_instance_id(graph, execution),
            activity_id,
            kind,
            node.name,
            execution.id,
            execution.process_instance_id,
            execution.process_definition_id,
            execution.tenant_id,
            canceled,
            completed_scope,
            called,
        )
    )
