"""The BPMN 2.0 XML parser: hardened lxml load, then a table-driven walk building ``model`` objects.

Part of the ``bpmn`` layer (imports only ``cadenza.errors`` from cadenza). Two stages:

1. ``load_xml`` turns bytes into an lxml tree under the rules of reliability.md §1.3 item 4:
   size cap, explicit DOCTYPE refusal (raw prolog and ``docinfo``), no entity resolution, no
   network, no DTD loading, no XInclude, bounded element depth and count, and messages that
   never quote the resource.
2. ``ProcessBuilder`` walks each executable ``<process>``. Flow elements are dispatched through
   ``ELEMENT_HANDLERS`` (``{qualified tag: handler}``); a tag without a handler is reported as
   ``Element '<localName>' is not supported by Cadenza yet``. Supporting a new element means
   adding a handler there. Problems are collected, never raised one by one, and
   ``validate.py`` runs on the built model; ``parse_bpmn`` raises one ``ParseError`` listing all.
"""

from __future__ import annotations

import codecs
from collections.abc import Callable, Mapping, Set
from dataclasses import dataclass
from typing import Any

from lxml import etree

from cadenza.bpmn import camunda as ext
from cadenza.bpmn.model import (
    Activity,
    BoundaryEvent,
    CallActivity,
    CallParameter,
    Definitions,
    EndEvent,
    ErrorDefinition,
    ErrorEventDefinition,
    EscalationDefinition,
    EscalationEventDefinition,
    EventBasedGateway,
    EventDefinition,
    ExclusiveGateway,
    ExternalTaskImplementation,
    FlowNode,
    InclusiveGateway,
    IntermediateCatchEvent,
    IntermediateThrowEvent,
    ManualTask,
    MessageEventDefinition,
    MultiInstance,
    ParallelGateway,
    Process,
    ReceiveTask,
    SequenceFlow,
    ServiceTask,
    SignalEventDefinition,
    StartEvent,
    SubProcess,
    Task,
    TerminateEventDefinition,
    TimerEventDefinition,
    UserTask,
)
from cadenza.bpmn.namespaces import BPMN, XINCLUDE_NAMESPACES, bpmn, local_name, namespace_of
from cadenza.bpmn.validate import RefusedElement, find_duplicate_ids, validate_process
from cadenza.errors import ParseError, Problem

__all__ = [
    "DEFAULT_MAX_BYTES",
    "ELEMENT_HANDLERS",
    "MAX_DEPTH",
    "MAX_ELEMENTS",
    "Handler",
    "NodeSpec",
    "ProcessBuilder",
    "load_xml",
    "parse_bpmn",
]

DEFAULT_MAX_BYTES = 10 * 1024 * 1024
MAX_DEPTH = 200
"""Deepest element nesting accepted (real models stay far below 50)."""
MAX_ELEMENTS = 200_000
"""Most elements accepted in one resource (diagram shapes included)."""

_FEED_CHUNK = 64 * 1024

DOCTYPE_MESSAGE = "DOCTYPE is not allowed in BPMN resources"
XINCLUDE_MESSAGE = "XInclude is not allowed in BPMN resources"
_EXTERNAL_ONLY = 'is not supported: Cadenza runs external tasks only (camunda:type="external")'


class _RefusedError(Exception):
    """Internal: the resource is refused before any model is built."""

    def __init__(self, message: str, line: int = 0, column: int = 0) -> None:
        super().__init__(message)
        self.problem = Problem(message, (), line, column)


# ── stage 1: hardened XML loading ──────────────────────────────────────────────────────────────


def _decode_for_prolog(data: bytes) -> str:
    """Enough of a decoding to look at the prolog, whatever the (BOM-announced) encoding."""
    boms: tuple[tuple[bytes, str], ...] = (
        (codecs.BOM_UTF32_LE, "utf-32-le"),
        (codecs.BOM_UTF32_BE, "utf-32-be"),
        (codecs.BOM_UTF8, "utf-8"),
        (codecs.BOM_UTF16_LE, "utf-16-le"),
        (codecs.BOM_UTF16_BE, "utf-16-be"),
    )
    for bom, encoding in boms:
        if data.startswith(bom):
            return data[len(bom) :].decode(encoding, errors="replace")
    sniffed: tuple[tuple[bytes, str], ...] = (
        (b"<\x00\x00\x00", "utf-32-le"),
        (b"\x00\x00\x00<", "utf-32-be"),
        (b"<\x00", "utf-16-le"),
        (b"\x00<", "utf-16-be"),
    )
    for prefix, encoding in sniffed:
        if data.startswith(prefix):
            return data.decode(encoding, errors="replace")
    # Any ASCII-compatible encoding: markup characters keep their byte values.
    return data.decode("latin-1")


def _prolog_has_doctype(data: bytes) -> bool:
    """True when a ``<!DOCTYPE`` follows the optional BOM, XML declaration, PIs and comments."""
    text = _decode_for_prolog(data)
    position = 0
    while True:
        while position < len(text) and text[position] in " \t\r\n\ufeff":
            position += 1
        if text.startswith("<?", position):
            end = text.find("?>", position + 2)
            if end < 0:
                return False
            position = end + 2
        elif text.startswith("<!--", position):
            end = text.find("-->", position + 4)
            if end < 0:
                return False
            position = end + 3
        else:
            return text[position : position + 9].upper() == "<!DOCTYPE"


def _new_parser() -> etree.XMLPullParser:
    return etree.XMLPullParser(
        events=("start", "end"),
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        huge_tree=False,
        dtd_validation=False,
        attribute_defaults=False,
        remove_comments=True,
        remove_pis=True,
        collect_ids=False,
    )


def load_xml(xml: bytes, *, max_bytes: int = DEFAULT_MAX_BYTES) -> etree._Element:
    """Parse untrusted bytes into an lxml root element, or raise ``ParseError`` (no resource).

    Never resolves entities, loads DTDs, touches the network or the file system, or processes
    XInclude; refuses any DOCTYPE, oversized input and pathological nesting.
    """
    try:
        return _load(xml, max_bytes)
    except _RefusedError as refused:
        raise ParseError([refused.problem]) from None


def _load(xml: bytes, max_bytes: int) -> etree._Element:
    if len(xml) > max_bytes:
        raise _RefusedError(f"Resource is larger than the limit of {max_bytes} bytes")
    if not xml.strip():
        raise _RefusedError("Resource is empty")
    if _prolog_has_doctype(xml):
        raise _RefusedError(DOCTYPE_MESSAGE)
    parser = _new_parser()
    depth = 0
    count = 0
    try:
        for offset in range(0, len(xml), _FEED_CHUNK):
            parser.feed(xml[offset : offset + _FEED_CHUNK])
            for event, item in parser.read_events():
                if not isinstance(item, etree._Element):
                    continue
                element = item
                if event != "start":
                    depth -= 1
                    continue
                depth += 1
                count += 1
                line = ext.line_of(element)
                if depth > MAX_DEPTH:
                    raise _RefusedError(f"Resource nests elements deeper than {MAX_DEPTH}", line)
                if count > MAX_ELEMENTS:
                    raise _RefusedError(f"Resource has more than {MAX_ELEMENTS} elements", line)
                tag: object = element.tag
                if isinstance(tag, str) and namespace_of(tag) in XINCLUDE_NAMESPACES:
                    raise _RefusedError(XINCLUDE_MESSAGE, line)
        root = parser.close()
    except etree.XMLSyntaxError as error:
        line, column = _position(error)
        # libxml2's text may quote names or content from the resource: do not pass it on.
        raise _RefusedError("Resource is not well-formed XML", line, column) from None
    except (etree.LxmlError, ValueError, LookupError, UnicodeError, TypeError):
        raise _RefusedError("Resource is not well-formed XML") from None
    docinfo = root.getroottree().docinfo
    declared = [getattr(docinfo, name, None) for name in ("doctype", "system_url", "public_id")]
    if any(declared):
        # Reached only if the prolog scan was fooled (e.g. an exotic encoding).
        raise _RefusedError(DOCTYPE_MESSAGE)
    return root


def _position(error: etree.XMLSyntaxError) -> tuple[int, int]:
    position: object = getattr(error, "position", None)
    if isinstance(position, tuple) and len(position) == 2:
        line, column = position
        if isinstance(line, int) and isinstance(column, int):
            return line, column
    return 0, 0


# ── stage 2: model building ────────────────────────────────────────────────────────────────────


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
_NODE_IGNORED = frozenset(
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
_SCOPE_IGNORED = _NODE_IGNORED | frozenset(
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

_IO_AND_PROPERTIES = frozenset({"inputOutput", "properties"})


def _is_event_definition(local: str) -> bool:
    return local.endswith("EventDefinition") or local == "eventDefinitionRef"


class ProcessBuilder:
    """Builds one executable ``Process`` and collects its problems.

    Handlers in ``ELEMENT_HANDLERS`` use its helpers (``report``, ``common_fields``,
    ``extensions``, ``check_children``, ``parse_scope``).
    """

    def __init__(
        self,
        element: etree._Element,
        errors: Mapping[str, ErrorDefinition],
        used_ids: Set[str] = frozenset(),
        escalations: Mapping[str, EscalationDefinition] | None = None,
        messages: Mapping[str, str] | None = None,
        signals: Mapping[str, str] | None = None,
    ) -> None:
        self.element = element
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
        line = ext.line_of(element) if element is not None else 0
        self.problems.append(Problem(message, element_ids, line))

    def refuse_child(self, child: etree._Element, owner_id: str) -> None:
        """Report an unsupported child element of the flow node ``owner_id``."""
        child_id = child.get("id")
        ids = (owner_id, child_id) if child_id else (owner_id,)
        self.report(ext.unsupported_message(local_name(child.tag)), child, ids)

    def refuse_flow_element(self, child: etree._Element, scope_id: str) -> None:
        """Report an unsupported element directly inside a process or sub-process."""
        local = local_name(child.tag)
        child_id = child.get("id")
        self.report(ext.unsupported_message(local), child, (child_id or scope_id,))
        if child_id and child_id not in self.specs:
            self.refused.setdefault(child_id, RefusedElement(scope_id, local))

    # ── helpers for handlers ───────────────────────────────────────────────────────────────

    def check_children(
        self, element: etree._Element, node_id: str, allowed: frozenset[str] = frozenset()
    ) -> list[etree._Element]:
        """Report BPMN children that are neither ``allowed`` nor ignorable; return the allowed."""
        kept: list[etree._Element] = []
        for child in ext.child_elements(element):
            if namespace_of(child.tag) != BPMN:
                continue
            local = local_name(child.tag)
            if local in allowed:
                kept.append(child)
            elif local not in _NODE_IGNORED:
                self.refuse_child(child, node_id)
        return kept

    def extensions(
        self,
        element: etree._Element,
        node_id: str,
        *,
        allow: frozenset[str] = _IO_AND_PROPERTIES,
        ignore: frozenset[str] = frozenset(),
    ) -> ext.Extensions:
        return ext.read_extensions(element, node_id, self.report, allow=allow, ignore=ignore)

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
            "retry_time_cycle": _retry_time_cycle(element),
        }

    def multi_instance(self, element: etree._Element) -> MultiInstance | None:
        """``multiInstanceLoopCharacteristics`` of an activity, or None."""
        for child in ext.child_elements(element):
            if child.tag != bpmn("multiInstanceLoopCharacteristics"):
                continue
            cardinality: str | None = None
            condition: str | None = None
            for part in ext.child_elements(child):
                if part.tag == bpmn("loopCardinality"):
                    cardinality = ext.element_text(part).strip() or None
                elif part.tag == bpmn("completionCondition"):
                    condition = ext.element_text(part).strip() or None
            collection = ext.attr(child, "collection")
            element_variable = ext.attr(child, "elementVariable")
            for part in ext.child_elements(child):
                if part.tag == bpmn("loopDataInputRef") and collection is None:
                    collection = ext.element_text(part).strip() or None
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

    def refuse_io(self, element: etree._Element, node_id: str, io_present: bool) -> None:
        if io_present:
            local = ext.shorten(local_name(element.tag))
            self.report(
                f"camunda:inputOutput mapping unsupported for element type '{local}'",
                element,
                (node_id,),
            )

    # ── the walk ───────────────────────────────────────────────────────────────────────────

    def build(self) -> Process | None:
        element = self.element
        process_id = element.get("id")
        if not process_id:
            self.report("Element 'process' has no 'id' attribute", element, ())
            return None
        self.lines[process_id] = ext.line_of(element)
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
                    f"Cannot parse historyTimeToLive: {ext.shorten(ttl_text)}",
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
        for child in ext.child_elements(element):
            tag = child.tag
            if namespace_of(tag) != BPMN:
                continue  # other vendors' elements; XInclude was refused while loading
            local = local_name(tag)
            handler = ELEMENT_HANDLERS.get(tag)
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
            self.report(f"Element '{ext.shorten(local)}' has no 'id' attribute", element, ())
            return
        if node_id in self.specs or node_id in self.refused:
            return  # a duplicate id, reported by find_duplicate_ids
        self.lines[node_id] = ext.line_of(element)
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
        self.lines[flow_id] = ext.line_of(element)
        condition: str | None = None
        for child in ext.child_elements(element):
            if namespace_of(child.tag) != BPMN:
                continue
            local = local_name(child.tag)
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
        short_id = ext.shorten(flow_id)
        if language is not None and language.strip().lower() not in ("", "juel"):
            self.report(
                f"Condition language '{ext.shorten(language)}' of sequence flow '{short_id}' "
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
        return ext.element_text(element).strip() or None

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
        ext.element_text(child).strip()
        for child in ext.child_elements(element)
        if child.tag == bpmn("documentation")
    ]
    joined = "\n".join(text for text in texts if text)
    return joined or None


def _event_definitions(element: etree._Element) -> list[etree._Element]:
    return [
        child
        for child in ext.child_elements(element)
        if namespace_of(child.tag) == BPMN and _is_event_definition(local_name(child.tag))
    ]


# ── element handlers ───────────────────────────────────────────────────────────────────────────


def _is_event_sub_process(element: etree._Element | None) -> bool:
    return (
        element is not None
        and element.tag == bpmn("subProcess")
        and (element.get("triggeredByEvent") or "").strip().lower() == "true"
    )


def error_event_definition(builder: ProcessBuilder, definition: etree._Element) -> ErrorEventDefinition:
    """An ``errorEventDefinition`` with its code resolved as Camunda does (§3.1 item 3)."""
    ref = definition.get("errorRef") or None
    code: str | None = None
    message: str | None = None
    if ref is not None:
        error = builder.errors.get(ref)
        code = error.error_code if error is not None else ref
        message = error.error_message if error is not None else None
    return ErrorEventDefinition(
        error_ref=ref,
        error_code=code,
        error_message=message,
        error_code_variable=ext.attr(definition, "errorCodeVariable"),
        error_message_variable=ext.attr(definition, "errorMessageVariable"),
    )


def escalation_event_definition(
    builder: ProcessBuilder, definition: etree._Element
) -> EscalationEventDefinition:
    ref = definition.get("escalationRef") or None
    code: str | None = None
    if ref is not None:
        escalation = builder.escalations.get(ref)
        code = escalation.escalation_code if escalation is not None else ref
    return EscalationEventDefinition(
        escalation_ref=ref,
        escalation_code=code,
        escalation_code_variable=ext.attr(definition, "escalationCodeVariable"),
    )


def _retry_time_cycle(element: etree._Element) -> str | None:
    for container in ext.child_elements(element):
        if container.tag != bpmn("extensionElements"):
            continue
        for child in ext.child_elements(container):
            if local_name(child.tag) == "failedJobRetryTimeCycle":
                return ext.element_text(child).strip() or None
    return None


_TIMER_KINDS = ("timeDate", "timeDuration", "timeCycle")


def _local_ref(ref: str | None) -> str | None:
    """A reference attribute without its namespace prefix (``tns:newInvoice``), None if empty."""
    if not ref or not ref.strip():
        return None
    return ref.strip().rsplit(":", 1)[-1]


def catch_definition(
    builder: ProcessBuilder, definition: etree._Element, node_id: str
) -> TimerEventDefinition | MessageEventDefinition | SignalEventDefinition | None:
    """A timer, message or signal event definition; None after reporting a problem."""
    local = local_name(definition.tag)
    if local == "timerEventDefinition":
        found = [
            (local_name(child.tag), ext.element_text(child).strip())
            for child in ext.child_elements(definition)
            if namespace_of(child.tag) == BPMN and local_name(child.tag) in _TIMER_KINDS
        ]
        if len(found) != 1 or not found[0][1]:
            builder.report(
                "Timer needs exactly one of timeDate, timeDuration or timeCycle with a value",
                definition,
                (node_id,),
            )
            return None
        return TimerEventDefinition(found[0][0], found[0][1])
    if local == "messageEventDefinition":
        ref = _local_ref(definition.get("messageRef"))
        name = builder.messages.get(ref) if ref else None
        if not name:
            builder.report(
                f"Cannot have a message event definition without a message name ('{ext.shorten(node_id)}')",
                definition,
                (node_id,),
            )
            return None
        return MessageEventDefinition(ref, name)
    if local == "signalEventDefinition":
        ref = _local_ref(definition.get("signalRef"))
        name = builder.signals.get(ref) if ref else None
        if not name:
            builder.report(
                f"signalEventDefinition of '{ext.shorten(node_id)}' must reference a signal with a name",
                definition,
                (node_id,),
            )
            return None
        return SignalEventDefinition(ref, name, ext.bool_attr(definition, "async", False))
    builder.refuse_child(definition, node_id)
    return None


_CATCH_LOCALS = ("timerEventDefinition", "messageEventDefinition", "signalEventDefinition")


def _trigger_definition(
    builder: ProcessBuilder,
    element: etree._Element,
    node_id: str,
    *,
    what: str,
    catch: tuple[str, ...] = (),
) -> tuple[bool, EventDefinition | None]:
    """The single event definition of an event (error/escalation, plus the ``catch`` kinds);
    (False, None) after a problem."""
    definitions = _event_definitions(element)
    if not definitions:
        return True, None
    if len(definitions) > 1:
        builder.report(f"Multiple event definitions on {what} '{ext.shorten(node_id)}'", element, (node_id,))
        return False, None
    definition = definitions[0]
    if definition.tag == bpmn("errorEventDefinition"):
        return True, error_event_definition(builder, definition)
    if definition.tag == bpmn("escalationEventDefinition"):
        return True, escalation_event_definition(builder, definition)
    if local_name(definition.tag) in catch:
        found = catch_definition(builder, definition, node_id)
        return found is not None, found
    if local_name(definition.tag) == "compensateEventDefinition":
        builder.report(
            f"Compensation ('{ext.shorten(node_id)}') is not supported by Cadenza",
            definition,
            (node_id,),
        )
        return False, None
    builder.report(
        f"{ext.shorten(local_name(definition.tag))} on {what} '{ext.shorten(node_id)}' "
        "is not supported by Cadenza yet",
        definition,
        (node_id,),
    )
    return False, None


def _check_event_children(builder: ProcessBuilder, element: etree._Element, node_id: str) -> None:
    for child in ext.child_elements(element):
        if namespace_of(child.tag) == BPMN:
            local = local_name(child.tag)
            if not _is_event_definition(local) and local not in _NODE_IGNORED:
                builder.refuse_child(child, node_id)


def _start_event(builder: ProcessBuilder, element: etree._Element, node_id: str) -> NodeSpec | None:
    definitions = _event_definitions(element)
    parent = element.getparent()
    in_event_sub_process = _is_event_sub_process(parent)
    event_definition: EventDefinition | None = None
    if definitions:
        if not in_event_sub_process:
            if parent is None or parent.tag != bpmn("process"):
                # Only none start events start an embedded sub-process.
                for definition in definitions:
                    builder.refuse_child(definition, node_id)
                return None
            if len(definitions) != 1 or local_name(definitions[0].tag) not in _CATCH_LOCALS:
                for definition in definitions:
                    builder.refuse_child(definition, node_id)
                return None
            event_definition = catch_definition(builder, definitions[0], node_id)
            if event_definition is None:
                return None
        else:
            ok, event_definition = _trigger_definition(
                builder, element, node_id, what="start event", catch=_CATCH_LOCALS
            )
            if not ok:
                return None
    elif in_event_sub_process:
        builder.report(
            f"Event sub-process start event '{ext.shorten(node_id)}' needs an event definition "
            "(a none start event cannot trigger it)",
            element,
            (node_id,),
        )
        return None
    _check_event_children(builder, element, node_id)
    extensions = builder.extensions(element, node_id)
    builder.refuse_io(element, node_id, extensions.io is not None)
    fields = builder.common_fields(element, extensions)
    fields["io"] = None
    fields["form_key"] = ext.attr(element, "formKey")
    fields["initiator"] = ext.attr(element, "initiator")
    fields["event_definition"] = event_definition
    interrupting = (element.get("isInterrupting") or "true").strip().lower() != "false"
    if isinstance(event_definition, ErrorEventDefinition) and not interrupting:
        builder.report("Error start event of an event sub-process must be interrupting", element, (node_id,))
        return None
    fields["is_interrupting"] = interrupting
    return NodeSpec(StartEvent, fields)


def _end_event(builder: ProcessBuilder, element: etree._Element, node_id: str) -> NodeSpec | None:
    definitions = _event_definitions(element)
    event_definition: EventDefinition | None = None
    if len(definitions) == 1 and definitions[0].tag == bpmn("terminateEventDefinition"):
        event_definition = TerminateEventDefinition()
    elif _is_external_message_throw(element, definitions):
        return _external_task(builder, element, node_id)
    elif len(definitions) == 1 and definitions[0].tag == bpmn("messageEventDefinition"):
        pass  # Camunda: a message end event without an implementation ends like a none end event
    elif definitions:
        ok, trigger = _trigger_definition(
            builder, element, node_id, what="end event", catch=("signalEventDefinition",)
        )
        if not ok:
            return None
        event_definition = trigger
        if isinstance(trigger, ErrorEventDefinition) and not _throwable_error(
            builder, element, node_id, trigger
        ):
            return None
        if isinstance(trigger, EscalationEventDefinition) and trigger.escalation_code is None:
            builder.report("escalationCode is mandatory on a throwing escalation event", element, (node_id,))
            return None
    _check_event_children(builder, element, node_id)
    extensions = builder.extensions(element, node_id)
    if extensions.io is not None and extensions.io.outputs:
        builder.report("camunda:outputParameter not allowed for element type 'endEvent'", element, (node_id,))
    fields = builder.common_fields(element, extensions)
    fields["event_definition"] = event_definition
    return NodeSpec(EndEvent, fields)


def _throwable_error(
    builder: ProcessBuilder, element: etree._Element, node_id: str, definition: ErrorEventDefinition
) -> bool:
    # Camunda BpmnParse: a throwing error event needs an errorRef naming an error with a code.
    if definition.error_ref is None:
        builder.report("'errorRef' attribute is mandatory on error end event", element, (node_id,))
        return False
    if not definition.error_code:
        builder.report(
            "'errorCode' is mandatory on errors referenced by throwing error event definitions, "
            f"but the error '{ext.shorten(definition.error_ref)}' does not define one.",
            element,
            (node_id,),
        )
        return False
    return True


def _boundary_event(builder: ProcessBuilder, element: etree._Element, node_id: str) -> NodeSpec | None:
    attached_to = element.get("attachedToRef")
    if not attached_to:
        builder.report(
            f"Boundary event '{ext.shorten(node_id)}' has no 'attachedToRef' attribute", element, (node_id,)
        )
        return None
    ok, trigger = _trigger_definition(builder, element, node_id, what="boundary event", catch=_CATCH_LOCALS)
    if not ok:
        return None
    if isinstance(trigger, TerminateEventDefinition):
        builder.refuse_child(_event_definitions(element)[0], node_id)
        return None
    if trigger is None:
        builder.report(
            f"Boundary event '{ext.shorten(node_id)}' has no event definition", element, (node_id,)
        )
        return None
    cancel = (element.get("cancelActivity") or "true").strip().lower() != "false"
    if isinstance(trigger, ErrorEventDefinition) and not cancel:
        builder.report(
            'An error boundary event is always interrupting (cancelActivity="false" is not allowed)',
            element,
            (node_id,),
        )
        return None
    _check_event_children(builder, element, node_id)
    extensions = builder.extensions(element, node_id)
    builder.refuse_io(element, node_id, extensions.io is not None)
    fields = builder.common_fields(element, extensions)
    fields.update(io=None, attached_to=attached_to, event_definition=trigger, cancel_activity=cancel)
    return NodeSpec(BoundaryEvent, fields)


def _intermediate_throw_event(
    builder: ProcessBuilder, element: etree._Element, node_id: str
) -> NodeSpec | None:
    definitions = _event_definitions(element)
    if _is_external_message_throw(element, definitions):
        return _external_task(builder, element, node_id)
    if len(definitions) == 1 and definitions[0].tag == bpmn("messageEventDefinition"):
        # without an implementation it passes the token on like a none throw event
        _check_event_children(builder, element, node_id)
        fields = builder.common_fields(element, builder.extensions(element, node_id))
        fields["event_definition"] = None
        return NodeSpec(IntermediateThrowEvent, fields)
    ok, trigger = _trigger_definition(
        builder, element, node_id, what="intermediate throw event", catch=("signalEventDefinition",)
    )
    if not ok:
        return None
    if not isinstance(trigger, EscalationEventDefinition | SignalEventDefinition | None):
        builder.refuse_child(_event_definitions(element)[0], node_id)
        return None
    if isinstance(trigger, EscalationEventDefinition) and trigger.escalation_code is None:
        builder.report("escalationCode is mandatory on a throwing escalation event", element, (node_id,))
        return None
    _check_event_children(builder, element, node_id)
    extensions = builder.extensions(element, node_id)
    fields = builder.common_fields(element, extensions)
    fields["event_definition"] = trigger
    return NodeSpec(IntermediateThrowEvent, fields)


def _gateway(
    cls: type[FlowNode], *, default: bool
) -> Callable[[ProcessBuilder, etree._Element, str], NodeSpec | None]:
    def handle(builder: ProcessBuilder, element: etree._Element, node_id: str) -> NodeSpec | None:
        builder.check_children(element, node_id)
        extensions = builder.extensions(element, node_id)
        builder.refuse_io(element, node_id, extensions.io is not None)
        fields = builder.common_fields(element, extensions, default=default)
        fields["io"] = None
        return NodeSpec(cls, fields)

    return handle


def _pass_through_task(
    cls: type[FlowNode],
) -> Callable[[ProcessBuilder, etree._Element, str], NodeSpec | None]:
    def handle(builder: ProcessBuilder, element: etree._Element, node_id: str) -> NodeSpec | None:
        builder.check_children(element, node_id)
        extensions = builder.extensions(element, node_id)
        return NodeSpec(cls, builder.common_fields(element, extensions, default=True))

    return handle


def _external_task(builder: ProcessBuilder, element: etree._Element, node_id: str) -> NodeSpec | None:
    """serviceTask / sendTask / businessRuleTask: only ``camunda:type="external"`` runs."""
    local = local_name(element.tag)
    builder.check_children(element, node_id, frozenset({"messageEventDefinition"}))
    extensions = builder.extensions(
        element,
        node_id,
        allow=_IO_AND_PROPERTIES | {"errorEventDefinition", "connector"},
        ignore=frozenset({"field"}),
    )
    implementation: str | None = None
    # Camunda checks class, expression and delegateExpression before type: they win.
    for name in ("class", "delegateExpression", "expression", "decisionRef"):
        if ext.attr(element, name) is not None:
            implementation = f"camunda:{name}"
            break
    task_type = ext.attr(element, "type")
    if implementation is None and extensions.connector:
        implementation = "camunda:connector"
    if implementation is None and (task_type or "").lower() != "external":
        implementation = f'camunda:type="{ext.shorten(task_type)}"' if task_type else "no camunda:type"
    if implementation is not None:
        builder.report(
            f"{local} '{ext.shorten(node_id)}' ({implementation}) {_EXTERNAL_ONLY}",
            element,
            (node_id,),
        )
        return None
    topic = ext.attr(element, "topic")
    if topic is None or not topic.strip():
        builder.report(
            "External tasks must specify a 'topic' attribute in the camunda namespace",
            element,
            (node_id,),
        )
        return None
    error_definitions = tuple(
        ext.parse_error_event_definition(definition, builder.errors)
        for definition in extensions.error_event_definitions
    )
    fields = builder.common_fields(element, extensions, default=True)
    fields["external"] = ExternalTaskImplementation(
        topic=topic,
        priority=ext.attr(element, "taskPriority"),
        error_event_definitions=error_definitions,
    )
    fields["element_type"] = local
    return NodeSpec(ServiceTask, fields)


def split_expression_list(text: str) -> list[str]:
    """Split a comma-separated list, keeping commas inside ``${...}``/``#{...}`` together."""
    items: list[str] = []
    depth = 0
    current: list[str] = []
    for char in text:
        if char == "{":
            depth += 1
        elif char == "}" and depth:
            depth -= 1
        if char == "," and depth == 0:
            items.append("".join(current).strip())
            current = []
        else:
            current.append(char)
    items.append("".join(current).strip())
    return [item for item in items if item]


def _formal_expression(element: etree._Element) -> str | None:
    """Text of ``resourceAssignmentExpression/formalExpression`` under humanPerformer etc."""
    # Like Camunda, a performer without resourceAssignmentExpression (e.g. a resourceRef only,
    # as in the MIWG models) assigns nobody rather than failing the deployment.
    for assignment in ext.child_elements(element):
        if assignment.tag != bpmn("resourceAssignmentExpression"):
            continue
        for expression in ext.child_elements(assignment):
            if expression.tag in (bpmn("formalExpression"), bpmn("expression")):
                return ext.element_text(expression).strip() or None
    return None


def _user_task(builder: ProcessBuilder, element: etree._Element, node_id: str) -> NodeSpec | None:
    # A generic <performer> assigns nobody in Camunda either; it is accepted and ignored.
    kept = builder.check_children(
        element, node_id, frozenset({"humanPerformer", "potentialOwner", "rendering", "performer"})
    )
    extensions = builder.extensions(element, node_id)
    assignee: str | None = None
    users: list[str] = []
    groups: list[str] = []
    performers = [child for child in kept if child.tag == bpmn("humanPerformer")]
    if len(performers) > 1:
        builder.report(
            "Invalid task definition: multiple humanPerformer elements defined",
            performers[1],
            (node_id,),
        )
    if performers:
        assignee = _formal_expression(performers[0])
    for owner in (child for child in kept if child.tag == bpmn("potentialOwner")):
        text = _formal_expression(owner) or ""
        # Camunda: "user(x)" is a candidate user, "group(x)" and a bare name candidate groups.
        for item in split_expression_list(text):
            if item.startswith("user(") and item.endswith(")"):
                users.append(item[5:-1].strip())
            elif item.startswith("group(") and item.endswith(")"):
                groups.append(item[6:-1].strip())
            else:
                groups.append(item)
    camunda_assignee = ext.attr(element, "assignee")
    if camunda_assignee is not None:
        assignee = camunda_assignee  # parsed after humanPerformer in Camunda, so it wins
    for target, name in ((users, "candidateUsers"), (groups, "candidateGroups")):
        value = ext.attr(element, name)
        if value is not None and value.strip():
            target.append(value.strip())
    fields = builder.common_fields(element, extensions, default=True)
    fields.update(
        assignee=assignee,
        candidate_users=",".join(users) or None,
        candidate_groups=",".join(groups) or None,
        due_date=ext.attr(element, "dueDate"),
        follow_up_date=ext.attr(element, "followUpDate"),
        priority=ext.attr(element, "priority"),
        form_key=ext.attr(element, "formKey"),
    )
    return NodeSpec(UserTask, fields)


def _sub_process(builder: ProcessBuilder, element: etree._Element, node_id: str) -> NodeSpec | None:
    triggered = _is_event_sub_process(element)
    # Children are flow elements and the sub-process's own decorations (loop characteristics
    # are reported as unsupported by parse_scope).
    builder.parse_scope(element, node_id)
    extensions = builder.extensions(element, node_id)
    fields = builder.common_fields(element, extensions, default=True)
    fields["triggered_by_event"] = triggered
    return NodeSpec(SubProcess, fields)


def _call_activity(builder: ProcessBuilder, element: etree._Element, node_id: str) -> NodeSpec | None:
    builder.check_children(element, node_id)
    extensions = builder.extensions(
        element, node_id, allow=frozenset({"inputOutput", "properties", "in", "out"})
    )
    called = (element.get("calledElement") or "").strip()
    if not called:
        if ext.attr(element, "caseRef") is not None:
            builder.report("Case (CMMN) call activities are not supported by Cadenza", element, (node_id,))
        else:
            builder.report("Missing attribute 'calledElement'", element, (node_id,))
        return None
    binding = (ext.attr(element, "calledElementBinding") or "latest").strip()
    version = ext.attr(element, "calledElementVersion")
    if binding not in ("latest", "deployment", "version"):
        builder.report(
            f"calledElementBinding '{ext.shorten(binding)}' is not supported by Cadenza yet "
            "(latest, deployment and version are)",
            element,
            (node_id,),
        )
        return None
    if binding == "version" and not (version or "").strip():
        builder.report(
            "Missing attribute 'calledElementVersion' when 'calledElementBinding' has value 'version'",
            element,
            (node_id,),
        )
        return None
    if ext.attr(element, "variableMappingClass") or ext.attr(element, "variableMappingDelegateExpression"):
        builder.report(
            "camunda:variableMappingClass/DelegateExpression is not supported by Cadenza (no Java delegates)",
            element,
            (node_id,),
        )
        return None
    inputs: list[CallParameter] = []
    outputs: list[CallParameter] = []
    business_key: str | None = None
    for parameter in extensions.call_parameters:
        is_in = local_name(parameter.tag) == "in"
        key = parameter.get("businessKey")
        if is_in and key is not None:
            business_key = key
            continue
        all_variables = (parameter.get("variables") or "").strip() == "all"
        source = parameter.get("source")
        source_expression = parameter.get("sourceExpression")
        target = parameter.get("target")
        if not all_variables:
            if (source is None) == (source_expression is None):
                builder.report(
                    f"camunda:{local_name(parameter.tag)} needs exactly one of 'source', "
                    "'sourceExpression' or variables=\"all\"",
                    parameter,
                    (node_id,),
                )
                continue
            if not target:
                builder.report(
                    f"Missing attribute 'target' on camunda:{local_name(parameter.tag)}",
                    parameter,
                    (node_id,),
                )
                continue
        mapping = CallParameter(
            source=source,
            source_expression=source_expression,
            target=target,
            all_variables=all_variables,
            local=(parameter.get("local") or "").strip().lower() == "true",
        )
        (inputs if is_in else outputs).append(mapping)
    fields = builder.common_fields(element, extensions, default=True)
    fields.update(
        called_element=called,
        binding=binding,
        version=version,
        tenant_id=ext.attr(element, "calledElementTenantId"),
        inputs=tuple(inputs),
        outputs=tuple(outputs),
        business_key=business_key,
    )
    return NodeSpec(CallActivity, fields)


def _is_external_message_throw(element: etree._Element, definitions: list[etree._Element]) -> bool:
    """A message end/throw event with ``camunda:type="external"``: it runs as an external task."""
    return (
        len(definitions) == 1
        and definitions[0].tag == bpmn("messageEventDefinition")
        and (ext.attr(element, "type") or "").lower() == "external"
    )


def _intermediate_catch_event(
    builder: ProcessBuilder, element: etree._Element, node_id: str
) -> NodeSpec | None:
    definitions = _event_definitions(element)
    if len(definitions) != 1:
        builder.report(
            f"Intermediate catch event '{ext.shorten(node_id)}' needs exactly one event definition",
            element,
            (node_id,),
        )
        return None
    if local_name(definitions[0].tag) not in _CATCH_LOCALS:
        builder.refuse_child(definitions[0], node_id)
        return None
    definition = catch_definition(builder, definitions[0], node_id)
    if definition is None:
        return None
    _check_event_children(builder, element, node_id)
    extensions = builder.extensions(element, node_id)
    fields = builder.common_fields(element, extensions)
    fields["event_definition"] = definition
    return NodeSpec(IntermediateCatchEvent, fields)


def _receive_task(builder: ProcessBuilder, element: etree._Element, node_id: str) -> NodeSpec | None:
    builder.check_children(element, node_id)
    extensions = builder.extensions(element, node_id)
    message: MessageEventDefinition | None = None
    ref = _local_ref(element.get("messageRef"))
    if ref is not None:
        name = builder.messages.get(ref)
        if not name:
            builder.report(
                f"Receive task '{ext.shorten(node_id)}' references an unknown message '{ext.shorten(ref)}'",
                element,
                (node_id,),
            )
            return None
        message = MessageEventDefinition(ref, name)
    fields = builder.common_fields(element, extensions, default=True)
    fields["message"] = message
    return NodeSpec(ReceiveTask, fields)


ELEMENT_HANDLERS: dict[str, Handler] = {
    bpmn("startEvent"): _start_event,
    bpmn("endEvent"): _end_event,
    bpmn("exclusiveGateway"): _gateway(ExclusiveGateway, default=True),
    bpmn("parallelGateway"): _gateway(ParallelGateway, default=False),
    bpmn("inclusiveGateway"): _gateway(InclusiveGateway, default=True),
    bpmn("eventBasedGateway"): _gateway(EventBasedGateway, default=False),
    bpmn("intermediateCatchEvent"): _intermediate_catch_event,
    bpmn("receiveTask"): _receive_task,
    bpmn("task"): _pass_through_task(Task),
    bpmn("manualTask"): _pass_through_task(ManualTask),
    bpmn("serviceTask"): _external_task,
    bpmn("sendTask"): _external_task,
    bpmn("businessRuleTask"): _external_task,
    bpmn("userTask"): _user_task,
    bpmn("subProcess"): _sub_process,
    bpmn("boundaryEvent"): _boundary_event,
    bpmn("intermediateThrowEvent"): _intermediate_throw_event,
    bpmn("callActivity"): _call_activity,
}
"""Flow elements Cadenza runs, by qualified tag. A tag missing here is reported unsupported."""


# ── definitions ────────────────────────────────────────────────────────────────────────────────


def _is_executable(process: etree._Element) -> bool:
    # Camunda: a missing isExecutable means executable; otherwise Boolean.parseBoolean.
    value = process.get("isExecutable")
    return value is None or value.strip().lower() == "true"


def build_definitions(root: etree._Element) -> tuple[Definitions, list[Problem]]:
    """Build the model from a loaded tree; returns it with every problem found."""
    if root.tag != bpmn("definitions"):
        problem = Problem(
            "Resource is not a BPMN 2.0 model: the root element must be 'definitions' "
            "in the BPMN 2.0 model namespace",
            (),
            ext.line_of(root),
        )
        return Definitions(()), [problem]
    top_level = ext.child_elements(root)
    errors: dict[str, ErrorDefinition] = {}
    escalations: dict[str, EscalationDefinition] = {}
    messages: dict[str, str] = {}
    signals: dict[str, str] = {}
    ids: list[tuple[str, int]] = []
    for child in top_level:
        child_id = child.get("id")
        if child_id and namespace_of(child.tag) == BPMN and child.tag != bpmn("process"):
            ids.append((child_id, ext.line_of(child)))
        if child.tag == bpmn("error") and child_id:
            errors.setdefault(
                child_id,
                ErrorDefinition(
                    id=child_id,
                    error_code=child.get("errorCode"),
                    name=child.get("name"),
                    error_message=ext.attr(child, "errorMessage"),
                ),
            )
        if child.tag == bpmn("message") and child_id:
            messages.setdefault(child_id, (child.get("name") or "").strip())
        if child.tag == bpmn("signal") and child_id:
            signals.setdefault(child_id, (child.get("name") or "").strip())
        if child.tag == bpmn("escalation") and child_id:
            escalations.setdefault(
                child_id,
                EscalationDefinition(
                    id=child_id, escalation_code=child.get("escalationCode"), name=child.get("name")
                ),
            )
    problems: list[Problem] = []
    processes: list[Process] = []
    for child in top_level:
        if child.tag != bpmn("process"):
            continue
        if not _is_executable(child):
            child_id = child.get("id")
            if child_id:
                ids.append((child_id, ext.line_of(child)))
            continue
        for element in child.iter():
            tag: object = element.tag
            element_id = element.get("id")
            if isinstance(tag, str) and element_id and namespace_of(tag) == BPMN:
                ids.append((element_id, ext.line_of(element)))
        builder = ProcessBuilder(
            child, errors, {element_id for element_id, _ in ids}, escalations, messages, signals
        )
        process = builder.build()
        problems.extend(builder.problems)
        if process is not None:
            processes.append(process)
    problems[:0] = find_duplicate_ids(ids)
    definitions = Definitions(
        tuple(processes), errors, root.get("targetNamespace"), escalations, messages, signals
    )
    return definitions, problems


def parse_bpmn(xml: bytes, resource_name: str = "", *, max_bytes: int = DEFAULT_MAX_BYTES) -> Definitions:
    """Parse and validate one BPMN 2.0 resource.

    Args:
        xml: the resource bytes, untrusted.
        resource_name: the deployment resource name, copied into every problem.
        max_bytes: larger inputs are refused before parsing.

    Returns:
        The executable processes and top-level errors of the resource.

    Raises:
        ParseError: listing every problem found; raised for any input that is not a valid,
            supported model (no other exception escapes for any bytes).
    """
    try:
        root = _load(bytes(xml), max_bytes)
        definitions, problems = build_definitions(root)
    except _RefusedError as refused:
        raise ParseError([refused.problem], resource=resource_name) from None
    except ParseError:
        raise
    except Exception as error:
        # Last line of defence: whatever the bytes, callers only ever see ParseError.
        raise ParseError(
            [Problem("Internal error while parsing the resource (a Cadenza bug)")],
            resource=resource_name,
        ) from error
    if problems:
        raise ParseError(problems, resource=resource_name)
    return definitions
