"""Handler for userTask: assignee, candidate users and groups, dates, form key.

Part of the ``bpmn`` layer. Assignment comes from BPMN resource roles (humanPerformer,
potentialOwner) and from Camunda attributes, merged in Camunda's order (the attributes win).
"""

from __future__ import annotations

from lxml import etree

from cadenza.bpmn import camunda as ext
from cadenza.bpmn.builder import Handler, NodeSpec, ProcessBuilder
from cadenza.bpmn.model import UserTask
from cadenza.bpmn.namespaces import bpmn
from cadenza.bpmn.tree import child_elements, element_text

__all__ = ["HANDLERS", "split_expression_list"]


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
    for assignment in child_elements(element):
        if assignment.tag != bpmn("resourceAssignmentExpression"):
            continue
        for expression in child_elements(assignment):
            if expression.tag in (bpmn("formalExpression"), bpmn("expression")):
                return element_text(expression).strip() or None
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


HANDLERS: dict[str, Handler] = {bpmn("userTask"): _user_task}
