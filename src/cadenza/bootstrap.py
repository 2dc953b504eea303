"""Composition root: settings -> store -> engine services -> REST app (and later the job
executor). The only module that knows every layer."""

from __future__ import annotations

from dataclasses import dataclass

from cadenza.api.app import create_app
from cadenza.clock import Clock
from cadenza.config import EngineConfig
from cadenza.services import Engine

__all__ = ["Node", "build_node"]


@dataclass
class Node:
    """One running Cadenza node: the engine and its ASGI app."""

    engine: Engine
    app: object


def build_node(config: EngineConfig, *, clock: Clock | None = None) -> Node:
    """Open the database (creating/upgrading its schema) and build the REST app on it."""
    engine = Engine(config, clock=clock)
    app = create_app(engine)
    return Node(engine=engine, app=app)
