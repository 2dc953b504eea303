"""REST layer tests.

Starlette 1.x prefers ``httpx2`` for its TestClient and warns when it falls back to ``httpx``
(which still works). The project runs with warnings as errors, so that one warning is silenced
here, before any test module imports the TestClient.
"""

from __future__ import annotations

import warnings

from starlette.exceptions import StarletteDeprecationWarning

warnings.filterwarnings(
    "ignore",
    message="Using `httpx` with `starlette.testclient`",
    category=StarletteDeprecationWarning,
)
