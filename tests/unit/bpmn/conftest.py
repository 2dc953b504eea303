"""Make ``cadenza`` importable from ``src/`` when the project is not installed in the venv."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

__all__: list[str] = []

_SRC = Path(__file__).resolve().parents[3] / "src"

if importlib.util.find_spec("cadenza") is None and _SRC.is_dir():
    sys.path.insert(0, str(_SRC))
