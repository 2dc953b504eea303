"""Message correlation and signals (Camunda ``MessageCorrelationBuilder``, ``SignalEventReceivedBuilder``).

Correlation (semantics §6.4, Camunda ``CorrelationHandlerImpl``): first the executions waiting
on a message subscription of that name that match every given criterion (process instance id,
business key of the instance, ``correlationKeys`` = equal process-instance variables,
``localCorrelationKeys`` = equal variables local to the waiting execution, tenant); only when no
execution matches, the message start events of the latest definitions (not when a process
instance id is given). Without ``all`` exactly one target must match; with ``all`` every one is
triggered. Everything happens in one transaction.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from cadenza.engine.firing import deliver, throw_signal
from cadenza.engine.state import EventSubscription, Execution, InstanceGraph
from cadenza.engine.triggers import find_subscriptions
from cadenza.engine.variables import visible_variables
from cadenza.errors import BadUserRequestError, NotFoundError, ProcessEngineError
from cadenza.expr.values import TypedValue, expression_value
from cadenza.services.authorization import check_instance, check_receivers
from cadenza.services.runner import CommandRunner, ServiceContext
from cadenza.services.runtime import ProcessInstance

__all__ = ["CorrelationResult", "MessageService", "MismatchingCorrelationError", "SignalService"]


class MismatchingCorrelationError(BadUserRequestError):
    """No (or more than one) target for a message: Camunda's ``MismatchingMessageCorrelationException``."""


@dataclass(frozen=True)
class CorrelationResult:
    """``MessageCorrelationResultDto``: the execution reached, or the instance started."""

    result_type: str
    """``Execution`` or ``ProcessDefinition``"""
    execution: Execution | None
    execution_ended: bool
    process_instance: ProcessInstance | None
    variables: dict[str, TypedValue] | None


def _equal(graph: InstanceGraph, execution: Execution, keys: Mapping[str, TypedValue]) -> bool:
    for name, expected in keys.items():
        found = graph.execution_variables.get(execution.id, {}).get(name)
        if found is None or expression_value(found.value) != expression_value(expected):
            return False
    return True


class MessageService:
    def __init__(self, runner: CommandRunner) -> None:
        self._runner = runner

    def correlate(
        self,
        message_name: str,
        *,
        business_key: str | None = None,
        process_instance_id: str | None = None,
        correlation_keys: Mapping[str, TypedValue] | None = None,
        local_correlation_keys: Mapping[str, TypedValue] | None = None,
        tenant_id: str | None = None,
        without_tenant_id: bool = False,
        process_variables: Mapping[str, TypedValue] | None = None,
        process_variables_local: Mapping[str, TypedValue] | None = None,
        all: bool = False,
        with_variables: bool = False,
    ) -> list[CorrelationResult]:
        """Correlate a message; returns what it reached.

        Raises:
            MismatchingCorrelationError: nothing matches (without ``all``), or more than one
                execution matches (without ``all``).
        """

        def command(ctx: ServiceContext) -> list[CorrelationResult]:
            subscriptions = find_subscriptions(ctx, "message", message_name)
            waiting: list[EventSubscription] = []
            starts: list[EventSubscription] = []
            for sub in subscriptions:
                if tenant_id is not None and sub.tenant_id != tenant_id:
                    continue
                if without_tenant_id and sub.tenant_id is not None:
                    continue
                if sub.execution_id is None:
                    starts.append(sub)
                    continue
                assert sub.process_instance_id is not None
                if process_instance_id is not None and sub.process_instance_id != process_instance_id:
                    continue
                graph = ctx.graph(sub.process_instance_id)
                execution = graph.executions.get(sub.execution_id)
                if execution is None or execution.suspended:
                    continue
                if business_key is not None and graph.root.business_key != business_key:
                    continue
                if correlation_keys and not _equal(graph, graph.root, correlation_keys):
                    continue
                if local_correlation_keys and not _equal(graph, execution, local_correlation_keys):
                    continue
                waiting.append(sub)
            # one receiving execution counts once (a boundary and a catch event of one execution
            # are two subscriptions of it; Camunda correlates to executions)
            by_execution: dict[str, EventSubscription] = {}
            for sub in waiting:
                by_execution.setdefault(sub.execution_id or "", sub)
            targets = list(by_execution.values())
            if process_instance_id is None and (all or not targets):
                # latest versions only (older versions' start subscriptions are gone)
                starts = [s for s in starts if not _definition_suspended(ctx, s)]
            else:
                starts = []
            if not all:
                if len(targets) > 1:
                    raise MismatchingCorrelationError(
                        f"ENGINE-13031 Cannot correlate a message with name '{message_name}' to a single "
                        f"execution. {len(targets)} executions match the correlation keys: "
                        f"CorrelationSet [businessKey={business_key}, "
                        f"processInstanceId={process_instance_id}, "
                        f"processDefinitionId=null, correlationKeys={_keys(correlation_keys)}, "
                        f"localCorrelationKeys={_keys(local_correlation_keys)}, "
                        f"processInstanceVariables=null, tenantId={tenant_id}, "
                        f"isTenantIdSet={tenant_id is not None or without_tenant_id}, "
                        "isExecutionsOnly=false]",
                        camunda_type="RestException",
                    )
                if targets:
                    starts = []
                elif len(starts) > 1:
                    starts = starts[:1]
                if not targets and not starts:
                    raise MismatchingCorrelationError(
                        f"Cannot correlate message '{message_name}': No process definition or execution "
                        "matches the parameters",
                        camunda_type="RestException",
                    )
            check_receivers(ctx, [*targets, *starts])
            reached: list[tuple[EventSubscription, Execution | None]] = []
            for sub in targets:
                reached.append(
                    (
                        sub,
                        deliver(
                            ctx,
                            sub,
                            variables=process_variables,
                            local_variables=process_variables_local,
                        ),
                    )
                )
            for sub in starts:
                reached.append(
                    (
                        sub,
                        deliver(ctx, sub, variables=process_variables, business_key=business_key),
                    )
                )
            ctx.run_agenda()
            return [_result(ctx, sub, execution, with_variables) for sub, execution in reached]

        return self._runner.run(command)

    def trigger_subscription(
        self, execution_id: str, message_name: str, variables: Mapping[str, TypedValue] | None = None
    ) -> None:
        """``POST /execution/{id}/messageSubscriptions/{name}/trigger``.

        Raises:
            BadUserRequestError: the execution has no such subscription.
        """

        def command(ctx: ServiceContext) -> None:
            check_instance(ctx, execution_id, "update")
            for sub in find_subscriptions(ctx, "message", message_name):
                if sub.execution_id == execution_id:
                    deliver(ctx, sub, variables=variables)
                    return
            raise BadUserRequestError(
                f"Execution with id '{execution_id}' does not have a subscription to a message event "
                f"with name '{message_name}'",
                camunda_type="RestException",
            )

        self._runner.run(command)


def _keys(keys: Mapping[str, TypedValue] | None) -> str:
    if not keys:
        return "null"
    return "{" + ", ".join(f"{k}={expression_value(v)}" for k, v in keys.items()) + "}"


def _definition_suspended(ctx: ServiceContext, sub: EventSubscription) -> bool:
    try:
        return ctx.definitions.deployed_process(sub.process_definition_id or "").definition.suspended
    except NotFoundError:
        return True


def _result(
    ctx: ServiceContext, sub: EventSubscription, execution: Execution | None, with_variables: bool
) -> CorrelationResult:
    if execution is None:
        return CorrelationResult("Execution", None, True, None, None)
    graph = ctx.graph_of(execution)
    ended = execution.id not in graph.executions
    variables: dict[str, TypedValue] | None = None
    if with_variables:
        root_id = execution.process_instance_id
        source = graph.executions.get(execution.id) or graph.executions.get(root_id)
        variables = (
            {n: v.value for n, v in visible_variables(graph, source).items()} if source is not None else {}
        )
    if sub.execution_id is not None:
        return CorrelationResult("Execution", execution, ended, None, variables)
    deployed = ctx.deployed(execution)
    instance = ProcessInstance(
        id=execution.id,
        definition_id=deployed.definition.id,
        definition_key=deployed.definition.key,
        business_key=execution.business_key,
        case_instance_id=None,
        ended=ended,
        suspended=False,
        tenant_id=execution.tenant_id,
    )
    return CorrelationResult("ProcessDefinition", None, ended, instance, variables)


def _signal_receivers(
    ctx: ServiceContext, name: str, execution_id: str | None, tenant_id: str | None, without_tenant_id: bool
) -> list[EventSubscription]:
    """The subscriptions a signal reaches (``throw_signal``'s choice), for the checks."""
    found = []
    for sub in find_subscriptions(ctx, "signal", name):
        if execution_id is not None:
            if sub.execution_id == execution_id:
                found.append(sub)
        elif (tenant_id is None or sub.tenant_id == tenant_id) and not (
            without_tenant_id and sub.tenant_id is not None
        ):
            found.append(sub)
    return found


class SignalService:
    def __init__(self, runner: CommandRunner) -> None:
        self._runner = runner

    def signal(
        self,
        name: str,
        *,
        execution_id: str | None = None,
        variables: Mapping[str, TypedValue] | None = None,
        tenant_id: str | None = None,
        without_tenant_id: bool = False,
    ) -> None:
        """Broadcast a signal (or deliver it to one execution's signal subscriptions).

        Raises:
            ProcessEngineError: ``execution_id`` given but it waits for no such signal (500).
        """

        def command(ctx: ServiceContext) -> None:
            check_receivers(ctx, _signal_receivers(ctx, name, execution_id, tenant_id, without_tenant_id))
            if execution_id is None:
                throw_signal(
                    ctx, name, variables=variables, tenant_id=tenant_id, without_tenant_id=without_tenant_id
                )
                return
            matching = [s for s in find_subscriptions(ctx, "signal", name) if s.execution_id == execution_id]
            if not matching:
                raise ProcessEngineError(
                    f"Cannot find execution with id '{execution_id}' for signal '{name}'",
                    camunda_type="ProcessEngineException",
                )
            for sub in matching:
                deliver(ctx, sub, variables=variables)

        self._runner.run(command)
