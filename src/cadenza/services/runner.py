"""``run_command``: one service call = one transaction, retried on optimistic-lock conflicts.

Opens a write transaction, runs ``fn`` with a fresh ``CommandContext``, runs the agenda to the
next wait states, flushes with ``rev`` checks and commits; only then are the command's records
published. A conflict re-runs the whole command on fresh data (bounded), which is safe because
nothing escaped the rolled-back transaction.

``CommandHooks`` lets tests watch and steer this: ``before_flush`` runs inside the transaction
after the command and its agenda (all reads done, nothing flushed), so a test can hold one
transaction there while another commits; ``on_conflict`` sees every conflict the runner retries.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from cadenza.clock import Clock
from cadenza.config import EngineConfig
from cadenza.engine.context import CommandContext
from cadenza.errors import OptimisticLockError
from cadenza.services.notifications import Notifications
from cadenza.store import Store
from cadenza.store.unit_of_work import SqlUnitOfWork

__all__ = ["CommandHooks", "CommandRunner", "ServiceContext", "register_before_commit"]

T = TypeVar("T")

_BEFORE_COMMIT: list[Callable[[ServiceContext], None]] = []


def register_before_commit(hook: Callable[[ServiceContext], None]) -> None:
    """Run ``hook`` in every command after its agenda, before the flush (the start events of
    newly deployed definitions). Registered once, at import, by the service that needs it."""
    if hook not in _BEFORE_COMMIT:
        _BEFORE_COMMIT.append(hook)


log = logging.getLogger(__name__)


class ServiceContext(CommandContext):
    """The command context as services see it: the concrete unit of work, for queries."""

    __slots__ = ("sql",)

    def __init__(self, uow: SqlUnitOfWork, runner: CommandRunner, user_id: str | None) -> None:
        super().__init__(uow, runner.store.definitions, runner.clock, runner.config, user_id=user_id)
        self.sql = uow


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
        user_id: str | None = None,
        hooks: CommandHooks | None = None,
    ) -> None:
        self.store = store
        self.clock = clock
        self.config = config
        self.notifications = notifications
        self.user_id = user_id
        """the user every call of this runner acts for unless the call names one"""
        self.hooks = hooks if hooks is not None else CommandHooks()

    def for_user(self, user_id: str | None) -> CommandRunner:
        """A runner sharing everything with this one, acting for ``user_id``."""
        return CommandRunner(
            self.store, self.clock, self.config, self.notifications, user_id=user_id, hooks=self.hooks
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
                    ctx.run_agenda()
                    for hook in _BEFORE_COMMIT:
                        hook(ctx)
                    ctx.run_agenda()
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
