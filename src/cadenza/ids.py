"""Id generation (kernel layer): random UUIDs, as Camunda Run uses and as clients validate."""

from __future__ import annotations

import uuid

__all__ = ["new_id"]


def new_id() -> str:
    """A new UUID string (camunda-client validates several ids as UUIDs)."""
    return str(uuid.uuid4())
