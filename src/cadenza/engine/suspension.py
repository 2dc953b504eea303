"""Suspending and activating a process instance (Camunda ``UpdateProcessInstanceSuspensionStateCmd``):
its executions, user tasks, external tasks and jobs carry ``suspended``, so nothing moves while it
is set; activating makes its jobs due again."""

from __future__ import annotations

from cadenza.engine.context import CommandContext
from cadenza.engine.records import JobDue, ProcessInstanceStateChanged
from cadenza.engine.state import InstanceGraph, ProcessInstanceState

__all__ = ["set_suspended"]


def set_suspended(ctx: CommandContext, graph: InstanceGraph, suspended: bool) -> None:
    for execution in graph.executions.values():
        execution.suspended = suspended
    for task in graph.user_tasks.values():
        task.suspended = suspended
    for external in graph.external_tasks.values():
        external.suspended = suspended
    for job in graph.jobs.values():
        job.suspended = suspended
        if not suspended:
            ctx.emit(JobDue(ctx.now(), job.id, job.due_date))
    state = ProcessInstanceState.SUSPENDED if suspended else ProcessInstanceState.ACTIVE
    ctx.emit(ProcessInstanceStateChanged(ctx.now(), graph.root.id, state))
