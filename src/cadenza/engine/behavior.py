"""What a node does, as lifecycle hooks, and the table that finds the behavior of a node.

``lifecycle`` calls these hooks and knows no concrete behavior: it asks ``behavior_for(node)``
and calls the hook for the moment at hand (Camunda's ``ActivityBehavior`` and its
``SubProcessActivityBehavior`` / ``CompositeActivityBehavior`` callbacks):

- ``execute``: a token entered the node (its scope execution exists, input mappings are set);
  pass it on (plan the next operation) or create a wait state and return;
- ``on_complete``: a token finished the node and is about to take its outgoing flows; return
  True to take it over instead (the multi-instance body counts the instance and decides);
- ``on_terminate``: the node's activity on ``execution`` is cancelled (its scope ends, an
  interrupting event fires, the instance is deleted); clean up what the behavior started;
- ``on_called_instance_ended``: the process instance the node started (a call activity) reached
  its end; ``caller`` is the execution that waits for it;
- ``on_path_ended``: another concurrent path of the scope in which a token waits at the node
  ended; return True if the behavior acted on it (an inclusive join may fire now).

Every hook does nothing by default (``execute`` too: the token simply waits). The table is filled by
``engine.behaviors``, which the ``cadenza.engine`` package imports, so it is complete wherever the
engine is used; ``behavior_for`` returns the multi-instance body around the node's own behavior
for a multi-instance activity unless ``inner`` asks for the behavior of one instance.
"""

from __future__ import annotations

from cadenza.bpmn.model import Activity, FlowNode
from cadenza.engine.context import CommandContext
from cadenza.engine.state import Execution, ProcessInstanceState

__all__ = ["Behavior", "behavior_for", "register", "supported_node_types"]


class Behavior:
    """The hooks of one kind of flow node; subclasses override what they need."""

    __slots__ = ()

    def execute(self, ctx: CommandContext, execution: Execution, node: FlowNode) -> None:
        """Run ``node`` for the token on ``execution`` (nothing by default: the token waits)."""

    def on_complete(self, ctx: CommandContext, execution: Execution, node: FlowNode) -> bool:
        """The token on ``execution`` finished ``node``; True if the behavior moves it on."""
        return False

    def on_terminate(
        self, ctx: CommandContext, execution: Execution, node: FlowNode, state: ProcessInstanceState
    ) -> None:
        """The activity of ``node`` on ``execution`` is cancelled; ``state`` is what a process
        instance it started ends with."""

    def on_called_instance_ended(
        self, ctx: CommandContext, caller: Execution, node: FlowNode, root: Execution
    ) -> None:
        """The instance whose root is ``root``, started by ``node`` on ``caller``, completed."""

    def on_path_ended(self, ctx: CommandContext, waiting: Execution, node: FlowNode) -> bool:
        """A concurrent path of the scope where ``waiting`` waits at ``node`` ended; True if the
        behavior acted on it (the scope's other waiting paths are then not asked)."""
        return False


_BEHAVIORS: dict[type[FlowNode], Behavior] = {}
_BODIES: dict[type[FlowNode], Behavior] = {}


def register(node_type: type[FlowNode], behavior: Behavior, body: Behavior | None = None) -> None:
    """Make ``behavior`` the behavior of ``node_type``; ``body`` runs it as a multi-instance
    activity (activities only)."""
    _BEHAVIORS[node_type] = behavior
    if body is not None:
        _BODIES[node_type] = body


def behavior_for(node: FlowNode, *, inner: bool = False) -> Behavior:
    """The behavior of ``node``: its multi-instance body unless ``inner`` (one instance)."""
    if not inner and isinstance(node, Activity) and node.multi_instance is not None:
        return _BODIES[type(node)]
    return _BEHAVIORS[type(node)]


def supported_node_types() -> frozenset[type[FlowNode]]:
    return frozenset(_BEHAVIORS)
