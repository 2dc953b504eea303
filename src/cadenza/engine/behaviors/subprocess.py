"""Embedded sub-process: its scope execution runs the inner none start event."""

from __future__ import annotations

from cadenza.bpmn.model import FlowNode
from cadenza.engine.behavior import Behavior
from cadenza.engine.context import CommandContext
from cadenza.engine.lifecycle import enter_node
from cadenza.engine.state import Execution
from cadenza.engine.triggers import register_event_sub_processes
from cadenza.errors import ProcessEngineError

__all__ = ["SubProcessBehavior"]


class SubProcessBehavior(Behavior):
    def execute(self, ctx: CommandContext, execution: Execution, node: FlowNode) -> None:
        start = ctx.deployed(execution).process.scope_start_event(node.id)
        if start is None:
            raise ProcessEngineError(f"Sub-process '{node.id}' has no none start event")
        register_event_sub_processes(ctx, execution, node.id)
        ctx.plan(enter_node, execution, start)
