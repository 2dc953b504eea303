"""Start and end events."""

from __future__ import annotations

from cadenza.bpmn.model import EndEvent, FlowNode
from cadenza.engine.context import CommandContext
from cadenza.engine.lifecycle import end_token, is_scope_node, take_outgoing_flows, terminate_scope
from cadenza.engine.state import Execution

__all__ = ["EndEventBehavior", "StartEventBehavior"]


class StartEventBehavior:
    def execute(self, ctx: CommandContext, execution: Execution, node: FlowNode) -> None:
        take_outgoing_flows(ctx, execution, node)


class EndEventBehavior:
    def execute(self, ctx: CommandContext, execution: Execution, node: FlowNode) -> None:
        assert isinstance(node, EndEvent)
        if node.terminate:
            if is_scope_node(node):
                # an input mapping gave the end event its own scope execution; what terminates
                # is the flow scope around the event (Camunda TerminateEndEventActivityBehavior)
                entered = ctx.graph_of(execution).parent(execution)
                assert entered is not None
                execution = entered
            terminate_scope(ctx, execution)
        else:
            end_token(ctx, execution)
