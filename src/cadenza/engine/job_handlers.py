"""What a due job does, by handler type (Camunda's ``JobHandler``s).

``run_job`` is called inside the job's transaction with the job loaded through its instance
graph (so deleting it is ``rev``-checked: a job runs to a commit at most once). An async
continuation resumes the token before the node (``execute_node``) or after it (takes the
outgoing flows); a timer fires its event and, for a repeating cycle that keeps its
subscription (non-interrupting boundary and event sub-process start events, start events of
the process), schedules the next timer first. A run that fails is recorded by ``job_failed``
(in a transaction of its own: the failed one rolled back).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from cadenza.bpmn.model import FlowNode, StartEvent
from cadenza.engine.context import CommandContext
from cadenza.engine.definitions import DeployedProcess
from cadenza.engine.firing import fire, start_by_event
from cadenza.engine.incidents import resolve_job_incidents, set_job_retries
from cadenza.engine.lifecycle import execute_node, take_outgoing_flows
from cadenza.engine.records import JobDue, JobExecuted, JobFailed, JobSnapshot
from cadenza.engine.state import Execution, InstanceGraph, Job
from cadenza.engine.timers import CronExpression, is_cron, next_cycle_date
from cadenza.engine.triggers import TIMER_START, new_job
from cadenza.errors import NotFoundError

__all__ = ["job_failed", "next_repeat", "run_job"]


def next_repeat(repeat: str, now: datetime) -> tuple[datetime | None, str | None]:
    """Due date and remaining repeat of the next timer of a cycle."""
    if is_cron(repeat):
        return CronExpression(repeat).next_after(now), repeat
    return next_cycle_date(repeat, now)


def _resume_after(ctx: CommandContext, execution: Execution, node: FlowNode) -> None:
    take_outgoing_flows(ctx, execution, node, resumed=True)


def _reschedule(
    ctx: CommandContext,
    deployed: DeployedProcess,
    job: Job,
    execution: Execution | None,
    graph: InstanceGraph | None,
) -> None:
    if job.repeat is None:
        return
    due, repeat = next_repeat(job.repeat, ctx.now())
    if due is None:
        return
    node = deployed.process.node(job.activity_id or "")
    new_job(
        ctx,
        deployed,
        execution,
        node,
        handler_type=job.handler_type,
        job_type="timer",
        configuration=job.handler_configuration,
        due_date=due,
        repeat=repeat,
        graph=graph,
    )


def run_job(ctx: CommandContext, job: Job, graph: InstanceGraph | None) -> None:
    """Run ``job`` (already loaded: through ``graph`` when it belongs to an instance). Work is
    planned on the agenda; the caller runs it."""
    if graph is not None:
        resolve_job_incidents(ctx, graph, job)  # run by hand despite its incident: the cause is gone
    ctx.uow.delete(job)
    ctx.emit(JobExecuted(ctx.now(), JobSnapshot.of(job)))
    if graph is None:
        if job.handler_type != TIMER_START or job.process_definition_id is None:
            return  # its instance is gone: nothing to do
        try:
            deployed = ctx.definitions.deployed_process(job.process_definition_id)
        except NotFoundError:
            return  # definition deleted since
        _reschedule(ctx, deployed, job, None, None)
        node = deployed.process.node(job.activity_id or "")
        assert isinstance(node, StartEvent)
        start_by_event(ctx, deployed, node.id)
        return
    graph.jobs.pop(job.id, None)
    execution = graph.executions.get(job.execution_id or "")
    if execution is None:
        return
    deployed = ctx.deployed(execution)
    node = deployed.process.node(job.activity_id or "")
    if job.handler_type == "async-continuation":
        if job.handler_configuration == "async-after":
            ctx.plan(_resume_after, execution, node)
        else:
            ctx.plan(execute_node, execution, node)
        return
    before = set(graph.jobs)
    _reschedule(ctx, deployed, job, execution, graph)
    fire(ctx, execution, node.id, keep=set(graph.jobs) - before)


def job_failed(
    ctx: CommandContext,
    job: Job,
    graph: InstanceGraph | None,
    *,
    message: str,
    stacktrace: str,
    retries: int,
    due_date: datetime | None,
) -> None:
    """A run of ``job`` failed (Camunda ``FailedJobListener``): keep the exception, unlock it,
    set the retries the retry policy decided (0 opens a ``failedJob`` incident) and the due
    date of the next attempt; with retries left the job executor is woken."""
    job.exception_message = message
    job.exception_stacktrace = stacktrace
    job.failed_activity_id = job.activity_id
    job.lock_owner = None
    job.lock_expiration_time = None
    job.due_date = due_date
    ctx.emit(JobFailed(ctx.now(), replace(JobSnapshot.of(job), retries=retries), stacktrace))
    set_job_retries(ctx, graph, job, retries)  # the incident, if any, follows the failure
    if retries > 0:
        ctx.emit(JobDue(ctx.now(), job.id, job.due_date))
