"""Camunda engine tests for timers, messages, signals, receive tasks, inclusive and event-based
gateways, multi-instance and async continuations, ported on the models of the shared corpus
(``bpmn/engine-tests``), on SQLite and PostgreSQL. Each test names the Camunda test it ports;
assertions are on activity ids and task names/keys, as in the originals."""

from __future__ import annotations

from datetime import timedelta

import pytest
from tests.integration.bpmn._support import deploy_corpus, instance_ids, start, task_names, tasks

from cadenza.clock import SettableClock
from cadenza.errors import EngineError
from cadenza.expr.values import typed_value_from_python
from cadenza.jobs import JobExecutor
from cadenza.services import (
    Engine,
    ExecutionQuery,
    JobQuery,
    MismatchingCorrelationError,
    ProcessDefinitionQuery,
    ProcessInstanceQuery,
)

MSG = "bpmn/event/message/"
SIG = "bpmn/event/signal/"
TIMER = "bpmn/event/timer/"
GW = "bpmn/gateway/"
MI = "bpmn/multiinstance/"
RECEIVE = "bpmn/receivetask/"


def keys(engine: Engine, instance: str | None = None) -> list[str]:
    return sorted(t.task_definition_key for t in tasks(engine, instance))


def complete(engine: Engine, key: str, **values: object) -> None:
    task = next(t for t in tasks(engine) if t.task_definition_key == key)
    engine.tasks.complete(task.id, {k: typed_value_from_python(v) for k, v in values.items()})


def correlate(engine: Engine, name: str, **kwargs: object) -> None:
    engine.messages.correlate(name, **kwargs)  # type: ignore[arg-type]


def run_jobs(engine: Engine) -> int:
    return JobExecutor(engine).run_once()


def running(engine: Engine) -> int:
    return engine.runtime.count_process_instances(ProcessInstanceQuery())


def waiting_at(engine: Engine, instance: str) -> list[str]:
    executions = engine.runtime.query_executions(ExecutionQuery(process_instance_id=instance))
    return sorted(e.activity_id for e in executions if e.activity_id)


# ── messages ───────────────────────────────────────────────────────────────────────────────────


def test_single_intermediate_message_event(engine: Engine) -> None:
    """MessageIntermediateEventTest.testSingleIntermediateMessageEvent"""
    deploy_corpus(engine, MSG + "MessageIntermediateEventTest.testSingleIntermediateMessageEvent.bpmn20.xml")
    pi = start(engine, "process")
    assert waiting_at(engine, pi) == ["messageCatch"]
    correlate(engine, "newInvoiceMessage")
    assert task_names(engine) == ["Task"]


def test_concurrent_intermediate_message_event(engine: Engine) -> None:
    """MessageIntermediateEventTest.testConcurrentIntermediateMessageEvent: one message name,
    two waiting executions: each correlation (processInstanceId given twice = ambiguous) is
    delivered with correlateAll."""
    deploy_corpus(
        engine, MSG + "MessageIntermediateEventTest.testConcurrentIntermediateMessageEvent.bpmn20.xml"
    )
    pi = start(engine, "process")
    assert waiting_at(engine, pi) == ["messageCatch1", "messageCatch2"]
    with pytest.raises(MismatchingCorrelationError, match="ENGINE-13031"):
        correlate(engine, "newInvoiceMessage")
    correlate(engine, "newInvoiceMessage", all=True)
    assert task_names(engine) == ["Task"]


def test_single_boundary_message_event_fires(engine: Engine) -> None:
    """MessageBoundaryEventTest.testSingleBoundaryMessageEvent (message path)"""
    deploy_corpus(engine, MSG + "MessageBoundaryEventTest.testSingleBoundaryMessageEvent.bpmn20.xml")
    start(engine, "process")
    assert keys(engine) == ["task"]
    correlate(engine, "messageName")
    assert keys(engine) == ["taskAfterMessage"]
    complete(engine, "taskAfterMessage")
    assert running(engine) == 0


def test_single_boundary_message_event_removed_on_completion(engine: Engine) -> None:
    """MessageBoundaryEventTest.testSingleBoundaryMessageEvent (task path)"""
    deploy_corpus(engine, MSG + "MessageBoundaryEventTest.testSingleBoundaryMessageEvent.bpmn20.xml")
    start(engine, "process")
    complete(engine, "task")
    assert keys(engine) == ["taskAfterTask"]
    with pytest.raises(MismatchingCorrelationError):
        correlate(engine, "messageName")


def test_double_boundary_message_event(engine: Engine) -> None:
    """MessageBoundaryEventTest.testDoubleBoundaryMessageEvent"""
    deploy_corpus(engine, MSG + "MessageBoundaryEventTest.testDoubleBoundaryMessageEvent.bpmn20.xml")
    start(engine, "process")
    correlate(engine, "messageName_2")
    assert keys(engine) == ["taskAfterMessage_2"]
    with pytest.raises(MismatchingCorrelationError):
        correlate(engine, "messageName_1")


def test_boundary_message_event_on_subprocess(engine: Engine) -> None:
    """MessageBoundaryEventTest.testBoundaryMessageEventOnSubprocess"""
    deploy_corpus(engine, MSG + "MessageBoundaryEventTest.testBoundaryMessageEventOnSubprocess.bpmn20.xml")
    start(engine, "process")
    assert keys(engine) == ["taskSubProcess"]
    correlate(engine, "messageName_one")
    assert keys(engine) == ["taskAfterMessage_one"]


def test_boundary_message_event_on_subprocess_completed_normally(engine: Engine) -> None:
    """MessageBoundaryEventTest.testBoundaryMessageEventOnSubprocess (sub-process path)"""
    deploy_corpus(engine, MSG + "MessageBoundaryEventTest.testBoundaryMessageEventOnSubprocess.bpmn20.xml")
    start(engine, "process")
    complete(engine, "taskSubProcess")
    assert keys(engine) == ["taskAfterSubProcess"]
    with pytest.raises(MismatchingCorrelationError):
        correlate(engine, "messageName_two")


def test_single_non_interrupting_boundary_message_event(engine: Engine) -> None:
    """MessageNonInterruptingBoundaryEventTest.testSingleNonInterruptingBoundaryMessageEvent"""
    deploy_corpus(
        engine,
        MSG
        + "MessageNonInterruptingBoundaryEventTest.testSingleNonInterruptingBoundaryMessageEvent.bpmn20.xml",
    )
    pi = start(engine, "process")
    correlate(engine, "messageName")
    assert keys(engine) == ["task", "taskAfterMessage"]
    correlate(engine, "messageName")  # the subscription stays while the task runs
    assert keys(engine) == ["task", "taskAfterMessage", "taskAfterMessage"]
    complete(engine, "task")
    assert keys(engine) == ["taskAfterMessage", "taskAfterMessage", "taskAfterTask"]
    with pytest.raises(MismatchingCorrelationError):
        correlate(engine, "messageName")
    for _ in range(2):
        complete(engine, "taskAfterMessage")
    complete(engine, "taskAfterTask")
    assert instance_ids(engine) == [] and pi


def test_interrupting_message_event_sub_process(engine: Engine) -> None:
    """MessageEventSubprocessTest.testInterruptingUnderProcessDefinition"""
    deploy_corpus(
        engine, MSG + "MessageEventSubprocessTest.testInterruptingUnderProcessDefinition.bpmn20.xml"
    )
    start(engine, "process")
    assert keys(engine) == ["task"]
    correlate(engine, "newMessage")
    assert keys(engine) == ["eventSubProcessTask"]
    complete(engine, "eventSubProcessTask")
    assert running(engine) == 0


def test_non_interrupting_message_event_sub_process(engine: Engine) -> None:
    """MessageEventSubprocessTest.testNonInterruptingUnderProcessDefinition"""
    deploy_corpus(
        engine, MSG + "MessageEventSubprocessTest.testNonInterruptingUnderProcessDefinition.bpmn20.xml"
    )
    start(engine, "process")
    correlate(engine, "newMessage")
    correlate(engine, "newMessage")
    assert keys(engine) == ["eventSubProcessTask", "eventSubProcessTask", "task"]
    complete(engine, "task")
    assert running(engine) == 1
    complete(engine, "eventSubProcessTask")
    complete(engine, "eventSubProcessTask")
    assert running(engine) == 0


def test_single_message_start_event(engine: Engine) -> None:
    """MessageStartEventTest.testSingleMessageStartEvent"""
    deploy_corpus(engine, MSG + "MessageStartEventTest.testSingleMessageStartEvent.bpmn20.xml")
    result = engine.messages.correlate("newInvoiceMessage", business_key="bk-1")
    assert result[0].result_type == "ProcessDefinition"
    assert result[0].process_instance is not None
    assert result[0].process_instance.business_key == "bk-1"
    assert task_names(engine) == ["Task"]


def test_message_start_event_and_none_start_event(engine: Engine) -> None:
    """MessageStartEventTest.testMessageStartEventAndNoneStartEvent"""
    deploy_corpus(engine, MSG + "MessageStartEventTest.testMessageStartEventAndNoneStartEvent.bpmn20.xml")
    start(engine, "testProcess")
    assert keys(engine) == ["taskAfterNoneStart"]
    correlate(engine, "newInvoiceMessage")
    assert keys(engine) == ["taskAfterMessageStart", "taskAfterNoneStart"]


def test_multiple_message_start_events(engine: Engine) -> None:
    """MessageStartEventTest.testMultipleMessageStartEvents"""
    deploy_corpus(engine, MSG + "MessageStartEventTest.testMultipleMessageStartEvents.bpmn20.xml")
    correlate(engine, "newInvoiceMessage")
    assert keys(engine) == ["taskAfterMessageStart"]
    correlate(engine, "newInvoiceMessage2")
    assert keys(engine) == ["taskAfterMessageStart", "taskAfterMessageStart2"]


def test_message_start_event_subscription_moves_to_the_new_version(engine: Engine) -> None:
    """MessageStartEventTest.testSingleMessageStartEvent (redeploy: only the latest version starts)"""
    deploy_corpus(engine, MSG + "MessageStartEventTest.testSingleMessageStartEvent.bpmn20.xml")
    deploy_corpus(engine, MSG + "MessageStartEventTest.testSingleMessageStartEvent.bpmn20.xml")
    (result,) = engine.messages.correlate("newInvoiceMessage")
    assert result.process_instance is not None
    latest = engine.repository.get_latest_process_definition("singleMessageStartEvent")
    assert result.process_instance.definition_id == latest.id


def test_empty_message_name_fails(engine: Engine) -> None:
    """MessageStartEventTest.testEmptyMessageNameFails and
    MessageIntermediateEventTest.testEmptyMessageNameFails"""
    with pytest.raises(EngineError, match="without a message name"):
        deploy_corpus(engine, MSG + "MessageStartEventTest.testEmptyMessageNameFails.bpmn20.xml")
    with pytest.raises(EngineError, match="without a message name"):
        deploy_corpus(engine, MSG + "MessageIntermediateEventTest.testEmptyMessageNameFails.bpmn20.xml")


def test_correlation_by_business_key_and_correlation_keys(engine: Engine) -> None:
    """MessageCorrelationTest.testCatchingMessageEventCorrelation (business key, process variables)"""
    deploy_corpus(engine, MSG + "MessageIntermediateEventTest.testSingleIntermediateMessageEvent.bpmn20.xml")
    first = start(engine, "process", business_key="a", customer="x")
    second = start(engine, "process", business_key="b", customer="y")
    correlate(engine, "newInvoiceMessage", business_key="b")
    assert [t.process_instance_id for t in tasks(engine)] == [second]
    correlate(engine, "newInvoiceMessage", correlation_keys={"customer": typed_value_from_python("x")})
    assert sorted(t.process_instance_id for t in tasks(engine)) == sorted([first, second])


def test_correlation_without_match_fails_and_all_without_match_is_empty(engine: Engine) -> None:
    """MessageCorrelationTest.testCorrelateAllWithoutMessage / no-match failure"""
    deploy_corpus(engine, MSG + "MessageIntermediateEventTest.testSingleIntermediateMessageEvent.bpmn20.xml")
    start(engine, "process", business_key="a")
    with pytest.raises(MismatchingCorrelationError, match="No process definition or execution matches"):
        correlate(engine, "newInvoiceMessage", business_key="other")
    assert engine.messages.correlate("unknown", all=True) == []


def test_correlation_with_process_variables_and_result(engine: Engine) -> None:
    """MessageCorrelationTest: processVariables are set on the receiving instance, result returned"""
    deploy_corpus(engine, MSG + "MessageIntermediateEventTest.testSingleIntermediateMessageEvent.bpmn20.xml")
    pi = start(engine, "process")
    (result,) = engine.messages.correlate(
        "newInvoiceMessage",
        process_instance_id=pi,
        process_variables={"amount": typed_value_from_python(42)},
        with_variables=True,
    )
    assert result.result_type == "Execution"
    assert result.variables is not None and "amount" in result.variables
    assert engine.runtime.get_variable(pi, "amount") == typed_value_from_python(42)


# ── signals ────────────────────────────────────────────────────────────────────────────────────


def test_signal_catch_intermediate(engine: Engine) -> None:
    """SignalEventTest.testSignalCatchIntermediate"""
    deploy_corpus(
        engine,
        SIG + "SignalEventTests.catchAlertSignal.bpmn20.xml",
        SIG + "SignalEventTests.throwAlertSignal.bpmn20.xml",
    )
    start(engine, "catchSignal")
    assert running(engine) == 1
    start(engine, "throwSignal")
    assert running(engine) == 0


def test_signal_catch_boundary(engine: Engine) -> None:
    """SignalEventTest.testSignalCatchBoundary"""
    deploy_corpus(
        engine,
        SIG + "SignalEventTests.catchAlertSignalBoundary.bpmn20.xml",
        SIG + "SignalEventTests.throwAlertSignal.bpmn20.xml",
    )
    start(engine, "catchSignal")
    assert keys(engine) == ["task"]
    start(engine, "throwSignal")
    assert running(engine) == 0


def test_signal_start_event(engine: Engine) -> None:
    """SignalEventTest.testSignalStartEvent: a thrown signal starts an instance"""
    deploy_corpus(
        engine,
        SIG + "SignalEventTest.signalStartEvent.bpmn20.xml",
        SIG + "SignalEventTests.throwAlertSignal.bpmn20.xml",
    )
    start(engine, "throwSignal")
    assert keys(engine) == ["task"]
    engine.signals.signal("alert")
    assert keys(engine) == ["task", "task"]


def test_non_interrupting_signal(engine: Engine) -> None:
    """SignalEventTest.testNonInterruptingSignal"""
    deploy_corpus(engine, SIG + "SignalEventTest.testNonInterruptingSignal.bpmn20.xml")
    start(engine, "nonInterruptingSignalEvent")
    assert task_names(engine) == ["My User Task"]
    engine.signals.signal("alert")
    assert task_names(engine) == ["My Second User Task", "My User Task"]
    complete(engine, "theUserTask")
    complete(engine, "theUserTask2")
    assert running(engine) == 0


def test_catch_multiple_signals(engine: Engine) -> None:
    """SignalEventTest.testSignalCatchDifferentSignals"""
    deploy_corpus(
        engine,
        SIG + "SignalEventTests.catchMultipleSignals.bpmn20.xml",
        SIG + "SignalEventTests.throwAlertSignal.bpmn20.xml",
        SIG + "SignalEventTests.throwAbortSignal.bpmn20.xml",
    )
    start(engine, "catchSignal")
    start(engine, "throwAbort")
    assert keys(engine) == ["task", "taskAfterAbort"]
    start(engine, "throwSignal")
    assert keys(engine) == ["taskAfterAbort"]


def test_signal_rest_style_delivery_to_one_execution(engine: Engine) -> None:
    """SignalEventReceivedBuilder with executionId: only that execution gets the signal"""
    deploy_corpus(engine, SIG + "SignalEventTests.catchAlertSignal.bpmn20.xml")
    first = start(engine, "catchSignal")
    second = start(engine, "catchSignal")
    (execution,) = [
        e for e in engine.runtime.query_executions(ExecutionQuery(process_instance_id=first)) if e.activity_id
    ]
    engine.signals.signal("alert", execution_id=execution.id)
    assert instance_ids(engine) == [second]
    with pytest.raises(EngineError):
        engine.signals.signal("alert", execution_id=execution.id)


# ── timers ─────────────────────────────────────────────────────────────────────────────────────


def test_catching_timer_event(engine: Engine, clock: SettableClock) -> None:
    """IntermediateTimerEventTest.testCatchingTimerEvent"""
    deploy_corpus(engine, TIMER + "IntermediateTimerEventTest.testCatchingTimerEvent.bpmn20.xml")
    start(engine, "intermediateTimerEventExample")
    assert engine.jobs.count(JobQuery(timers=True)) == 1
    clock.advance(timedelta(minutes=5, seconds=1))
    assert run_jobs(engine) == 1
    assert running(engine) == 0


def test_multiple_timers_on_user_task(engine: Engine, clock: SettableClock) -> None:
    """BoundaryTimerEventTest.testMultipleTimersOnUserTask: the earliest (PT1H) wins"""
    deploy_corpus(engine, TIMER + "BoundaryTimerEventTest.testMultipleTimersOnUserTask.bpmn20.xml")
    start(engine, "multipleTimersOnUserTask")
    assert engine.jobs.count(JobQuery()) == 3
    clock.advance(timedelta(hours=1, seconds=1))
    run_jobs(engine)
    assert task_names(engine) == ["Third Task"]
    assert engine.jobs.count(JobQuery()) == 0


def test_timer_on_nesting_of_subprocesses(engine: Engine, clock: SettableClock) -> None:
    """BoundaryTimerEventTest.testTimerOnNestingOfSubprocesses"""
    deploy_corpus(engine, TIMER + "BoundaryTimerEventTest.testTimerOnNestingOfSubprocesses.bpmn20.xml")
    start(engine, "timerOnNestedSubprocesses")
    assert task_names(engine) == ["Inner subprocess task 1", "Inner subprocess task 2"]
    clock.advance(timedelta(hours=2, seconds=1))
    run_jobs(engine)
    assert task_names(engine) == ["task outside subprocess"]


def test_non_interrupting_timer_on_concurrent_tasks(engine: Engine, clock: SettableClock) -> None:
    """BoundaryTimerNonInterruptingEventTest.testTimerOnConcurrentTasks"""
    deploy_corpus(
        engine, TIMER + "BoundaryTimerNonInterruptingEventTest.testTimerOnConcurrentTasks.bpmn20.xml"
    )
    start(engine, "nonInterruptingOnConcurrentTasks")
    assert keys(engine) == ["firstTask", "secondTask"]
    clock.advance(timedelta(hours=1, seconds=1))
    run_jobs(engine)
    assert keys(engine) == ["firstTask", "secondTask", "timerFiredTask"]
    complete(engine, "timerFiredTask")
    complete(engine, "firstTask")
    complete(engine, "secondTask")
    assert running(engine) == 0


def test_non_interrupting_timer_with_cycle(engine: Engine, clock: SettableClock) -> None:
    """BoundaryTimerNonInterruptingEventTest.testTimerWithCycle (R/PT1H repeats forever)"""
    deploy_corpus(engine, TIMER + "BoundaryTimerNonInterruptingEventTest.testTimerWithCycle.bpmn20.xml")
    start(engine, "nonInterruptingCycle")
    for fired in (1, 2):
        clock.advance(timedelta(hours=1))
        run_jobs(engine)
        assert keys(engine).count("timerFiredTask") == fired
    complete(engine, "task")
    assert engine.jobs.count(JobQuery()) == 0


def test_non_interrupting_timer_join(engine: Engine, clock: SettableClock) -> None:
    """BoundaryTimerNonInterruptingEventTest.testJoin"""
    deploy_corpus(engine, TIMER + "BoundaryTimerNonInterruptingEventTest.testJoin.bpmn20.xml")
    start(engine, "testJoin")
    clock.advance(timedelta(hours=1, seconds=1))
    run_jobs(engine)
    assert task_names(engine) == ["Escalation Task", "Main Task"]
    complete(engine, "Main_Task")
    assert running(engine) == 1
    complete(engine, "Escalation_Task")
    assert running(engine) == 0


def test_duration_start_timer_event(engine: Engine, clock: SettableClock) -> None:
    """StartTimerEventTest.testDurationStartTimerEvent"""
    deploy_corpus(engine, TIMER + "StartTimerEventTest.testDurationStartTimerEvent.bpmn20.xml")
    (job,) = engine.jobs.query(JobQuery())
    assert job.due_date == clock.now() + timedelta(minutes=5)
    clock.advance(timedelta(minutes=5))
    run_jobs(engine)
    assert instance_ids(engine, process_definition_key="startTimerEventExample") != []
    assert engine.jobs.count(JobQuery()) == 0


def test_fixed_date_start_timer_event(engine: Engine, clock: SettableClock) -> None:
    """StartTimerEventTest.testFixedDateStartTimerEvent"""
    deploy_corpus(engine, TIMER + "StartTimerEventTest.testFixedDateStartTimerEvent.bpmn20.xml")
    (job,) = engine.jobs.query(JobQuery())
    assert job.due_date is not None and (job.due_date.year, job.due_date.month, job.due_date.day) == (
        2036,
        11,
        14,
    )
    clock.set(job.due_date + timedelta(seconds=1))
    run_jobs(engine)
    assert running(engine) == 1


def test_cycle_with_limit_start_timer_event(engine: Engine, clock: SettableClock) -> None:
    """StartTimerEventTest.testCycleWithLimitStartTimerEvent: R2/PT5M starts two instances"""
    deploy_corpus(engine, TIMER + "StartTimerEventTest.testCycleWithLimitStartTimerEvent.bpmn20.xml")
    for expected in (1, 2, 2):
        clock.advance(timedelta(minutes=5))
        run_jobs(engine)
        assert running(engine) == expected


def test_version_upgrade_cancels_start_timer_jobs(engine: Engine) -> None:
    """StartTimerEventTest.testVersionUpgradeShouldCancelJobs"""
    deploy_corpus(engine, TIMER + "StartTimerEventTest.testDurationStartTimerEvent.bpmn20.xml")
    deploy_corpus(engine, TIMER + "StartTimerEventTest.testDurationStartTimerEvent.bpmn20.xml")
    (job,) = engine.jobs.query(JobQuery())
    assert (
        job.process_definition_id
        == engine.repository.get_latest_process_definition("startTimerEventExample").id
    )


def test_start_timer_in_event_sub_process_with_user_task(engine: Engine, clock: SettableClock) -> None:
    """StartTimerEventTest.testStartTimerEventSubProcessWithUserTask (interrupting timer ESP)"""
    deploy_corpus(engine, TIMER + "StartTimerEventTest.testStartTimerEventSubProcessWithUserTask.bpmn20.xml")
    definition = engine.repository.query_process_definitions(ProcessDefinitionQuery())[0]
    engine.runtime.start_process_instance(definition.id)
    before = keys(engine)
    assert engine.jobs.count(JobQuery(timers=True)) >= 1
    clock.advance(timedelta(days=2))
    run_jobs(engine)
    assert keys(engine) != before


# ── receive tasks ──────────────────────────────────────────────────────────────────────────────


def test_receive_task_with_message(engine: Engine) -> None:
    """ReceiveTaskTest.testReceiveTaskWithoutMessageReference / singleReceiveTask via message"""
    deploy_corpus(engine, RECEIVE + "ReceiveTaskTest.singleReceiveTask.bpmn20.xml")
    pi = start(engine, "testProcess")
    assert waiting_at(engine, pi) == ["waitState"]
    correlate(engine, "newInvoiceMessage")
    assert running(engine) == 0


def test_receive_task_trigger_subscription(engine: Engine) -> None:
    """ReceiveTaskTest.testSupportsMessageEventReceivedOnSingleReceiveTask"""
    deploy_corpus(engine, RECEIVE + "ReceiveTaskTest.singleReceiveTask.bpmn20.xml")
    pi = start(engine, "testProcess")
    engine.messages.trigger_subscription(pi, "newInvoiceMessage")
    assert running(engine) == 0


def test_receive_tasks_behind_parallel_gateway(engine: Engine) -> None:
    """ReceiveTaskTest.testSupportsCorrelateMessageOnReceiveTaskBehindParallelGateway"""
    deploy_corpus(engine, RECEIVE + "ReceiveTaskTest.parallelGatewayReceiveTask.bpmn20.xml")
    pi = start(engine, "testProcess")
    assert waiting_at(engine, pi) == ["waitState1", "waitState2"]
    correlate(engine, "Message 1")
    assert waiting_at(engine, pi) == ["join", "waitState2"]
    correlate(engine, "Message 2")
    assert running(engine) == 0


def test_receive_task_in_sub_process(engine: Engine) -> None:
    """ReceiveTaskTest.testSupportsCorrelateMessageOnReceiveTaskInSubProcess"""
    deploy_corpus(engine, RECEIVE + "ReceiveTaskTest.subProcessReceiveTask.bpmn20.xml")
    start(engine, "testProcess")
    correlate(engine, "newInvoiceMessage")
    assert running(engine) == 0


def test_sequential_multi_instance_receive_task(engine: Engine) -> None:
    """ReceiveTaskTest.testSupportsCorrelateMessageOnSequentialMultiReceiveTask"""
    deploy_corpus(engine, RECEIVE + "ReceiveTaskTest.multiSequentialReceiveTask.bpmn20.xml")
    start(engine, "testProcess")
    correlate(engine, "newInvoiceMessage")
    assert task_names(engine) == []
    correlate(engine, "newInvoiceMessage")
    assert task_names(engine) == ["Interaction"]


def test_parallel_multi_instance_receive_task(engine: Engine) -> None:
    """ReceiveTaskTest.testSupportsCorrelateAllMessageOnParallelMultiReceiveTask"""
    deploy_corpus(engine, RECEIVE + "ReceiveTaskTest.multiParallelReceiveTask.bpmn20.xml")
    start(engine, "testProcess")
    with pytest.raises(MismatchingCorrelationError):
        correlate(engine, "newInvoiceMessage")
    correlate(engine, "newInvoiceMessage", all=True)
    assert running(engine) == 0


# ── inclusive gateway ──────────────────────────────────────────────────────────────────────────


@pytest.mark.parametrize(
    ("value", "expected"), [(1, ["Task 1", "Task 2", "Task 3"]), (2, ["Task 2", "Task 3"]), (3, ["Task 3"])]
)
def test_diverging_inclusive_gateway(engine: Engine, value: int, expected: list[str]) -> None:
    """InclusiveGatewayTest.testDivergingInclusiveGateway"""
    deploy_corpus(engine, GW + "InclusiveGatewayTest.testDivergingInclusiveGateway.bpmn20.xml")
    start(engine, "inclusiveGwDiverging", input=value)
    assert task_names(engine) == expected


def test_merging_inclusive_gateway(engine: Engine) -> None:
    """InclusiveGatewayTest.testMergingInclusiveGateway"""
    deploy_corpus(engine, GW + "InclusiveGatewayTest.testMergingInclusiveGateway.bpmn20.xml")
    start(engine, "inclusiveGwMerging", input=2)
    assert task_names(engine) == ["my task"]


def test_partial_merging_inclusive_gateway(engine: Engine) -> None:
    """InclusiveGatewayTest.testPartialMergingInclusiveGateway"""
    deploy_corpus(engine, GW + "InclusiveGatewayTest.testPartialMergingInclusiveGateway.bpmn20.xml")
    start(engine, "partialInclusiveGwMerging", input=2)
    assert task_names(engine) == ["my partial task"]
    complete(engine, "partialTask")
    assert task_names(engine) == ["my task"]


def test_inclusive_gateway_default_flow(engine: Engine) -> None:
    """InclusiveGatewayTest.testDefaultSequenceFlow"""
    deploy_corpus(engine, GW + "InclusiveGatewayTest.testDefaultSequenceFlow.bpmn20.xml")
    start(engine, "inclusiveGwDefaultSequenceFlow", input=1)
    assert task_names(engine) == ["Input is one", "Input is three or one"]
    start(engine, "inclusiveGwDefaultSequenceFlow", input=5)
    assert "Default input" in task_names(engine)


def test_inclusive_gateway_no_sequence_flow_selected(engine: Engine) -> None:
    """InclusiveGatewayTest.testNoSequenceFlowSelected"""
    deploy_corpus(engine, GW + "InclusiveGatewayTest.testNoSequenceFlowSelected.bpmn20.xml")
    with pytest.raises(EngineError, match="ENGINE-02004"):
        start(engine, "inclusiveGwNoSeqFlowSelected", input=4)


def test_inclusive_join_after_subprocesses(engine: Engine) -> None:
    """InclusiveGatewayTest.testJoinAfterSubprocesses"""
    deploy_corpus(engine, GW + "InclusiveGatewayTest.testJoinAfterSubprocesses.bpmn20.xml")
    start(engine, "InclusiveGateway", a=1, b=1)
    assert task_names(engine) == ["Task1", "Task2"]
    complete(engine, "usertask1")
    assert task_names(engine) == ["Task2"]
    complete(engine, "usertask2")
    assert keys(engine) == ["usertask3"]


# ── event-based gateway ────────────────────────────────────────────────────────────────────────


def test_event_based_gateway_timer_wins(engine: Engine, clock: SettableClock) -> None:
    """EventBasedGatewayTest.testCatchAlertAndTimer (timer path)"""
    deploy_corpus(engine, GW + "EventBasedGatewayTest.testCatchAlertAndTimer.bpmn20.xml")
    start(engine, "catchSignal")
    assert engine.jobs.count(JobQuery()) == 1
    clock.advance(timedelta(seconds=1))
    run_jobs(engine)
    assert task_names(engine) == ["afterTimer"]
    engine.signals.signal("alert")  # the signal subscription went with the gateway
    assert task_names(engine) == ["afterTimer"]


def test_event_based_gateway_signal_wins(engine: Engine) -> None:
    """EventBasedGatewayTest.testCatchAlertAndTimer (signal path)"""
    deploy_corpus(engine, GW + "EventBasedGatewayTest.testCatchAlertAndTimer.bpmn20.xml")
    start(engine, "catchSignal")
    engine.signals.signal("alert")
    assert task_names(engine) == ["afterSignal"]
    assert engine.jobs.count(JobQuery()) == 0


def test_event_based_gateway_message_wins(engine: Engine) -> None:
    """EventBasedGatewayTest.testCatchSignalAndMessageAndTimer (message path)"""
    deploy_corpus(engine, GW + "EventBasedGatewayTest.testCatchSignalAndMessageAndTimer.bpmn20.xml")
    start(engine, "catchSignal")
    correlate(engine, "newInvoice")
    assert task_names(engine) == ["afterMessage"]
    assert engine.jobs.count(JobQuery()) == 0


# ── multi-instance ─────────────────────────────────────────────────────────────────────────────


def test_parallel_user_tasks(engine: Engine) -> None:
    """MultiInstanceTest.testParallelUserTasks"""
    deploy_corpus(engine, MI + "MultiInstanceTest.testParallelUserTasks.bpmn20.xml")
    start(engine, "miParallelUserTasks")
    assert task_names(engine) == ["My Task 0", "My Task 1", "My Task 2"]
    assert sorted(t.assignee or "" for t in tasks(engine)) == ["kermit_0", "kermit_1", "kermit_2"]
    for _ in range(3):
        complete(engine, "miTasks")
    assert running(engine) == 0


def test_parallel_user_tasks_completion_condition(engine: Engine) -> None:
    """MultiInstanceTest.testParallelUserTasksCompletionCondition"""
    deploy_corpus(engine, MI + "MultiInstanceTest.testParallelUserTasksCompletionCondition.bpmn20.xml")
    start(engine, "miParallelUserTasksCompletionCondition")
    assert len(tasks(engine)) == 5
    for _ in range(3):
        complete(engine, "miTasks")
    assert running(engine) == 0


def test_parallel_user_tasks_based_on_collection(engine: Engine) -> None:
    """MultiInstanceTest.testParallelUserTasksBasedOnCollection"""
    deploy_corpus(engine, MI + "MultiInstanceTest.testParallelUserTasksBasedOnCollection.bpmn20.xml")
    start(
        engine,
        "miParallelUserTasksBasedOnCollection",
        assigneeList=["kermit", "gonzo", "mispiggy", "fozzie", "bubba"],
    )
    assert sorted(t.assignee or "" for t in tasks(engine)) == [
        "bubba",
        "fozzie",
        "gonzo",
        "kermit",
        "mispiggy",
    ]
    for _ in range(3):
        complete(engine, "miTasks")
    assert running(engine) == 0


def test_sequential_user_tasks(engine: Engine) -> None:
    """MultiInstanceTest.testSequentialUserTasks"""
    deploy_corpus(engine, MI + "MultiInstanceTest.sequentialUserTasks.bpmn20.xml")
    start(engine, "miSequentialUserTasks", nrOfLoops=3)
    for index in range(3):
        (task,) = tasks(engine)
        assert task.assignee == f"kermit_{index}"
        complete(engine, "miTasks")
    assert running(engine) == 0


def test_sequential_user_tasks_completion_condition(engine: Engine) -> None:
    """MultiInstanceTest.testSequentialUserTasksCompletionCondition (5 of 10)"""
    deploy_corpus(engine, MI + "MultiInstanceTest.sequentialUserTasks.bpmn20.xml")
    start(engine, "miSequentialUserTasks", nrOfLoops=10)
    for _ in range(5):
        complete(engine, "miTasks")
    assert running(engine) == 0


def test_sequential_mi_with_timer_on_the_body(engine: Engine, clock: SettableClock) -> None:
    """MultiInstanceTest.testSequentialUserTasksWithTimer"""
    deploy_corpus(engine, MI + "MultiInstanceTest.sequentialUserTasks.bpmn20.xml")
    start(engine, "miSequentialUserTasks", nrOfLoops=3)
    complete(engine, "miTasks")
    clock.advance(timedelta(hours=2, seconds=1))
    run_jobs(engine)
    assert keys(engine) == ["taskAfterTimer"]


def test_sequential_sub_process(engine: Engine) -> None:
    """MultiInstanceTest.testSequentialSubProcess"""
    deploy_corpus(engine, MI + "MultiInstanceTest.testSequentialSubProcess.bpmn20.xml")
    start(engine, "miSequentialSubprocess")
    for _ in range(4):
        assert task_names(engine) == ["task one", "task two"]
        complete(engine, "subProcessTask1")
        complete(engine, "subProcessTask2")
    assert running(engine) == 0


def test_parallel_sub_process(engine: Engine) -> None:
    """MultiInstanceTest.testParallelSubProcess"""
    deploy_corpus(engine, MI + "MultiInstanceTest.testParallelSubProcess.bpmn20.xml")
    start(engine, "miParallelSubprocess")
    assert task_names(engine) == ["task one", "task one", "task two", "task two"]
    for key in ("subProcessTask1", "subProcessTask1", "subProcessTask2", "subProcessTask2"):
        complete(engine, key)
    assert running(engine) == 0


# ── async continuations ────────────────────────────────────────────────────────────────────────


def test_async_parallel_gateway(engine: Engine) -> None:
    """ParallelGatewayTest.testAsyncParallelGateway"""
    deploy_corpus(engine, GW + "ParallelGatewayTest.testAsyncParallelGateway.bpmn")
    definition = engine.repository.query_process_definitions(ProcessDefinitionQuery())[0]
    engine.runtime.start_process_instance(definition.id)
    assert engine.jobs.count(JobQuery()) >= 1
    run_jobs(engine)
    assert engine.jobs.count(JobQuery()) == 0


def test_merging_inclusive_gateway_async(engine: Engine) -> None:
    """InclusiveGatewayTest.testMergingInclusiveGatewayAsync"""
    deploy_corpus(engine, GW + "InclusiveGatewayTest.testMergingInclusiveGatewayAsync.bpmn20.xml")
    definition = engine.repository.query_process_definitions(ProcessDefinitionQuery())[0]
    engine.runtime.start_process_instance(definition.id, variables={"input": typed_value_from_python(2)})
    assert engine.jobs.count(JobQuery()) >= 1
    run_jobs(engine)
    assert task_names(engine) == ["my task"]
