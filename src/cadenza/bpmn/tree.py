"""Reading a loaded lxml tree: element children only, their text and source lines.

Part of the ``bpmn`` layer (imports only ``namespaces``). lxml hands entity references and
comments over as children whose ``tag`` is a function, not a string; every reader of the tree
goes through ``child_elements`` so none of them trips over those.
"""

from __future__ import annotations

from lxml import etree

from cadenza.bpmn.namespaces import BPMN, local_name, namespace_of

__all__ = ["bpmn_children", "child_elements", "element_text", "line_of"]


def child_elements(element: etree._Element) -> list[etree._Element]:
    """Child elements only (no entity references), with a string tag."""
    return [child for child in element if isinstance(_tag_of(child), str)]


def bpmn_children(element: etree._Element) -> list[tuple[etree._Element, str]]:
    """Children in the BPMN model namespace with their local names (other vendors' are skipped)."""
    children = child_elements(element)
    return [(child, local_name(child.tag)) for child in children if namespace_of(child.tag) == BPMN]


def _tag_of(element: etree._Element) -> object:
    # lxml's stubs type ``tag`` as str, but entity references and comments have a function tag.
    tag: object = element.tag
    return tag


def line_of(element: etree._Element) -> int:
    """Source line of an element, 0 when unknown."""
    # lxml-stubs declare ``sourceline`` without a usable type; read it defensively.
    value: object = getattr(element, "sourceline", None)
    return value if isinstance(value, int) else 0


def element_text(element: etree._Element) -> str:
    """All text inside an element (CDATA included), not stripped."""
    return "".join(part for part in element.itertext() if isinstance(part, str))
