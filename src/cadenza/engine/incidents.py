"""Incident rules (Camunda ``IncidentHandling`` / ``ExternalTaskEntity.setRetriesAndManageIncidents``).

An external task whose retries drop from "some left" (``None`` or > 0) to 0 gets a
``failedExternalTask`` incident carrying the task's error message; raising its retries above 0
again, or completing the task, resolves the incident. Jobs work alike with ``failedJob``
incidents (configuration = the job id). Deleting the process instance removes the
incidents together with their external tasks (the store drops a task's incidents with it; the
engine reports them as deleted, ``incidents_gone_with``).
"""

from __future__ import annotations

from cadenza.engine.context import CommandContext
from cadenza.engine.records import IncidentDeleted, IncidentOpened, IncidentResolved, IncidentSnapshot
from cadenza.engine.state import ExternalTask, Incident, IncidentType, InstanceGraph, Job

__all__ = [
    "create_external_task_incident",
    "create_job_incident",
    "incidents_gone_with",
    "resolve_external_task_incidents",
    "resolve_incident",
    "resolve_job_incidents",
    "set_external_task_retries",
    "set_job_retries",
]


def _open(ctx: CommandContext, graph: InstanceGraph, incident: Incident) -> Incident:
    graph.incidents[incident.id] = incident
    ctx.uow.insert(incident)
    ctx.emit(IncidentOpened(ctx.now(), IncidentSnapshot.of(incident)))
    return incident


def resolve_incident(ctx: CommandContext, graph: InstanceGraph, incident: Incident) -> None:
    """Close ``incident``: its cause is fixed, or a person resolved it."""
    graph.incidents.pop(incident.id, None)
    ctx.uow.delete(incident)
    ctx.emit(IncidentResolved(ctx.now(), IncidentSnapshot.of(incident)))


def incidents_gone_with(
    ctx: CommandContext, graph: InstanceGraph, configuration: str, incident_type: str
) -> None:
    """The external task or job ``configuration`` names is deleted: its open incidents go with it
    (the store deletes their rows with it; here they leave the graph and the stream says so)."""
    for incident in list(graph.incidents.values()):
        if incident.incident_type == incident_type and incident.configuration == configuration:
            del graph.incidents[incident.id]
            ctx.emit(IncidentDeleted(ctx.now(), IncidentSnapshot.of(incident)))


def create_external_task_incident(ctx: CommandContext, graph: InstanceGraph, task: ExternalTask) -> Incident:
    """Open a ``failedExternalTask`` incident for ``task`` with its current error message."""
    incident_id = ctx.new_id()
    incident = Incident(
        id=incident_id,
        incident_type=IncidentType.FAILED_EXTERNAL_TASK.value,
        incident_timestamp=ctx.now(),
        process_instance_id=task.process_instance_id,
        execution_id=task.execution_id,
        process_definition_id=task.process_definition_id,
        activity_id=task.activity_id,
        failed_activity_id=None,  # Camunda sets it for failed jobs only
        cause_incident_id=incident_id,
        root_cause_incident_id=incident_id,
        configuration=task.id,
        incident_message=task.error_message,
        tenant_id=task.tenant_id,
    )
    return _open(ctx, graph, incident)


def resolve_external_task_incidents(ctx: CommandContext, graph: InstanceGraph, task: ExternalTask) -> None:
    """Close every open ``failedExternalTask`` incident of ``task``."""
    for incident in list(graph.incidents.values()):
        if (
            incident.incident_type == IncidentType.FAILED_EXTERNAL_TASK.value
            and incident.configuration == task.id
        ):
            resolve_incident(ctx, graph, incident)


def set_external_task_retries(
    ctx: CommandContext, graph: InstanceGraph, task: ExternalTask, retries: int
) -> None:
    """Set ``task.retries`` and open or resolve its incident as the transition demands."""
    had_retries_left = task.retries is None or task.retries > 0
    if had_retries_left and retries <= 0:
        task.retries = retries
        create_external_task_incident(ctx, graph, task)
        return
    if not had_retries_left and retries > 0:
        resolve_external_task_incidents(ctx, graph, task)
    task.retries = retries


def create_job_incident(ctx: CommandContext, graph: InstanceGraph, job: Job) -> Incident:
    """Open a ``failedJob`` incident for ``job`` (retries reached 0) with its exception message."""
    incident_id = ctx.new_id()
    assert job.process_instance_id is not None and job.execution_id is not None
    incident = Incident(
        id=incident_id,
        incident_type=IncidentType.FAILED_JOB.value,
        incident_timestamp=ctx.now(),
        process_instance_id=job.process_instance_id,
        execution_id=job.execution_id,
        process_definition_id=job.process_definition_id or "",
        activity_id=job.activity_id,
        failed_activity_id=job.failed_activity_id or job.activity_id,
        cause_incident_id=incident_id,
        root_cause_incident_id=incident_id,
        configuration=job.id,
        incident_message=job.exception_message,
        tenant_id=job.tenant_id,
        job_definition_id=job.job_definition_id,
    )
    return _open(ctx, graph, incident)


def resolve_job_incidents(ctx: CommandContext, graph: InstanceGraph, job: Job) -> None:
    for incident in list(graph.incidents.values()):
        if incident.incident_type == IncidentType.FAILED_JOB.value and incident.configuration == job.id:
            resolve_incident(ctx, graph, incident)


def set_job_retries(ctx: CommandContext, graph: InstanceGraph | None, job: Job, retries: int) -> None:
    """Set ``job.retries``; dropping to 0 opens a ``failedJob`` incident, raising above 0 resolves it."""
    had_retries_left = job.retries > 0
    job.retries = retries
    if graph is None or job.process_instance_id is None:
        return
    if had_retries_left and retries <= 0:
        create_job_incident(ctx, graph, job)
    elif not had_retries_left and retries > 0:
        resolve_job_incidents(ctx, graph, job)
