"""The command context: everything one command (one transaction) works with, passed explicitly.

There are no thread-locals: every engine function takes the context as its first argument.
The agenda is a plain queue of operations run until empty, so a long flow never deepens the
Python stack (Camunda's atomic operations on the ``CommandInvocationContext``).

What the command did is emitted as ``records`` (``engine.records``). ``settle`` finishes a
command's work before its flush: it runs the agenda, then hands the records emitted so far to
the record consumers, in rounds:

1. the agenda runs until it is empty;
2. every record not yet consumed goes, in emission order and as one batch, to each consumer in
   the order the consumers were given;
3. whatever the consumers did (records they emitted, operations they planned) is a new round:
   back to 1, until a round leaves no new record.

So every consumer sees every record exactly once, a consumer's own records come after the
batch that caused them (and reach every consumer, itself included), and what consumers write
is flushed and committed with the command.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any, Protocol, Self, TypeVar

from cadenza.clock import Clock
from cadenza.config import EngineConfig
from cadenza.engine.definitions import DeployedProcess
from cadenza.engine.ports import DefinitionSource, UnitOfWork
from cadenza.engine.records import Record
from cadenza.engine.state import Execution, InstanceGraph
from cadenza.errors import NotFoundError, ProcessEngineError
from cadenza.ids import new_id

__all__ = ["MAX_CONSUMER_ROUNDS", "CommandContext", "RecordConsumer"]

Operation = Callable[..., None]

MAX_CONSUMER_ROUNDS = 100
"""a command whose consumers still emit records after this many rounds is a bug: it fails"""

ContextT = TypeVar("ContextT", bound="CommandContext", contravariant=True)


class RecordConsumer(Protocol[ContextT]):
    """Reads the records of a command inside its transaction (see ``CommandContext.settle``)."""

    def consume(self, ctx: ContextT, records: Sequence[Record]) -> None:
        """Act on ``records`` (one batch, in emission order): write with ``ctx.uow`` or emit
        records of its own (they come in the next batch)."""
        ...


class CommandContext:
    """Unit of work, clock, settings, loaded instance graphs, the agenda and emitted records."""

    __slots__ = (
        "_consumed",
        "_graphs",
        "agenda",
        "clock",
        "config",
        "definitions",
        "ended_activity_instances",
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
        self._consumed = 0
        """how many of ``records`` the consumers have seen"""
        self.ended_activity_instances: set[str] = set()
        """activity instances this command ended (each ends once, however it is reached)"""
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

    # ── records ─────────────────────────────────────────────────────────────────────────────
    def emit(self, record: Record) -> None:
        """Add ``record`` to the command's record stream."""
        self.records.append(record)

    def settle(self, consumers: Sequence[RecordConsumer[Self]] = ()) -> None:
        """Run the agenda and the record consumers until neither has work left (the rounds of
        the module docstring)."""
        self.run_agenda()
        rounds = 0
        while self._consumed < len(self.records):
            rounds += 1
            if rounds > MAX_CONSUMER_ROUNDS:
                raise ProcessEngineError(
                    f"Record consumers still emit records after {MAX_CONSUMER_ROUNDS} rounds"
                )
            batch = self.records[self._consumed :]
            self._consumed = len(self.records)
            for consumer in consumers:
                consumer.consume(self, batch)
            self.run_agenda()

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
