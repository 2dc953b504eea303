"""How the parser words a problem: the callback that records one, and how it names constructs.

Part of the ``bpmn`` layer (imports only ``namespaces``). Every stage collects problems instead
of raising the first, so one deployment attempt lists them all. A refusal names the construct
as the modeller wrote it (``camunda:taskListener``, ``scriptTask 'Task_1'``) and where it sits
(``in input parameter 'x' of serviceTask 'Task_1'``), so the reader finds it without a line
number; names and ids from the resource are capped before they are quoted, so a message never
echoes large content.
"""

from __future__ import annotations

from collections.abc import Callable

from lxml import etree

from cadenza.bpmn.namespaces import BPMN, CAMUNDA_NAMESPACES, local_name, namespace_of

__all__ = ["Report", "construct_name", "labelled", "not_supported", "shorten"]

Report = Callable[[str, "etree._Element | None", tuple[str, ...]], None]
"""``report(message, element, element_ids)``: records one problem (the element gives the line)."""

_MAX_ECHO = 80


def shorten(value: str) -> str:
    """Cap a resource-provided name or id quoted in a message (never echo large content)."""
    return value if len(value) <= _MAX_ECHO else value[: _MAX_ECHO - 3] + "..."


def construct_name(element: etree._Element) -> str:
    """An element's name as a modeller knows it: ``userTask``, ``camunda:taskListener``.

    BPMN elements go by their local name (documents spell the prefix ``bpmn:``, ``bpmn2:`` or
    none); Camunda's by ``camunda:`` (``activiti:`` is the same namespace to Camunda); any other
    by the prefix the document gave it.
    """
    local = shorten(local_name(element.tag))
    namespace = namespace_of(element.tag)
    if namespace in CAMUNDA_NAMESPACES:
        return f"camunda:{local}"
    prefix = element.prefix
    if namespace is None or namespace == BPMN or not prefix:
        return local
    return f"{shorten(prefix)}:{local}"


def labelled(element: etree._Element) -> str:
    """``serviceTask 'Task_1'``: the construct name, with the element's id when it has one."""
    element_id = element.get("id")
    name = construct_name(element)
    return f"{name} '{shorten(element_id)}'" if element_id else name


def not_supported(what: str) -> str:
    """The standard problem text for a construct Cadenza does not run (yet)."""
    return f"{what} is not supported by Cadenza yet"
