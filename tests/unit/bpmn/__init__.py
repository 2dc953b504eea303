"""Unit tests of the BPMN parser (package, so test module names may repeat across test trees)."""

from __future__ import annotations

__all__: list[str] = []
