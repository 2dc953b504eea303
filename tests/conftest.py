"""Shared fixtures: an engine on SQLite (file in tmp_path) or PostgreSQL, a settable clock,
a ``deploy`` helper, and the location of the shared corpus.

PostgreSQL: tests that take the ``db_url`` fixture run twice, once per database. The
PostgreSQL variant uses ``CADENZA_TEST_POSTGRES_URL`` (default
``postgresql+psycopg://postgres@127.0.0.1:5432/test``); when no server answers it is skipped
with the reason, except under ``CI=true``, where a missing PostgreSQL fails the run.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from tests.support import (  # noqa: F401  (re-exported for test modules)
    CORPUS,
    IN_CI,
    POSTGRES_URL,
    RESOURCES,
    ROOT,
    SHARED,
    require_corpus,
)

from cadenza.clock import SettableClock
from cadenza.config import EngineConfig
from cadenza.services import DeploymentResult, Engine

_postgres_checked: dict[str, str | None] = {}


def _postgres_problem() -> str | None:
    """None if the test PostgreSQL answers, else why not (checked once per run)."""
    if "result" not in _postgres_checked:
        try:
            engine = sa.create_engine(POSTGRES_URL)
            with engine.connect() as connection:
                connection.execute(sa.text("select 1"))
            engine.dispose()
            _postgres_checked["result"] = None
        except Exception as error:  # any failure to connect means: no PostgreSQL here
            _postgres_checked["result"] = f"PostgreSQL not reachable at {POSTGRES_URL}: {error}"
    return _postgres_checked["result"]


@pytest.fixture(scope="session")
def postgres_database() -> Iterator[str]:
    """A fresh database for this test session on the test server, dropped at the end."""
    problem = _postgres_problem()
    if problem is not None:
        if IN_CI:
            pytest.fail(f"{problem} (CI=true requires PostgreSQL)")
        pytest.skip(problem)
    name = f"cadenza_test_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    url = sa.engine.make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)
    try:
        yield url
    finally:
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _truncate_all(url: str) -> None:
    from cadenza.store.tables import metadata

    engine = sa.create_engine(url)
    with engine.begin() as connection:
        names = ", ".join(f'"{t.name}"' for t in metadata.sorted_tables)
        connection.execute(sa.text(f"TRUNCATE {names}"))
    engine.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgresql)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A database URL: a new SQLite file, or the session's PostgreSQL database emptied."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'cadenza.db'}"
    url: str = request.getfixturevalue("postgres_database")
    Engine(EngineConfig(database_url=url)).close()  # make sure the schema exists
    _truncate_all(url)
    return url


@pytest.fixture
def clock() -> SettableClock:
    return SettableClock(datetime(2026, 1, 15, 10, 0, 0, tzinfo=UTC))


@pytest.fixture
def engine(db_url: str, clock: SettableClock) -> Iterator[Engine]:
    """An engine on each database (SQLite file, PostgreSQL) with a settable clock."""
    with Engine(EngineConfig(database_url=db_url, sqlite_synchronous="NORMAL"), clock=clock) as e:
        yield e


@pytest.fixture
def sqlite_engine(tmp_path: Path, clock: SettableClock) -> Iterator[Engine]:
    """An engine on SQLite only (for tests that do not depend on the database)."""
    url = f"sqlite:///{tmp_path / 'cadenza.db'}"
    with Engine(EngineConfig(database_url=url, sqlite_synchronous="NORMAL"), clock=clock) as e:
        yield e


Deploy = Callable[..., DeploymentResult]


@pytest.fixture
def deploy(engine: Engine) -> Deploy:
    """Deploy resources by path (relative to tests/resources) or as (name, bytes) pairs."""

    def _deploy(*resources: str | Path | tuple[str, bytes], name: str = "test") -> DeploymentResult:
        items: list[tuple[str, bytes]] = []
        for resource in resources:
            if isinstance(resource, tuple):
                items.append(resource)
            else:
                path = Path(resource)
                if not path.is_absolute():
                    path = RESOURCES / path
                items.append((path.name, path.read_bytes()))
        return engine.repository.deploy(items, name=name)

    return _deploy
