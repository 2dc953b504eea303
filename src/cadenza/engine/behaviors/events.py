"""Start, end, boundary and intermediate throw events (none, terminate, error, escalation)."""

from __future__ import annotations

from cadenza.bpmn.model import (
    EndEvent,
    ErrorEventDefinition,
    EscalationEventDefinition,
    FlowNode,
    IntermediateThrowEvent,
    SignalEventDefinition,
)
from cadenza.engine.behavior import Behavior
from cadenza.engine.context import CommandContext
from cadenza.engine.error_propagation import propagate_error, throw_escalation
from cadenza.engine.executions import is_scope_node
from cadenza.engine.firing import throw_signal
from cadenza.engine.lifecycle import end_token, take_outgoing_flows, terminate_scope
from cadenza.engine.state import Execution
from cadenza.engine.variables import evaluate

__all__ = [
    "BoundaryEventBehavior",
    "EndEventBehavior",
    "IntermediateThrowEventBehavior",
    "StartEventBehavior",
]


class StartEventBehavior(Behavior):
    """None start events and the start events of event sub-processes (already triggered)."""

    def execute(self, ctx: CommandContext, execution: Execution, node: FlowNode) -> None:
        take_outgoing_flows(ctx, execution, node)


class BoundaryEventBehavior(Behavior):
    """Runs once error propagation or an escalation put a token on the boundary event."""

    def execute(self, ctx: CommandContext, execution: Execution, node: FlowNode) -> None:
        take_outgoing_flows(ctx, execution, node)


class EndEventBehavior(Behavior):
    def execute(self, ctx: CommandContext, execution: Execution, node: FlowNode) -> None:
        assert isinstance(node, EndEvent)
        definition = node.event_definition
        if node.terminate:
            if is_scope_node(node):
                # an input mapping gave the end event its own scope execution; what terminates
                # is the flow scope around the event (Camunda TerminateEndEventActivityBehavior)
                entered = ctx.graph_of(execution).parent(execution)
                assert entered is not None
                execution = entered
            terminate_scope(ctx, execution)
        elif isinstance(definition, ErrorEventDefinition):
            assert definition.error_code is not None  # the parser requires a code to throw
            message: str | None = None
            if definition.error_message is not None:
                value = evaluate(ctx, ctx.graph_of(execution), execution, definition.error_message)
                message = None if value is None else str(value)
            propagate_error(ctx, execution, definition.error_code, message)
        elif isinstance(definition, SignalEventDefinition):
            _throw_signal(ctx, execution, definition)
            ctx.plan(end_token, execution)
        elif isinstance(definition, EscalationEventDefinition):
            assert definition.escalation_code is not None
            # Camunda ThrowEscalationEventActivityBehavior: an uncaught escalation is no error;
            # unless an interrupting handler cancelled it, the path ends like a none end event.
            _, thrower = throw_escalation(ctx, execution, definition.escalation_code)
            if thrower is not None:
                end_token(ctx, thrower)
        else:
            end_token(ctx, execution)


class IntermediateThrowEventBehavior(Behavior):
    """None (pass through) or escalation intermediate throw event."""

    def execute(self, ctx: CommandContext, execution: Execution, node: FlowNode) -> None:
        assert isinstance(node, IntermediateThrowEvent)
        thrower: Execution | None = execution
        if isinstance(node.event_definition, SignalEventDefinition):
            _throw_signal(ctx, execution, node.event_definition)
            ctx.plan(_continue_after_throw, execution, node)
            return
        if node.event_definition is not None:
            assert node.event_definition.escalation_code is not None
            _, thrower = throw_escalation(ctx, execution, node.event_definition.escalation_code)
        if thrower is not None:
            take_outgoing_flows(ctx, thrower, node)


def _throw_signal(ctx: CommandContext, execution: Execution, definition: SignalEventDefinition) -> None:
    assert definition.signal_name is not None
    name = evaluate(ctx, ctx.graph_of(execution), execution, definition.signal_name)
    throw_signal(ctx, str(name), tenant_id=execution.tenant_id, without_tenant_id=execution.tenant_id is None)


def _continue_after_throw(ctx: CommandContext, execution: Execution, node: FlowNode) -> None:
    # the signal may have cancelled the thrower (a boundary event on its own scope)
    if execution.id in ctx.graph_of(execution).executions:
        take_outgoing_flows(ctx, execution, node)
