"""Camunda 7 extension attributes and elements (``camunda:*``, alias ``activiti:*``).

Part of the ``bpmn`` layer. These helpers read one element's Camunda extensions and build the
matching ``model`` values; they never raise on bad input but report problems through the
``problems.Report`` callback handed in by the parser, so one resource yields every problem at once.
Expressions (``${...}``) stay source text; the engine compiles them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from lxml import etree

from cadenza.bpmn.model import (
    CamundaErrorEventDefinition,
    ErrorDefinition,
    InputOutput,
    ListParameterValue,
    MapParameterValue,
    Parameter,
    ParameterValue,
    TextParameterValue,
)
from cadenza.bpmn.namespaces import BPMN, CAMUNDA_NAMESPACES, local_name, namespace_of, qname
from cadenza.bpmn.problems import Report, construct_name, labelled, not_supported, shorten
from cadenza.bpmn.tree import child_elements, element_text

__all__ = [
    "ALWAYS_IGNORED",
    "Extensions",
    "attr",
    "bool_attr",
    "parse_error_event_definition",
    "parse_history_time_to_live",
    "read_extensions",
]

ALWAYS_IGNORED: frozenset[str] = frozenset({"formData", "formProperty", "failedJobRetryTimeCycle"})
"""Camunda extension elements accepted everywhere and ignored for now (forms and retry cycles
come with later features; ignoring them does not change how a process runs today)."""

# Camunda's BpmnParse.parseBooleanAttribute: these words, anything else means "use the default".
_TRUE = frozenset({"true", "enabled", "on", "active", "yes"})
_FALSE = frozenset({"false", "disabled", "off", "inactive", "no"})


def attr(element: etree._Element, name: str) -> str | None:
    """A Camunda extension attribute, accepting the ``activiti`` namespace as an alias."""
    for namespace in CAMUNDA_NAMESPACES:
        value = element.get(qname(namespace, name))
        if value is not None:
            return value
    return None


def bool_attr(element: etree._Element, name: str, default: bool) -> bool:
    """A boolean Camunda attribute; unknown words fall back to ``default`` like Camunda."""
    value = attr(element, name)
    if value is None:
        return default
    word = value.strip()
    if word in _TRUE:
        return True
    if word in _FALSE:
        return False
    return default


def _is_camunda(tag: str) -> bool:
    return namespace_of(tag) in CAMUNDA_NAMESPACES


def parse_history_time_to_live(value: str) -> int | None:
    """``camunda:historyTimeToLive``: days as an integer or an ISO-8601 ``P<n>D`` duration.

    Returns None for an empty value. Raises ValueError for anything else (Camunda refuses those
    at deployment with "Cannot parse historyTimeToLive").
    """
    text = value.strip()
    if not text:
        return None
    if text[:1] in ("P", "p"):
        body = text[1:]
        if len(body) >= 2 and body[-1] in ("D", "d") and body[:-1].isdigit():
            return int(body[:-1])
        raise ValueError("only whole days (P<n>D) are supported")
    if text.isdigit() or (text[:1] == "+" and text[1:].isdigit()):
        return int(text)
    raise ValueError("not a non-negative number of days")


# ── extension elements ─────────────────────────────────────────────────────────────────────────


@dataclass
class Extensions:
    """What ``<extensionElements>`` of one element holds that the model needs."""

    io: InputOutput | None = None
    properties: tuple[tuple[str, str], ...] = ()
    error_event_definitions: list[etree._Element] = field(default_factory=list)
    connector: bool = False
    """A ``camunda:connector`` was present (Java connectors are not supported)."""
    call_parameters: list[etree._Element] = field(default_factory=list)
    """``camunda:in`` / ``camunda:out`` elements of a call activity, in document order."""


def read_extensions(
    element: etree._Element,
    owner_id: str,
    report: Report,
    *,
    allow: frozenset[str] = frozenset({"inputOutput", "properties"}),
    ignore: frozenset[str] = frozenset(),
) -> Extensions:
    """Read the Camunda children of ``element``'s ``<extensionElements>``.

    Args:
        element: the BPMN element owning the extension elements.
        owner_id: its id, used in problems.
        report: problem callback.
        allow: Camunda local names handled here (``inputOutput``, ``properties``,
            ``errorEventDefinition``, ``connector``); any other Camunda element that is neither
            allowed, ignored nor in ``ALWAYS_IGNORED`` is reported as unsupported (listeners,
            scripts, ...). ``in``/``out`` are collected for call activities. Other vendors'
            extensions are ignored.
        ignore: extra Camunda local names to accept silently for this element.
    """
    result = Extensions()
    owner = labelled(element)
    for container in child_elements(element):
        if container.tag != qname(BPMN, "extensionElements"):
            continue
        for child in child_elements(container):
            if not _is_camunda(child.tag):
                continue
            local = local_name(child.tag)
            if local in ALWAYS_IGNORED or local in ignore:
                continue
            if local not in allow:
                report(not_supported(f"{construct_name(child)} on {owner}"), child, (owner_id,))
            elif local == "inputOutput":
                if result.io is not None:
                    report("Only one camunda:inputOutput element is allowed", child, (owner_id,))
                else:
                    result.io = _parse_input_output(child, owner, owner_id, report)
            elif local == "properties":
                result.properties += _parse_properties(child)
            elif local == "errorEventDefinition":
                result.error_event_definitions.append(child)
            elif local == "connector":
                result.connector = True
            elif local in ("in", "out"):
                result.call_parameters.append(child)
    return result


def _parse_properties(element: etree._Element) -> tuple[tuple[str, str], ...]:
    pairs: list[tuple[str, str]] = []
    for child in child_elements(element):
        if _is_camunda(child.tag) and local_name(child.tag) == "property":
            pairs.append((child.get("name") or "", child.get("value") or ""))
    return tuple(pairs)


def _parse_input_output(element: etree._Element, owner: str, owner_id: str, report: Report) -> InputOutput:
    """``camunda:inputOutput`` of the element ``owner`` (its label, e.g. ``serviceTask 'T'``)."""
    inputs: list[Parameter] = []
    outputs: list[Parameter] = []
    for child in child_elements(element):
        local = local_name(child.tag)
        if not _is_camunda(child.tag) or local not in ("inputParameter", "outputParameter"):
            what = f"{construct_name(child)} in camunda:inputOutput of {owner}"
            report(not_supported(what), child, (owner_id,))
            continue
        name = child.get("name")
        if not name:
            report(f"Missing attribute 'name' for {local}", child, (owner_id,))
            continue
        kind = "input" if local == "inputParameter" else "output"
        where = f"{kind} parameter '{shorten(name)}' of {owner}"
        parameter = Parameter(name, _parse_content(child, where, owner_id, report))
        (inputs if local == "inputParameter" else outputs).append(parameter)
    return InputOutput(inputs=tuple(inputs), outputs=tuple(outputs))


def _parse_content(element: etree._Element, where: str, owner_id: str, report: Report) -> ParameterValue:
    """The value held by a parameter or map entry: its text, or one list/map/script child.

    ``where`` names the holder for messages (``input parameter 'x' of serviceTask 'T'``); each
    level of nesting adds itself in front, so a refusal points at the construct exactly.
    """
    children = child_elements(element)
    if not children:
        # Camunda trims the text; an empty parameter means the value null.
        return TextParameterValue(element_text(element).strip() or None)
    if len(children) > 1:
        report(f"{where[:1].upper()}{where[1:]} must contain at most one value element", element, (owner_id,))
    return _parse_value_element(children[0], where, owner_id, report)


def _parse_value_element(
    element: etree._Element, where: str, owner_id: str, report: Report
) -> ParameterValue:
    local = local_name(element.tag)
    if not _is_camunda(element.tag) or local not in ("list", "map", "value"):
        # camunda:script lands here: scripts are never run in-process (reliability.md §1.3 #3).
        report(not_supported(f"{construct_name(element)} in {where}"), element, (owner_id,))
        return TextParameterValue(None)
    inside = f"camunda:{local} in {where}"
    if local == "value":
        return _parse_content(element, inside, owner_id, report)
    if local == "list":
        return ListParameterValue(
            tuple(_parse_value_element(child, inside, owner_id, report) for child in child_elements(element))
        )
    entries: list[tuple[str, ParameterValue]] = []
    for entry in child_elements(element):
        if not _is_camunda(entry.tag) or local_name(entry.tag) != "entry":
            report(not_supported(f"{construct_name(entry)} in {inside}"), entry, (owner_id,))
            continue
        key = entry.get("key")
        if key is None:
            report("Missing attribute 'key' for 'entry' element", entry, (owner_id,))
            continue
        entry_where = f"map entry '{shorten(key)}' in {where}"
        entries.append((key, _parse_content(entry, entry_where, owner_id, report)))
    return MapParameterValue(tuple(entries))


def parse_error_event_definition(
    element: etree._Element, errors: Mapping[str, ErrorDefinition]
) -> CamundaErrorEventDefinition:
    """``camunda:errorEventDefinition`` of an external task.

    ``errorRef`` names a top-level ``<error>``; its ``errorCode`` is used. An ``errorRef`` that
    names no error is taken as the error code itself, as Camunda does.
    """
    ref = element.get("errorRef")
    code: str | None = None
    if ref:
        definition = errors.get(ref)
        code = definition.error_code if definition is not None else ref
    return CamundaErrorEventDefinition(
        id=element.get("id"),
        error_code=code,
        expression=element.get("expression"),
        error_code_variable=attr(element, "errorCodeVariable") or element.get("errorCodeVariable"),
        error_message_variable=(attr(element, "errorMessageVariable") or element.get("errorMessageVariable")),
    )
