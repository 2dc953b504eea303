"""BPMN 2.0 model and parser (layer ``bpmn``: imports nothing from cadenza but ``errors``).

``parse_bpmn(xml)`` turns one deployment resource into ``Definitions`` (the executable processes
and the top-level errors) or raises ``ParseError`` listing every problem. The model classes are
re-exported here; the engine reads them and never the XML.
"""

from __future__ import annotations

from cadenza.bpmn.model import (
    Activity,
    CamundaErrorEventDefinition,
    Definitions,
    EndEvent,
    ErrorDefinition,
    ExclusiveGateway,
    ExternalTaskImplementation,
    FlowNode,
    Gateway,
    InputOutput,
    ListParameterValue,
    ManualTask,
    MapParameterValue,
    ParallelGateway,
    Parameter,
    ParameterValue,
    Process,
    Scope,
    SequenceFlow,
    ServiceTask,
    StartEvent,
    SubProcess,
    Task,
    TerminateEventDefinition,
    TextParameterValue,
    UserTask,
)
from cadenza.bpmn.parser import DEFAULT_MAX_BYTES, ELEMENT_HANDLERS, parse_bpmn

__all__ = [
    "DEFAULT_MAX_BYTES",
    "ELEMENT_HANDLERS",
    "Activity",
    "CamundaErrorEventDefinition",
    "Definitions",
    "EndEvent",
    "ErrorDefinition",
    "ExclusiveGateway",
    "ExternalTaskImplementation",
    "FlowNode",
    "Gateway",
    "InputOutput",
    "ListParameterValue",
    "ManualTask",
    "MapParameterValue",
    "ParallelGateway",
    "Parameter",
    "ParameterValue",
    "Process",
    "Scope",
    "SequenceFlow",
    "ServiceTask",
    "StartEvent",
    "SubProcess",
    "Task",
    "TerminateEventDefinition",
    "TextParameterValue",
    "UserTask",
    "parse_bpmn",
]
