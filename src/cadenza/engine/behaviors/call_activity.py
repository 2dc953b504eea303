"""Call activity: run another process as a separate instance and continue when it ends.

The called instance is an ordinary process instance whose root has ``super_execution_id`` =
the execution running the call activity (history: ``super_process_instance_id``), as in Camunda.
``camunda:in`` mappings give its start variables and business key; ``camunda:out`` mappings are
evaluated in it when it completes (or when a BPMN error or escalation crosses it, see
``error_propagation``) and set on the calling execution.

Finding the called instance from the caller needs no extra column: its id is derived from the
call activity's activity instance id (unique per call), so the instance a call activity started
is loaded by id when the call activity is cancelled. The other direction uses the called
instance's ``super_execution_id`` and its history's ``super_process_instance_id``.

Resolving ``calledElement`` by key needs a definition lookup the store provides through the
``CalledProcessSource`` protocol (on ``ctx.definitions``).
"""

from __future__ import annotations

import uuid
from typing import Protocol, runtime_checkable

from cadenza.bpmn.model import CallActivity, CallParameter, FlowNode
from cadenza.engine.context import CommandContext
from cadenza.engine.definitions import DeployedProcess
from cadenza.engine.lifecycle import end_process_instance, leave_node, start_process_instance
from cadenza.engine.state import Execution, InstanceGraph, ProcessInstanceState
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
    "CallActivityBehavior",
    "CalledProcessSource",
    "apply_call_outputs",
    "called_instance",
    "called_instance_completed",
    "called_instance_id",
    "super_execution",
]

_CALL_NAMESPACE = uuid.UUID("6f1c1c52-2b0e-4f55-9a4e-63a1d1c0ca11")


@runtime_checkable
class CalledProcessSource(Protocol):
    """Definition lookup by key for call activities (implemented by the store's definitions)."""

    def find_deployed_process(
        self,
        key: str,
        *,
        tenant_id: str | None,
        version: int | None = None,
        deployment_id: str | None = None,
    ) -> DeployedProcess | None:
        """The latest definition with ``key`` of ``tenant_id`` (restricted to ``version`` or to
        ``deployment_id`` when given), or None."""
        ...


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
    history = ctx.graph_of(root).history
    if history is None or history.super_process_instance_id is None:
        raise ProcessEngineError(f"Cannot find the calling process instance of {root.id}")
    return ctx.graph(history.super_process_instance_id).executions.get(root.super_execution_id)


def _text(ctx: CommandContext, graph: InstanceGraph, execution: Execution, source: str | None) -> object:
    return None if source is None else evaluate(ctx, graph, execution, source)


def _resolve(ctx: CommandContext, execution: Execution, node: CallActivity) -> DeployedProcess:
    graph = ctx.graph_of(execution)
    caller = ctx.deployed(execution).definition
    key = _text(ctx, graph, execution, node.called_element)
    if not isinstance(key, str) or not key:
        raise ProcessEngineError(f"calledElement of '{node.id}' evaluated to {key!r}")
    tenant = caller.tenant_id
    if node.tenant_id is not None:
        found_tenant = _text(ctx, graph, execution, node.tenant_id)
        tenant = None if found_tenant in (None, "") else str(found_tenant)
    source = ctx.definitions
    if not isinstance(source, CalledProcessSource):
        raise ProcessEngineError(
            "Call activities need a definition store that can look definitions up by key"
        )
    version: int | None = None
    deployment_id: str | None = None
    if node.binding == "version":
        raw = _text(ctx, graph, execution, node.version)
        try:
            version = int(str(raw).strip())
        except ValueError:
            raise ProcessEngineError(
                f"calledElementVersion of '{node.id}' is not a number: {raw!r}"
            ) from None
    elif node.binding == "deployment":
        deployment_id = caller.deployment_id
    deployed = source.find_deployed_process(
        key, tenant_id=tenant, version=version, deployment_id=deployment_id
    )
    if deployed is None:
        # Camunda's DeploymentCache messages.
        if version is not None:
            message = f"no processes deployed with key = '{key}' and version = '{version}'"
        elif deployment_id is not None:
            message = f"no processes deployed with key = '{key}' in deployment = '{deployment_id}'"
        else:
            message = f"no processes deployed with key '{key}'"
        raise ProcessEngineError(message)
    if deployed.definition.suspended:
        raise ProcessEngineError(
            f"Cannot start process instance. Process definition {deployed.definition.id} is suspended"
        )
    return deployed


def _mapped_values(
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


class CallActivityBehavior:
    """Start the called process (same transaction) and wait for it to end."""

    def execute(self, ctx: CommandContext, execution: Execution, node: FlowNode) -> None:
        assert isinstance(node, CallActivity)
        graph = ctx.graph_of(execution)
        deployed = _resolve(ctx, execution, node)
        variables = _mapped_values(ctx, graph, execution, node.inputs)
        business_key: str | None = None
        if node.business_key is not None:
            key = evaluate(ctx, graph, execution, node.business_key)
            business_key = None if key is None else str(key)
        root_id = graph.history.root_process_instance_id if graph.history is not None else None
        start_process_instance(
            ctx,
            deployed,
            business_key=business_key,
            variables=variables,
            super_execution_id=execution.id,
            instance_id=called_instance_id(execution),
            super_process_instance_id=execution.process_instance_id,
            root_process_instance_id=root_id or execution.process_instance_id,
        )


def apply_call_outputs(ctx: CommandContext, root: Execution, caller: Execution) -> None:
    """Evaluate the call activity's ``camunda:out`` mappings in the called instance and set
    them on the calling execution (``local`` ones on that execution only)."""
    node = ctx.deployed(caller).process.nodes.get(caller.activity_id or "")
    if not isinstance(node, CallActivity) or not node.outputs:
        return
    sub_graph = ctx.graph_of(root)
    caller_graph = ctx.graph_of(caller)
    for parameter in node.outputs:
        for name, value in _mapped_values(ctx, sub_graph, root, (parameter,)).items():
            if parameter.local:
                set_variable_local(ctx, caller_graph, caller, name, value)
            else:
                set_variable(ctx, caller_graph, caller, name, value)


def called_instance_completed(ctx: CommandContext, root: Execution) -> None:
    """A called instance reached its end: apply outputs, close it, leave the call activity."""
    caller = super_execution(ctx, root)
    if caller is None:
        # the caller is gone already (cancelled in this command): just close the instance
        end_process_instance(ctx, root, ProcessInstanceState.COMPLETED)
        return
    apply_call_outputs(ctx, root, caller)
    end_process_instance(ctx, root, ProcessInstanceState.COMPLETED)
    assert caller.activity_id is not None
    node = ctx.deployed(caller).process.node(caller.activity_id)
    caller.is_active = True
    ctx.plan(leave_node, caller, node)
