"""Behaviors: what each kind of flow node does (the hooks of ``engine.behavior``).

Looked up by model class (no behavior objects on the model); importing this package fills the
table ``engine.behavior.behavior_for`` reads, every activity with its multi-instance body. A
behavior either passes the token on (plans the next operation) or creates a wait state and
returns; ``lifecycle.trigger`` later moves the token on.
"""

from __future__ import annotations

from cadenza.bpmn.model import (
    Activity,
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
from cadenza.engine.behavior import Behavior, register as register_behavior, supported_node_types
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
from cadenza.engine.behaviors.multi_instance import MultiInstanceBody
from cadenza.engine.behaviors.subprocess import SubProcessBehavior
from cadenza.engine.behaviors.tasks import (
    ExternalTaskBehavior,
    PassThroughBehavior,
    UserTaskBehavior,
)

__all__ = ["register", "supported_node_types"]


def register(node_type: type[FlowNode], behavior: Behavior) -> None:
    """Register ``behavior`` for ``node_type`` (an activity also as a multi-instance body)."""
    body = MultiInstanceBody(behavior) if issubclass(node_type, Activity) else None
    register_behavior(node_type, behavior, body)


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
