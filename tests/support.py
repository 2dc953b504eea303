"""Paths and helpers shared by test modules (import as ``tests.support``)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

__all__ = ["CORPUS", "IN_CI", "POSTGRES_URL", "RESOURCES", "ROOT", "SHARED", "require_corpus"]

ROOT = Path(__file__).resolve().parents[1]
RESOURCES = Path(__file__).resolve().parent / "resources"
SHARED = Path(os.environ.get("CADENZA_SHARED_DIR", ROOT.parent / "shared"))
CORPUS = SHARED / "corpus"
IN_CI = os.environ.get("CI", "").lower() == "true"
POSTGRES_URL = os.environ.get(
    "CADENZA_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)


def require_corpus() -> Path:
    """The shared corpus folder; skip (or fail under CI=true) when it is absent."""
    if not CORPUS.is_dir():
        if IN_CI:
            pytest.fail(f"shared corpus not found at {CORPUS} (CI=true requires it)")
        pytest.skip(f"shared corpus not available at {CORPUS} (a fresh clone without ../shared)")
    return CORPUS
