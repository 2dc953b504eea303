"""The flow elements Cadenza runs: one module per element family, one handler per tag.

Part of the ``bpmn`` layer. ``ELEMENT_HANDLERS`` maps a qualified BPMN tag to the function
that turns such an element into a ``NodeSpec`` (``builder.Handler``); a tag missing here is
reported as unsupported. Supporting a new element means writing its handler in the module of
its family (or a new one) and listing it in that module's ``HANDLERS``.
"""

from __future__ import annotations

from cadenza.bpmn.builder import Handler
from cadenza.bpmn.elements import events, gateways, sub_processes, tasks, user_tasks

__all__ = ["ELEMENT_HANDLERS"]


def _merge(*tables: dict[str, Handler]) -> dict[str, Handler]:
    merged: dict[str, Handler] = {}
    for table in tables:
        taken = merged.keys() & table.keys()
        if taken:  # two families claiming one tag is a programming error, caught at import
            raise RuntimeError(f"BPMN element handled twice: {sorted(taken)}")
        merged.update(table)
    return merged


ELEMENT_HANDLERS: dict[str, Handler] = _merge(
    events.HANDLERS,
    gateways.HANDLERS,
    tasks.HANDLERS,
    user_tasks.HANDLERS,
    sub_processes.HANDLERS,
)
"""Flow elements Cadenza runs, by qualified tag. A tag missing here is reported unsupported."""
