"""``run_command``: one service call = one transaction, retried on optimistic-lock conflicts.

Opens a write transaction, runs ``fn`` with a fresh ``CommandContext``, runs the agenda to the
next wait states and the record consumers on what the command did (``CommandContext.settle``:
in rounds, each consumer in the order given, each record once), flushes with ``rev`` checks and
commits; only then are the command's records published. A conflict re-runs the whole command on
fresh data (bounded), which is safe because nothing escaped the rolled-back transaction.

The consumers are given to the runner when the engine is built (``services.Engine``); what they
write is part of the command's transaction.

``CommandHooks`` lets tests watch and steer this: ``before_flush`` runs inside the transaction
after the command, its agenda and the consumers (all reads done, nothing flushed), so a test can
hold one transaction there while another commits; ``on_conflict`` sees every conflict the runner
retries.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TypeVar

from cadenza.clock import Clock
from cadenza.config import EngineConfig
from cadenza.engine.context import CommandContext, RecordConsumer
from cadenza.engine.records import Record
from cadenza.errors import OptimisticLockError
from cadenza.services.notifications import Notifications
from cadenza.store import Store
from cadenza.store.unit_of_work import SqlUnitOfWork

__all__ = ["CommandHooks", "CommandRunner", "ConsumerFunction", "ServiceConsumer", "ServiceContext"]

T = TypeVar("T")

log = logging.getLogger(__name__)


class ServiceContext(CommandContext):
    """The command context as services see it: the concrete unit of work, for queries."""

    __slots__ = ("sql",)

    def __init__(self, uow: SqlUnitOfWork, runner: CommandRunner, user_id: str | None) -> None:
        super().__init__(uow, runner.store.definitions, runner.clock, runner.config, user_id=user_id)
        self.sql = uow


ServiceConsumer = RecordConsumer[ServiceContext]
"""a record consumer the services run in every command"""


@dataclass(frozen=True)
class ConsumerFunction:
    """A function ``fn(ctx, records)`` as a record consumer."""

    fn: Callable[[ServiceContext, Sequence[Record]], None]

    def consume(self, ctx: ServiceContext, records: Sequence[Record]) -> None:
        self.fn(ctx, records)


@dataclass
class CommandHooks:
    """Observation points for tests (both None in production), shared by ``for_user`` runners."""

    before_flush: Callable[[ServiceContext], None] | None = None
    """called in the transaction after the command ran, before its changes are flushed"""
    on_conflict: Callable[[int, OptimisticLockError], None] | None = None
    """called with the attempt number for every conflict, retried or not"""


class CommandRunner:
    def __init__(
        self,
        store: Store,
        clock: Clock,
        config: EngineConfig,
        notifications: Notifications,
        *,
        consumers: Sequence[ServiceConsumer] = (),
        user_id: str | None = None,
        hooks: CommandHooks | None = None,
    ) -> None:
        self.store = store
        self.clock = clock
        self.config = config
        self.notifications = notifications
        self.consumers = tuple(consumers)
        """the record consumers every command runs, in this order, before its flush"""
        self.user_id = user_id
        """the user every call of this runner acts for unless the call names one"""
        self.hooks = hooks if hooks is not None else CommandHooks()

    def for_user(self, user_id: str | None) -> CommandRunner:
        """A runner sharing everything with this one, acting for ``user_id``."""
        return CommandRunner(
            self.store,
            self.clock,
            self.config,
            self.notifications,
            consumers=self.consumers,
            user_id=user_id,
            hooks=self.hooks,
        )

    def acting_user(self, user_id: str | None) -> str | None:
        """The user a call acts for: the one it names, else the runner's."""
        return user_id if user_id is not None else self.user_id

    def run(self, fn: Callable[[ServiceContext], T], *, user_id: str | None = None) -> T:
        user_id = self.acting_user(user_id)
        attempts = max(1, self.config.max_optimistic_lock_retries + 1)
        for attempt in range(1, attempts + 1):
            try:
                with self.store.write() as uow:
                    ctx = ServiceContext(uow, self, user_id)
                    result = fn(ctx)
                    ctx.settle(self.consumers)
                    if self.hooks.before_flush is not None:
                        self.hooks.before_flush(ctx)
            except OptimisticLockError as conflict:
                if self.hooks.on_conflict is not None:
                    self.hooks.on_conflict(attempt, conflict)
                if attempt == attempts:
                    raise
                log.debug("optimistic lock conflict, retrying (attempt %d)", attempt)
                continue
            self.notifications.publish(ctx.records)
            return result
        raise AssertionError("unreachable")
