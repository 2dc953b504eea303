"""Two nodes, one PostgreSQL database: two ``Engine``s, each with its own ``JobExecutor`` (own
lock owner, 4 workers), run ``CADENZA_TEST_JOBS`` (default 1,500 to stay under a minute in CI;
5,000 on demand) async continuations
(reliability.md §2.3). Every job must run to a commit exactly once and none may be lost.

"Executed" is counted where it cannot be faked: each job's work completes its process instance,
so the committed executions are the instances whose history says COMPLETED; a job run twice
would need a second commit of the same ``rev``-checked job delete, which the database refuses.
Attempts that lost a race (the job was gone or re-locked by the other node when they started,
or their commit conflicted) are counted by the executors and reported, not hidden.
"""

from __future__ import annotations

import os
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
import sqlalchemy as sa
from tests.conftest import RESOURCES

from cadenza.config import EngineConfig
from cadenza.jobs import JobExecutor
from cadenza.services import Engine, JobQuery
from cadenza.store import tables

JOBS = int(os.environ.get("CADENZA_TEST_JOBS", "1500"))
"""CI default; 5,000 (the issue's figure) measured with CADENZA_TEST_JOBS=5000, see the README"""


@pytest.mark.postgresql
def test_two_nodes_execute_every_job_exactly_once(postgres_database: str) -> None:
    from tests.conftest import _truncate_all

    Engine(EngineConfig(database_url=postgres_database)).close()
    _truncate_all(postgres_database)
    node_a = Engine(EngineConfig(database_url=postgres_database))
    node_b = Engine(EngineConfig(database_url=postgres_database), upgrade_schema=False)
    try:
        content = (RESOURCES / "jobs" / "async_task.bpmn").read_bytes()
        definition = node_a.repository.deploy([("async_task.bpmn", content)]).process_definitions[0].id
        began = time.monotonic()
        with ThreadPoolExecutor(8) as pool:
            instances = set(
                pool.map(
                    lambda i: (
                        (node_a if i % 2 else node_b).runtime.start_process_instance(definition).instance.id
                    ),
                    range(JOBS),
                )
            )
        created = time.monotonic()
        assert node_a.jobs.count(JobQuery()) == JOBS

        executors = [
            JobExecutor(
                node, workers=4, max_jobs_per_acquisition=3, lock_time=timedelta(minutes=5), max_wait=0.2
            )
            for node in (node_a, node_b)
        ]
        for executor in executors:
            executor.start()
        deadline = time.monotonic() + 600
        while node_a.jobs.count(JobQuery()) and time.monotonic() < deadline:
            time.sleep(0.2)
        for executor in executors:
            executor.stop()
        finished = time.monotonic()

        h = tables.historic_process_instance
        with node_a.store.read() as connection:
            completed = set(connection.execute(sa.select(h.c.id).where(h.c.state == "COMPLETED")).scalars())
            left = connection.execute(sa.select(sa.func.count()).select_from(tables.job)).scalar_one()
        done = sum(e.stats.done for e in executors)
        report = {
            "jobs": JOBS,
            "create_s": round(created - began, 1),
            "execute_s": round(finished - created, 1),
            "jobs_per_s": round(JOBS / max(finished - created, 1e-9)),
            "node_a": vars(executors[0].stats),
            "node_b": vars(executors[1].stats),
        }
        print("job executor run:", report)
        assert left == 0, report  # none lost
        assert completed == instances, report  # every job's work committed
        assert done == JOBS, report  # exactly one committed execution per job
        assert all(e.stats.failed == 0 for e in executors), report
        assert executors[0].stats.done > 0 and executors[1].stats.done > 0, report  # both nodes worked
    finally:
        node_a.close()
        node_b.close()
