"""Long polling for ``POST /external-task/fetchAndLock`` with ``asyncResponseTimeout``
(Camunda ``FetchAndLockHandlerImpl``), on asyncio.

A request first fetches at once. If nothing was found it is *parked*: it awaits an
``asyncio.Event`` — no thread and no database connection is held while it waits. The event is
set when the engine's notifications report that a task of one of the request's topics became
available (created, unlocked, failed with retry timeout 0, retries raised; on PostgreSQL also
tasks made available on other nodes, relayed by LISTEN/NOTIFY). A woken request fetches again
in a worker thread. Without a wake-up it re-checks every ``recheck_seconds`` (for lock expiry
and retry timeouts, which nobody announces) and answers ``[]`` at its timeout.

At most ``capacity`` requests may be parked; the next one gets Camunda's 500 "too many
requests". On shutdown parked requests get Camunda's 500 "rejected due to shutdown".
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable, Collection, Sequence
from typing import TypeVar

import anyio.to_thread

from cadenza.errors import EngineError
from cadenza.services import ExternalTaskAvailable, Notifications, Record

__all__ = [
    "DEFAULT_QUEUE_CAPACITY",
    "DEFAULT_RECHECK_SECONDS",
    "MAX_ASYNC_RESPONSE_TIMEOUT",
    "LongPolling",
]

T = TypeVar("T")

MAX_ASYNC_RESPONSE_TIMEOUT = 1_800_000
"""milliseconds (Camunda's ``FetchAndLockHandlerImpl.MAX_REQUEST_TIMEOUT``)"""
DEFAULT_QUEUE_CAPACITY = 2000
DEFAULT_RECHECK_SECONDS = 5.0

TOO_MANY_REQUESTS = (
    "At the moment the server has to handle too many requests at the same time. Please try again later."
)
SHUTDOWN = "Request rejected due to shutdown of application server."


class _Waiter:
    __slots__ = ("event", "topics")

    def __init__(self, topics: frozenset[str]) -> None:
        self.event = asyncio.Event()
        self.topics = topics


class LongPolling:
    """The parked fetchAndLock requests of one application (one event loop)."""

    def __init__(
        self,
        notifications: Notifications,
        *,
        capacity: int = DEFAULT_QUEUE_CAPACITY,
        recheck_seconds: float = DEFAULT_RECHECK_SECONDS,
    ) -> None:
        self.capacity = capacity
        self.recheck_seconds = recheck_seconds
        self._loop: asyncio.AbstractEventLoop | None = None
        self._waiters: set[_Waiter] = set()
        self._parked = 0
        self._closed = False
        self._unsubscribe = notifications.subscribe(self._on_records)

    @property
    def parked(self) -> int:
        """How many requests are waiting right now."""
        return self._parked

    # ── wake-ups (called from any thread, after commit) ─────────────────────────────────────
    def _on_records(self, records: Sequence[Record]) -> None:
        loop = self._loop
        if loop is None or loop.is_closed():
            return
        topics = frozenset(r.topic_name for r in records if isinstance(r, ExternalTaskAvailable))
        if not topics:
            return
        with contextlib.suppress(RuntimeError):  # the loop closed between the check and the call
            loop.call_soon_threadsafe(self._wake, topics)

    def _wake(self, topics: frozenset[str]) -> None:
        for waiter in self._waiters:
            if waiter.topics & topics:
                waiter.event.set()

    # ── requests ────────────────────────────────────────────────────────────────────────────
    async def fetch(self, fetch: Callable[[], list[T]], topics: Collection[str], timeout_ms: int) -> list[T]:
        """Run ``fetch`` (blocking, in a worker thread) until it finds something or
        ``timeout_ms`` passed; between attempts wait for a matching notification."""
        loop = asyncio.get_running_loop()
        self._loop = loop
        if self._closed:
            raise _shutdown_error()
        waiter = _Waiter(frozenset(topics))
        # registered before the first attempt: a task created while we fetch sets the event,
        # so the wait below returns at once instead of missing it
        self._waiters.add(waiter)
        parked = False
        deadline = loop.time() + timeout_ms / 1000
        try:
            while True:
                waiter.event.clear()
                result = await anyio.to_thread.run_sync(fetch)
                if result:
                    return result
                remaining = deadline - loop.time()
                if remaining <= 0:
                    return []
                if not parked:
                    if self._parked >= self.capacity:
                        raise EngineError(
                            TOO_MANY_REQUESTS, camunda_type="InvalidRequestException", status=500, code=None
                        )
                    self._parked += 1
                    parked = True
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(waiter.event.wait(), min(remaining, self.recheck_seconds))
                if self._closed:
                    raise _shutdown_error()
        finally:
            self._waiters.discard(waiter)
            if parked:
                self._parked -= 1

    def close(self) -> None:
        """Stop listening and answer every parked request with the shutdown error."""
        self._closed = True
        self._unsubscribe()
        for waiter in self._waiters:
            waiter.event.set()


def _shutdown_error() -> EngineError:
    return EngineError(SHUTDOWN, camunda_type="RestException", status=500, code=None)
