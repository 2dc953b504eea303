"""The BPMN 2.0 XML parser: ``parse_bpmn`` turns one resource into ``Definitions``.

Part of the ``bpmn`` layer (imports only ``cadenza.errors`` from cadenza). Three steps, each in
its own module:

1. ``hardened_xml.load_tree`` reads the untrusted bytes under the limits (size, DOCTYPE,
   entities, XInclude, depth, element count).
2. ``build_definitions`` (here) reads the top-level errors, escalations, messages and signals,
   then has a ``builder.ProcessBuilder`` walk each executable ``<process>``, dispatching flow
   elements through ``elements.ELEMENT_HANDLERS`` (``{qualified tag: handler}``).
3. ``validate.py`` checks each built process. Problems are collected, never raised one by one;
   ``parse_bpmn`` raises one ``ParseError`` listing all.
"""

from __future__ import annotations

from lxml import etree

from cadenza.bpmn import camunda as ext
from cadenza.bpmn.builder import Handler, NodeSpec, ProcessBuilder
from cadenza.bpmn.elements import ELEMENT_HANDLERS
from cadenza.bpmn.hardened_xml import (
    DEFAULT_MAX_BYTES,
    MAX_DEPTH,
    MAX_ELEMENTS,
    RefusedResourceError,
    load_tree,
    load_xml,
)
from cadenza.bpmn.model import Definitions, ErrorDefinition, EscalationDefinition, Process
from cadenza.bpmn.namespaces import BPMN, bpmn, namespace_of
from cadenza.bpmn.tree import child_elements, line_of
from cadenza.bpmn.validate import find_duplicate_ids
from cadenza.errors import ParseError, Problem

__all__ = [
    "DEFAULT_MAX_BYTES",
    "ELEMENT_HANDLERS",
    "MAX_DEPTH",
    "MAX_ELEMENTS",
    "Handler",
    "NodeSpec",
    "ProcessBuilder",
    "build_definitions",
    "load_xml",
    "parse_bpmn",
]


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
            line_of(root),
        )
        return Definitions(()), [problem]
    top_level = child_elements(root)
    errors: dict[str, ErrorDefinition] = {}
    escalations: dict[str, EscalationDefinition] = {}
    messages: dict[str, str] = {}
    signals: dict[str, str] = {}
    ids: list[tuple[str, int]] = []
    for child in top_level:
        child_id = child.get("id")
        if child_id and namespace_of(child.tag) == BPMN and child.tag != bpmn("process"):
            ids.append((child_id, line_of(child)))
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
                ids.append((child_id, line_of(child)))
            continue
        for element in child.iter():
            tag: object = element.tag
            element_id = element.get("id")
            if isinstance(tag, str) and element_id and namespace_of(tag) == BPMN:
                ids.append((element_id, line_of(element)))
        builder = ProcessBuilder(
            child,
            ELEMENT_HANDLERS,
            errors,
            {element_id for element_id, _ in ids},
            escalations,
            messages,
            signals,
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
        root = load_tree(bytes(xml), max_bytes)
        definitions, problems = build_definitions(root)
    except RefusedResourceError as refused:
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
