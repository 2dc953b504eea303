"""Stage 2 of parsing: one executable ``<process>`` walked into a ``model.Process``.

Part of the ``bpmn`` layer. ``ProcessBuilder`` owns what every flow element shares: the walk
over a scope, sequence flows and their conditions, the fields every node has (name, async
flags, io, multi-instance, documentation), and the collected problems. What is particular to
one element family lives in its handler in ``elements/``; the builder only looks handlers up
by qualified tag, so adding an element never touches this module. ``validate.py`` then checks
the built model as a whole.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Set
from dataclasses import dataclass
from typing import Any

from lxml import etree

from cadenza.bpmn import camunda as ext
from cadenza.bpmn.model import (
    Activity,
    BoundaryEvent,
    ErrorDefinition,
    EscalationDefinition,
    FlowNode,
    MultiInstance,
    Process,
    SequenceFlow,
    StartEvent,
    SubProcess,
)
from cadenza.bpmn.namespaces import bpmn, local_name
from cadenza.bpmn.problems import construct_name, labelled, not_supported, shorten
from cadenza.bpmn.tree import bpmn_children, child_elements, element_text, line_of
from cadenza.bpmn.validate import RefusedElement, validate_process
from cadenza.errors import Problem

__all__ = [
    "IO_AND_PROPERTIES",
    "NODE_IGNORED",
    "Handler",
    "NodeSpec",
    "ProcessBuilder",
    "documentation_of",
    "is_event_sub_process",
    "retry_time_cycle",
]


@dataclass
class NodeSpec:
    """What a handler extracted from one flow element: the model class and its own fields.

    The builder adds ``id``, ``scope_id``, ``incoming`` and ``outgoing`` (and, for sub-processes,
    ``node_ids`` and ``start_event_id``) once all sequence flows are known.
    """

    cls: type[FlowNode]
    fields: dict[str, Any]


Handler = Callable[["ProcessBuilder", etree._Element, str], "NodeSpec | None"]
"""``handler(builder, element, node_id)``: a ``NodeSpec``, or None after reporting a problem."""

# Children of a flow node (or sub-process) that carry nothing the engine needs.
NODE_IGNORED = frozenset(
    {
        "documentation",
        "extensionElements",
        "incoming",
        "outgoing",
        "ioSpecification",
        "dataInputAssociation",
        "dataOutputAssociation",
        "dataInput",
        "dataOutput",
        "inputSet",
        "outputSet",
        "property",
        "auditing",
        "monitoring",
        "multiInstanceLoopCharacteristics",
    }
)

# Elements that are activities: only they carry multi-instance loop characteristics.
_ACTIVITY_TAGS = frozenset(
    {
        "task",
        "manualTask",
        "serviceTask",
        "sendTask",
        "businessRuleTask",
        "userTask",
        "receiveTask",
        "subProcess",
        "callActivity",
    }
)

# Children of a process or sub-process that are not flow elements: artifacts and data.
_SCOPE_IGNORED = NODE_IGNORED | frozenset(
    {
        "laneSet",
        "textAnnotation",
        "association",
        "group",
        "dataObject",
        "dataObjectReference",
        "dataStoreReference",
    }
)

IO_AND_PROPERTIES = frozenset({"inputOutput", "properties"})
"""The Camunda extension elements every flow node may carry."""


class ProcessBuilder:
    """Builds one executable ``Process`` and collects its problems.

    Flow elements are dispatched through ``handlers`` (``{qualified tag: handler}``, the parser
    passes ``elements.ELEMENT_HANDLERS``); a tag without a handler is reported as unsupported.
    Handlers use the builder's helpers (``report``, ``node_fields``, ``common_fields``,
    ``extensions``, ``check_children``, ``parse_scope``).
    """

    def __init__(
        self,
        element: etree._Element,
        handlers: Mapping[str, Handler],
        errors: Mapping[str, ErrorDefinition],
        used_ids: Set[str] = frozenset(),
        escalations: Mapping[str, EscalationDefinition] | None = None,
        messages: Mapping[str, str] | None = None,
        signals: Mapping[str, str] | None = None,
    ) -> None:
        self.element = element
        self.handlers = handlers
        self.messages: Mapping[str, str] = messages or {}
        self.signals: Mapping[str, str] = signals or {}
        self.errors = errors
        self.escalations: Mapping[str, EscalationDefinition] = escalations or {}
        self.used_ids = used_ids
        """Every id in the resource, so generated ids never collide."""
        self._generated = 0
        self.problems: list[Problem] = []
        self.lines: dict[str, int] = {}
        self.specs: dict[str, NodeSpec | None] = {}
        self.scope_of: dict[str, str] = {}
        self.children: dict[str, list[str]] = {}
        self.flows: dict[str, SequenceFlow] = {}
        self.refused: dict[str, RefusedElement] = {}

    # ── reporting helpers ──────────────────────────────────────────────────────────────────

    def report(self, message: str, element: etree._Element | None, element_ids: tuple[str, ...]) -> None:
        line = line_of(element) if element is not None else 0
        self.problems.append(Problem(message, element_ids, line))

    def refuse_child(self, child: etree._Element, owner_id: str) -> None:
        """Report an unsupported child element of the flow node ``owner_id``.

        Worded ``standardLoopCharacteristics on task 't' is not supported ...``.
        """
        child_id = child.get("id")
        ids = (owner_id, child_id) if child_id else (owner_id,)
        owner = child.getparent()
        where = f" on {labelled(owner)}" if owner is not None else ""
        self.report(not_supported(construct_name(child) + where), child, ids)

    def refuse_flow_element(self, child: etree._Element, scope_id: str) -> None:
        """Report an unsupported element directly inside a process or sub-process.

        Worded ``scriptTask 'Task_1' is not supported ...``; an element without an id is
        placed by its scope instead (``transaction in subProcess 'sp' ...``).
        """
        local = local_name(child.tag)
        child_id = child.get("id")
        scope = child.getparent()
        what = labelled(child)
        if not child_id and scope is not None:
            what = f"{what} in {labelled(scope)}"
        self.report(not_supported(what), child, (child_id or scope_id,))
        if child_id and child_id not in self.specs:
            self.refused.setdefault(child_id, RefusedElement(scope_id, local))

    # ── helpers for handlers ───────────────────────────────────────────────────────────────

    def check_children(
        self, element: etree._Element, node_id: str, allowed: frozenset[str] = frozenset()
    ) -> list[etree._Element]:
        """Report BPMN children that are neither ``allowed`` nor ignorable; return the allowed."""
        kept: list[etree._Element] = []
        for child, local in bpmn_children(element):
            if local in allowed:
                kept.append(child)
            elif local not in NODE_IGNORED:
                self.refuse_child(child, node_id)
        return kept

    def extensions(
        self,
        element: etree._Element,
        node_id: str,
        *,
        allow: frozenset[str] = IO_AND_PROPERTIES,
        ignore: frozenset[str] = frozenset(),
    ) -> ext.Extensions:
        return ext.read_extensions(element, node_id, self.report, allow=allow, ignore=ignore)

    def node_fields(
        self, element: etree._Element, node_id: str, *, default: bool = False, io_allowed: bool = True
    ) -> dict[str, Any]:
        """``common_fields`` of an element whose extensions hold nothing particular to it.

        ``io_allowed=False``: a ``camunda:inputOutput`` is refused (Camunda allows none on
        gateways, start and boundary events) and the node gets ``io=None``.
        """
        extensions = self.extensions(element, node_id)
        if not io_allowed and extensions.io is not None:
            local = shorten(local_name(element.tag))
            problem = f"camunda:inputOutput mapping unsupported for element type '{local}'"
            self.report(problem, element, (node_id,))
        fields = self.common_fields(element, extensions, default=default)
        if not io_allowed:
            fields["io"] = None
        return fields

    def common_fields(
        self, element: etree._Element, extensions: ext.Extensions, *, default: bool = False
    ) -> dict[str, Any]:
        """Fields every ``FlowNode`` has: name, async flags, io, properties, documentation."""
        # camunda:async is the pre-7.3 spelling of asyncBefore.
        before = ext.bool_attr(element, "asyncBefore", False) or ext.bool_attr(element, "async", False)
        fields: dict[str, Any] = {}
        if local_name(element.tag) in _ACTIVITY_TAGS:
            fields["multi_instance"] = self.multi_instance(element)
        return fields | {
            "name": element.get("name"),
            "async_before": before,
            "async_after": ext.bool_attr(element, "asyncAfter", False),
            "exclusive": ext.bool_attr(element, "exclusive", True),
            "io": extensions.io,
            "properties": extensions.properties,
            "documentation": documentation_of(element),
            "default_flow": (element.get("default") or None) if default else None,
            "retry_time_cycle": retry_time_cycle(element),
        }

    def multi_instance(self, element: etree._Element) -> MultiInstance | None:
        """``multiInstanceLoopCharacteristics`` of an activity, or None."""
        for child in child_elements(element):
            if child.tag != bpmn("multiInstanceLoopCharacteristics"):
                continue
            cardinality: str | None = None
            condition: str | None = None
            for part in child_elements(child):
                if part.tag == bpmn("loopCardinality"):
                    cardinality = element_text(part).strip() or None
                elif part.tag == bpmn("completionCondition"):
                    condition = element_text(part).strip() or None
            collection = ext.attr(child, "collection")
            element_variable = ext.attr(child, "elementVariable")
            for part in child_elements(child):
                if part.tag == bpmn("loopDataInputRef") and collection is None:
                    collection = element_text(part).strip() or None
                elif part.tag == bpmn("inputDataItem") and element_variable is None:
                    element_variable = part.get("name") or None
            if cardinality is None and collection is None:
                self.report(
                    "Either loopCardinality or collection must been set", child, (element.get("id") or "",)
                )
            return MultiInstance(
                sequential=(child.get("isSequential") or "").strip().lower() == "true",
                loop_cardinality=cardinality,
                collection=collection,
                element_variable=element_variable,
                completion_condition=condition,
            )
        return None

    # ── the walk ───────────────────────────────────────────────────────────────────────────

    def build(self) -> Process | None:
        element = self.element
        process_id = element.get("id")
        if not process_id:
            self.report("Element 'process' has no 'id' attribute", element, ())
            return None
        self.lines[process_id] = line_of(element)
        self.children[process_id] = []
        self.parse_scope(element, process_id)
        self.extensions(element, process_id, allow=frozenset({"properties"}))
        history_time_to_live: int | None = None
        ttl_text = ext.attr(element, "historyTimeToLive")
        if ttl_text is not None:
            try:
                history_time_to_live = ext.parse_history_time_to_live(ttl_text)
            except ValueError:
                self.report(
                    f"Cannot parse historyTimeToLive: {shorten(ttl_text)}",
                    element,
                    (process_id,),
                )
        nodes = self._finish_nodes()
        process = Process(
            id=process_id,
            name=element.get("name"),
            node_ids=tuple(self.children[process_id]),
            start_event_id=self._start_event_of(process_id),
            is_executable=True,
            version_tag=ext.attr(element, "versionTag"),
            history_time_to_live=history_time_to_live,
            task_priority=ext.attr(element, "taskPriority"),
            candidate_starter_users=ext.attr(element, "candidateStarterUsers"),
            candidate_starter_groups=ext.attr(element, "candidateStarterGroups"),
            startable_in_tasklist=ext.bool_attr(element, "isStartableInTasklist", True),
            nodes=nodes,
            flows=dict(self.flows),
            documentation=documentation_of(element),
        )
        self.problems.extend(validate_process(process, lines=self.lines, refused=self.refused))
        return process

    def parse_scope(self, element: etree._Element, scope_id: str) -> None:
        """Parse the flow elements directly inside a process or sub-process."""
        self.children.setdefault(scope_id, [])
        # other vendors' elements are skipped; XInclude was refused while loading
        for child, local in bpmn_children(element):
            handler = self.handlers.get(child.tag)
            if local == "sequenceFlow":
                self._parse_flow(child, scope_id)
            elif handler is not None:
                self._parse_node(child, scope_id, handler)
            elif local not in _SCOPE_IGNORED:
                self.refuse_flow_element(child, scope_id)

    def _parse_node(self, element: etree._Element, scope_id: str, handler: Handler) -> None:
        local = local_name(element.tag)
        node_id = element.get("id")
        if not node_id:
            self.report(f"Element '{shorten(local)}' has no 'id' attribute", element, ())
            return
        if node_id in self.specs or node_id in self.refused:
            return  # a duplicate id, reported by find_duplicate_ids
        self.lines[node_id] = line_of(element)
        self.specs[node_id] = None  # keeps document order for nodes of nested scopes
        self.scope_of[node_id] = scope_id
        spec = handler(self, element, node_id)
        if spec is None:
            del self.specs[node_id]
            self.refused[node_id] = RefusedElement(scope_id, local)
            return
        self.specs[node_id] = spec
        self.children[scope_id].append(node_id)

    def _parse_flow(self, element: etree._Element, scope_id: str) -> None:
        flow_id = element.get("id")
        if not flow_id:
            # The BPMN schema makes ids optional and Camunda deploys flows without one (its
            # engine tests do); the model needs a key, so generate one that is not taken.
            flow_id = self._generated_flow_id()
        if flow_id in self.flows:
            return
        self.lines[flow_id] = line_of(element)
        condition: str | None = None
        for child, local in bpmn_children(element):
            if local == "conditionExpression":
                condition = self._parse_condition(child, flow_id)
            elif local not in ("documentation", "extensionElements"):
                self.refuse_child(child, flow_id)
        self.extensions(element, flow_id, allow=frozenset({"properties"}))
        self.flows[flow_id] = SequenceFlow(
            id=flow_id,
            source_ref=element.get("sourceRef") or "",
            target_ref=element.get("targetRef") or "",
            name=element.get("name"),
            condition=condition,
            scope_id=scope_id,
        )

    def _generated_flow_id(self) -> str:
        while True:
            self._generated += 1
            candidate = f"_sequenceFlow{self._generated}"
            if candidate not in self.used_ids and candidate not in self.flows:
                return candidate

    def _parse_condition(self, element: etree._Element, flow_id: str) -> str | None:
        language = element.get("language")
        short_id = shorten(flow_id)
        if language is not None and language.strip().lower() not in ("", "juel"):
            self.report(
                f"Condition language '{shorten(language)}' of sequence flow '{short_id}' "
                "is not supported: Cadenza evaluates ${...} expressions only",
                element,
                (flow_id,),
            )
            return None
        if ext.attr(element, "resource") is not None:
            self.report(
                f"Script condition (camunda:resource) of sequence flow '{short_id}' "
                "is not supported by Cadenza",
                element,
                (flow_id,),
            )
            return None
        # Camunda trims the expression; an empty one is treated as no condition.
        return element_text(element).strip() or None

    def _finish_nodes(self) -> dict[str, FlowNode]:
        incoming: dict[str, list[str]] = {node_id: [] for node_id in self.specs}
        outgoing: dict[str, list[str]] = {node_id: [] for node_id in self.specs}
        for flow in self.flows.values():
            if flow.source_ref in outgoing:
                outgoing[flow.source_ref].append(flow.id)
            if flow.target_ref in incoming:
                incoming[flow.target_ref].append(flow.id)
        attached: dict[str, list[str]] = {}
        for node_id, spec in self.specs.items():
            if spec is not None and spec.cls is BoundaryEvent:
                attached.setdefault(spec.fields["attached_to"], []).append(node_id)
        nodes: dict[str, FlowNode] = {}
        for node_id, spec in self.specs.items():
            if spec is None:
                continue
            fields = dict(spec.fields)
            if issubclass(spec.cls, Activity):
                fields["boundary_event_ids"] = tuple(attached.get(node_id, ()))
            if spec.cls is SubProcess:
                fields["node_ids"] = tuple(self.children.get(node_id, ()))
                fields["start_event_id"] = self._start_event_of(node_id)
            nodes[node_id] = spec.cls(
                id=node_id,
                scope_id=self.scope_of[node_id],
                incoming=tuple(incoming[node_id]),
                outgoing=tuple(outgoing[node_id]),
                **fields,
            )
        return nodes

    def _start_event_of(self, scope_id: str) -> str | None:
        """The none start event of a scope (the only start event of an event sub-process)."""
        found: str | None = None
        for node_id in self.children.get(scope_id, ()):
            spec = self.specs.get(node_id)
            if spec is not None and spec.cls is StartEvent:
                if spec.fields.get("event_definition") is None:
                    return node_id
                found = found or node_id
        element_scope = self.specs.get(scope_id)
        if element_scope is not None and element_scope.fields.get("triggered_by_event"):
            return found
        return None


def documentation_of(element: etree._Element) -> str | None:
    """Text of the element's ``<documentation>`` children, joined by newlines."""
    texts = [
        element_text(child).strip() for child in child_elements(element) if child.tag == bpmn("documentation")
    ]
    joined = "\n".join(text for text in texts if text)
    return joined or None


def is_event_sub_process(element: etree._Element | None) -> bool:
    """True for ``<subProcess triggeredByEvent="true">`` (its start event needs a trigger)."""
    return (
        element is not None
        and element.tag == bpmn("subProcess")
        and (element.get("triggeredByEvent") or "").strip().lower() == "true"
    )


def retry_time_cycle(element: etree._Element) -> str | None:
    """``camunda:failedJobRetryTimeCycle`` of an element, None when absent or empty."""
    for container in child_elements(element):
        if container.tag != bpmn("extensionElements"):
            continue
        for child in child_elements(container):
            if local_name(child.tag) == "failedJobRetryTimeCycle":
                return element_text(child).strip() or None
    return None
