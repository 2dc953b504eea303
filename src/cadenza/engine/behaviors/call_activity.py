"""Call activity: run another process as a separate instance and continue when it ends.

``camunda:in`` mappings give the called instance its start variables and business key;
``camunda:out`` mappings are evaluated in it when it completes (or when a BPMN error or
escalation crosses it, see ``error_propagation``) and set on the calling execution. How the two
instances find each other is ``called_instances``'.

Resolving ``calledElement`` by key needs a definition lookup the store provides through the
``CalledProcessSource`` protocol (on ``ctx.definitions``).
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from cadenza.bpmn.model import CallActivity, FlowNode
from cadenza.engine.behavior import Behavior
from cadenza.engine.called_instances import (
    apply_call_outputs,
    called_instance,
    called_instance_id,
    mapped_values,
)
from cadenza.engine.context import CommandContext
from cadenza.engine.definitions import DeployedProcess
from cadenza.engine.lifecycle import end_process_instance, leave_node, start_process_instance
from cadenza.engine.state import Execution, InstanceGraph, ProcessInstanceState
from cadenza.engine.variables import evaluate
from cadenza.errors import ProcessEngineError

__all__ = ["CallActivityBehavior", "CalledProcessSource"]


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


class CallActivityBehavior(Behavior):
    """Start the called process (same transaction) and wait for it to end; deleting the call
    activity deletes the called instance."""

    def execute(self, ctx: CommandContext, execution: Execution, node: FlowNode) -> None:
        assert isinstance(node, CallActivity)
        graph = ctx.graph_of(execution)
        deployed = _resolve(ctx, execution, node)
        variables = mapped_values(ctx, graph, execution, node.inputs)
        business_key: str | None = None
        if node.business_key is not None:
            key = evaluate(ctx, graph, execution, node.business_key)
            business_key = None if key is None else str(key)
        root_id = graph.root_process_instance_id
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

    def on_called_instance_ended(
        self, ctx: CommandContext, caller: Execution, node: FlowNode, root: Execution
    ) -> None:
        """Apply the outputs, close the called instance, leave the call activity."""
        apply_call_outputs(ctx, root, caller)
        end_process_instance(ctx, root, ProcessInstanceState.COMPLETED)
        caller.is_active = True
        ctx.plan(leave_node, caller, node)

    def on_terminate(
        self, ctx: CommandContext, execution: Execution, node: FlowNode, state: ProcessInstanceState
    ) -> None:
        sub_root = called_instance(ctx, execution)
        if sub_root is not None:
            end_process_instance(ctx, sub_root, state)
