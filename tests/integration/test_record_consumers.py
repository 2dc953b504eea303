"""The record consumers of the command runner, on SQLite and PostgreSQL: each sees the records
of a command, and the records a consumer emits (the timer job of a new timer start event) in the
next round; what they write (the historic process instance) commits with the command, and a
failing consumer rolls the whole command back."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from cadenza.engine.records import JobCreated, ProcessDefinitionDeployed, ProcessInstanceStarted, Record
from cadenza.engine.state import HistoricProcessInstance
from cadenza.errors import ProcessEngineError
from cadenza.services import Engine, JobDefinitionQuery, ProcessInstanceQuery
from cadenza.services.runner import ServiceContext
from fakes import bpmn

_TIMER_START = bpmn(
    '<startEvent id="every"><timerEventDefinition><timeCycle>R3/PT1H</timeCycle></timerEventDefinition>'
    '</startEvent><sequenceFlow id="f" sourceRef="every" targetRef="e"/><endEvent id="e"/>',
    process_id="hourly",
)
_WAITING = bpmn('<startEvent id="s"/><sequenceFlow id="f" sourceRef="s" targetRef="t"/><userTask id="t"/>')


class _Batches:
    def __init__(self) -> None:
        self.batches: list[list[type]] = []

    def consume(self, ctx: ServiceContext, records: Sequence[Record]) -> None:
        self.batches.append([type(record) for record in records])


class _Refuse:
    def consume(self, ctx: ServiceContext, records: Sequence[Record]) -> None:
        if any(isinstance(record, ProcessInstanceStarted) for record in records):
            raise ProcessEngineError("refused by a consumer")


def test_a_deployment_reaches_the_consumers_and_the_timer_job_it_creates_comes_next(engine: Engine) -> None:
    seen = _Batches()
    engine.runner.consumers = (*engine.runner.consumers, seen)

    engine.repository.deploy([("hourly.bpmn", _TIMER_START)])

    deployed_batch, jobs_batch = seen.batches
    assert ProcessDefinitionDeployed in deployed_batch
    assert JobCreated not in deployed_batch
    assert JobCreated in jobs_batch  # emitted by the start-event consumer, seen in round two
    assert len(engine.jobs.query_definitions(JobDefinitionQuery())) == 1


def test_the_history_row_commits_with_the_start_and_a_failing_consumer_rolls_it_back(engine: Engine) -> None:
    definition = engine.repository.deploy([("waiting.bpmn", _WAITING)]).process_definitions[0]

    started = engine.runtime.start_process_instance(definition.id, business_key="bk").instance.id
    row = _history(engine, started)
    assert (row.state, row.business_key, row.start_activity_id, row.end_time) == ("ACTIVE", "bk", "s", None)

    engine.runner.consumers = (*engine.runner.consumers, _Refuse())
    with pytest.raises(ProcessEngineError, match="refused by a consumer"):
        engine.runtime.start_process_instance(definition.id, business_key="second")

    assert engine.runtime.count_process_instances(ProcessInstanceQuery(business_key="second")) == 0
    assert _history_ids(engine) == [started]


def _history(engine: Engine, process_instance_id: str) -> HistoricProcessInstance:
    def command(ctx: ServiceContext) -> HistoricProcessInstance:
        found = ctx.sql.load_one(HistoricProcessInstance, process_instance_id)
        assert found is not None
        return found  # type: ignore[no-any-return]

    return engine.runner.run(command)


def _history_ids(engine: Engine) -> list[str]:
    def command(ctx: ServiceContext) -> list[str]:
        rows = ctx.sql.load_by(HistoricProcessInstance, "process_definition_key", "p")
        return [row.id for row in rows]

    return engine.runner.run(command)
