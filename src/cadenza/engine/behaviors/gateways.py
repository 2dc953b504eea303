"""Gateways. The exclusive gateway's choice lives in ``lifecycle.take_outgoing_flows``; the
parallel gateway joins here."""

from __future__ import annotations

from cadenza.bpmn.model import FlowNode
from cadenza.engine.activity_instances import activity_ended
from cadenza.engine.behavior import Behavior
from cadenza.engine.context import CommandContext
from cadenza.engine.executions import remove_execution
from cadenza.engine.lifecycle import take_outgoing_flows
from cadenza.engine.state import Execution

__all__ = ["ExclusiveGatewayBehavior", "ParallelGatewayBehavior", "fire_join"]


class ExclusiveGatewayBehavior(Behavior):
    def execute(self, ctx: CommandContext, execution: Execution, node: FlowNode) -> None:
        take_outgoing_flows(ctx, execution, node)


class ParallelGatewayBehavior(Behavior):
    """Join by counting, like Camunda: the gateway fires once as many paths of the same scope
    wait on it as it has incoming flows; then it forks on all outgoing flows."""

    def execute(self, ctx: CommandContext, execution: Execution, node: FlowNode) -> None:
        required = len(node.incoming)
        if required <= 1:
            take_outgoing_flows(ctx, execution, node)
            return
        graph = ctx.graph_of(execution)
        execution.is_active = False
        if not execution.is_concurrent:
            # the only token of its scope: nobody else can arrive (a deadlock in the model)
            return
        scope = graph.parent(execution)
        assert scope is not None
        # Bump the scope's rev: two transactions arriving concurrently conflict on it, so the
        # retried one sees the other's arrival and exactly one of them fires the join.
        ctx.uow.touch(scope)
        siblings = graph.children(scope)
        joined = [e for e in siblings if not e.is_active and e.activity_id == node.id]
        if len(joined) < required:
            return
        fire_join(ctx, scope, joined[:required], node, execution)


def fire_join(
    ctx: CommandContext, scope: Execution, fired: list[Execution], node: FlowNode, arriving: Execution
) -> None:
    """A join fires with the paths in ``fired``. If they were the scope's last paths, the tree
    collapses back and the scope execution carries on alone (as in Camunda); otherwise one of
    them carries on and the others end."""
    graph = ctx.graph_of(scope)
    if all(e in fired for e in graph.children(scope)):
        for done in fired:
            activity_ended(ctx, done)
            remove_execution(ctx, graph, done)
        scope.activity_id = node.id
        scope.activity_instance_id = arriving.activity_instance_id
        scope.is_active = True
        take_outgoing_flows(ctx, scope, node)
        return
    survivor = fired[0]
    for done in fired[1:]:
        activity_ended(ctx, done)
        remove_execution(ctx, graph, done)
    survivor.is_active = True
    take_outgoing_flows(ctx, survivor, node)
