"""Deployment side of events and jobs: job definitions, timer start jobs and message/signal
start event subscriptions of newly deployed definitions (Camunda ``BpmnDeployer``
``addTimerDeclarations``/``addEventSubscriptions``). The start events of older versions of the
same key stop when a new version is deployed (their jobs and subscriptions go).

A record consumer (``ProcessDefinitionDeployed``), so the repository service needs no
knowledge of events.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa

from cadenza.bpmn.model import (
    BoundaryEvent,
    FlowNode,
    IntermediateCatchEvent,
    MessageEventDefinition,
    Process,
    SignalEventDefinition,
    StartEvent,
    TimerEventDefinition,
)
from cadenza.engine.definitions import DeployedProcess
from cadenza.engine.records import ProcessDefinitionDeployed, Record
from cadenza.engine.state import EventSubscription, JobDefinition, ProcessDefinition
from cadenza.engine.triggers import (
    TIMER_BOUNDARY,
    TIMER_CATCH,
    TIMER_ESP,
    TIMER_START,
    job_definition_id,
    new_job,
    timer_due,
)
from cadenza.services.runner import ServiceContext
from cadenza.store import tables

__all__ = ["on_deploy"]


def _timer_handler(process: Process, node: FlowNode) -> str | None:
    definition = getattr(node, "event_definition", None)
    if not isinstance(definition, TimerEventDefinition):
        return None
    if isinstance(node, BoundaryEvent):
        return TIMER_BOUNDARY
    if isinstance(node, IntermediateCatchEvent):
        return TIMER_CATCH
    if isinstance(node, StartEvent):
        return TIMER_START if node.scope_id == process.id else TIMER_ESP
    return None


def _job_definitions(ctx: ServiceContext, definition: ProcessDefinition, process: Process) -> None:
    for node in process.nodes.values():
        kinds: list[tuple[str, str | None]] = []
        if node.async_before:
            kinds.append(("async-continuation", "async-before"))
        if node.async_after:
            kinds.append(("async-continuation", "async-after"))
        handler = _timer_handler(process, node)
        if handler is not None:
            kinds.append((handler, None))
        for job_type, configuration in kinds:
            ctx.uow.insert(
                JobDefinition(
                    id=job_definition_id(definition.id, node.id, job_type),
                    process_definition_id=definition.id,
                    process_definition_key=definition.key,
                    activity_id=node.id,
                    job_type=job_type,
                    job_configuration=configuration,
                    tenant_id=definition.tenant_id,
                )
            )


def _stop_older_versions(ctx: ServiceContext, definition: ProcessDefinition) -> None:
    pd = tables.process_definition
    older = sa.select(pd.c.id).where(
        pd.c.key == definition.key,
        pd.c.tenant_key == (definition.tenant_id or ""),
        pd.c.id != definition.id,
    )
    es, j = tables.event_subscription, tables.job
    connection = ctx.sql.connection
    connection.execute(es.delete().where(es.c.execution_id.is_(None), es.c.process_definition_id.in_(older)))
    connection.execute(
        j.delete().where(j.c.handler_type == TIMER_START, j.c.process_definition_id.in_(older))
    )


def _start_events(ctx: ServiceContext, deployed: DeployedProcess) -> None:
    process, definition = deployed.process, deployed.definition
    for node_id in process.node_ids:
        node = process.nodes[node_id]
        if not isinstance(node, StartEvent):
            continue
        trigger = node.event_definition
        if isinstance(trigger, TimerEventDefinition):
            due, repeat = timer_due(ctx, None, trigger, node.id)
            if due is not None:
                new_job(
                    ctx,
                    deployed,
                    None,
                    node,
                    handler_type=TIMER_START,
                    job_type="timer",
                    configuration=node.id,
                    due_date=due,
                    repeat=repeat,
                )
        elif isinstance(trigger, MessageEventDefinition | SignalEventDefinition):
            name = (
                trigger.message_name if isinstance(trigger, MessageEventDefinition) else trigger.signal_name
            )
            assert name is not None
            ctx.uow.insert(
                EventSubscription(
                    id=ctx.new_id(),
                    event_type="message" if isinstance(trigger, MessageEventDefinition) else "signal",
                    event_name=name,
                    activity_id=node.id,
                    created=ctx.now(),
                    process_definition_id=definition.id,
                    tenant_id=definition.tenant_id,
                )
            )


def on_deploy(ctx: ServiceContext, records: Sequence[Record]) -> None:
    """Record consumer: set up the events of the process definitions deployed by this command."""
    for record in records:
        if isinstance(record, ProcessDefinitionDeployed):
            deployed = record.deployed
            _stop_older_versions(ctx, deployed.definition)
            _job_definitions(ctx, deployed.definition, deployed.process)
            _start_events(ctx, deployed)
