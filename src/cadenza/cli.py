"""Command line: ``cadenza run`` (REST server), ``cadenza db upgrade``, ``cadenza deploy``,
``cadenza version``.

Every option can also come from a ``CADENZA_*`` environment variable, so one command starts a
node: ``cadenza run`` listens on http://localhost:8080/engine-rest with ./cadenza.db.
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path

import typer

from cadenza import __version__
from cadenza.config import DEFAULT_DATABASE_URL, EngineConfig

__all__ = ["app", "main"]

app = typer.Typer(add_completion=False, help="Cadenza: a BPMN engine with the Camunda 7 REST API.")
db_app = typer.Typer(add_completion=False, help="Database schema management.")
app.add_typer(db_app, name="db")

_DB_HELP = "SQLAlchemy database URL: sqlite:///file.db (default) or postgresql+psycopg://user@host/db"


def _config(database_url: str, sqlite_synchronous: str, auth: bool = False) -> EngineConfig:
    return EngineConfig(
        database_url=database_url, sqlite_synchronous=sqlite_synchronous, authentication_enabled=auth
    )


def _prompt_admin() -> tuple[str, str]:
    typer.echo("Authentication is on and there is no user yet: create the first administrator.")
    user = str(typer.prompt("Administrator user id"))
    password = str(typer.prompt("Administrator password", hide_input=True, confirmation_prompt=True))
    return user, password


@app.command()
def run(
    host: str = typer.Option("127.0.0.1", envvar="CADENZA_HOST", help="Interface to listen on."),
    port: int = typer.Option(8080, envvar="CADENZA_PORT", help="TCP port."),
    database_url: str = typer.Option(DEFAULT_DATABASE_URL, envvar="CADENZA_DATABASE_URL", help=_DB_HELP),
    sqlite_synchronous: str = typer.Option(
        "FULL", envvar="CADENZA_SQLITE_SYNCHRONOUS", help="SQLite synchronous pragma (FULL or NORMAL)."
    ),
    log_level: str = typer.Option("info", envvar="CADENZA_LOG_LEVEL"),
    auth: bool = typer.Option(
        False, "--auth/--no-auth", envvar="CADENZA_AUTH", help="HTTP Basic authentication and authorization."
    ),
    admin_user: str | None = typer.Option(
        None, envvar="CADENZA_ADMIN_USER", help="First administrator's id (auth on, no user yet)."
    ),
    admin_password: str | None = typer.Option(
        None,
        envvar="CADENZA_ADMIN_PASSWORD",
        help="First administrator's password (prefer the variable).",
    ),
    session_secret: str | None = typer.Option(
        None,
        envvar="CADENZA_SESSION_SECRET",
        show_default=False,
        help="Signs web login sessions (32+ characters; same on every node). Random if unset.",
    ),
    job_executor: bool = typer.Option(
        True,
        "--job-executor/--no-job-executor",
        envvar="CADENZA_JOB_EXECUTOR",
        help="Run this node's job executor (async continuations, timers).",
    ),
) -> None:
    """Start the REST API at http://HOST:PORT/engine-rest (schema created/upgraded first)."""
    import uvicorn

    from cadenza.bootstrap import AdminBootstrapError, build_node

    logging.basicConfig(level=log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        node = build_node(
            _config(database_url, sqlite_synchronous, auth),
            admin_user=admin_user,
            admin_password=admin_password,
            admin_prompt=_prompt_admin if sys.stdin.isatty() else None,
            job_executor=job_executor,
            session_secret=session_secret or None,
        )
    except (AdminBootstrapError, ValueError) as error:
        typer.echo(f"cadenza: {error}", err=True)
        raise typer.Exit(2) from error
    mode = "authentication on" if auth else "authentication off"
    typer.echo(f"Cadenza {__version__} on http://{host}:{port}/engine-rest ({database_url}, {mode})")
    try:
        uvicorn.run(node.app, host=host, port=port, log_level=log_level.lower())  # type: ignore[arg-type]
    finally:
        node.engine.close()


@db_app.command("upgrade")
def db_upgrade(
    database_url: str = typer.Option(DEFAULT_DATABASE_URL, envvar="CADENZA_DATABASE_URL", help=_DB_HELP),
) -> None:
    """Create or upgrade the database schema to the newest version."""
    from cadenza.store import open_store

    store = open_store(EngineConfig(database_url=database_url))
    try:
        store.upgrade()
    finally:
        store.close()
    typer.echo("database schema is up to date")


@app.command()
def deploy(
    files: list[Path] = typer.Argument(..., exists=True, dir_okay=False, help="BPMN files."),
    name: str = typer.Option("cadenza-cli", help="Deployment name."),
    database_url: str = typer.Option(DEFAULT_DATABASE_URL, envvar="CADENZA_DATABASE_URL", help=_DB_HELP),
) -> None:
    """Deploy BPMN files straight into the database."""
    from cadenza.errors import EngineError
    from cadenza.services import Engine

    with Engine(EngineConfig(database_url=database_url)) as engine:
        try:
            result = engine.repository.deploy([(f.name, f.read_bytes()) for f in files], name=name)
        except EngineError as error:
            typer.echo(f"{error.camunda_type}: {error.message}", err=True)
            raise typer.Exit(1) from error
    typer.echo(f"deployment {result.deployment.id}")
    for definition in result.process_definitions:
        typer.echo(f"  {definition.id}")


@app.command()
def version() -> None:
    """Print the Cadenza version."""
    typer.echo(__version__)


def main() -> None:
    app()
