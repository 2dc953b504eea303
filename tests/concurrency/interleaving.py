"""A deterministic interleaving harness (the port of Camunda's ``ControllableThread``).

``race(first, second)`` runs ``first`` in a thread and holds its transaction at the runner's
``before_flush`` hook (the command and its agenda ran, every read is done, nothing is written
yet), then runs ``second`` to its end, and only then lets ``first`` flush and commit:

* PostgreSQL (READ COMMITTED, row locks): ``second`` really commits while ``first`` is held,
  so ``first`` meets the changed rows at flush and the runner re-runs it on fresh data;
  ``Race.second_done_while_first_held`` is True.
* SQLite: a write transaction holds the database (``BEGIN IMMEDIATE``), so ``second`` cannot
  begin until ``first`` commits; the harness waits a moment, releases ``first`` and the two
  run one after the other (``second_done_while_first_held`` is False). The outcome must be
  just as clean, in the other order.

Conflicts the runner retried are counted per thread through ``CommandHooks.on_conflict``.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from cadenza.errors import OptimisticLockError
from cadenza.services import Engine
from cadenza.services.runner import ServiceContext

FIRST, SECOND = "race-first", "race-second"


@dataclass
class Outcome:
    result: Any = None
    error: BaseException | None = None
    conflicts: int = 0


@dataclass
class Race:
    first: Outcome = field(default_factory=Outcome)
    second: Outcome = field(default_factory=Outcome)
    second_done_while_first_held: bool = False


@contextmanager
def conflict_counter(engine: Engine) -> Iterator[Counter[str]]:
    """Count the conflicts the runner met (and retried), per thread name."""
    counts: Counter[str] = Counter()
    lock = threading.Lock()
    hooks = engine.runner.hooks
    previous = hooks.on_conflict

    def on_conflict(_attempt: int, _error: OptimisticLockError) -> None:
        with lock:
            counts[threading.current_thread().name] += 1

    hooks.on_conflict = on_conflict
    try:
        yield counts
    finally:
        hooks.on_conflict = previous


def race(engine: Engine, first: Callable[[], Any], second: Callable[[], Any], *, timeout: float = 30) -> Race:
    held = threading.Event()
    release = threading.Event()
    outcome = Race()
    hooks = engine.runner.hooks

    def before_flush(_ctx: ServiceContext) -> None:
        # hold only the first attempt of the first command
        if threading.current_thread().name == FIRST and not held.is_set():
            held.set()
            if not release.wait(timeout):
                raise TimeoutError("the racing transaction was never released")

    def run(fn: Callable[[], Any], into: Outcome) -> None:
        try:
            into.result = fn()
        except BaseException as error:  # recorded for the test to judge
            into.error = error

    hooks.before_flush = before_flush
    with conflict_counter(engine) as conflicts:
        try:
            one = threading.Thread(target=run, args=(first, outcome.first), name=FIRST)
            one.start()
            if not held.wait(timeout):
                release.set()
                one.join(timeout)
                raise AssertionError(f"the first command never reached its flush: {outcome.first.error!r}")
            two = threading.Thread(target=run, args=(second, outcome.second), name=SECOND)
            two.start()
            # SQLite: the second transaction waits for the database; PostgreSQL: it finishes
            two.join(0.5 if engine.store.is_sqlite else timeout)
            outcome.second_done_while_first_held = not two.is_alive()
            release.set()
            one.join(timeout)
            two.join(timeout)
            assert not one.is_alive() and not two.is_alive(), "a racing command hangs"
        finally:
            hooks.before_flush = None
            release.set()
    outcome.first.conflicts = conflicts[FIRST]
    outcome.second.conflicts = conflicts[SECOND]
    return outcome
