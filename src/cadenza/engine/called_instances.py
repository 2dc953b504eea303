"""The link between a call activity and the process instance it started, both ways.

The called instance is an ordinary process instance whose root has ``super_execution_id`` =
the execution running the call activity (history: ``super_process_instance_id``), as in Camunda.

Finding the called instance from the caller needs no extra column: its id is derived from the
call activity's activity instance id (unique per call), so the instance a call activity started
is loaded by id when the call activity is cancelled. The other direction uses the called
instance's ``super_execution_id`` and its graph's ``super_process_instance_id``.

``camunda:in`` / ``camunda:out`` mappings are read here too: ``apply_call_outputs`` runs when the
called instance completes and when a BPMN error or escalation crosses it (``error_propagation``,
Camunda's ``OutputVariablesPropagator``).
"""

from __future__ import annotations

import uuid

from cadenza.bpmn.model import CallActivity, CallParameter
from cadenza.engine.context import CommandContext
from cadenza.engine.state import Execution, InstanceGraph
from cadenza.engine.variables import (
    evaluate,
    get_variable,
    set_variable,
    set_variable_local,
    visible_variables,
)
from cadenza.errors import NotFoundError, ProcessEngineError
from cadenza.expr.values import TypedValue, typed_value_from_python

__all__ = [
    "apply_call_outputs",
    "called_instance",
    "called_instance_id",
    "mapped_values",
    "super_execution",
]

_CALL_NAMESPACE = uuid.UUID("6f1c1c52-2b0e-4f55-9a4e-63a1d1c0ca11")


def called_instance_id(execution: Execution) -> str:
    """The id of the process instance started by the call activity ``execution`` runs."""
    return str(uuid.uuid5(_CALL_NAMESPACE, execution.activity_instance_id or execution.id))


def called_instance(ctx: CommandContext, execution: Execution) -> Execution | None:
    """The root of the instance the call activity on ``execution`` is waiting for, if any."""
    if execution.activity_id is None:
        return None
    node = ctx.deployed(execution).process.nodes.get(execution.activity_id)
    if not isinstance(node, CallActivity):
        return None
    try:
        graph = ctx.graph(called_instance_id(execution))
    except NotFoundError:
        return None
    root = next((e for e in graph.executions.values() if e.is_process_instance), None)
    if root is None or root.super_execution_id != execution.id:
        return None
    return root


def super_execution(ctx: CommandContext, root: Execution) -> Execution | None:
    """The calling execution of a called instance (None for a top-level instance)."""
    if root.super_execution_id is None:
        return None
    super_instance_id = ctx.graph_of(root).super_process_instance_id
    if super_instance_id is None:
        raise ProcessEngineError(f"Cannot find the calling process instance of {root.id}")
    return ctx.graph(super_instance_id).executions.get(root.super_execution_id)


def mapped_values(
    ctx: CommandContext,
    graph: InstanceGraph,
    execution: Execution,
    parameters: tuple[CallParameter, ...],
) -> dict[str, TypedValue]:
    """Values of ``camunda:in``/``out`` parameters read in ``execution``'s scope."""
    values: dict[str, TypedValue] = {}
    for parameter in parameters:
        if parameter.all_variables:
            found = visible_variables(graph, execution, local=parameter.local)
            values.update({name: variable.value for name, variable in found.items()})
            continue
        assert parameter.target is not None
        if parameter.source is not None:
            if parameter.local:
                variable = graph.execution_variables.get(execution.id, {}).get(parameter.source)
            else:
                variable = get_variable(graph, execution, parameter.source)
            values[parameter.target] = (
                variable.value if variable is not None else typed_value_from_python(None)
            )
        else:
            assert parameter.source_expression is not None
            value = evaluate(ctx, graph, execution, parameter.source_expression)
            values[parameter.target] = typed_value_from_python(value)
    return values


def apply_call_outputs(ctx: CommandContext, root: Execution, caller: Execution) -> None:
    """Evaluate the call activity's ``camunda:out`` mappings in the called instance and set
    them on the calling execution (``local`` ones on that execution only)."""
    node = ctx.deployed(caller).process.nodes.get(caller.activity_id or "")
    if not isinstance(node, CallActivity) or not node.outputs:
        return
    sub_graph = ctx.graph_of(root)
    caller_graph = ctx.graph_of(caller)
    for parameter in node.outputs:
        for name, value in mapped_values(ctx, sub_graph, root, (parameter,)).items():
            if parameter.local:
                set_variable_local(ctx, caller_graph, caller, name, value)
            else:
                set_variable(ctx, caller_graph, caller, name, value)
