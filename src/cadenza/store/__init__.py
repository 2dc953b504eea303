"""Persistence (SQLAlchemy Core): SQLite by default, PostgreSQL for several nodes.

``open_store(config)`` gives a ``Store``: connections for reading, write transactions with a
unit of work, and the parsed-definition cache. Schema changes go through Alembic
(``store.migrations``); ``Store.upgrade()`` brings a database to the current schema.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy as sa
from sqlalchemy.exc import DataError, DBAPIError, IntegrityError, OperationalError

from cadenza.config import EngineConfig
from cadenza.errors import InvalidRequestError, OptimisticLockError
from cadenza.store.deployments import DefinitionCache
from cadenza.store.migrate import upgrade
from cadenza.store.session import WRITE_OPTION, create_db_engine, is_sqlite
from cadenza.store.unit_of_work import SqlUnitOfWork

__all__ = ["Store", "open_store"]

# PostgreSQL SQLSTATEs that mean "another transaction got there first": retry the command
_CONFLICT_STATES = {"40001", "40P01", "23505"}


class Store:
    def __init__(self, config: EngineConfig) -> None:
        self.config = config
        self.url = config.database_url
        self.is_sqlite = is_sqlite(self.url)
        self.engine = create_db_engine(self.url, sqlite_synchronous=config.sqlite_synchronous)
        self.definitions = DefinitionCache(self.engine, config.definition_cache_size)

    def upgrade(self) -> None:
        """Create or upgrade the schema to the newest migration."""
        upgrade(self.engine)

    @contextmanager
    def read(self) -> Iterator[sa.Connection]:
        """A connection for queries; its transaction is rolled back at the end."""
        with self.engine.connect() as connection:
            try:
                yield connection
            except DataError as error:
                raise _refused_value(error) from error

    @contextmanager
    def write(self) -> Iterator[SqlUnitOfWork]:
        """One write transaction: commit and flush on success, roll back on any error.

        Database conflicts (unique violations, serialization failures, deadlocks) surface as
        ``OptimisticLockError`` so the command runner retries them.
        """
        with self.engine.connect().execution_options(**{WRITE_OPTION: True}) as connection:
            try:
                with connection.begin():
                    uow = SqlUnitOfWork(connection)
                    yield uow
                    uow.flush()
            except IntegrityError as error:
                raise OptimisticLockError(f"Concurrent modification: {error.orig}") from error
            except DataError as error:
                raise _refused_value(error) from error
            except OperationalError as error:
                if _is_conflict(error):
                    raise OptimisticLockError(f"Concurrent modification: {error.orig}") from error
                raise

    def close(self) -> None:
        self.engine.dispose()


def _refused_value(error: DataError) -> InvalidRequestError:
    """A value the database cannot hold (PostgreSQL: a NUL character in text, a number out of
    range) is the request's fault: 400, naming the problem but not the SQL."""
    reason = str(error.orig).splitlines()[0] if error.orig is not None else "invalid value"
    return InvalidRequestError(f"The request contains a value the database cannot store: {reason}")


def _is_conflict(error: DBAPIError) -> bool:
    state = getattr(error.orig, "sqlstate", None)
    if state in _CONFLICT_STATES:
        return True
    return "database is locked" in str(error.orig)


def open_store(config: EngineConfig) -> Store:
    return Store(config)
