"""The execution core: pure Python, no I/O.

``state`` holds the runtime dataclasses, ``lifecycle`` the token operations run on the
``context``'s agenda, ``behaviors`` what each node type does, ``variables`` the scope rules and
expression bridge, ``validation`` the deploy-time checks. Persistence is reached only through
the Protocols in ``ports``.
"""

from __future__ import annotations

__all__: list[str] = []
