"""Waiting behaviors: intermediate catch events, receive tasks, the event-based gateway; and the
inclusive gateway (fork on every true condition, join on the paths that can still arrive)."""

from __future__ import annotations

from collections import deque

from cadenza.bpmn.model import FlowNode, Process
from cadenza.engine.behavior import Behavior
from cadenza.engine.behaviors.gateways import fire_join
from cadenza.engine.context import CommandContext
from cadenza.engine.lifecycle import take_outgoing_flows
from cadenza.engine.state import Execution
from cadenza.engine.triggers import register_catch, register_event_based_gateway

__all__ = [
    "CatchEventBehavior",
    "EventBasedGatewayBehavior",
    "InclusiveGatewayBehavior",
    "can_reach",
]


class CatchEventBehavior(Behavior):
    """Timer/message/signal intermediate catch events and receive tasks: wait for the event."""

    def execute(self, ctx: CommandContext, execution: Execution, node: FlowNode) -> None:
        register_catch(ctx, execution, node)


class EventBasedGatewayBehavior(Behavior):
    """Wait at the gateway for the first of the events its flows lead to."""

    def execute(self, ctx: CommandContext, execution: Execution, node: FlowNode) -> None:
        register_event_based_gateway(ctx, execution, node)


def can_reach(process: Process, start_id: str | None, target_id: str) -> bool:
    """Whether a token at ``start_id`` can still arrive at ``target_id`` along sequence flows
    (inside its scope; a token in a sub-process counts from the sub-process)."""
    if start_id is None:
        return False
    if start_id == target_id:
        return True  # on its way to the gateway (async job pending, or just forked there)
    seen: set[str] = set()
    queue = deque([start_id])
    while queue:
        current = queue.popleft()
        if current in seen or current not in process.nodes:
            continue
        seen.add(current)
        node = process.nodes[current]
        targets = [process.flow(f).target_ref for f in node.outgoing]
        for boundary_id in getattr(node, "boundary_event_ids", ()):
            targets.append(boundary_id)
        for target in targets:
            if target == target_id:
                return True
            queue.append(target)
    return False


class InclusiveGatewayBehavior(Behavior):
    """Camunda ``InclusiveGatewayActivityBehavior``: a path arriving waits until no other active
    path of the scope can reach the gateway; then one execution leaves on every outgoing flow
    whose condition holds (else the default flow)."""

    def execute(self, ctx: CommandContext, execution: Execution, node: FlowNode) -> None:
        graph = ctx.graph_of(execution)
        execution.is_active = False
        if not execution.is_concurrent:
            execution.is_active = True
            take_outgoing_flows(ctx, execution, node)
            return
        scope = graph.parent(execution)
        assert scope is not None
        ctx.uow.touch(scope)
        process = ctx.deployed(execution).process
        siblings = graph.children(scope)
        joined = [e for e in siblings if not e.is_active and e.activity_id == node.id]
        others = [e for e in siblings if e not in joined]
        if any(can_reach(process, e.activity_id, node.id) for e in others):
            return
        fire_join(ctx, scope, joined, node, execution)

    def on_path_ended(self, ctx: CommandContext, waiting: Execution, node: FlowNode) -> bool:
        """A path of the scope ended: the join ``waiting`` waits at may fire now."""
        self.execute(ctx, waiting, node)
        return True
