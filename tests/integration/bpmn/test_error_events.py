"""BPMN errors on SQLite and PostgreSQL: Camunda's ``BoundaryErrorEventTest``,
``ErrorEventSubProcessTest``, ``ErrorEndEventTest`` and ``UnhandledBpmnErrorTest``, ported on
the same models from the shared corpus (``bpmn/engine-tests/bpmn/event/error``).

Errors come from error end events in the models, or from a waiting user task through
``engine.error_propagation.propagate_error`` (what the REST ``bpmnError`` calls do).
"""

from __future__ import annotations

import dataclasses

import pytest
from tests.integration.bpmn._support import (
    active_activities,
    deploy_corpus,
    history,
    instance_ids,
    start,
    task,
    task_names,
    tasks,
    throw_error,
    variables,
)

from cadenza.errors import ParseError, ProcessEngineError
from cadenza.expr.values import typed_value_from_python
from cadenza.services import Engine

ERROR = "bpmn/event/error/"


def _exceptions_on_unhandled_errors(engine: Engine) -> None:
    engine.runner.config = dataclasses.replace(
        engine.config, enable_exceptions_after_unhandled_bpmn_error=True
    )


# ── BoundaryErrorEventTest ─────────────────────────────────────────────────────────────────────


def test_catch_error_on_embedded_subprocess(engine: Engine) -> None:
    """testCatchErrorOnEmbeddedSubprocess: error end event caught by a catch-all boundary."""
    deploy_corpus(engine, ERROR + "BoundaryErrorEventTest.testCatchErrorOnEmbeddedSubprocess.bpmn20.xml")
    instance = start(engine, "boundaryErrorOnEmbeddedSubprocess")

    assert task(engine, instance).name == "subprocessTask"
    engine.tasks.complete(task(engine, instance).id)

    assert task(engine, instance).name == "task after catching the error"
    assert active_activities(engine, instance) == ["taskAfterErrorCatch"]


@pytest.mark.parametrize("variant", ["WithEmptyErrorCode", "WithoutErrorCode"])
def test_catch_error_on_embedded_subprocess_catch_all_variants(engine: Engine, variant: str) -> None:
    """testCatchErrorOnEmbeddedSubprocessWithEmptyErrorCode / ...WithoutErrorCode."""
    deploy_corpus(
        engine, ERROR + f"BoundaryErrorEventTest.testCatchErrorOnEmbeddedSubprocess{variant}.bpmn20.xml"
    )
    instance = start(engine, "boundaryErrorOnEmbeddedSubprocess")

    engine.tasks.complete(task(engine, instance).id)

    assert task(engine, instance).name == "task after catching the error"


def test_catch_error_of_inner_subprocess_on_outer_subprocess(engine: Engine) -> None:
    """testCatchErrorOfInnerSubprocessOnOuterSubprocess: the inner boundary catches another
    code, so the error reaches the outer sub-process's boundary; both inner tasks go."""
    deploy_corpus(
        engine, ERROR + "BoundaryErrorEventTest.testCatchErrorOfInnerSubprocessOnOuterSubprocess.bpmn20.xml"
    )
    instance = start(engine, "boundaryErrorTest")
    assert task_names(engine, instance) == ["Inner subprocess task 1", "Inner subprocess task 2"]

    second = next(t for t in tasks(engine, instance) if t.name == "Inner subprocess task 2")
    engine.tasks.complete(second.id)

    assert task_names(engine, instance) == ["task outside subprocess"]
    assert active_activities(engine, instance) == ["taskAfterErrorCatch"]


def test_catch_error_in_concurrent_embedded_subprocesses(engine: Engine) -> None:
    """testCatchErrorInConcurrentEmbeddedSubprocesses: error 2 is caught on inner sub-process 2
    (task C), then error 1 from inner sub-process 1 on the outer sub-process (task D)."""
    deploy_corpus(
        engine, ERROR + "BoundaryErrorEventTest.testCatchErrorInConcurrentEmbeddedSubprocesses.bpmn20.xml"
    )
    instance = start(engine, "boundaryEventTestConcurrentSubprocesses")
    assert task_names(engine, instance) == ["task A", "task B"]

    engine.tasks.complete(next(t for t in tasks(engine, instance) if t.name == "task B").id)
    assert task_names(engine, instance) == ["task A", "task C"]

    engine.tasks.complete(next(t for t in tasks(engine, instance) if t.name == "task A").id)
    assert task_names(engine, instance) == ["task D"]


def test_catch_error_in_concurrent_embedded_subprocesses_outer_first(engine: Engine) -> None:
    """testCatchErrorInConcurrentEmbeddedSubprocesses (second half): error 1 first cancels both
    inner sub-processes."""
    deploy_corpus(
        engine, ERROR + "BoundaryErrorEventTest.testCatchErrorInConcurrentEmbeddedSubprocesses.bpmn20.xml"
    )
    instance = start(engine, "boundaryEventTestConcurrentSubprocesses")

    engine.tasks.complete(next(t for t in tasks(engine, instance) if t.name == "task A").id)

    assert task_names(engine, instance) == ["task D"]
    engine.tasks.complete(task(engine, instance).id)
    assert instance_ids(engine) == []


@pytest.mark.parametrize(("value", "expected"), [(1, None), (2, "task after catch")])
def test_deeply_nested_error_thrown(engine: Engine, value: int, expected: str | None) -> None:
    """testDeeplyNestedErrorThrown: error1 (an errorRef naming no <error>, used as the code) is
    caught on sub-process 2 and the process ends; error2 on sub-process 1, reaching a task."""
    deploy_corpus(engine, ERROR + "BoundaryErrorEventTest.testDeeplyNestedErrorThrown.bpmn20.xml")
    instance = start(engine, "deeplyNestedErrorThrown")
    assert task(engine, instance).name == "Nested task"

    engine.tasks.complete(task(engine, instance).id, {"input": typed_value_from_python(value)})

    if expected is None:
        assert instance_ids(engine) == []
        assert history(engine, instance).state == "COMPLETED"
    else:
        assert task(engine, instance).name == expected


@pytest.mark.parametrize(("value", "end"), [(1, "processEnd1"), (2, "processEnd2")])
def test_deeply_nested_error_thrown_only_automatic_steps(engine: Engine, value: int, end: str) -> None:
    """testDeeplyNestedErrorThrownOnlyAutomaticSteps: thrown while starting, caught on the
    matching level; the instance ends within the start call."""
    deploy_corpus(
        engine, ERROR + "BoundaryErrorEventTest.testDeeplyNestedErrorThrownOnlyAutomaticSteps.bpmn20.xml"
    )

    instance = start(engine, "deeplyNestedErrorThrown", input=value)

    assert instance_ids(engine) == []
    assert history(engine, instance).state == "COMPLETED"


def test_concurrent_executions_interrupted_on_destroy_scope(engine: Engine) -> None:
    """testConcurrentExecutionsInterruptedOnDestroyScope: the error of one parallel path
    cancels the other path before its task is created."""
    deploy_corpus(
        engine, ERROR + "BoundaryErrorEventTest.testConcurrentExecutionsInterruptedOnDestroyScope.bpmn20.xml"
    )

    instance = start(engine, "process")

    assert task_names(engine, instance) == ["task after catching the error"]
    assert active_activities(engine, instance) == ["taskAfterErrorCatch"]


def test_catch_error_on_subprocess_sets_error_variables(engine: Engine) -> None:
    """testCatchErrorOnSubprocessSetsErrorVariables: errorCodeVariable gets the code."""
    deploy_corpus(engine, ERROR + "BoundaryErrorEventTest.testCatchErrorOnSubprocessSetsErrorVariables.bpmn")

    instance = start(engine, "Process_1")

    assert task(engine, instance).name == "User Task"
    found = variables(engine, instance)
    assert found["errorVariable"] == "error1"
    assert found["errorMessageVariable"] is None


@pytest.mark.parametrize("variant", ["WithEmptyErrorCode", "WithoutErrorCode"])
def test_throw_error_without_error_code_is_refused_at_deployment(engine: Engine, variant: str) -> None:
    """testThrowErrorWithEmptyErrorCode / testThrowErrorWithoutErrorCode: deployment fails."""
    with pytest.raises(ParseError, match="'errorCode' is mandatory on errors referenced by throwing"):
        deploy_corpus(engine, ERROR + f"BoundaryErrorEventTest.testThrowError{variant}.bpmn20.xml")


def test_error_thrown_by_user_task_caught_by_boundary_on_subprocess(engine: Engine) -> None:
    """A user task's bpmnError inside the sub-process (the REST path) is caught the same way."""
    deploy_corpus(engine, ERROR + "BoundaryErrorEventTest.testCatchErrorOnEmbeddedSubprocess.bpmn20.xml")
    instance = start(engine, "boundaryErrorOnEmbeddedSubprocess")

    throw_error(engine, task(engine, instance).id, "anything", "went wrong", {"reported": True})

    assert task(engine, instance).name == "task after catching the error"
    assert variables(engine, instance) == {"reported": True}


# ── ErrorEventSubProcessTest ───────────────────────────────────────────────────────────────────


def test_event_subprocess_catches_error_in_embedded_subprocess(engine: Engine) -> None:
    """testCatchErrorInEmbeddedSubProcess."""
    deploy_corpus(engine, ERROR + "ErrorEventSubProcessTest.testCatchErrorInEmbeddedSubProcess.bpmn20.xml")

    instance = start(engine, "CatchErrorInEmbeddedSubProcess")

    assert task(engine, instance).name == "Escalated Task"
    engine.tasks.complete(task(engine, instance).id)
    assert instance_ids(engine) == []


def test_event_subprocess_takes_precedence_over_boundary_event(engine: Engine) -> None:
    """testEventSubprocessTakesPrecedence: both catch-all; the event sub-process wins."""
    deploy_corpus(engine, ERROR + "ErrorEventSubProcessTest.testEventSubprocessTakesPrecedence.bpmn20.xml")

    instance = start(engine, "CatchErrorInEmbeddedSubProcess")

    assert [t.task_definition_key for t in tasks(engine, instance)] == ["taskAfterErrorCatch"]


def test_error_code_takes_precedence_over_catch_all(engine: Engine) -> None:
    """testErrorCodeTakesPrecedence: the event sub-process with the code beats the catch-all one."""
    deploy_corpus(engine, ERROR + "ErrorEventSubProcessTest.testErrorCodeTakesPrecedence.bpmn20.xml")

    instance = start(engine, "CatchErrorInEmbeddedSubProcess")

    assert [t.task_definition_key for t in tasks(engine, instance)] == ["taskAfterErrorCatch2"]


def test_catch_error_event_subprocess_sets_error_variables(engine: Engine) -> None:
    """testCatchErrorEventSubprocessSetErrorVariables."""
    deploy_corpus(
        engine, ERROR + "ErrorEventSubProcessTest.testCatchErrorEventSubprocessSetErrorVariables.bpmn"
    )

    instance = start(engine, "Process_1")

    assert task(engine, instance).name == "User Task"
    assert variables(engine, instance)["errorCode"] == "error"


# ── ErrorEndEventTest ──────────────────────────────────────────────────────────────────────────


def test_error_end_event_without_message(engine: Engine) -> None:
    """ErrorEndEventTest.testError: code variable set, message variable null."""
    deploy_corpus(engine, ERROR + "ErrorEndEventTest.testError.bpmn20.xml")

    instance = start(engine, "testError")

    found = variables(engine, instance)
    assert found["errorCode"] == "123"
    assert found["errorMessage"] is None
    assert active_activities(engine, instance) == ["task"]


def test_error_end_event_with_message(engine: Engine) -> None:
    """ErrorEndEventTest.testErrorMessage: camunda:errorMessage of the <error>."""
    deploy_corpus(engine, ERROR + "ErrorEndEventTest.testErrorMessage.bpmn20.xml")

    instance = start(engine, "testErrorMessage")

    assert (
        variables(engine, instance)["errorMessage"] == "This is the error message indicating what went wrong."
    )


def test_error_end_event_with_message_expression(engine: Engine) -> None:
    """ErrorEndEventTest.testErrorMessageExpression: the message is an expression."""
    deploy_corpus(engine, ERROR + "ErrorEndEventTest.testErrorMessageExpression.bpmn20.xml")

    instance = start(engine, "testErrorMessageExpression", errorMessageExpression="Message from expression")

    assert variables(engine, instance)["errorMessage"] == "Message from expression"


# ── UnhandledBpmnErrorTest (enableExceptionsAfterUnhandledBpmnError) and the default ───────────


def test_uncaught_error_simple_process_raises_when_enabled(engine: Engine) -> None:
    """UnhandledBpmnErrorTest.testUncaughtErrorSimpleProcess: nothing is created."""
    deploy_corpus(engine, ERROR + "UnhandledBpmnErrorTest.testUncaughtErrorSimpleProcess.bpmn20.xml")
    _exceptions_on_unhandled_errors(engine)

    with pytest.raises(ProcessEngineError, match="no error handler was defined"):
        start(engine, "process")
    assert instance_ids(engine) == []


def test_unhandled_error_in_embedded_subprocess_raises_and_rolls_back(engine: Engine) -> None:
    """UnhandledBpmnErrorTest.testUnhandledErrorInEmbeddedSubprocess: the boundary catches
    another code; completing the task fails and leaves it in place."""
    deploy_corpus(engine, ERROR + "UnhandledBpmnErrorTest.testUnhandledErrorInEmbeddedSubprocess.bpmn20.xml")
    instance = start(engine, "boundaryErrorOnEmbeddedSubprocess")
    _exceptions_on_unhandled_errors(engine)
    waiting = task(engine, instance)

    with pytest.raises(ProcessEngineError) as raised:
        engine.tasks.complete(waiting.id)

    assert (
        "ENGINE-02042 Execution with id 'subprocessEnd' throws an error event with errorCode '123' "
        "and errorMessage 'None', but no error handler was defined. "
    ) in str(raised.value)
    assert task(engine, instance).id == waiting.id


def test_uncaught_error_on_event_subprocess_raises(engine: Engine) -> None:
    """UnhandledBpmnErrorTest.testUncaughtErrorOnEventSubprocess: the event sub-process
    catches 'noHandler' only."""
    deploy_corpus(engine, ERROR + "UnhandledBpmnErrorTest.testUncaughtErrorOnEventSubprocess.bpmn20.xml")
    instance = start(engine, "process")
    _exceptions_on_unhandled_errors(engine)

    with pytest.raises(ProcessEngineError, match="ENGINE-02042"):
        engine.tasks.complete(task(engine, instance).id)


def test_uncaught_error_on_call_activity_raises(engine: Engine) -> None:
    """UnhandledBpmnErrorTest.testUncaughtErrorOnCallActivity: no handler in either process."""
    deploy_corpus(
        engine,
        ERROR + "UnhandledBpmnErrorTest.testUncaughtErrorOnCallActivity.bpmn20.xml",
        ERROR + "UnhandledBpmnErrorTest.subprocess.bpmn20.xml",
    )
    start(engine, "uncaughtErrorOnCallActivity")
    _exceptions_on_unhandled_errors(engine)

    with pytest.raises(ProcessEngineError, match="errorCode 'myError'"):
        engine.tasks.complete(task(engine).id)
    assert task(engine).name == "Task in subprocess"


def test_uncaught_error_by_default_completes_the_process(engine: Engine) -> None:
    """Default (no exception): the error end event ends like a none end event (§3.1 item 5)."""
    deploy_corpus(engine, ERROR + "UnhandledBpmnErrorTest.testUncaughtErrorSimpleProcess.bpmn20.xml")

    instance = start(engine, "process")

    assert instance_ids(engine) == []
    assert history(engine, instance).state == "COMPLETED"


def test_uncaught_error_in_embedded_subprocess_by_default_continues_after_it(engine: Engine) -> None:
    """Default: the sub-process completes (boundary not taken) and its parent continues."""
    deploy_corpus(engine, ERROR + "UnhandledBpmnErrorTest.testUnhandledErrorInEmbeddedSubprocess.bpmn20.xml")
    instance = start(engine, "boundaryErrorOnEmbeddedSubprocess")

    engine.tasks.complete(task(engine, instance).id)

    assert instance_ids(engine) == []
    assert history(engine, instance).state == "COMPLETED"


def test_uncaught_error_from_user_task_by_default_ends_it_without_outgoing_flows(engine: Engine) -> None:
    """Default: a user task's uncaught bpmnError ends the task; the called process completes
    and the call activity continues to its end."""
    deploy_corpus(
        engine,
        ERROR + "UnhandledBpmnErrorTest.testUncaughtErrorOnCallActivity.bpmn20.xml",
        ERROR + "UnhandledBpmnErrorTest.subprocess.bpmn20.xml",
    )
    instance = start(engine, "uncaughtErrorOnCallActivity")

    throw_error(engine, task(engine).id, "nobodyCatchesThis")

    assert tasks(engine) == []
    assert instance_ids(engine) == []
    assert history(engine, instance).state == "COMPLETED"
