"""Camunda 7 REST compatibility layer (FastAPI). Talks to the engine only through services."""

from __future__ import annotations

from .app import create_app

__all__ = ["create_app"]
