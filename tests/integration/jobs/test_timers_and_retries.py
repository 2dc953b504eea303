"""Time travel on SQLite and PostgreSQL: every timer kind and the retry cycles, with the
settable clock and the job executor run synchronously (``run_once``) — nothing sleeps."""

from __future__ import annotations

from datetime import timedelta

import pytest

from cadenza.clock import SettableClock
from cadenza.errors import ProcessEngineError
from cadenza.jobs import JobExecutor
from cadenza.services import Engine, IncidentQuery, JobQuery, ProcessInstanceQuery, TaskQuery

_HEAD = (
    '<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" '
    'xmlns:camunda="http://camunda.org/schema/1.0/bpmn" targetNamespace="t">'
    '<process id="p" isExecutable="true" camunda:historyTimeToLive="1">'
)
_TAIL = "</process></definitions>"


def _deploy(engine: Engine, body: str) -> str:
    result = engine.repository.deploy([("p.bpmn", (_HEAD + body + _TAIL).encode())])
    return result.process_definitions[0].id if result.process_definitions else ""


def _start(engine: Engine, **variables: object) -> str:
    from cadenza.services import typed_value_from_python

    definition = engine.repository.get_latest_process_definition("p")
    typed = {k: typed_value_from_python(v) for k, v in variables.items()}
    return engine.runtime.start_process_instance(definition.id, variables=typed).instance.id


def _tasks(engine: Engine) -> list[str]:
    return sorted(t.task_definition_key for t in engine.tasks.query(TaskQuery()))


def _timer(kind: str, value: str) -> str:
    return f"<timerEventDefinition><{kind}>{value}</{kind}></timerEventDefinition>"


def _flow(n: int, source: str, target: str) -> str:
    return f'<sequenceFlow id="f{n}" sourceRef="{source}" targetRef="{target}"/>'


@pytest.fixture
def executor(engine: Engine) -> JobExecutor:
    return JobExecutor(engine)


CATCH = (
    '<startEvent id="s"/>'
    + _flow(1, "s", "t")
    + '<intermediateCatchEvent id="t">{timer}</intermediateCatchEvent>'
    + _flow(2, "t", "after")
    + '<userTask id="after"/>'
)


def test_intermediate_timer_duration_fires_only_when_due(
    engine: Engine, clock: SettableClock, executor: JobExecutor
) -> None:
    _deploy(engine, CATCH.format(timer=_timer("timeDuration", "PT1H")))
    _start(engine)
    (job,) = engine.jobs.query(JobQuery(timers=True))
    assert job.due_date == clock.now() + timedelta(hours=1)

    clock.advance(timedelta(minutes=59))
    assert executor.run_once() == 0
    assert _tasks(engine) == []

    clock.advance(timedelta(minutes=1))
    assert executor.run_once() == 1
    assert _tasks(engine) == ["after"]
    assert engine.jobs.count(JobQuery()) == 0


def test_intermediate_timer_date_and_expression(
    engine: Engine, clock: SettableClock, executor: JobExecutor
) -> None:
    _deploy(engine, CATCH.format(timer=_timer("timeDate", "${when}")))
    _start(engine, when="2026-01-15T12:00:00")
    (job,) = engine.jobs.query(JobQuery())
    assert job.due_date is not None and job.due_date.hour == 12

    clock.advance(timedelta(hours=2))
    executor.run_once()
    assert _tasks(engine) == ["after"]


def test_intermediate_timer_cycle_fires_once(
    engine: Engine, clock: SettableClock, executor: JobExecutor
) -> None:
    _deploy(engine, CATCH.format(timer=_timer("timeCycle", "R3/PT10M")))
    _start(engine)
    clock.advance(timedelta(minutes=10))
    assert executor.run_once() == 1
    assert _tasks(engine) == ["after"]
    assert engine.jobs.count(JobQuery()) == 0


BOUNDARY = (
    '<startEvent id="s"/>'
    + _flow(1, "s", "task")
    + '<userTask id="task"/>'
    + _flow(2, "task", "end")
    + '<endEvent id="end"/>'
    + '<boundaryEvent id="b" attachedToRef="task" cancelActivity="{cancel}">{timer}</boundaryEvent>'
    + _flow(3, "b", "escalated")
    + '<userTask id="escalated"/>'
)


def test_interrupting_boundary_timer_cancels_the_task(
    engine: Engine, clock: SettableClock, executor: JobExecutor
) -> None:
    _deploy(engine, BOUNDARY.format(cancel="true", timer=_timer("timeDuration", "PT2H")))
    _start(engine)
    assert _tasks(engine) == ["task"]
    clock.advance(timedelta(hours=2))
    executor.run_once()
    assert _tasks(engine) == ["escalated"]


def test_boundary_timer_is_removed_when_the_task_completes(engine: Engine, executor: JobExecutor) -> None:
    _deploy(engine, BOUNDARY.format(cancel="true", timer=_timer("timeDuration", "PT2H")))
    instance = _start(engine)
    assert engine.jobs.count(JobQuery(process_instance_id=instance)) == 1
    engine.tasks.complete(engine.tasks.query(TaskQuery())[0].id, {})
    assert engine.jobs.count(JobQuery()) == 0
    assert engine.runtime.count_process_instances(ProcessInstanceQuery()) == 0


def test_non_interrupting_boundary_cycle_repeats_and_keeps_the_task(
    engine: Engine, clock: SettableClock, executor: JobExecutor
) -> None:
    _deploy(engine, BOUNDARY.format(cancel="false", timer=_timer("timeCycle", "R2/PT1H")))
    _start(engine)
    clock.advance(timedelta(hours=1))
    assert executor.run_once() == 1
    assert _tasks(engine) == ["escalated", "task"]
    clock.advance(timedelta(hours=1))
    assert executor.run_once() == 1
    assert _tasks(engine) == ["escalated", "escalated", "task"]
    clock.advance(timedelta(hours=5))
    assert executor.run_once() == 0  # R2: two firings only
    assert engine.jobs.count(JobQuery()) == 0


def test_non_interrupting_boundary_cron_cycle(
    engine: Engine, clock: SettableClock, executor: JobExecutor
) -> None:
    # the clock starts at 10:00; "every day at 09:00" fires next morning
    _deploy(engine, BOUNDARY.format(cancel="false", timer=_timer("timeCycle", "0 0 9 * * ?")))
    _start(engine)
    (job,) = engine.jobs.query(JobQuery())
    assert (job.due_date.day, job.due_date.hour) == (16, 9)  # type: ignore[union-attr]
    clock.advance(timedelta(hours=23))
    assert executor.run_once() == 1
    (job,) = engine.jobs.query(JobQuery())
    assert (job.due_date.day, job.due_date.hour) == (17, 9)  # type: ignore[union-attr]
    assert _tasks(engine) == ["escalated", "task"]


def test_timer_start_event_cycle_starts_instances(
    engine: Engine, clock: SettableClock, executor: JobExecutor
) -> None:
    _deploy(
        engine,
        f'<startEvent id="s">{_timer("timeCycle", "R2/PT1H")}</startEvent>'
        + _flow(1, "s", "task")
        + '<userTask id="task"/>',
    )
    assert engine.runtime.count_process_instances(ProcessInstanceQuery()) == 0
    clock.advance(timedelta(hours=1))
    executor.run_once()
    assert engine.runtime.count_process_instances(ProcessInstanceQuery()) == 1
    clock.advance(timedelta(hours=1))
    executor.run_once()
    assert engine.runtime.count_process_instances(ProcessInstanceQuery()) == 2
    clock.advance(timedelta(hours=1))
    assert executor.run_once() == 0


def test_timer_start_event_of_old_version_is_removed_on_redeploy(engine: Engine) -> None:
    body = (
        f'<startEvent id="s">{_timer("timeDuration", "PT1H")}</startEvent>'
        + _flow(1, "s", "e")
        + '<endEvent id="e"/>'
    )
    _deploy(engine, body)
    second = _deploy(engine, body + "<!-- v2 -->")
    (job,) = engine.jobs.query(JobQuery())
    assert job.process_definition_id == second


def test_timer_event_sub_process_non_interrupting_and_interrupting(
    engine: Engine, clock: SettableClock, executor: JobExecutor
) -> None:
    _deploy(
        engine,
        '<startEvent id="s"/>'
        + _flow(1, "s", "task")
        + '<userTask id="task"/>'
        + _flow(2, "task", "end")
        + '<endEvent id="end"/>'
        + '<subProcess id="esp1" triggeredByEvent="true">'
        + f'<startEvent id="es1" isInterrupting="false">{_timer("timeDuration", "PT1H")}</startEvent>'
        + _flow(3, "es1", "reminder")
        + '<userTask id="reminder"/></subProcess>'
        + '<subProcess id="esp2" triggeredByEvent="true">'
        + f'<startEvent id="es2">{_timer("timeDuration", "PT3H")}</startEvent>'
        + _flow(4, "es2", "timeout")
        + '<userTask id="timeout"/></subProcess>',
    )
    _start(engine)
    clock.advance(timedelta(hours=1))
    executor.run_once()
    assert _tasks(engine) == ["reminder", "task"]
    clock.advance(timedelta(hours=2))
    executor.run_once()
    assert _tasks(engine) == ["timeout"]


ASYNC = (
    '<startEvent id="s"/>'
    + _flow(1, "s", "work")
    + '<task id="work" camunda:asyncBefore="true">'
    + "<extensionElements><camunda:failedJobRetryTimeCycle>{cycle}</camunda:failedJobRetryTimeCycle>"
    + "</extensionElements></task>"
    + _flow(2, "work", "gw")
    + '<exclusiveGateway id="gw"/>'
    + '<sequenceFlow id="ok" sourceRef="gw" targetRef="done">'
    + "<conditionExpression>${{fail == false}}</conditionExpression></sequenceFlow>"
    + '<userTask id="done"/>'
)


def _fail_once(engine: Engine, instance: str, fail: bool) -> None:
    from cadenza.services import typed_value_from_python

    engine.runtime.set_variable(instance, "fail", typed_value_from_python(fail))


def test_async_before_returns_before_the_work_and_the_executor_continues(
    engine: Engine, executor: JobExecutor
) -> None:
    _deploy(engine, ASYNC.format(cycle="R3/PT5M"))
    instance = _start(engine, fail=False)
    assert _tasks(engine) == []
    (job,) = engine.jobs.query(JobQuery(process_instance_id=instance, messages=True))
    assert job.retries == 3 and job.exception_message is None
    assert executor.run_once() == 1
    assert _tasks(engine) == ["done"]


def test_retry_cycle_r3_pt5m_then_incident_then_retries_resolve_it(
    engine: Engine, clock: SettableClock, executor: JobExecutor
) -> None:
    _deploy(engine, ASYNC.format(cycle="R3/PT5M"))
    instance = _start(engine, fail=True)
    # attempt 1 fails: retries set to 3 by the cycle, then 2, due in 5 minutes
    assert executor.run_once() == 1
    (job,) = engine.jobs.query(JobQuery())
    assert job.retries == 2
    assert job.due_date == clock.now() + timedelta(minutes=5)
    assert job.exception_message is not None and "ENGINE-02004" in job.exception_message
    assert job.failed_activity_id == "work"
    assert "Traceback" in engine.jobs.stacktrace(job.id)
    assert executor.run_once() == 0  # not due yet
    clock.advance(timedelta(minutes=5))
    assert executor.run_once() == 1
    clock.advance(timedelta(minutes=5))
    assert executor.run_once() == 1
    (job,) = engine.jobs.query(JobQuery())
    assert job.retries == 0
    (incident,) = engine.incidents.query(IncidentQuery())
    assert incident.incident_type == "failedJob"
    assert incident.configuration == job.id
    assert incident.incident_message == job.exception_message
    assert incident.job_definition_id == job.job_definition_id
    clock.advance(timedelta(hours=1))
    assert executor.run_once() == 0  # no retries left

    _fail_once(engine, instance, False)
    engine.jobs.set_retries(job.id, 1)
    assert engine.incidents.count(IncidentQuery()) == 0
    assert executor.run_once() == 1
    assert _tasks(engine) == ["done"]


def test_retry_cycle_list_uses_intervals_in_order(
    engine: Engine, clock: SettableClock, executor: JobExecutor
) -> None:
    _deploy(engine, ASYNC.format(cycle="PT1M,PT5M"))
    _start(engine, fail=True)
    start = clock.now()
    executor.run_once()
    (job,) = engine.jobs.query(JobQuery())
    assert (job.retries, job.due_date) == (2, start + timedelta(minutes=1))
    clock.advance(timedelta(minutes=1))
    executor.run_once()
    (job,) = engine.jobs.query(JobQuery())
    assert (job.retries, job.due_date) == (1, clock.now() + timedelta(minutes=5))
    clock.advance(timedelta(minutes=5))
    executor.run_once()
    (job,) = engine.jobs.query(JobQuery())
    assert job.retries == 0
    assert engine.incidents.count(IncidentQuery(incident_type="failedJob")) == 1


def test_default_three_retries_without_cycle(engine: Engine, executor: JobExecutor) -> None:
    _deploy(
        engine,
        '<startEvent id="s"/>'
        + _flow(1, "s", "work")
        + '<task id="work" camunda:asyncAfter="true"/>'
        + _flow(2, "work", "gw")
        + '<exclusiveGateway id="gw"/>'
        + '<sequenceFlow id="ok" sourceRef="gw" targetRef="done">'
        + "<conditionExpression>${false}</conditionExpression></sequenceFlow>"
        + '<userTask id="done"/>',
    )
    _start(engine)
    assert executor.run_once() == 3  # due date unchanged: retried at once, three attempts
    (job,) = engine.jobs.query(JobQuery())
    assert job.retries == 0
    assert engine.incidents.count(IncidentQuery()) == 1


def test_execute_job_directly_reports_the_failure(engine: Engine) -> None:
    _deploy(engine, ASYNC.format(cycle="R3/PT5M"))
    _start(engine, fail=True)
    (job,) = engine.jobs.query(JobQuery())
    with pytest.raises(ProcessEngineError, match="ENGINE-02004"):
        engine.jobs.execute(job.id)
    assert engine.jobs.get(job.id).retries == 2


def test_suspended_instance_jobs_are_not_acquired(engine: Engine, executor: JobExecutor) -> None:
    _deploy(engine, ASYNC.format(cycle="R3/PT5M"))
    instance = _start(engine, fail=False)
    engine.suspension.set_process_instance_suspended(instance, True)
    assert executor.run_once() == 0
    engine.suspension.set_process_instance_suspended(instance, False)
    assert executor.run_once() == 1
    assert _tasks(engine) == ["done"]
