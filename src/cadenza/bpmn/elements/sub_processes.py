"""Handlers for the activities that hold or start other flows: subProcess and callActivity.

Part of the ``bpmn`` layer. A sub-process (event sub-processes included) is a scope whose flow
elements the builder parses like a process's; a call activity names the process it starts and
the variables it passes in and out (``camunda:in`` / ``camunda:out``).
"""

from __future__ import annotations

from lxml import etree

from cadenza.bpmn import camunda as ext
from cadenza.bpmn.builder import Handler, NodeSpec, ProcessBuilder, is_event_sub_process
from cadenza.bpmn.model import CallActivity, CallParameter, SubProcess
from cadenza.bpmn.namespaces import bpmn, local_name
from cadenza.bpmn.problems import shorten

__all__ = ["HANDLERS"]


def _sub_process(builder: ProcessBuilder, element: etree._Element, node_id: str) -> NodeSpec | None:
    triggered = is_event_sub_process(element)
    # Children are flow elements and the sub-process's own decorations (loop characteristics
    # are reported as unsupported by parse_scope).
    builder.parse_scope(element, node_id)
    fields = builder.node_fields(element, node_id, default=True)
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
            f"calledElementBinding '{shorten(binding)}' is not supported by Cadenza yet "
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


HANDLERS: dict[str, Handler] = {
    bpmn("subProcess"): _sub_process,
    bpmn("callActivity"): _call_activity,
}
