"""In-process publish/subscribe of engine records, fired only after a commit.

Long-polling fetchAndLock requests and the job executor subscribe here to learn that work
became available without polling the database.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence

from cadenza.engine.records import Record

__all__ = ["Notifications"]

Listener = Callable[[Sequence[Record]], None]


class Notifications:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._listeners: list[Listener] = []

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        """Register ``listener``; returns a function that unsubscribes it."""
        with self._lock:
            self._listeners.append(listener)

        def unsubscribe() -> None:
            with self._lock:
                if listener in self._listeners:
                    self._listeners.remove(listener)

        return unsubscribe

    def publish(self, records: Sequence[Record]) -> None:
        if not records:
            return
        with self._lock:
            listeners = list(self._listeners)
        for listener in listeners:
            listener(records)
