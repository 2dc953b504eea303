"""Cadenza: a BPMN 2.0 process engine that speaks the Camunda 7 REST API.

The supported Python surface: ``Engine`` (``cadenza.services``) with its repository, runtime,
external task and task services, ``EngineConfig``, the clocks and the error classes.
"""

from __future__ import annotations

__version__ = "0.1.0"

from cadenza.clock import Clock, SettableClock, SystemClock
from cadenza.config import EngineConfig
from cadenza.errors import (
    BadUserRequestError,
    EngineError,
    NotFoundError,
    OptimisticLockError,
    ParseError,
    ProcessEngineError,
)

__all__ = [
    "BadUserRequestError",
    "Clock",
    "EngineConfig",
    "EngineError",
    "NotFoundError",
    "OptimisticLockError",
    "ParseError",
    "ProcessEngineError",
    "SettableClock",
    "SystemClock",
    "__version__",
]
