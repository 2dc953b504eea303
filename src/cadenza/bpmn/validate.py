"""Structural checks of a parsed process: the rules a model must meet before it is deployed.

Part of the ``bpmn`` layer. The parser builds a ``Process`` first and then runs these checks on
it, so every rule here reads the model (plus line numbers and the ids of elements the parser
refused), never the XML. Each broken rule is one ``Problem`` naming the elements involved;
Camunda's wording is kept where Camunda has the same rule (``Invalid source '...' of sequence
flow '...'``, the exclusive gateway rules of ``BpmnParse.validateExclusiveGateway``).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from typing import NamedTuple

from cadenza.bpmn.model import (
    Activity,
    BoundaryEvent,
    EndEvent,
    ExclusiveGateway,
    FlowNode,
    Process,
    SequenceFlow,
    StartEvent,
    SubProcess,
)
from cadenza.bpmn.problems import shorten
from cadenza.errors import Problem

__all__ = ["RefusedElement", "find_duplicate_ids", "validate_process"]


class RefusedElement(NamedTuple):
    """An element of the process the parser did not turn into a node (reported already).

    Flows may still point at it; knowing it exists avoids a second, misleading problem.
    """

    scope_id: str
    local_name: str


def find_duplicate_ids(ids: Iterable[tuple[str, int]]) -> list[Problem]:
    """One problem per id used more than once (``ids`` are (id, line) in document order)."""
    seen: Counter[str] = Counter()
    problems: list[Problem] = []
    for element_id, line in ids:
        seen[element_id] += 1
        if seen[element_id] == 2:
            problems.append(Problem(f"Duplicate id '{shorten(element_id)}'", (element_id,), line))
    return problems


def validate_process(
    process: Process,
    *,
    lines: Mapping[str, int] | None = None,
    refused: Mapping[str, RefusedElement] | None = None,
) -> list[Problem]:
    """Check flows, default flows, start and end events of ``process`` and its sub-processes.

    Args:
        process: the parsed process (all scopes).
        lines: source line of each element id, for the problems' ``line``.
        refused: elements the parser reported as unsupported, by id.

    Returns:
        The problems found, in a stable order (flows, then nodes, then scopes).
    """
    checker = _Checker(process, lines or {}, refused or {})
    for flow in process.flows.values():
        checker.check_flow(flow)
    for node in process.nodes.values():
        checker.check_node(node)
    checker.check_start_events()
    return checker.problems


class _Checker:
    def __init__(
        self, process: Process, lines: Mapping[str, int], refused: Mapping[str, RefusedElement]
    ) -> None:
        self.process = process
        self.lines = lines
        self.refused = refused
        self.problems: list[Problem] = []

    def add(self, message: str, *element_ids: str) -> None:
        line = self.lines.get(element_ids[0], 0) if element_ids else 0
        self.problems.append(Problem(message, tuple(element_ids), line))

    def _scope_of(self, element_id: str) -> str | None:
        node = self.process.nodes.get(element_id)
        if node is not None:
            return node.scope_id
        refused = self.refused.get(element_id)
        return refused.scope_id if refused is not None else None

    # ── sequence flows ─────────────────────────────────────────────────────────────────────

    def check_flow(self, flow: SequenceFlow) -> None:
        for role, ref in (("source", flow.source_ref), ("target", flow.target_ref)):
            attribute = "sourceRef" if role == "source" else "targetRef"
            if not ref:
                self.add(f"Sequence flow '{shorten(flow.id)}' has no {attribute}", flow.id)
                continue
            scope = self._scope_of(ref)
            if scope is None:
                self.add(
                    f"Invalid {role} '{shorten(ref)}' of sequence flow '{shorten(flow.id)}'",
                    flow.id,
                    ref,
                )
            elif scope != flow.scope_id:
                self.add(
                    f"Sequence flow '{shorten(flow.id)}' crosses a scope boundary: its {role} "
                    f"'{shorten(ref)}' is not in the same (sub-)process as the flow",
                    flow.id,
                    ref,
                )

    # ── nodes ──────────────────────────────────────────────────────────────────────────────

    def check_node(self, node: FlowNode) -> None:
        if node.default_flow is not None and node.default_flow not in node.outgoing:
            self.add(
                f"Default sequence flow '{shorten(node.default_flow)}' of '{shorten(node.id)}' "
                "is not one of its outgoing sequence flows",
                node.id,
                node.default_flow,
            )
        if isinstance(node, StartEvent) and node.incoming:
            self.add(
                f"Start event '{shorten(node.id)}' must not have incoming sequence flows",
                node.id,
                *node.incoming,
            )
        if isinstance(node, EndEvent) and node.outgoing:
            self.add(
                f"End event '{shorten(node.id)}' must not have outgoing sequence flows",
                node.id,
                *node.outgoing,
            )
        if isinstance(node, ExclusiveGateway):
            self.check_exclusive_gateway(node)
        if isinstance(node, BoundaryEvent):
            self.check_boundary_event(node)
        if isinstance(node, SubProcess) and node.triggered_by_event and (node.incoming or node.outgoing):
            self.add(
                f"Event sub-process '{shorten(node.id)}' must not have incoming or outgoing sequence flows",
                node.id,
                *node.incoming,
                *node.outgoing,
            )

    def check_boundary_event(self, node: BoundaryEvent) -> None:
        target = self.process.nodes.get(node.attached_to)
        if target is None and node.attached_to in self.refused:
            return  # the attached element was refused already
        if not isinstance(target, Activity) or target.scope_id != node.scope_id:
            self.add(
                f"Invalid reference in 'attachedToRef' attribute of boundary event '{shorten(node.id)}': "
                f"'{shorten(node.attached_to)}' is not an activity in the same scope",
                node.id,
            )
        elif isinstance(target, SubProcess) and target.triggered_by_event:
            self.add(
                f"Boundary event '{shorten(node.id)}' cannot be attached to an event sub-process",
                node.id,
            )
        if node.incoming:
            self.add(
                f"Boundary event '{shorten(node.id)}' must not have incoming sequence flows",
                node.id,
                *node.incoming,
            )

    def check_exclusive_gateway(self, node: ExclusiveGateway) -> None:
        # Camunda 7 BpmnParse.validateExclusiveGateway, errors only (its warnings are dropped).
        name = shorten(node.id)
        if not node.outgoing:
            self.add(f"Exclusive Gateway '{name}' has no outgoing sequence flows.", node.id)
            return
        if len(node.outgoing) == 1:
            return
        without_condition: list[str] = []
        for flow_id in node.outgoing:
            flow = self.process.flows[flow_id]
            is_default = flow_id == node.default_flow
            if flow.condition is None and not is_default:
                without_condition.append(flow_id)
            if flow.condition is not None and is_default:
                self.add(
                    f"Exclusive Gateway '{name}' has outgoing sequence flow '{shorten(flow_id)}' "
                    "which is the default flow but has a condition too.",
                    node.id,
                    flow_id,
                )
        if node.default_flow is not None or len(without_condition) > 1:
            for flow_id in without_condition:
                self.add(
                    f"Exclusive Gateway '{name}' has outgoing sequence flow '{shorten(flow_id)}' "
                    "without condition which is not the default flow.",
                    node.id,
                    flow_id,
                )

    # ── scopes ─────────────────────────────────────────────────────────────────────────────

    def check_start_events(self) -> None:
        starts: dict[str, list[str]] = {self.process.id: []}
        for node in self.process.nodes.values():
            if isinstance(node, SubProcess):
                starts.setdefault(node.id, [])
        # an event sub-process is started by its one triggered start event (checked by the parser)
        triggered: set[str] = set()
        for node in self.process.nodes.values():
            if isinstance(node, StartEvent) and node.scope_id in starts:
                scope_node = self.process.nodes.get(node.scope_id)
                in_esp = isinstance(scope_node, SubProcess) and scope_node.triggered_by_event
                if node.event_definition is not None and not in_esp:
                    # message, timer and signal start events of the process: any number
                    triggered.add(node.scope_id)
                    continue
                starts[node.scope_id].append(node.id)
        refused_starts = {item.scope_id for item in self.refused.values() if item.local_name == "startEvent"}
        for scope_id, start_ids in starts.items():
            kind = "Process" if scope_id == self.process.id else "Sub-process"
            start_kind = "none start"
            scope_node = self.process.nodes.get(scope_id)
            if isinstance(scope_node, SubProcess) and scope_node.triggered_by_event:
                kind = "Event sub-process"
                start_kind = "start"
            if not start_ids:
                # A scope whose only start events were refused already has its problem.
                if scope_id not in refused_starts and scope_id not in triggered:
                    self.add(
                        f"{kind} '{shorten(scope_id)}' has no {start_kind} event; exactly one is required",
                        scope_id,
                    )
            elif len(start_ids) > 1:
                self.add(
                    f"{kind} '{shorten(scope_id)}' has {len(start_ids)} "
                    f"{start_kind} events; "
                    "exactly one is required",
                    scope_id,
                    *start_ids,
                )
