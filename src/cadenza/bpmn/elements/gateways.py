"""Handlers for gateways: exclusive, parallel, inclusive and event-based.

Part of the ``bpmn`` layer. A gateway carries no behaviour of its own in the XML beyond its
default flow; what a gateway does is the engine's business (``engine/behaviors/gateways.py``).
"""

from __future__ import annotations

from collections.abc import Callable

from lxml import etree

from cadenza.bpmn.builder import Handler, NodeSpec, ProcessBuilder
from cadenza.bpmn.model import (
    EventBasedGateway,
    ExclusiveGateway,
    FlowNode,
    InclusiveGateway,
    ParallelGateway,
)
from cadenza.bpmn.namespaces import bpmn

__all__ = ["HANDLERS"]


def _gateway(
    cls: type[FlowNode], *, default: bool
) -> Callable[[ProcessBuilder, etree._Element, str], NodeSpec | None]:
    def handle(builder: ProcessBuilder, element: etree._Element, node_id: str) -> NodeSpec | None:
        builder.check_children(element, node_id)
        return NodeSpec(cls, builder.node_fields(element, node_id, default=default, io_allowed=False))

    return handle


HANDLERS: dict[str, Handler] = {
    bpmn("exclusiveGateway"): _gateway(ExclusiveGateway, default=True),
    bpmn("parallelGateway"): _gateway(ParallelGateway, default=False),
    bpmn("inclusiveGateway"): _gateway(InclusiveGateway, default=True),
    bpmn("eventBasedGateway"): _gateway(EventBasedGateway, default=False),
}
