"""Composition root: settings -> store -> engine services -> REST app, web Cockpit and
the job executor. The only module that knows every layer."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from cadenza.api.app import LifespanHook, create_app
from cadenza.api.session import MIN_SECRET_LENGTH
from cadenza.clock import Clock
from cadenza.config import EngineConfig
from cadenza.jobs import JobExecutor
from cadenza.services import ADMIN_GROUP, Engine, Group, GroupQuery, User
from cadenza.web import mount_cockpit

__all__ = ["AdminBootstrapError", "Node", "build_node", "ensure_admin"]

AdminPrompt = Callable[[], tuple[str, str]]
"""asks an operator for the first administrator's ``(user id, password)``"""


class AdminBootstrapError(Exception):
    """Authentication is on, no user exists, and nobody said who the administrator is."""


def ensure_admin(
    engine: Engine,
    *,
    admin_user: str | None = None,
    admin_password: str | None = None,
    prompt: AdminPrompt | None = None,
) -> str | None:
    """With authentication on and no user yet, create the first administrator (a member of
    ``camunda-admin``) from the given id and password, else from ``prompt``; there is no
    built-in default password. Returns the id of the user created, if any.

    Raises:
        AdminBootstrapError: no credentials given and no prompt possible.
    """
    if not engine.config.authentication_enabled or engine.identity.has_users():
        return None
    if not admin_user or not admin_password:
        if prompt is None:
            raise AdminBootstrapError(
                "Authentication is enabled but no user exists yet: set CADENZA_ADMIN_USER and "
                "CADENZA_ADMIN_PASSWORD (or --admin-user/--admin-password) to create the first "
                "administrator, or start interactively to be asked for them."
            )
        admin_user, admin_password = prompt()
        if not admin_user or not admin_password:
            raise AdminBootstrapError("The administrator needs a user id and a non-empty password.")
    engine.identity.create_user(User(admin_user), admin_password)
    if not engine.identity.query_groups(GroupQuery(id=ADMIN_GROUP)):
        engine.identity.create_group(Group(ADMIN_GROUP, "camunda BPM Administrators", "SYSTEM"))
    engine.identity.add_group_member(ADMIN_GROUP, admin_user)
    return admin_user


@dataclass
class Node:
    """One running Cadenza node: the engine and its ASGI app."""

    engine: Engine
    app: object


def build_node(
    config: EngineConfig,
    *,
    clock: Clock | None = None,
    admin_user: str | None = None,
    admin_password: str | None = None,
    admin_prompt: AdminPrompt | None = None,
    job_executor: bool = False,
    session_secret: str | None = None,
) -> Node:
    """Open the database (creating/upgrading its schema), make sure an administrator exists
    when authentication is on (``ensure_admin``) and build the REST app (with the Cockpit at
    ``/``) on it. With ``job_executor`` the app's lifespan starts and stops a ``JobExecutor``.
    ``session_secret`` signs the Cockpit's login sessions (random when None).

    Raises:
        ValueError: a ``session_secret`` shorter than 32 characters.
    """
    if session_secret is not None and len(session_secret) < MIN_SECRET_LENGTH:
        raise ValueError(f"The session secret must be at least {MIN_SECRET_LENGTH} characters long")
    engine = Engine(config, clock=clock)
    try:
        ensure_admin(engine, admin_user=admin_user, admin_password=admin_password, prompt=admin_prompt)
    except BaseException:
        engine.close()
        raise
    hooks: list[LifespanHook] = []
    if job_executor:
        executor = JobExecutor(engine)
        hooks.append((executor.start, executor.stop))
    app = create_app(engine, lifespan_hooks=hooks, session_secret=session_secret)
    mount_cockpit(app)  # the web Cockpit/Tasklist at /, a client of /engine-rest
    return Node(engine=engine, app=app)
