"""Start and end events."""

from __future__ import annotations

from cadenza.bpmn.model import EndEvent, FlowNode
from cadenza.engine.context import CommandContext
from cadenza.engine.lifecycle import end_token, take_outgoing_flows, terminate_scope
from cadenza.engine.state import Execution

__all__ = ["EndEventBehavior", "StartEventBehavior"]


class StartEventBehavior:
    def execute(self, ctx: CommandContext, execution: Execution, node: FlowNode) -> None:
        take_outgoing_flows(ctx, execution, node)


class EndEventBehavior:
    def execute(self, ctx: CommandContext, execution: Execution, node: FlowNode) -> None:
        assert isinstance(node, EndEvent)
        if node.terminate:
            terminate_scope(ctx, execution)
        else:
            end_token(ctx, execution)
