"""Alembic migrations on SQLite and PostgreSQL: upgrading an empty database yields exactly the
schema of ``store.tables.metadata``, and upgrading again changes nothing."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory

from cadenza.config import EngineConfig
from cadenza.services import DeploymentQuery, Engine
from cadenza.store.migrate import alembic_config
from cadenza.store.tables import metadata
from conftest import IN_CI, POSTGRES_URL, RESOURCES, _postgres_problem


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgresql)])
def empty_db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database with no tables at all: a new SQLite file or a new PostgreSQL database."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'empty.db'}"
        return
    problem = _postgres_problem()
    if problem is not None:
        if IN_CI:
            pytest.fail(problem)
        pytest.skip(problem)
    name = f"cadenza_migration_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield sa.engine.make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _schema_diff(engine: Engine) -> list[object]:
    with engine.store.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return list(compare_metadata(context, metadata))


def _current_revision(engine: Engine) -> str | None:
    with engine.store.engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def _head() -> str | None:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def test_upgrade_empty_database_creates_exactly_the_table_metadata(empty_db_url: str) -> None:
    with Engine(EngineConfig(database_url=empty_db_url), upgrade_schema=False) as engine:
        assert sa.inspect(engine.store.engine).get_table_names() == []

        engine.store.upgrade()

        assert _schema_diff(engine) == []
        assert _current_revision(engine) == _head()
        names = set(sa.inspect(engine.store.engine).get_table_names())
        assert names == set(metadata.tables) | {"alembic_version"}


def test_upgrade_twice_is_a_no_op_and_keeps_data(empty_db_url: str) -> None:
    with Engine(EngineConfig(database_url=empty_db_url)) as engine:
        invoice = RESOURCES / "repository" / "invoice.bpmn"
        deployed = engine.repository.deploy([(invoice.name, invoice.read_bytes())], name="kept")

        engine.store.upgrade()

        assert _schema_diff(engine) == []
        assert _current_revision(engine) == _head()
        assert [d.id for d in engine.repository.query_deployments(DeploymentQuery())] == [
            deployed.deployment.id
        ]
    # a second engine on the same database (as on restart) upgrades nothing either
    with Engine(EngineConfig(database_url=empty_db_url)) as restarted:
        assert restarted.repository.count_deployments(DeploymentQuery(name="kept")) == 1
