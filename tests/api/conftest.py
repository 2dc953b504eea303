"""Fixtures for the REST layer tests: a fresh SQLite engine per test and a TestClient over it."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from cadenza.api import create_app
from cadenza.config import EngineConfig
from cadenza.services import Engine

from .helpers import BASE, resource

Deploy = Callable[..., dict[str, Any]]
Start = Callable[..., dict[str, Any]]


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    eng = Engine(EngineConfig(database_url=f"sqlite:///{tmp_path}/t.db"))
    try:
        yield eng
    finally:
        eng.close()


@pytest.fixture
def client(engine: Engine) -> Iterator[TestClient]:
    with TestClient(create_app(engine)) as test_client:
        yield test_client


@pytest.fixture
def deploy(client: TestClient) -> Deploy:
    """Deploy resource files from tests/resources/api; returns the response JSON."""

    def _deploy(*names: str, name: str = "test", **fields: str) -> dict[str, Any]:
        files = [(f"resource-{i}", (n, resource(n), "application/octet-stream")) for i, n in enumerate(names)]
        data = {"deployment-name": name, **fields}
        response = client.post(f"{BASE}/deployment/create", data=data, files=files)
        assert response.status_code == 200, response.text
        result: dict[str, Any] = response.json()
        return result

    return _deploy


@pytest.fixture
def start(client: TestClient) -> Start:
    """Start the latest version of ``key``; returns the response JSON."""

    def _start(key: str, **body: Any) -> dict[str, Any]:
        response = client.post(f"{BASE}/process-definition/key/{key}/start", json=body)
        assert response.status_code == 200, response.text
        result: dict[str, Any] = response.json()
        return result

    return _start
