"""Background job execution (Camunda's job executor): ``JobExecutor`` acquires due jobs through
the job service and runs them on a small thread pool. Only talks to ``cadenza.services``."""

from __future__ import annotations

from cadenza.jobs.executor import ExecutorStats, JobExecutor

__all__ = ["ExecutorStats", "JobExecutor"]
