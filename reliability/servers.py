"""``cadenza run`` nodes for the reliability runs: start on a free port, wait until
``GET /engine-rest/engine`` answers, stop gently or ``kill -9``."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

__all__ = ["Node", "free_port", "kill_node", "start_node", "stop_node"]


@dataclass
class Node:
    database_url: str
    port: int
    log: Path
    process: subprocess.Popen[bytes]

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/engine-rest"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_node(database_url: str, log: Path, *, port: int | None = None, synchronous: str = "FULL") -> Node:
    port = port or free_port()
    env = dict(os.environ, CADENZA_DATABASE_URL=database_url, CADENZA_PORT=str(port))
    env["CADENZA_SQLITE_SYNCHRONOUS"] = synchronous
    with log.open("ab") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "cadenza", "run", "--log-level", "warning"],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    node = Node(database_url, port, log, process)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"cadenza run exited early, see {log}")
        try:
            if httpx.get(f"{node.base_url}/engine", timeout=1).status_code == 200:
                return node
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    process.kill()
    raise RuntimeError(f"cadenza run did not answer within 60 s, see {log}")


def kill_node(node: Node) -> None:
    """``kill -9``: no shutdown hooks, no flushing, in-flight requests cut off."""
    os.kill(node.process.pid, signal.SIGKILL)
    node.process.wait()


def stop_node(node: Node) -> None:
    if node.process.poll() is not None:
        return
    node.process.terminate()
    try:
        node.process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        node.process.kill()
        node.process.wait()
