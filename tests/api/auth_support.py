"""Helpers for the authentication/authorization REST tests: an app with HTTP Basic switched
on, an administrator, and Basic headers."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from fastapi.testclient import TestClient

from cadenza.api import create_app
from cadenza.bootstrap import ensure_admin
from cadenza.clock import SettableClock
from cadenza.config import EngineConfig
from cadenza.services import Engine

ADMIN = ("admin", "admin-secret-1")


def basic(user: str, password: str) -> dict[str, str]:
    token = base64.b64encode(f"{user}:{password}".encode()).decode()
    return {"Authorization": f"Basic {token}"}


ADMIN_AUTH = basic(*ADMIN)


@contextmanager
def auth_engine(url: str, clock: SettableClock | None = None) -> Iterator[Engine]:
    config = EngineConfig(database_url=url, sqlite_synchronous="NORMAL", authentication_enabled=True)
    engine = Engine(config, clock=clock or SettableClock(datetime(2026, 1, 15, 10, 0, tzinfo=UTC)))
    try:
        ensure_admin(engine, admin_user=ADMIN[0], admin_password=ADMIN[1])
        yield engine
    finally:
        engine.close()


@contextmanager
def auth_client(tmp_path: Path, clock: SettableClock | None = None) -> Iterator[tuple[Engine, TestClient]]:
    with (
        auth_engine(f"sqlite:///{tmp_path / 'auth.db'}", clock) as engine,
        TestClient(create_app(engine)) as client,
    ):
        yield engine, client
