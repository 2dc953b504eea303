"""Namespace URIs of BPMN 2.0 resources and helpers for lxml's ``{namespace}local`` tag names.

Part of the ``bpmn`` layer (imports nothing from cadenza). The parser compares qualified tags
only, never prefixes: ``bpmn:``, ``bpmn2:``, ``semantic:`` or a default namespace all mean the
same BPMN model namespace.
"""

from __future__ import annotations

__all__ = [
    "ACTIVITI",
    "BPMN",
    "BPMNDI",
    "CAMUNDA",
    "CAMUNDA_NAMESPACES",
    "XINCLUDE_NAMESPACES",
    "XSI",
    "bpmn",
    "camunda",
    "local_name",
    "namespace_of",
    "qname",
]

BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"
"""The BPMN 2.0 semantic model namespace (``definitions``, ``process``, flow elements...)."""

BPMNDI = "http://www.omg.org/spec/BPMN/20100524/DI"
"""Diagram interchange (shapes and edges); ignored by the engine."""

CAMUNDA = "http://camunda.org/schema/1.0/bpmn"
"""Camunda 7 extension attributes and elements."""

ACTIVITI = "http://activiti.org/bpmn"
"""The old Activiti namespace, which Camunda 7 still accepts as an alias of ``CAMUNDA``."""

CAMUNDA_NAMESPACES: tuple[str, ...] = (CAMUNDA, ACTIVITI)

XSI = "http://www.w3.org/2001/XMLSchema-instance"

XINCLUDE_NAMESPACES: frozenset[str] = frozenset(
    {"http://www.w3.org/2001/XInclude", "http://www.w3.org/2003/XInclude"}
)
"""XInclude is never processed; elements in these namespaces make a resource invalid."""


def qname(namespace: str, local: str) -> str:
    """The lxml (Clark notation) name ``{namespace}local``."""
    return f"{{{namespace}}}{local}"


def bpmn(local: str) -> str:
    """Qualified name of a BPMN model element, e.g. ``bpmn("userTask")``."""
    return qname(BPMN, local)


def camunda(local: str) -> str:
    """Qualified name of a Camunda extension attribute or element."""
    return qname(CAMUNDA, local)


def namespace_of(tag: str) -> str | None:
    """The namespace URI of a Clark-notation tag, None when the tag has no namespace."""
    if tag.startswith("{"):
        end = tag.find("}")
        if end > 0:
            return tag[1:end]
    return None


def local_name(tag: str) -> str:
    """The local part of a Clark-notation tag (``{ns}userTask`` -> ``userTask``)."""
    if tag.startswith("{"):
        end = tag.find("}")
        if end > 0:
            return tag[end + 1 :]
    return tag
