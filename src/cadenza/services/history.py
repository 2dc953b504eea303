"""History from the record stream: the historic process instance row of every instance.

``HistoryConsumer`` is a record consumer (``engine.context.RecordConsumer``): it runs in every
command's transaction after the agenda, so a history row commits with the change it describes.
It writes through the unit of work only, so it runs against the in-memory fakes of the engine
tests as well.

- ``ProcessInstanceStarted``: a new row (``ACTIVE``), with business key, start activity and
  user, super and root instance, tenant;
- ``ProcessInstanceEnded``: end time, state and delete reason;
- ``ProcessInstanceStateChanged``: ``SUSPENDED`` / ``ACTIVE``.

The rest of Camunda's history (activity instances, tasks, variables, incidents, job and external
task logs, identity links) is a later consumer of the same records.
"""

from __future__ import annotations

from collections.abc import Sequence

from cadenza.engine.context import CommandContext
from cadenza.engine.records import (
    ProcessInstanceEnded,
    ProcessInstanceStarted,
    ProcessInstanceStateChanged,
    Record,
)
from cadenza.engine.state import HistoricProcessInstance

__all__ = ["HistoryConsumer"]


class HistoryConsumer:
    """Writes ``historic_process_instance`` rows from the process instance records."""

    def consume(self, ctx: CommandContext, records: Sequence[Record]) -> None:
        for record in records:
            kind = type(record)  # exact classes: every command's records pass here
            if kind is ProcessInstanceStarted:
                assert isinstance(record, ProcessInstanceStarted)
                self._started(ctx, record)
            elif kind is ProcessInstanceEnded:
                assert isinstance(record, ProcessInstanceEnded)
                row = ctx.graph(record.process_instance_id).history
                if row is not None:
                    row.end_time = record.time
                    row.state = record.state
                    row.delete_reason = record.delete_reason
            elif kind is ProcessInstanceStateChanged:
                assert isinstance(record, ProcessInstanceStateChanged)
                row = ctx.graph(record.process_instance_id).history
                if row is not None:
                    row.state = record.state

    @staticmethod
    def _started(ctx: CommandContext, record: ProcessInstanceStarted) -> None:
        row = HistoricProcessInstance(
            id=record.process_instance_id,
            process_definition_id=record.process_definition_id,
            process_definition_key=record.process_definition_key,
            start_time=record.time,
            business_key=record.business_key,
            start_activity_id=record.start_activity_id,
            super_process_instance_id=record.super_process_instance_id,
            root_process_instance_id=record.root_process_instance_id,
            tenant_id=record.tenant_id,
        )
        ctx.uow.insert(row)
        # the instance's graph is known to this command (it started here): later records of
        # the same command (its end, a suspension) find the row there, as for a loaded instance
        ctx.graph(record.process_instance_id).history = row
