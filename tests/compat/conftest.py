"""A real Cadenza server process for the compatibility tests.

``cadenza_server`` starts ``python -m cadenza run`` on a free port with its own SQLite file (or
the session's PostgreSQL database with ``server_on_postgres``), waits until
``GET /engine-rest/engine`` answers, and stops it at the end of the test module.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from tests.compat.helpers import Engine, engine_for

COMPAT_MODELS = ("external_task.bpmn", "external_task_error.bpmn", "user_task_error.bpmn")


@dataclass(frozen=True)
class Server:
    base_url: str
    """``http://127.0.0.1:PORT/engine-rest``"""
    process: subprocess.Popen[bytes]
    log: Path


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_server(
    database_url: str, log: Path, *, port: int | None = None, env: Mapping[str, str] | None = None
) -> Server:
    """``env``: more ``CADENZA_*`` settings (``CADENZA_AUTH`` and the administrator, say)."""
    port = port or _free_port()
    env = dict(os.environ, **(env or {}), CADENZA_DATABASE_URL=database_url, CADENZA_PORT=str(port))
    env["CADENZA_SQLITE_SYNCHRONOUS"] = "NORMAL"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "cadenza", "run", "--log-level", "warning"],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    base_url = f"http://127.0.0.1:{port}/engine-rest"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"cadenza run exited early:\n{log.read_text()}")
        try:
            if httpx.get(f"{base_url}/engine", timeout=1).status_code == 200:
                return Server(base_url, process, log)
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    process.kill()
    raise RuntimeError(f"cadenza run did not answer within 30 s:\n{log.read_text()}")


def stop_server(server: Server) -> None:
    server.process.terminate()
    try:
        server.process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        server.process.kill()
        server.process.wait()


@pytest.fixture(scope="module")
def cadenza_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    folder = tmp_path_factory.mktemp("server")
    server = start_server(f"sqlite:///{folder / 'cadenza.db'}", folder / "server.log")
    yield server
    stop_server(server)


@pytest.fixture(scope="module")
def engine(cadenza_server: Server) -> Iterator[Engine]:
    """Plain REST access to the module's server, for setting up and checking state."""
    with engine_for(cadenza_server.base_url) as engine:
        yield engine


@pytest.fixture(scope="module")
def deployed_engine(engine: Engine) -> Engine:
    """``engine`` with the three fixtures of tests/resources/compat deployed."""
    engine.deploy(*COMPAT_MODELS)
    return engine
