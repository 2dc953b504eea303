"""What the execution core needs from persistence, as Protocols (implemented by ``store/``).

The core never imports SQLAlchemy: it asks a unit of work for the runtime graph of an instance,
and tells it which entities are new or gone. Changed fields of loaded entities are found by the
unit of work itself when it flushes.
"""

from __future__ import annotations

from typing import Protocol

from cadenza.engine.definitions import DeployedProcess
from cadenza.engine.state import EventSubscription, InstanceGraph

__all__ = ["DefinitionSource", "UnitOfWork"]


class UnitOfWork(Protocol):
    def load_graph(self, process_instance_id: str) -> InstanceGraph | None:
        """Load every runtime row of one process instance, or None if it does not exist.

        Args:
            process_instance_id: id of the root execution.

        Returns:
            The graph; the unit of work remembers each entity so changes are flushed at commit.
        """
        ...

    def insert(self, entity: object) -> None:
        """Register a new entity to be inserted at flush."""
        ...

    def delete(self, entity: object) -> None:
        """Register an entity to be deleted at flush (checked against its ``rev``)."""
        ...

    def find_event_subscriptions(self, event_type: str, event_name: str) -> list[EventSubscription]:
        """Committed subscriptions to a message or signal (not tracked: deliver through the
        graph of their instance, which holds the tracked copy)."""
        ...

    def touch(self, entity: object) -> None:
        """Bump the ``rev`` of an entity even if no field changed.

        Used where Camunda updates a parent execution to make two concurrent transactions
        conflict (parallel joins), so exactly one of them continues the process.
        """
        ...


class DefinitionSource(Protocol):
    def deployed_process(self, process_definition_id: str) -> DeployedProcess:
        """The definition row and its parsed model; raises NotFoundError if unknown."""
        ...
