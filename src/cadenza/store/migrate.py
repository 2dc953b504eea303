"""Schema migrations with Alembic, run programmatically (no alembic.ini needed).

One migration tree serves SQLite and PostgreSQL (``render_as_batch`` lets SQLite alter tables).
"""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.config import Config

__all__ = ["alembic_config", "upgrade"]

_HERE = Path(__file__).parent / "migrations"


def alembic_config(connection: sa.Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(_HERE))
    config.attributes["connection"] = connection
    return config


def upgrade(engine: sa.Engine, revision: str = "head") -> None:
    """Bring the database behind ``engine`` to ``revision`` (default: the newest)."""
    with engine.connect().execution_options(cadenza_write=True) as connection, connection.begin():
        command.upgrade(alembic_config(connection), revision)
