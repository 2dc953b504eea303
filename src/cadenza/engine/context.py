"""The command context: everything one command (one transaction) works with, passed explicitly.

There are no thread-locals: every engine function takes the context as its first argument.
The agenda is a plain queue of operations run until empty, so a long flow never deepens the
Python stack (Camunda's atomic operations on the ``CommandInvocationContext``).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from datetime import datetime
from typing import Any

from cadenza.clock import Clock
from cadenza.config import EngineConfig
from cadenza.engine.definitions import DeployedProcess
from cadenza.engine.ports import DefinitionSource, UnitOfWork
from cadenza.engine.records import Record
from cadenza.engine.state import Execution, InstanceGraph
from cadenza.errors import NotFoundError
from cadenza.ids import new_id

__all__ = ["CommandContext"]

Operation = Callable[..., None]


class CommandContext:
    """Unit of work, clock, settings, loaded instance graphs, the agenda and emitted records."""

    __slots__ = (
        "_graphs",
        "agenda",
        "clock",
        "config",
        "definitions",
        "records",
        "uow",
        "user_id",
        "variable_bytes",
    )

    def __init__(
        self,
        uow: UnitOfWork,
        definitions: DefinitionSource,
        clock: Clock,
        config: EngineConfig,
        *,
        user_id: str | None = None,
    ) -> None:
        self.uow = uow
        self.definitions = definitions
        self.clock = clock
        self.config = config
        self.user_id = user_id
        self.agenda: deque[tuple[Operation, tuple[Any, ...]]] = deque()
        self.records: list[Record] = []
        self._graphs: dict[str, InstanceGraph] = {}
        self.variable_bytes = 0
        """bytes of variable values written by this command (the per-request size limit)"""

    # ── time and ids ────────────────────────────────────────────────────────────────────────
    def now(self) -> datetime:
        return self.clock.now()

    @staticmethod
    def new_id() -> str:
        return new_id()

    # ── agenda ──────────────────────────────────────────────────────────────────────────────
    def plan(self, operation: Operation, *args: Any) -> None:
        """Queue an operation; it runs after the ones already queued."""
        self.agenda.append((operation, args))

    def run_agenda(self) -> None:
        agenda = self.agenda
        while agenda:
            operation, args = agenda.popleft()
            operation(self, *args)

    # ── loaded state ────────────────────────────────────────────────────────────────────────
    def graph(self, process_instance_id: str) -> InstanceGraph:
        """The runtime graph of an instance, loaded once per command."""
        graph = self._graphs.get(process_instance_id)
        if graph is None:
            graph = self.uow.load_graph(process_instance_id)
            if graph is None:
                raise NotFoundError(f"Process instance with id {process_instance_id} does not exist")
            self._graphs[process_instance_id] = graph
        return graph

    def register_graph(self, process_instance_id: str, graph: InstanceGraph) -> None:
        """Make a graph built in this command (a new instance) known to later lookups."""
        self._graphs[process_instance_id] = graph

    def loaded_graphs(self) -> list[InstanceGraph]:
        """The instance graphs this command loaded or created so far."""
        return list(self._graphs.values())

    def graph_of(self, execution: Execution) -> InstanceGraph:
        return self.graph(execution.process_instance_id)

    def deployed(self, execution: Execution) -> DeployedProcess:
        return self.definitions.deployed_process(execution.process_definition_id)
