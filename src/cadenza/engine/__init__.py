"""The execution core: pure Python, no I/O.

``state`` holds the runtime dataclasses, ``lifecycle`` the token operations run on the
``context``'s agenda, ``behavior`` the hooks through which ``lifecycle`` runs what each node type
does (``behaviors``), ``variables`` the scope rules and expression bridge, ``validation`` the
deploy-time checks, ``user_tasks`` / ``external_tasks`` / ``job_handlers`` the commands on wait
states. Persistence is reached only through the Protocols in ``ports``; what a command did
leaves the core as the typed ``records`` it emits on the context.

The modules form layers, innermost first (pyproject contract "Engine inner layers"): state and
timers → definitions, retries → records → ports → context → variables → triggers, incidents,
called instances → executions, behavior, activity instances, suspension → lifecycle → error
propagation, firing → behaviors → the commands and validation.
"""

from __future__ import annotations

# fills the behavior table ``engine.behavior`` reads (the behaviors import the lifecycle, so the
# lifecycle cannot import them): whoever imports the engine gets every node type's behavior
from cadenza.engine import behaviors as behaviors

__all__: list[str] = []
