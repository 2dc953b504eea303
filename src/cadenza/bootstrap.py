"""Composition root: settings -> store -> engine services -> REST app and web Cockpit (and later
the job executor). The only module that knows every layer."""

from __future__ import annotations

from dataclasses import dataclass

from cadenza.api.app import create_app
from cadenza.clock import Clock
from cadenza.config import EngineConfig
from cadenza.services import Engine
from cadenza.web import mount_cockpit

__all__ = ["Node", "build_node"]


@dataclass
class Node:
    """One running Cadenza node: the engine and its ASGI app."""

    engine: Engine
    app: object


def build_node(config: EngineConfig, *, clock: Clock | None = None) -> Node:
    """Open the database (creating/upgrading its schema) and build the REST app (with the
    Cockpit at ``/``) on it."""
    engine = Engine(config, clock=clock)
    app = create_app(engine)
    mount_cockpit(app)  # the web Cockpit/Tasklist at /, a client of /engine-rest
    return Node(engine=engine, app=app)
