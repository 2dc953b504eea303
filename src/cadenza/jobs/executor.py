"""``JobExecutor``: one acquisition thread and a small worker pool per node.

The acquisition thread locks batches of due jobs for this node's lock owner (a UUID per
executor) through ``engine.jobs.acquire`` and hands them to the workers, never more than there
are free workers; each worker runs ``engine.jobs.execute(job_id, lock_owner=...)`` (one
transaction, failure handling in the service). When nothing is due the thread backs off, and a
job made due on this node (a ``JobDue`` record published after commit) wakes it at once.
Tests drive it synchronously with ``run_once()`` instead of starting the thread.
"""

from __future__ import annotations

import logging
import threading
import uuid
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import timedelta

from cadenza.jobs.acquisition import Backoff
from cadenza.services import Engine, JobOutcome, Record
from cadenza.services.jobs import JobDueRecord

__all__ = ["ExecutorStats", "JobExecutor"]

log = logging.getLogger(__name__)


@dataclass
class ExecutorStats:
    """Counters since start: jobs run to a commit, failed, lost to another node (lock taken
    over or job gone) and given up after optimistic-lock conflicts."""

    acquired: int = 0
    done: int = 0
    failed: int = 0
    gone: int = 0
    conflicts: int = 0


class JobExecutor:
    """Runs the due jobs of one engine (one node).

    Args:
        engine: the node's engine.
        workers: worker threads.
        max_jobs_per_acquisition: jobs locked per acquisition (Camunda default 3).
        lock_time: how long an acquired job stays locked (Camunda default 5 minutes).
        max_wait: longest idle wait between acquisitions, in seconds.
    """

    def __init__(
        self,
        engine: Engine,
        *,
        workers: int = 4,
        max_jobs_per_acquisition: int = 3,
        lock_time: timedelta = timedelta(minutes=5),
        max_wait: float = 5.0,
        lock_owner: str | None = None,
    ) -> None:
        self.engine = engine
        self.workers = max(1, workers)
        self.max_jobs = max(1, max_jobs_per_acquisition)
        self.lock_time = lock_time
        self.lock_owner = lock_owner or str(uuid.uuid4())
        self.stats = ExecutorStats()
        self._backoff = Backoff(maximum=max_wait)
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._pool: ThreadPoolExecutor | None = None
        self._in_flight = 0
        self._lock = threading.Lock()
        self._unsubscribe: Callable[[], None] | None = None

    # ── synchronous use (tests, `execute_due_jobs`) ─────────────────────────────────────────
    def run_once(self) -> int:
        """Acquire and run due jobs on the calling thread until none is due; returns how many ran."""
        ran = 0
        while True:
            ids = self.engine.jobs.acquire(self.lock_owner, self.max_jobs, self.lock_time)
            if not ids:
                return ran
            self.stats.acquired += len(ids)
            for job_id in ids:
                self._execute(job_id)
                ran += 1

    execute_due_jobs = run_once

    # ── background use ──────────────────────────────────────────────────────────────────────
    def start(self) -> None:
        if self._thread is not None:
            return
        self._stop.clear()
        self._pool = ThreadPoolExecutor(self.workers, thread_name_prefix="cadenza-job")
        self._unsubscribe = self.engine.notifications.subscribe(self._on_records)
        self._thread = threading.Thread(target=self._loop, name="cadenza-job-acquisition", daemon=True)
        self._thread.start()
        log.info("job executor %s started (%d workers)", self.lock_owner, self.workers)

    def stop(self, timeout: float = 30.0) -> None:
        thread, self._thread = self._thread, None
        if thread is None:
            return
        self._stop.set()
        self._wake.set()
        thread.join(timeout)
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None
        if self._pool is not None:
            self._pool.shutdown(wait=True)
            self._pool = None
        log.info("job executor %s stopped", self.lock_owner)

    def __enter__(self) -> JobExecutor:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _on_records(self, records: Sequence[Record]) -> None:
        now = self.engine.clock.now()
        for record in records:
            if isinstance(record, JobDueRecord) and (record.due_date is None or record.due_date <= now):
                self._backoff.reset()
                self._wake.set()
                return

    def _loop(self) -> None:
        while not self._stop.is_set():
            free = self.workers - self._in_flight
            count = 0
            if free > 0:
                try:
                    ids = self.engine.jobs.acquire(self.lock_owner, min(free, self.max_jobs), self.lock_time)
                except Exception:
                    log.exception("job acquisition failed")
                    ids = []
                count = len(ids)
                self.stats.acquired += count
                for job_id in ids:
                    self._submit(job_id)
            if free <= 0:
                wait = 0.05
            else:
                wait = self._backoff.acquired(count)
                if wait:
                    try:
                        due = self.engine.jobs.next_due_date()
                    except Exception:
                        due = None
                    wait = Backoff.until(due, self.engine.clock.now(), wait)
            if wait:
                self._wake.wait(wait)
                self._wake.clear()

    def _submit(self, job_id: str) -> None:
        assert self._pool is not None
        with self._lock:
            self._in_flight += 1
        future: Future[None] = self._pool.submit(self._execute, job_id)
        future.add_done_callback(self._finished)

    def _finished(self, _: Future[None]) -> None:
        with self._lock:
            self._in_flight -= 1
        self._wake.set()

    def _execute(self, job_id: str) -> None:
        try:
            outcome = self.engine.jobs.execute(job_id, lock_owner=self.lock_owner)
        except Exception:
            log.exception("job %s could not be executed", job_id)
            outcome = JobOutcome.FAILED
        with self._lock:
            if outcome is JobOutcome.DONE:
                self.stats.done += 1
            elif outcome is JobOutcome.FAILED:
                self.stats.failed += 1
            elif outcome is JobOutcome.GONE:
                self.stats.gone += 1
            else:
                self.stats.conflicts += 1
