"""BPMN errors and escalations: find the catching event and run it (camunda7-semantics.md §3.1).

The walk starts at the execution of the throwing activity and visits its scope executions
outward: the activity itself (when boundary events make it a scope), each enclosing embedded
sub-process, the process; at the root of a called instance it crosses into the calling process
(applying the call activity's ``camunda:out`` mappings, as Camunda's ``OutputVariablesPropagator``)
and goes on from the call activity. At each scope the candidates are the matching event
sub-processes contained in it and the matching boundary events attached to it, ranked like
Camunda's ``ErrorDeclarationForProcessInstanceFinder``: event sub-process with code (11) >
event sub-process catch-all (10) > boundary event with code (1) > boundary catch-all (0). The
first scope with a candidate wins. An event sub-process is skipped for an error thrown inside
itself, so an event sub-process can catch and re-throw to the outer scope.

Errors and escalations share the walk. What differs: an uncaught error ends the throwing
activity with none-end-event semantics (or raises ENGINE-02042 when
``enable_exceptions_after_unhandled_bpmn_error`` is set); escalation handlers may be
non-interrupting, which starts a new concurrent path and leaves the thrower running.

Everything here only queues work on the context's agenda; callers run ``ctx.run_agenda()``.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from cadenza.bpmn.model import (
    BoundaryEvent,
    ErrorEventDefinition,
    EscalationEventDefinition,
    Process,
    StartEvent,
    SubProcess,
)
from cadenza.engine.activity_instances import activity_ended
from cadenza.engine.called_instances import apply_call_outputs, super_execution
from cadenza.engine.context import CommandContext
from cadenza.engine.executions import concurrent_path, is_scope_node, remove_execution
from cadenza.engine.lifecycle import cancel_scope_children, complete_activity, end_token, enter_node
from cadenza.engine.state import Execution, InstanceGraph
from cadenza.engine.variables import scope_chain, set_variable, set_variables
from cadenza.errors import EngineError, OptimisticLockError, ProcessEngineError
from cadenza.expr.values import TypedValue, typed_value_from_python

__all__ = ["propagate_error", "propagate_escalation", "throw_bpmn_error", "throw_escalation"]

log = logging.getLogger(__name__)

_Definition = ErrorEventDefinition | EscalationEventDefinition


@dataclass(frozen=True, slots=True)
class _Level:
    """One scope on the walk: the model scope id and its scope execution."""

    scope_id: str
    execution: Execution
    process: Process
    origin: str
    """Id of the node the throw comes from, in this process (the call activity after a crossing)."""


@dataclass(frozen=True, slots=True)
class _Handler:
    level: _Level
    node: BoundaryEvent | SubProcess
    definition: _Definition

    @property
    def interrupting(self) -> bool:
        if isinstance(self.node, BoundaryEvent):
            return self.node.cancel_activity
        start = self.level.process.scope_start_event(self.node.id)
        return start is None or start.is_interrupting


def _levels(ctx: CommandContext, execution: Execution) -> Iterator[_Level]:
    """Scope executions from ``execution`` outward, crossing into calling processes."""
    current = execution
    origin = execution.activity_id or ""
    while True:
        graph = ctx.graph_of(current)
        process = ctx.deployed(current).process
        root = current
        for scope in scope_chain(graph, current):
            root = scope
            if not scope.is_scope:
                continue  # a concurrent path: its scope is the parent
            if scope.is_process_instance:
                yield _Level(process.id, scope, process, origin)
                continue
            parent = graph.parent(scope)
            if parent is not None and parent.activity_id is not None:
                yield _Level(parent.activity_id, scope, process, origin)
        caller = super_execution(ctx, root)
        if caller is None:
            return
        # Leaving a called instance: its camunda:out mappings reach the caller first.
        apply_call_outputs(ctx, root, caller)
        current = caller
        origin = caller.activity_id or ""


def _catches(definition: _Definition, code: str) -> tuple[bool, bool]:
    """(matches, specific): catch-all definitions have no code."""
    own = (
        definition.error_code if isinstance(definition, ErrorEventDefinition) else definition.escalation_code
    )
    if own is None:
        return True, False
    return own == code, True


def _find_handler(level: _Level, kind: type[_Definition], code: str) -> _Handler | None:
    process = level.process
    best: tuple[int, _Handler] | None = None
    for esp in process.event_sub_processes(level.scope_id):
        if esp.id == level.origin or process.contains(esp.id, level.origin):
            continue  # thrown inside this event sub-process: it re-throws to the outer scope
        start = process.scope_start_event(esp.id)
        if not isinstance(start, StartEvent) or not isinstance(start.event_definition, kind):
            continue
        matches, specific = _catches(start.event_definition, code)
        rank = 11 if specific else 10
        if matches and (best is None or rank > best[0]):
            best = (rank, _Handler(level, esp, start.event_definition))
    for boundary in process.boundary_events(level.scope_id):
        if not isinstance(boundary.event_definition, kind):
            continue
        matches, specific = _catches(boundary.event_definition, code)
        rank = 1 if specific else 0
        if matches and (best is None or rank > best[0]):
            best = (rank, _Handler(level, boundary, boundary.event_definition))
    return None if best is None else best[1]


def _search(ctx: CommandContext, execution: Execution, kind: type[_Definition], code: str) -> _Handler | None:
    for level in _levels(ctx, execution):
        handler = _find_handler(level, kind, code)
        if handler is not None:
            return handler
    return None


# ── running a handler ──────────────────────────────────────────────────────────────────────────


def _run_handler(
    ctx: CommandContext,
    handler: _Handler,
    code: str,
    message: str | None,
    thrower: Execution,
) -> Execution | None:
    """Set the code/message variables and start the handler. Returns the thrower's execution
    if it survives (non-interrupting), else None."""
    scope = handler.level.execution
    graph = ctx.graph_of(scope)
    definition = handler.definition
    if definition.__class__ is ErrorEventDefinition:
        assert isinstance(definition, ErrorEventDefinition)
        if definition.error_code_variable:
            set_variable(ctx, graph, scope, definition.error_code_variable, typed_value_from_python(code))
        if definition.error_message_variable:
            set_variable(
                ctx, graph, scope, definition.error_message_variable, typed_value_from_python(message)
            )
    else:
        assert isinstance(definition, EscalationEventDefinition)
        if definition.escalation_code_variable:
            set_variable(
                ctx, graph, scope, definition.escalation_code_variable, typed_value_from_python(code)
            )
    node = handler.node
    if isinstance(node, BoundaryEvent):
        attached = graph.parent(scope)  # the execution that entered the activity, waiting on it
        assert attached is not None
        if handler.interrupting:
            cancel_scope_children(ctx, scope)
            remove_execution(ctx, graph, scope)
            activity_ended(ctx, attached, canceled=True)
            attached.is_active = True
            ctx.plan(enter_node, attached, node)
            return None
        path, moved = concurrent_path(ctx, graph, attached)
        ctx.plan(enter_node, path, node)
        return thrower if thrower is not attached else moved
    if handler.interrupting:
        cancel_scope_children(ctx, scope)
        ctx.plan(enter_node, scope, node)
        return None
    path, moved = concurrent_path(ctx, graph, scope)
    ctx.plan(enter_node, path, node)
    return moved if thrower is scope else thrower


def _end_without_flows(ctx: CommandContext, execution: Execution) -> None:
    """Camunda ``execution.end(true)`` for an uncaught error: the throwing activity instance
    ends without taking its outgoing flows, like a path reaching a none end event."""
    graph = ctx.graph_of(execution)
    complete_activity(ctx, execution)
    cancel_scope_children(ctx, execution)
    parent = graph.parent(execution)
    node = ctx.deployed(execution).process.nodes.get(execution.activity_id or "")
    if (
        execution.is_scope
        and parent is not None
        and node is not None
        and is_scope_node(node)
        and parent.activity_id == node.id
    ):
        # the activity's own scope execution: drop it, the path waiting on the activity ends
        remove_execution(ctx, graph, execution)
        parent.is_active = True
        end_token(ctx, parent)
        return
    end_token(ctx, execution)


# ── public API ─────────────────────────────────────────────────────────────────────────────────


def propagate_error(
    ctx: CommandContext, execution: Execution, error_code: str, error_message: str | None
) -> None:
    """Throw BPMN error ``error_code`` from the activity ``execution`` is at (§3.1).

    Args:
        ctx: the command context; the work is queued on its agenda (run it afterwards).
        execution: the execution of the throwing activity (an external task's or user task's
            ``execution_id``, or the error end event's execution).
        error_code: the code matched against catching error events.
        error_message: stored in ``camunda:errorMessageVariable`` of the handler.

    Raises:
        ProcessEngineError: ENGINE-02042 when nobody catches the error and
            ``enable_exceptions_after_unhandled_bpmn_error`` is set.
    """
    activity_id = execution.activity_id
    handler = _search(ctx, execution, ErrorEventDefinition, error_code)
    if handler is not None:
        _run_handler(ctx, handler, error_code, error_message, execution)
        return
    if ctx.config.enable_exceptions_after_unhandled_bpmn_error:
        raise ProcessEngineError(
            f"ENGINE-02042 Execution with id '{activity_id}' throws an error event with errorCode "
            f"'{error_code}' and errorMessage '{error_message}', but no error handler was defined. "
        )
    log.info(
        "ENGINE-02001 Execution with id '%s' throws an error event with errorCode '%s', but no "
        "catching boundary event was defined. Execution is ended (none end event semantics).",
        activity_id,
        error_code,
    )
    _end_without_flows(ctx, execution)


def throw_escalation(
    ctx: CommandContext, execution: Execution, escalation_code: str
) -> tuple[bool, Execution | None]:
    """Throw escalation ``escalation_code`` from ``execution``'s activity.

    Returns (caught, thrower): whether a handler caught it, and the execution the thrower now
    runs on if it goes on (it does unless an interrupting handler cancelled it).
    """
    handler = _search(ctx, execution, EscalationEventDefinition, escalation_code)
    if handler is None:
        return False, execution
    return True, _run_handler(ctx, handler, escalation_code, None, execution)


def propagate_escalation(ctx: CommandContext, execution: Execution, escalation_code: str) -> None:
    """Escalate ``escalation_code`` from the activity ``execution`` is at (a user task's
    ``bpmnEscalation``). Non-interrupting handlers leave the activity waiting.

    Raises:
        ProcessEngineError: ENGINE-02043 when no escalation handler catches it.
    """
    activity_id = execution.activity_id
    caught, _ = throw_escalation(ctx, execution, escalation_code)
    if not caught:
        raise ProcessEngineError(
            f"ENGINE-02043 Execution with id '{activity_id}' throws an escalation event with "
            f"escalationCode '{escalation_code}', but no escalation handler was defined. "
        )


def throw_bpmn_error(
    ctx: CommandContext,
    graph: InstanceGraph,
    execution: Execution,
    error_code: str,
    error_message: str | None,
    variables: Mapping[str, TypedValue],
) -> None:
    """A waiting activity (a user task's or an external task's ``bpmnError``, or the match of a
    ``camunda:errorEventDefinition``) throws BPMN error ``error_code``: ``variables`` go on its
    execution non-locally (they survive the cancellation of the activity's scope), the error
    propagates and the agenda runs (Camunda ``TaskEntity.bpmnError`` /
    ``ExternalTaskEntity.bpmnError``).

    Raises:
        ProcessEngineError: ``ENGINE-13033 Propagation of bpmn error <code> failed.`` (Camunda's
            ``exceptionBpmnErrorPropagationFailed``) when the engine fails on the way, with the
            failure as its cause; nothing of the command is kept. A refused variable (a client
            error, 4xx) and an optimistic-lock conflict are raised as they are.
    """
    try:
        set_variables(ctx, graph, execution, variables)
        propagate_error(ctx, execution, error_code, error_message)
        ctx.run_agenda()
    except OptimisticLockError:
        raise
    except EngineError as error:
        if error.status < 500:
            raise
        raise ProcessEngineError(f"ENGINE-13033 Propagation of bpmn error {error_code} failed. ") from error
