"""Behaviors: what each kind of flow node does when a token enters it.

Looked up by model class (no behavior objects on the model). A behavior either passes the token
on (plans the next operation) or creates a wait state and returns; ``lifecycle.trigger`` later
moves the token on.
"""

from __future__ import annotations

from typing import Protocol

from cadenza.bpmn.model import (
    BoundaryEvent,
    CallActivity,
    EndEvent,
    EventBasedGateway,
    ExclusiveGateway,
    FlowNode,
    InclusiveGateway,
    IntermediateCatchEvent,
    IntermediateThrowEvent,
    ManualTask,
    ParallelGateway,
    ReceiveTask,
    ServiceTask,
    StartEvent,
    SubProcess,
    Task,
    UserTask,
)
from cadenza.engine.behaviors.call_activity import CallActivityBehavior
from cadenza.engine.behaviors.catching import (
    CatchEventBehavior,
    EventBasedGatewayBehavior,
    InclusiveGatewayBehavior,
)
from cadenza.engine.behaviors.events import (
    BoundaryEventBehavior,
    EndEventBehavior,
    IntermediateThrowEventBehavior,
    StartEventBehavior,
)
from cadenza.engine.behaviors.gateways import ExclusiveGatewayBehavior, ParallelGatewayBehavior
from cadenza.engine.behaviors.subprocess import SubProcessBehavior
from cadenza.engine.behaviors.tasks import (
    ExternalTaskBehavior,
    PassThroughBehavior,
    UserTaskBehavior,
)
from cadenza.engine.context import CommandContext
from cadenza.engine.state import Execution

__all__ = ["Behavior", "behavior_for", "register", "supported_node_types"]


class Behavior(Protocol):
    def execute(self, ctx: CommandContext, execution: Execution, node: FlowNode) -> None: ...


_BEHAVIORS: dict[type[FlowNode], Behavior] = {}


def register(node_type: type[FlowNode], behavior: Behavior) -> None:
    _BEHAVIORS[node_type] = behavior


def behavior_for(node: FlowNode) -> Behavior:
    return _BEHAVIORS[type(node)]


def supported_node_types() -> frozenset[type[FlowNode]]:
    return frozenset(_BEHAVIORS)


register(StartEvent, StartEventBehavior())
register(EndEvent, EndEventBehavior())
register(ExclusiveGateway, ExclusiveGatewayBehavior())
register(ParallelGateway, ParallelGatewayBehavior())
register(Task, PassThroughBehavior())
register(ManualTask, PassThroughBehavior())
register(ServiceTask, ExternalTaskBehavior())
register(UserTask, UserTaskBehavior())
register(SubProcess, SubProcessBehavior())
register(BoundaryEvent, BoundaryEventBehavior())
register(IntermediateThrowEvent, IntermediateThrowEventBehavior())
register(CallActivity, CallActivityBehavior())
register(IntermediateCatchEvent, CatchEventBehavior())
register(ReceiveTask, CatchEventBehavior())
register(EventBasedGateway, EventBasedGatewayBehavior())
register(InclusiveGateway, InclusiveGatewayBehavior())
