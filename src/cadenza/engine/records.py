"""Typed records of what a command did, emitted by the core and read after commit.

Services publish them to wake long-polling fetchAndLock requests (external task created or
unlocked) and tests assert on them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

__all__ = [
    "ExternalTaskAvailable",
    "JobCreated",
    "ProcessInstanceEnded",
    "ProcessInstanceStarted",
    "Record",
    "UserTaskCreated",
]


@dataclass(frozen=True, slots=True)
class ProcessInstanceStarted:
    process_instance_id: str
    process_definition_id: str


@dataclass(frozen=True, slots=True)
class ProcessInstanceEnded:
    process_instance_id: str
    state: str


@dataclass(frozen=True, slots=True)
class ExternalTaskAvailable:
    """An external task became fetchable (created, or unlocked)."""

    external_task_id: str
    topic_name: str


@dataclass(frozen=True, slots=True)
class UserTaskCreated:
    task_id: str
    task_definition_key: str


@dataclass(frozen=True, slots=True)
class JobCreated:
    """A job was created or became due again (its due date, None = now): wakes the job executor."""

    job_id: str
    due_date: datetime | None


Record = ProcessInstanceStarted | ProcessInstanceEnded | ExternalTaskAvailable | UserTaskCreated | JobCreated
