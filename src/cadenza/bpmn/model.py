"""The typed BPMN model: frozen dataclasses produced by the parser, read by the engine.

This module has no behaviour. Expressions (``${...}``) are kept as their source text; the engine
compiles them. Every flow node knows its id, its outgoing flows and the id of the scope (process
or sub-process) that contains it, so the engine can walk the model without parent pointers.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TypeAlias

__all__ = [
    "Activity",
    "BoundaryEvent",
    "CallActivity",
    "CallParameter",
    "CamundaErrorEventDefinition",
    "Definitions",
    "EndEvent",
    "ErrorDefinition",
    "ErrorEventDefinition",
    "EscalationDefinition",
    "EscalationEventDefinition",
    "EventBasedGateway",
    "EventDefinition",
    "ExclusiveGateway",
    "ExternalTaskImplementation",
    "FlowNode",
    "Gateway",
    "InclusiveGateway",
    "InputOutput",
    "IntermediateCatchEvent",
    "IntermediateThrowEvent",
    "ListParameterValue",
    "ManualTask",
    "MapParameterValue",
    "MessageEventDefinition",
    "MultiInstance",
    "ParallelGateway",
    "Parameter",
    "ParameterValue",
    "Process",
    "ReceiveTask",
    "Scope",
    "SequenceFlow",
    "ServiceTask",
    "SignalEventDefinition",
    "StartEvent",
    "SubProcess",
    "Task",
    "TerminateEventDefinition",
    "TextParameterValue",
    "TimerEventDefinition",
    "UserTask",
]


# ── input/output mappings (camunda:inputOutput) ────────────────────────────────────────────────


@dataclass(frozen=True, slots=True)
class TextParameterValue:
    """A plain text or ``${...}`` expression value (text ``None`` means the value null)."""

    text: str | None


@dataclass(frozen=True, slots=True)
class ListParameterValue:
    items: tuple[ParameterValue, ...]


@dataclass(frozen=True, slots=True)
class MapParameterValue:
    entries: tuple[tuple[str, ParameterValue], ...]


ParameterValue: TypeAlias = TextParameterValue | ListParameterValue | MapParameterValue


@dataclass(frozen=True, slots=True)
class Parameter:
    name: str
    value: ParameterValue


@dataclass(frozen=True, slots=True)
class InputOutput:
    """``camunda:inputOutput``: inputs are set local to the activity's scope before it runs;
    outputs are evaluated in that scope when it ends and set on the enclosing scope."""

    inputs: tuple[Parameter, ...] = ()
    outputs: tuple[Parameter, ...] = ()


# ── definitions referenced by events ───────────────────────────────────────────────────────────


@dataclass(frozen=True, slots=True)
class ErrorDefinition:
    """``<error id errorCode name camunda:errorMessage>``; ``error_code`` None = catch-all."""

    id: str
    error_code: str | None
    name: str | None = None
    error_message: str | None = None


@dataclass(frozen=True, slots=True)
class TerminateEventDefinition:
    pass


@dataclass(frozen=True, slots=True)
class CamundaErrorEventDefinition:
    """``camunda:errorEventDefinition`` on an external task: throw ``error_code`` when
    ``expression`` is true on complete/failure."""

    id: str | None
    error_code: str | None
    expression: str | None
    error_code_variable: str | None = None
    error_message_variable: str | None = None


@dataclass(frozen=True, slots=True)
class EscalationDefinition:
    """``<escalation id escalationCode name>``; ``escalation_code`` None = catch-all."""

    id: str
    escalation_code: str | None
    name: str | None = None


@dataclass(frozen=True, slots=True)
class ErrorEventDefinition:
    """``<errorEventDefinition errorRef>`` on a boundary, start or end event.

    ``error_code`` is resolved at parse time (Camunda ``BpmnParse``): the referenced
    ``<error>``'s ``errorCode``; the ``errorRef`` text itself when it names no ``<error>``;
    None (catch every error) without ``errorRef`` or for an ``<error>`` without ``errorCode``.
    ``error_message`` is the ``camunda:errorMessage`` of the referenced error (end events throw it).
    """

    error_ref: str | None = None
    error_code: str | None = None
    error_message: str | None = None
    error_code_variable: str | None = None
    error_message_variable: str | None = None


@dataclass(frozen=True, slots=True)
class EscalationEventDefinition:
    """``<escalationEventDefinition escalationRef>``; ``escalation_code`` None = catch-all
    (resolved like error codes)."""

    escalation_ref: str | None = None
    escalation_code: str | None = None
    escalation_code_variable: str | None = None


@dataclass(frozen=True, slots=True)
class TimerEventDefinition:
    """``<timerEventDefinition>``: one of ``timeDate``, ``timeDuration``, ``timeCycle`` (kind),
    with its text (a literal or a ``${...}`` expression, evaluated when the timer is created)."""

    kind: str
    expression: str


@dataclass(frozen=True, slots=True)
class MessageEventDefinition:
    """``<messageEventDefinition messageRef>``; ``message_name`` is the referenced message's
    ``name`` (may be a ``${...}`` expression, evaluated when the subscription is created)."""

    message_ref: str | None = None
    message_name: str | None = None


@dataclass(frozen=True, slots=True)
class SignalEventDefinition:
    """``<signalEventDefinition signalRef>``; ``signal_name`` resolved like message names;
    ``asynchronous`` is ``camunda:async`` on throwing signal events."""

    signal_ref: str | None = None
    signal_name: str | None = None
    asynchronous: bool = False


EventDefinition: TypeAlias = (
    TerminateEventDefinition
    | ErrorEventDefinition
    | EscalationEventDefinition
    | TimerEventDefinition
    | MessageEventDefinition
    | SignalEventDefinition
)

CatchDefinition: TypeAlias = TimerEventDefinition | MessageEventDefinition | SignalEventDefinition
"""What an intermediate catch event, a start event or a boundary event may wait for besides errors."""


@dataclass(frozen=True, slots=True)
class MultiInstance:
    """``<multiInstanceLoopCharacteristics>`` of an activity (texts may be ``${...}``)."""

    sequential: bool = False
    loop_cardinality: str | None = None
    collection: str | None = None
    """``camunda:collection``: a variable name or an expression yielding a list."""
    element_variable: str | None = None
    completion_condition: str | None = None


# ── flow elements ──────────────────────────────────────────────────────────────────────────────


@dataclass(frozen=True, slots=True)
class SequenceFlow:
    id: str
    source_ref: str
    target_ref: str
    name: str | None = None
    condition: str | None = None
    """Source text of ``conditionExpression`` (a ``${...}`` expression), None = unconditional."""
    scope_id: str = ""
    """Id of the process or sub-process that contains the flow (added with the parser)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class FlowNode:
    """Common part of every node on a process diagram."""

    id: str
    name: str | None = None
    scope_id: str = ""
    """Id of the process or sub-process directly containing this node."""
    incoming: tuple[str, ...] = ()
    outgoing: tuple[str, ...] = ()
    default_flow: str | None = None
    """``default`` attribute (gateways and activities): flow taken when no condition holds."""
    async_before: bool = False
    async_after: bool = False
    exclusive: bool = True
    io: InputOutput | None = None
    properties: tuple[tuple[str, str], ...] = ()
    """``camunda:properties`` as (name, value) pairs in document order."""
    documentation: str | None = None
    retry_time_cycle: str | None = None
    """``camunda:failedJobRetryTimeCycle`` (``R3/PT5M``, ``PT1M,PT5M`` or an expression)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class StartEvent(FlowNode):
    """A none start event, or the error/escalation start event of an event sub-process."""

    form_key: str | None = None
    initiator: str | None = None
    """``camunda:initiator``: variable that receives the authenticated user id at start."""
    event_definition: EventDefinition | None = None
    """Trigger of a message/timer/signal start event or of an event sub-process start event;
    None = none start event."""
    is_interrupting: bool = True
    """``isInterrupting`` of an event sub-process start event."""


@dataclass(frozen=True, slots=True, kw_only=True)
class EndEvent(FlowNode):
    event_definition: EventDefinition | None = None

    @property
    def terminate(self) -> bool:
        return isinstance(self.event_definition, TerminateEventDefinition)


@dataclass(frozen=True, slots=True, kw_only=True)
class Gateway(FlowNode):
    pass


@dataclass(frozen=True, slots=True, kw_only=True)
class ExclusiveGateway(Gateway):
    pass


@dataclass(frozen=True, slots=True, kw_only=True)
class ParallelGateway(Gateway):
    pass


@dataclass(frozen=True, slots=True, kw_only=True)
class InclusiveGateway(Gateway):
    pass


@dataclass(frozen=True, slots=True, kw_only=True)
class EventBasedGateway(Gateway):
    """Waits for the first of the catch events (or receive tasks) its flows lead to."""


@dataclass(frozen=True, slots=True, kw_only=True)
class IntermediateCatchEvent(FlowNode):
    """A timer, message or signal intermediate catch event: the token waits here."""

    event_definition: CatchDefinition


@dataclass(frozen=True, slots=True, kw_only=True)
class BoundaryEvent(FlowNode):
    """A boundary event attached to ``attached_to`` (error, escalation, timer, message, signal)."""

    attached_to: str
    event_definition: ErrorEventDefinition | EscalationEventDefinition | CatchDefinition
    cancel_activity: bool = True


@dataclass(frozen=True, slots=True, kw_only=True)
class IntermediateThrowEvent(FlowNode):
    """A none, escalation or signal intermediate throw event (passes the token on after throwing)."""

    event_definition: EscalationEventDefinition | SignalEventDefinition | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Activity(FlowNode):
    boundary_event_ids: tuple[str, ...] = ()
    """Boundary events attached to this activity, in document order (filled by the parser)."""
    multi_instance: MultiInstance | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class ReceiveTask(Activity):
    """Waits for the message ``message`` (or for a trigger without a message)."""

    message: MessageEventDefinition | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Task(Activity):
    """A none task (``<task>``): passes straight through."""


@dataclass(frozen=True, slots=True, kw_only=True)
class ManualTask(Activity):
    """A manual task: passes straight through, like Camunda."""


@dataclass(frozen=True, slots=True)
class ExternalTaskImplementation:
    """``camunda:type="external"``: the task waits for an external worker."""

    topic: str
    """``camunda:topic``: a literal or a ``${...}`` expression evaluated when the task is created."""
    priority: str | None = None
    """``camunda:taskPriority`` (literal or expression), else the process's, else 0."""
    error_event_definitions: tuple[CamundaErrorEventDefinition, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class ServiceTask(Activity):
    """A service task; Cadenza runs the external-task implementation only (no Java delegates).

    Also used for ``sendTask`` and ``businessRuleTask`` with ``camunda:type="external"``;
    ``element_type`` keeps the BPMN tag for history and error messages.
    """

    external: ExternalTaskImplementation
    element_type: str = "serviceTask"


@dataclass(frozen=True, slots=True, kw_only=True)
class UserTask(Activity):
    """A user task: waits for ``POST /task/{id}/complete``. Texts may be ``${...}`` expressions."""

    assignee: str | None = None
    candidate_users: str | None = None
    """``camunda:candidateUsers``: comma-separated list or an expression yielding a list/string."""
    candidate_groups: str | None = None
    due_date: str | None = None
    follow_up_date: str | None = None
    priority: str | None = None
    form_key: str | None = None


@dataclass(frozen=True, kw_only=True)
class Scope:
    """A container of flow nodes: the process itself or an embedded sub-process."""

    id: str
    name: str | None = None
    node_ids: tuple[str, ...] = ()
    """Ids of the nodes directly inside this scope, in document order."""
    start_event_id: str | None = None
    """The none start event of this scope (exactly one for an embedded sub-process)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class SubProcess(Activity):
    """An embedded sub-process: a scope whose nodes are listed in ``node_ids``."""

    node_ids: tuple[str, ...] = ()
    start_event_id: str | None = None
    triggered_by_event: bool = False
    """An event sub-process (``triggeredByEvent="true"``), started by its start event's trigger."""


@dataclass(frozen=True, slots=True)
class CallParameter:
    """One ``camunda:in`` / ``camunda:out`` of a call activity.

    Exactly one of ``source``, ``source_expression`` or ``all_variables`` is set (and then
    ``target`` for the first two); ``local`` restricts reading (in) or writing (out) to the
    call activity's own execution.
    """

    source: str | None = None
    source_expression: str | None = None
    target: str | None = None
    all_variables: bool = False
    local: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class CallActivity(Activity):
    """``callActivity``: starts the process ``called_element`` as a separate instance and waits."""

    called_element: str
    """Process definition key (literal or ``${...}``)."""
    binding: str = "latest"
    """``camunda:calledElementBinding``: latest, deployment or version."""
    version: str | None = None
    """``camunda:calledElementVersion`` (literal or expression) for the version binding."""
    tenant_id: str | None = None
    """``camunda:calledElementTenantId`` (literal or expression); None = the caller's tenant."""
    inputs: tuple[CallParameter, ...] = ()
    outputs: tuple[CallParameter, ...] = ()
    business_key: str | None = None
    """``camunda:in businessKey="..."``: expression giving the called instance's business key."""


@dataclass(frozen=True, kw_only=True)
class Process(Scope):
    """An executable process with every node and flow of every nested scope, indexed by id."""

    is_executable: bool = True
    version_tag: str | None = None
    history_time_to_live: int | None = None
    task_priority: str | None = None
    """``camunda:taskPriority`` on ``<process>``: default priority of its external tasks."""
    candidate_starter_users: str | None = None
    candidate_starter_groups: str | None = None
    startable_in_tasklist: bool = True
    nodes: dict[str, FlowNode] = field(default_factory=dict)
    flows: dict[str, SequenceFlow] = field(default_factory=dict)
    documentation: str | None = None

    def node(self, node_id: str) -> FlowNode:
        return self.nodes[node_id]

    def flow(self, flow_id: str) -> SequenceFlow:
        return self.flows[flow_id]

    def outgoing(self, node: FlowNode) -> list[SequenceFlow]:
        return [self.flows[f] for f in node.outgoing]

    def scope_start_event(self, scope_id: str) -> StartEvent | None:
        """The none start event of the process (``scope_id == self.id``) or of a sub-process."""
        start_id = self.start_event_id if scope_id == self.id else None
        if start_id is None and scope_id != self.id:
            scope = self.nodes[scope_id]
            if isinstance(scope, SubProcess):
                start_id = scope.start_event_id
        if start_id is None:
            return None
        start = self.nodes[start_id]
        return start if isinstance(start, StartEvent) else None

    def scope_node_ids(self, scope_id: str) -> tuple[str, ...]:
        """Ids of the nodes directly inside the process or a sub-process."""
        if scope_id == self.id:
            return self.node_ids
        scope = self.nodes[scope_id]
        return scope.node_ids if isinstance(scope, SubProcess) else ()

    def event_sub_processes(self, scope_id: str) -> list[SubProcess]:
        """The event sub-processes directly inside the process or a sub-process."""
        found: list[SubProcess] = []
        for node_id in self.scope_node_ids(scope_id):
            node = self.nodes[node_id]
            if isinstance(node, SubProcess) and node.triggered_by_event:
                found.append(node)
        return found

    def boundary_events(self, activity_id: str) -> list[BoundaryEvent]:
        node = self.nodes.get(activity_id)
        if not isinstance(node, Activity):
            return []
        return [b for b in (self.nodes[i] for i in node.boundary_event_ids) if isinstance(b, BoundaryEvent)]

    def contains(self, scope_id: str, node_id: str) -> bool:
        """Whether ``node_id`` lies (at any depth) inside the sub-process ``scope_id``."""
        current = self.nodes.get(node_id)
        while current is not None and current.scope_id != self.id:
            if current.scope_id == scope_id:
                return True
            current = self.nodes.get(current.scope_id)
        return False


@dataclass(frozen=True)
class Definitions:
    """Everything parsed from one BPMN resource."""

    processes: tuple[Process, ...]
    errors: dict[str, ErrorDefinition] = field(default_factory=dict)
    target_namespace: str | None = None
    escalations: dict[str, EscalationDefinition] = field(default_factory=dict)
    messages: dict[str, str] = field(default_factory=dict)
    """``<message id name>``: name by id."""
    signals: dict[str, str] = field(default_factory=dict)

    def process(self, process_id: str) -> Process:
        for process in self.processes:
            if process.id == process_id:
                return process
        raise KeyError(process_id)
