"""PostgreSQL LISTEN/NOTIFY between engine nodes: "an external task became available".

Each node publishes ``NOTIFY cadenza_external_task, '<topic>'`` after a commit that made a
task fetchable, and runs one listening connection (a daemon thread) that hands every received
topic to a callback, which re-publishes it into the node's in-process notifications. So a long
poll parked on node A wakes when node B creates a task, instead of at its periodic re-check.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable

import psycopg
import sqlalchemy as sa
from sqlalchemy.engine import make_url

__all__ = ["CHANNEL", "PgListener", "notify_topics"]

CHANNEL = "cadenza_external_task"
log = logging.getLogger(__name__)


def notify_topics(engine: sa.Engine, topics: Iterable[str]) -> None:
    """Send one notification per topic in its own short transaction."""
    names = sorted(set(topics))
    if not names:
        return
    with engine.connect() as connection:
        for name in names:
            connection.execute(sa.select(sa.func.pg_notify(CHANNEL, name)))
        connection.commit()


def _conninfo(url: str) -> str:
    parsed = make_url(url).set(drivername="postgresql")
    return parsed.render_as_string(hide_password=False)


class PgListener:
    """One ``LISTEN`` connection in a daemon thread; reconnects after errors."""

    def __init__(self, url: str, on_topic: Callable[[str], None], *, poll_seconds: float = 0.5) -> None:
        self._conninfo = _conninfo(url)
        self._on_topic = on_topic
        self._poll_seconds = poll_seconds
        self._stop = threading.Event()
        self._ready = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def thread(self) -> threading.Thread | None:
        return self._thread

    def start(self, *, wait_seconds: float = 5.0) -> None:
        """Start listening; returns once the LISTEN is in place (or after ``wait_seconds``)."""
        if self._thread is not None:
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="cadenza-pg-listen", daemon=True)
        self._thread.start()
        self._ready.wait(wait_seconds)

    def stop(self) -> None:
        self._stop.set()
        thread, self._thread = self._thread, None
        if thread is not None:
            thread.join(timeout=5)

    def _run(self) -> None:
        backoff = 0.1
        while not self._stop.is_set():
            try:
                with psycopg.connect(self._conninfo, autocommit=True) as connection:
                    connection.execute(f"LISTEN {CHANNEL}")
                    self._ready.set()
                    backoff = 0.1
                    while not self._stop.is_set():
                        for notify in connection.notifies(timeout=self._poll_seconds):
                            self._deliver(notify.payload)
            except psycopg.Error as error:
                log.warning("LISTEN %s failed (%s); reconnecting in %.1fs", CHANNEL, error, backoff)
                self._stop.wait(backoff)
                backoff = min(backoff * 2, 5.0)

    def _deliver(self, topic: str) -> None:
        try:
            self._on_topic(topic)
        except Exception:  # a listener bug must not kill the node's LISTEN thread
            log.exception("external task notification handler failed")
