"""The record stream on in-memory fakes: the ordered records of representative flows (external
task failure, incident and retries; a user task's BPMN error caught by a boundary event; a
parallel fork and join; a call activity completed and cancelled; a timer; a failing async job;
task assignment), and the consumer rounds of ``CommandContext.settle``."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

import pytest

from cadenza.engine.context import MAX_CONSUMER_ROUNDS, CommandContext
from cadenza.engine.external_tasks import (
    complete_external_task,
    fail_external_task,
    lock_external_task,
    update_external_task_retries,
)
from cadenza.engine.job_handlers import job_failed, run_job
from cadenza.engine.lifecycle import end_process_instance
from cadenza.engine.records import (
    ActivityEnded,
    ActivityStarted,
    ExternalTaskFailed,
    IncidentOpened,
    JobDue,
    ProcessInstanceEnded,
    ProcessInstanceStarted,
    Record,
    UserTaskAssigned,
    UserTaskDeleted,
    UserTaskUpdated,
    VariableCreated,
)
from cadenza.engine.state import ExternalTask, Job, ProcessInstanceState, UserTask
from cadenza.engine.user_tasks import claim, delegate, handle_bpmn_error, resolve
from cadenza.errors import ProcessEngineError
from cadenza.expr.values import typed_value_from_python
from fakes import FakeEngine, trail


@pytest.fixture
def fake() -> FakeEngine:
    return FakeEngine()


def _flow(flow_id: str, source: str, target: str) -> str:
    return f'<sequenceFlow id="{flow_id}" sourceRef="{source}" targetRef="{target}"/>'


def _records(fake: FakeEngine) -> list[Record]:
    assert fake.last is not None
    return fake.last.records


def _external(fake: FakeEngine, instance: str) -> ExternalTask:
    (task,) = fake.external_tasks(instance)
    return task


# ── external task: failure, incident, retries, completion ───────────────────────────────────────


def test_external_task_failure_opens_an_incident_retries_resolve_it_and_completion_ends_the_instance(
    fake: FakeEngine,
) -> None:
    deployed = fake.deploy(
        f'<startEvent id="start"/>{_flow("f1", "start", "pay")}'
        f'<serviceTask id="pay" camunda:type="external" camunda:topic="payments"/>'
        f'{_flow("f2", "pay", "end")}<endEvent id="end"/>'
    )
    instance = fake.start(deployed)
    assert trail(_records(fake), signals=True) == [
        "ProcessInstanceStarted p",
        "ActivityStarted start",
        "ActivityEnded start",
        "ActivityStarted pay",
        "ExternalTaskCreated payments",
        "ExternalTaskAvailable payments",
    ]
    task_id = _external(fake, instance).id

    def on_task(action: str) -> None:
        def command(ctx: CommandContext) -> None:
            graph = ctx.graph(instance)
            task = graph.external_tasks[task_id]
            if action == "lock":
                lock_external_task(ctx, task, "w1", ctx.now() + timedelta(minutes=5))
            elif action == "fail":
                fail_external_task(
                    ctx,
                    graph,
                    task,
                    error_message="card declined",
                    error_details="stack",
                    retries=0,
                    retry_timeout=0,
                    variables={},
                    local_variables={},
                )
            elif action == "retry":
                update_external_task_retries(ctx, graph, task, 2)
            else:
                complete_external_task(ctx, graph, task, {"paid": typed_value_from_python(True)}, {})

        fake.run(command)

    on_task("lock")
    assert trail(_records(fake)) == ["ExternalTaskLocked payments"]

    on_task("fail")
    assert trail(_records(fake), signals=True) == [
        "ExternalTaskFailed payments",
        "IncidentOpened failedExternalTask",
    ]
    failed, opened = _records(fake)
    assert isinstance(failed, ExternalTaskFailed) and isinstance(opened, IncidentOpened)
    # Camunda's failure log: the worker, the message and details, the retries from before
    assert (failed.task.worker_id, failed.task.error_message, failed.task.error_details) == (
        "w1",
        "card declined",
        "stack",
    )
    assert (failed.task.retries, failed.retries) == (None, 0)
    assert (opened.incident.configuration, opened.incident.incident_message) == (task_id, "card declined")
    assert opened.incident.activity_id == "pay"

    on_task("retry")
    assert trail(_records(fake), signals=True) == [
        "IncidentResolved failedExternalTask",
        "ExternalTaskAvailable payments",
    ]

    on_task("complete")
    assert trail(_records(fake)) == [
        "VariableCreated paid",
        "ExternalTaskCompleted payments",
        "ActivityEnded pay",
        "ActivityStarted end",
        "ActivityEnded end scope",
        "ProcessInstanceEnded COMPLETED",
    ]
    assert fake.history(instance).state == "COMPLETED"


def test_records_carry_the_command_time_and_the_activity_tree(fake: FakeEngine) -> None:
    deployed = fake.deploy(
        f'<startEvent id="start"/>{_flow("f1", "start", "sub")}'
        f'<subProcess id="sub" name="Sub"><startEvent id="inner"/>{_flow("f2", "inner", "wait")}'
        f'<userTask id="wait" name="Wait"/></subProcess>'
    )
    instance = fake.start(deployed)

    started = [r for r in _records(fake) if isinstance(r, ActivityStarted)]
    by_activity = {r.activity_id: r for r in started}
    assert [r.activity_id for r in started] == ["start", "sub", "inner", "wait"]
    assert {r.time for r in _records(fake)} == {fake.clock.now()}
    assert by_activity["sub"].parent_activity_instance_id == instance
    assert by_activity["sub"].activity_type == "subProcess"
    assert by_activity["wait"].parent_activity_instance_id == by_activity["sub"].activity_instance_id
    assert (by_activity["wait"].activity_type, by_activity["wait"].activity_name) == ("userTask", "Wait")
    assert by_activity["wait"].activity_instance_id == fake.user_task("wait").activity_instance_id


# ── user task: BPMN error caught by a boundary event ────────────────────────────────────────────

_REVIEW = f"""
<startEvent id="start"/>{_flow("f1", "start", "review")}
<userTask id="review"/>{_flow("f2", "review", "done")}<endEvent id="done"/>
<boundaryEvent id="rejected" attachedToRef="review"><errorEventDefinition errorRef="err"/></boundaryEvent>
{_flow("f3", "rejected", "fix")}<userTask id="fix"/>
"""


def test_user_task_bpmn_error_caught_by_a_boundary_event(fake: FakeEngine) -> None:
    xml = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" '
        'xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="d" targetNamespace="t">'
        f'<error id="err" errorCode="REJECTED"/><process id="p" isExecutable="true">{_REVIEW}</process>'
        "</definitions>"
    ).encode()
    instance = fake.start(fake.definitions.deploy(xml))
    review = fake.user_task("review")

    def command(ctx: CommandContext) -> None:
        graph = ctx.graph(instance)
        reason = {"reason": typed_value_from_python("no receipt")}
        handle_bpmn_error(ctx, graph, graph.user_tasks[review.id], "REJECTED", "bad", reason)

    fake.run(command)

    assert trail(_records(fake)) == [
        "VariableCreated reason",
        "UserTaskDeleted review",
        "ActivityEnded review canceled",
        "ActivityStarted rejected",
        "ActivityEnded rejected",
        "ActivityStarted fix",
        "UserTaskCreated fix",
    ]
    variable, deleted, ended = _records(fake)[:3]
    assert isinstance(variable, VariableCreated) and variable.variable.execution_id == instance
    assert isinstance(deleted, UserTaskDeleted) and deleted.delete_reason == "deleted"
    assert isinstance(ended, ActivityEnded) and ended.activity_instance_id == review.activity_instance_id


# ── parallel gateway ────────────────────────────────────────────────────────────────────────────


def test_parallel_fork_and_join_end_one_gateway_instance_per_arriving_path(fake: FakeEngine) -> None:
    deployed = fake.deploy(
        f"""
        <startEvent id="start"/>{_flow("f1", "start", "fork")}
        <parallelGateway id="fork"/>{_flow("f2", "fork", "a")}{_flow("f3", "fork", "b")}
        <userTask id="a"/><userTask id="b"/>
        {_flow("f4", "a", "join")}{_flow("f5", "b", "join")}
        <parallelGateway id="join"/>{_flow("f6", "join", "end")}<endEvent id="end"/>
        """
    )
    instance = fake.start(deployed)
    assert trail(_records(fake)) == [
        "ProcessInstanceStarted p",
        "ActivityStarted start",
        "ActivityEnded start",
        "ActivityStarted fork",
        "ActivityEnded fork",
        "ActivityStarted a",
        "UserTaskCreated a",
        "ActivityStarted b",
        "UserTaskCreated b",
    ]

    fake.complete_user_task(fake.user_task("a"))
    assert trail(_records(fake)) == ["UserTaskCompleted a", "ActivityEnded a", "ActivityStarted join"]

    fake.complete_user_task(fake.user_task("b"))
    assert trail(_records(fake)) == [
        "UserTaskCompleted b",
        "ActivityEnded b",
        "ActivityStarted join",
        "ActivityEnded join",
        "ActivityEnded join",
        "ActivityStarted end",
        "ActivityEnded end scope",
        "ProcessInstanceEnded COMPLETED",
    ]
    joins = [r for r in _records(fake) if isinstance(r, ActivityEnded) and r.activity_id == "join"]
    assert len({r.activity_instance_id for r in joins}) == 2
    assert {r.parent_activity_instance_id for r in joins} == {instance}


# ── call activity ───────────────────────────────────────────────────────────────────────────────

_CHILD = (
    f'<startEvent id="cs"/>{_flow("c1", "cs", "inner")}<userTask id="inner"/>'
    f'{_flow("c2", "inner", "ce")}<endEvent id="ce"/>'
)
_PARENT = (
    f'<startEvent id="start"/>{_flow("f1", "start", "call")}<callActivity id="call" calledElement="child"/>'
    f'{_flow("f2", "call", "end")}<endEvent id="end"/>'
)


def _call(fake: FakeEngine) -> tuple[str, str]:
    fake.deploy(_CHILD, process_id="child")
    parent = fake.start(fake.deploy(_PARENT))
    child = fake.user_task("inner").process_instance_id
    return parent, child


def test_call_activity_starts_the_called_instance_and_ends_when_it_completes(fake: FakeEngine) -> None:
    parent, child = _call(fake)
    assert trail(_records(fake)) == [
        "ProcessInstanceStarted p",
        "ActivityStarted start",
        "ActivityEnded start",
        "ActivityStarted call",
        "ProcessInstanceStarted child",
        "ActivityStarted cs",
        "ActivityEnded cs",
        "ActivityStarted inner",
        "UserTaskCreated inner",
    ]
    child_started = _records(fake)[4]
    call_started = _records(fake)[3]
    assert isinstance(child_started, ProcessInstanceStarted) and isinstance(call_started, ActivityStarted)
    assert (child_started.super_process_instance_id, child_started.root_process_instance_id) == (
        parent,
        parent,
    )
    assert child_started.super_execution_id == call_started.execution_id

    fake.complete_user_task(fake.user_task("inner"))

    assert trail(_records(fake)) == [
        "UserTaskCompleted inner",
        "ActivityEnded inner",
        "ActivityStarted ce",
        "ActivityEnded ce scope",
        "ProcessInstanceEnded COMPLETED",
        "ActivityEnded call",
        "ActivityStarted end",
        "ActivityEnded end scope",
        "ProcessInstanceEnded COMPLETED",
    ]
    call_ended = _records(fake)[5]
    assert isinstance(call_ended, ActivityEnded) and call_ended.called_process_instance_id == child
    assert [fake.history(i).state for i in (child, parent)] == ["COMPLETED", "COMPLETED"]


def test_deleting_the_caller_cancels_the_call_activity_and_deletes_the_called_instance(
    fake: FakeEngine,
) -> None:
    parent, child = _call(fake)

    def command(ctx: CommandContext) -> None:
        root = ctx.graph(parent).root
        end_process_instance(ctx, root, ProcessInstanceState.EXTERNALLY_TERMINATED, "not needed")

    fake.run(command)

    assert trail(_records(fake)) == [
        "UserTaskDeleted inner",
        "ActivityEnded inner canceled",
        "ProcessInstanceEnded EXTERNALLY_TERMINATED",
        "ActivityEnded call canceled",
        "ProcessInstanceEnded EXTERNALLY_TERMINATED",
    ]
    ended = _records(fake)[-1]
    assert isinstance(ended, ProcessInstanceEnded) and (ended.process_instance_id, ended.delete_reason) == (
        parent,
        "not needed",
    )
    assert fake.history(parent).delete_reason == "not needed"
    assert fake.history(child).state == "EXTERNALLY_TERMINATED"


# ── timers and jobs ─────────────────────────────────────────────────────────────────────────────


def _job(fake: FakeEngine) -> Job:
    (job,) = fake.uow.all(Job)
    return job


def test_timer_job_is_created_then_executed_and_the_token_moves_on(fake: FakeEngine) -> None:
    deployed = fake.deploy(
        f'<startEvent id="start"/>{_flow("f1", "start", "wait")}'
        '<intermediateCatchEvent id="wait"><timerEventDefinition><timeDuration>PT5M</timeDuration>'
        f'</timerEventDefinition></intermediateCatchEvent>{_flow("f2", "wait", "end")}<endEvent id="end"/>'
    )
    instance = fake.start(deployed)
    assert trail(_records(fake), signals=True)[-3:] == [
        "ActivityStarted wait",
        "JobCreated timer-intermediate-transition",
        "JobDue due",
    ]
    due = _records(fake)[-1]
    assert isinstance(due, JobDue) and due.due_date == fake.clock.now() + timedelta(minutes=5)
    job_id = _job(fake).id

    fake.clock.advance(timedelta(minutes=6))
    fake.run(lambda ctx: run_job(ctx, ctx.graph(instance).jobs[job_id], ctx.graph(instance)))

    assert trail(_records(fake)) == [
        "JobExecuted timer-intermediate-transition",
        "ActivityEnded wait",
        "ActivityStarted end",
        "ActivityEnded end scope",
        "ProcessInstanceEnded COMPLETED",
    ]


def test_failed_async_job_opens_an_incident_and_goes_with_its_instance(fake: FakeEngine) -> None:
    deployed = fake.deploy(
        f'<startEvent id="start"/>{_flow("f1", "start", "work")}<task id="work" camunda:asyncBefore="true"/>'
    )
    instance = fake.start(deployed)
    # asyncBefore: the activity instance starts when its job runs
    assert trail(_records(fake))[-2:] == ["ActivityEnded start", "JobCreated async-continuation"]
    job_id = _job(fake).id

    def fail(ctx: CommandContext) -> None:
        graph = ctx.graph(instance)
        job_failed(
            ctx, graph.jobs[job_id], graph, message="boom", stacktrace="trace", retries=0, due_date=None
        )

    fake.run(fail)
    assert trail(_records(fake), signals=True) == ["JobFailed async-continuation", "IncidentOpened failedJob"]

    fake.run(
        lambda ctx: end_process_instance(
            ctx, ctx.graph(instance).root, ProcessInstanceState.EXTERNALLY_TERMINATED
        )
    )
    # no activity instance was started, so none is cancelled
    assert trail(_records(fake)) == [
        "JobDeleted async-continuation",
        "IncidentDeleted failedJob",
        "ProcessInstanceEnded EXTERNALLY_TERMINATED",
    ]


# ── task assignment ─────────────────────────────────────────────────────────────────────────────


def test_claim_delegate_resolve_record_assignee_and_property_changes(fake: FakeEngine) -> None:
    instance = fake.start(
        fake.deploy(
            '<startEvent id="s"/><sequenceFlow id="f" sourceRef="s" targetRef="t"/><userTask id="t"/>'
        )
    )
    task_id = fake.user_task("t").id

    def act(action: str) -> None:
        def command(ctx: CommandContext) -> None:
            graph = ctx.graph(instance)
            task: UserTask = graph.user_tasks[task_id]
            if action == "claim":
                claim(ctx, task, "kermit")
            elif action == "delegate":
                delegate(ctx, task, "gonzo")
            else:
                resolve(ctx, graph, task, {})

        fake.run(command)

    act("claim")
    assert trail(_records(fake)) == ["UserTaskAssigned t"]
    act("delegate")
    assert trail(_records(fake)) == ["UserTaskAssigned t", "UserTaskUpdated t"]
    assigned, updated = _records(fake)
    assert isinstance(assigned, UserTaskAssigned) and isinstance(updated, UserTaskUpdated)
    assert (assigned.previous_assignee, assigned.task.assignee) == ("kermit", "gonzo")
    assert (updated.previous.owner, updated.task.owner, updated.task.delegation_state) == (
        None,
        "kermit",
        "PENDING",
    )
    act("resolve")
    assert trail(_records(fake)) == ["UserTaskAssigned t", "UserTaskUpdated t"]

    act("claim")  # back with kermit: claiming what one has changes nothing
    assert trail(_records(fake)) == []


# ── consumers ───────────────────────────────────────────────────────────────────────────────────


class _Recorder:
    """A consumer that writes down the batches it gets and answers some records with its own."""

    def __init__(self, name: str, answer_to: type | None = None) -> None:
        self.name = name
        self.answer_to = answer_to
        self.batches: list[list[str]] = []

    def consume(self, ctx: CommandContext, records: Sequence[Record]) -> None:
        self.batches.append(trail(records, signals=True))
        for record in records:
            if self.answer_to is not None and isinstance(record, self.answer_to):
                assert isinstance(record, ProcessInstanceStarted)
                ctx.emit(JobDue(ctx.now(), f"{self.name}-{record.process_instance_id}", None))


def test_consumers_see_every_record_once_in_order_and_their_own_records_in_the_next_round() -> None:
    first = _Recorder("first", answer_to=ProcessInstanceStarted)
    second = _Recorder("second")
    fake = FakeEngine(consumers=[first, second])
    instance = fake.start(
        fake.deploy(
            '<startEvent id="s"/><sequenceFlow id="f" sourceRef="s" targetRef="e"/><endEvent id="e"/>'
        )
    )

    command_records = [
        "ProcessInstanceStarted p",
        "ActivityStarted s",
        "ActivityEnded s",
        "ActivityStarted e",
        "ActivityEnded e scope",
        "ProcessInstanceEnded COMPLETED",
    ]
    assert first.batches == second.batches == [command_records, ["JobDue due"]]
    assert fake.last is not None
    answer = fake.last.records[-1]
    assert isinstance(answer, JobDue) and answer.job_id == f"first-{instance}"


def test_a_consumer_that_never_stops_emitting_fails_the_command() -> None:
    class Echo:
        def consume(self, ctx: CommandContext, records: Sequence[Record]) -> None:
            ctx.emit(JobDue(ctx.now(), "again", None))

    fake = FakeEngine(consumers=[Echo()])
    with pytest.raises(ProcessEngineError, match=f"after {MAX_CONSUMER_ROUNDS} rounds"):
        fake.start(fake.deploy('<startEvent id="s"/>'))
