"""Long polling of ``POST /external-task/fetchAndLock`` (``asyncResponseTimeout``): timeout
answers, wake-ups on the same node and across nodes (PostgreSQL LISTEN/NOTIFY), the bounded
queue, shutdown, and idle polls that hold no threads.

Latencies are asserted only loosely (< 1 s) to stay robust on a loaded machine; the measured
figures are printed (run with ``-s`` to see them).
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa

from cadenza.api import create_app
from cadenza.api.long_polling import LongPolling
from cadenza.config import EngineConfig
from cadenza.services import Engine, FetchTopic

from .external_task_support import ET, deploy_model, start
from .helpers import assert_error

FETCH = {"workerId": "w", "maxTasks": 1, "topics": [{"topicName": "work", "lockDuration": 60_000}]}


# Wake-up tests prove the wake by what the poll answers, not by timing: with the periodic
# re-check switched off, a poll nobody wakes answers [] at its timeout (two minutes).
_NEVER = 120_000
_NO_RECHECK = 3600.0


def _poll(timeout_ms: int) -> dict[str, Any]:
    return {**FETCH, "asyncResponseTimeout": timeout_ms}


def _run(
    engine: Engine, scenario: Callable[[httpx.AsyncClient, LongPolling], Awaitable[None]], **app_options: Any
) -> None:
    app = create_app(engine, **app_options)
    hub: LongPolling = app.state.long_polling

    async def main() -> None:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            await scenario(client, hub)

    asyncio.run(main())


async def _until_parked(hub: LongPolling, count: int = 1, limit: float = 30.0) -> None:
    deadline = time.monotonic() + limit
    while hub.parked < count:
        assert time.monotonic() < deadline, f"only {hub.parked} of {count} requests parked"
        await asyncio.sleep(0.005)


def test_long_poll_answers_empty_list_at_timeout(engine: Engine) -> None:
    async def scenario(client: httpx.AsyncClient, hub: LongPolling) -> None:
        began = time.monotonic()
        response = await client.post(f"{ET}/fetchAndLock", json=_poll(300))
        elapsed = time.monotonic() - began
        assert response.status_code == 200 and response.json() == []
        assert response.headers["content-type"] == "application/json"
        assert elapsed >= 0.3, elapsed  # it waited for its timeout
        assert hub.parked == 0

    _run(engine, scenario)


def test_long_poll_answers_at_once_when_tasks_exist(engine: Engine) -> None:
    start(engine, deploy_model(engine, "et_simple"))

    async def scenario(client: httpx.AsyncClient, hub: LongPolling) -> None:
        # parked instead of fetching first, it would answer [] at its timeout: nothing wakes it
        response = await client.post(f"{ET}/fetchAndLock", json=_poll(_NEVER))
        assert len(response.json()) == 1

    _run(engine, scenario, long_poll_recheck_seconds=_NO_RECHECK)


def test_long_poll_is_woken_by_task_creation(engine: Engine) -> None:
    definition = deploy_model(engine, "et_simple")

    async def scenario(client: httpx.AsyncClient, hub: LongPolling) -> None:
        poll = asyncio.create_task(client.post(f"{ET}/fetchAndLock", json=_poll(_NEVER)))
        await _until_parked(hub)
        began = time.monotonic()
        instance = await asyncio.to_thread(start, engine, definition)
        committed = time.monotonic()
        response = await poll
        answered = time.monotonic()
        (task,) = response.json()
        assert task["processInstanceId"] == instance
        print(
            f"\nsame-node wake-up: {1000 * (answered - committed):.1f} ms after commit "
            f"({1000 * (answered - began):.1f} ms including the creating transaction)"
        )

    _run(engine, scenario, long_poll_recheck_seconds=_NO_RECHECK)


def test_long_poll_is_woken_by_unlock_and_by_retry_without_timeout(engine: Engine) -> None:
    start(engine, deploy_model(engine, "et_simple"))
    (locked,) = engine.external_tasks.fetch_and_lock("first", 1, [FetchTopic("work", 60_000)])

    async def scenario(client: httpx.AsyncClient, hub: LongPolling) -> None:
        poll = asyncio.create_task(client.post(f"{ET}/fetchAndLock", json=_poll(_NEVER)))
        await _until_parked(hub)
        await asyncio.to_thread(engine.external_tasks.unlock, locked.task.id)
        (task,) = (await poll).json()
        assert task["id"] == locked.task.id

        poll = asyncio.create_task(client.post(f"{ET}/fetchAndLock", json=_poll(_NEVER)))
        await _until_parked(hub)
        await asyncio.to_thread(
            lambda: engine.external_tasks.handle_failure(task["id"], "w", retries=2, retry_timeout=0)
        )
        (again,) = (await poll).json()
        assert again["retries"] == 2

    _run(engine, scenario, long_poll_recheck_seconds=_NO_RECHECK)


def test_long_poll_ignores_other_topics(engine: Engine) -> None:
    priority_definition = deploy_model(engine, "et_priority")

    async def scenario(client: httpx.AsyncClient, hub: LongPolling) -> None:
        poll = asyncio.create_task(client.post(f"{ET}/fetchAndLock", json=_poll(400)))
        await _until_parked(hub)
        await asyncio.to_thread(start, engine, priority_definition, None, priority=1)  # topic 'ranked'
        assert (await poll).json() == []

    _run(engine, scenario)


def test_long_poll_queue_overflow_is_camundas_500(engine: Engine) -> None:
    async def scenario(client: httpx.AsyncClient, hub: LongPolling) -> None:
        first = asyncio.create_task(client.post(f"{ET}/fetchAndLock", json=_poll(1_000)))
        await _until_parked(hub)
        response = await client.post(f"{ET}/fetchAndLock", json=_poll(1_000))
        assert response.status_code == 500
        assert response.json() == {
            "type": "InvalidRequestException",
            "message": "At the moment the server has to handle too many requests at the same time. "
            "Please try again later.",
            "code": None,
        }
        assert (await first).json() == []

    _run(engine, scenario, fetch_and_lock_queue_capacity=1)


def test_long_poll_is_rejected_at_shutdown(engine: Engine) -> None:
    async def scenario(client: httpx.AsyncClient, hub: LongPolling) -> None:
        poll = asyncio.create_task(client.post(f"{ET}/fetchAndLock", json=_poll(20_000)))
        await _until_parked(hub)
        hub.close()
        response = await poll
        assert_error(
            response, 500, "RestException", "Request rejected due to shutdown of application server."
        )

    _run(engine, scenario)


def test_long_poll_notices_lock_expiry_at_its_periodic_recheck(engine: Engine) -> None:
    start(engine, deploy_model(engine, "et_simple"))
    engine.external_tasks.fetch_and_lock("first", 1, [FetchTopic("work", 300)])

    async def scenario(client: httpx.AsyncClient, hub: LongPolling) -> None:
        response = await client.post(f"{ET}/fetchAndLock", json=_poll(5_000))
        assert len(response.json()) == 1  # the lock expired; nobody announced it

    _run(engine, scenario, long_poll_recheck_seconds=0.2)


def test_a_thousand_idle_long_polls_hold_no_threads(engine: Engine) -> None:
    definition = deploy_model(engine, "et_simple")
    polls = 1000

    async def scenario(client: httpx.AsyncClient, hub: LongPolling) -> None:
        threads_before = threading.active_count()
        requests = [
            asyncio.create_task(
                client.post(f"{ET}/fetchAndLock", json={**_poll(60_000), "workerId": f"w{i}"})
            )
            for i in range(polls)
        ]
        await _until_parked(hub, polls, limit=120)
        await asyncio.sleep(0.2)
        idle_threads = threading.active_count()
        print(f"\n{polls} parked long polls: {idle_threads} threads (before: {threads_before})")
        # the worker-thread pool may have grown for the first attempts, but not per request
        assert idle_threads - threads_before < 60
        await asyncio.to_thread(start, engine, definition)
        done, _ = await asyncio.wait(requests, timeout=10, return_when=asyncio.FIRST_COMPLETED)
        winners = [r.result().json() for r in done]
        assert [len(w) for w in winners] == [1]
        hub.close()
        rest = await asyncio.gather(*requests)
        assert sum(1 for r in rest if r.status_code == 200 and r.json()) == 1
        assert sum(1 for r in rest if r.status_code == 500) == polls - 1

    _run(engine, scenario)


# ── across nodes: PostgreSQL LISTEN/NOTIFY ──────────────────────────────────────────────────────


@pytest.fixture
def two_nodes(postgres_database: str) -> Iterator[tuple[Engine, Engine]]:
    from conftest import _truncate_all

    Engine(EngineConfig(database_url=postgres_database)).close()
    _truncate_all(postgres_database)
    node_a = Engine(EngineConfig(database_url=postgres_database))
    node_b = Engine(EngineConfig(database_url=postgres_database))
    try:
        yield node_a, node_b
    finally:
        node_a.close()
        node_b.close()


@pytest.mark.postgresql
def test_task_created_on_another_node_wakes_the_long_poll(two_nodes: tuple[Engine, Engine]) -> None:
    node_a, node_b = two_nodes
    definition = deploy_model(node_b, "et_simple")
    node_a.start_listening()  # done by create_app's lifespan in a server
    latencies: list[float] = []

    async def scenario(client: httpx.AsyncClient, hub: LongPolling) -> None:
        for _ in range(5):
            poll = asyncio.create_task(client.post(f"{ET}/fetchAndLock", json=_poll(_NEVER)))
            await _until_parked(hub)
            instance = await asyncio.to_thread(start, node_b, definition)
            committed = time.monotonic()
            (task,) = (await poll).json()
            latencies.append(time.monotonic() - committed)
            assert task["processInstanceId"] == instance
            await asyncio.to_thread(node_a.external_tasks.complete, task["id"], "w")

    _run(node_a, scenario, long_poll_recheck_seconds=_NO_RECHECK)
    print(
        "\ncross-node wake-up (ms after commit on node B): " + ", ".join(f"{1000 * x:.1f}" for x in latencies)
    )


@pytest.mark.postgresql
def test_listener_is_started_and_stopped_by_the_app_lifespan(two_nodes: tuple[Engine, Engine]) -> None:
    from fastapi.testclient import TestClient

    node_a, _ = two_nodes
    with TestClient(create_app(node_a)):
        assert node_a._listener is not None and node_a._listener.thread is not None
    assert node_a._listener is None


def test_sqlite_engine_has_no_listener(tmp_path: Path) -> None:
    with Engine(EngineConfig(database_url=f"sqlite:///{tmp_path}/x.db")) as engine:
        engine.start_listening()
        assert engine._listener is None
        with engine.store.read() as connection:
            assert connection.execute(sa.text("select 1")).scalar_one() == 1
