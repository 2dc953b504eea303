"""Database connections: SQLAlchemy engine creation and the per-dialect connection setup.

SQLite (the embedded default) runs in WAL mode and every write transaction starts with
``BEGIN IMMEDIATE``: a deferred transaction that reads and then writes fails at once with
SQLITE_BUSY when another connection committed in between, ignoring busy_timeout.
PostgreSQL runs at READ COMMITTED, as Camunda requires.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.pool import StaticPool

__all__ = ["WRITE_OPTION", "create_db_engine", "is_sqlite"]

WRITE_OPTION = "cadenza_write"
"""Connection execution option: this transaction will write (SQLite: BEGIN IMMEDIATE)."""


def is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def create_db_engine(url: str, *, sqlite_synchronous: str = "FULL") -> sa.Engine:
    """An SQLAlchemy engine for ``url`` with Cadenza's connection settings applied."""
    if not is_sqlite(url):
        parsed = make_url(url)
        if parsed.drivername == "postgresql":
            parsed = parsed.set(drivername="postgresql+psycopg")
        return sa.create_engine(
            parsed,
            pool_size=10,
            max_overflow=20,
            pool_pre_ping=True,
            isolation_level="READ COMMITTED",
        )
    engine = sa.create_engine(
        url,
        connect_args={"check_same_thread": False, "timeout": 30},
        # the pool hands a connection to one thread at a time; an in-memory database must be
        # a single shared connection or each checkout would see an empty database
        **({"poolclass": StaticPool} if ":memory:" in url else {"pool_size": 8, "max_overflow": 16}),
    )
    synchronous = sqlite_synchronous.upper()
    if synchronous not in {"OFF", "NORMAL", "FULL", "EXTRA"}:
        raise ValueError(f"unknown SQLite synchronous mode {sqlite_synchronous!r}")

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # take transaction control away from the sqlite3 module; we emit BEGIN ourselves
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA synchronous={synchronous}")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: sa.Connection) -> None:
        write = connection.get_execution_options().get(WRITE_OPTION, False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")

    return engine
