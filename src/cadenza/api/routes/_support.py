"""Small helpers shared by the routers: error re-labelling and list/count rendering."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from cadenza.errors import EngineError, NotFoundError

__all__ = ["as_not_found", "error_prefix"]


@contextmanager
def error_prefix(prefix: str) -> Iterator[None]:
    """Prefix engine errors as Camunda's resources do (``"Cannot put ... variable x: "``).

    Client errors keep their status and type; engine failures (5xx) become a 500
    ``RestException`` carrying the cause's code, as Camunda wraps them.
    """
    try:
        yield
    except EngineError as exc:
        if exc.message.startswith(prefix):
            raise
        if exc.status >= 500:
            raise EngineError(
                prefix + exc.message, camunda_type="RestException", status=500, code=exc.code
            ) from exc
        raise EngineError(
            prefix + exc.message, camunda_type=exc.camunda_type, status=exc.status, code=exc.code
        ) from exc


@contextmanager
def as_not_found(camunda_type: str, message: str | None = None) -> Iterator[None]:
    """Answer a service ``NotFoundError`` as Camunda's endpoint does: 404 with its type."""
    try:
        yield
    except NotFoundError as exc:
        raise EngineError(message or exc.message, camunda_type=camunda_type, status=404, code=None) from exc
