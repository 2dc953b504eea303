"""Unit tests of the FEEL interpreter (package, so test module names may repeat)."""

from __future__ import annotations
