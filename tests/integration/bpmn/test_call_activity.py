"""Call activities on SQLite and PostgreSQL: Camunda's ``CallActivityTest`` and the
call-activity cases of ``BoundaryErrorEventTest``/``ErrorEventSubProcessTest``, ported on the
same models from the shared corpus (``bpmn/engine-tests/bpmn/callactivity`` and ``.../error``).
"""

from __future__ import annotations

from tests.integration.bpmn._support import (
    corpus,
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

from cadenza.expr.values import typed_value_from_python
from cadenza.services import Engine

CALL = "bpmn/callactivity/"
ERROR = "bpmn/event/error/"


def _called(engine: Engine, caller: str) -> str:
    (called,) = instance_ids(engine, super_process_instance=caller)
    return called


def _complete(engine: Engine, instance: str | None = None, **values: object) -> None:
    typed = {name: typed_value_from_python(value) for name, value in values.items()}
    engine.tasks.complete(task(engine, instance).id, typed)


def test_call_simple_sub_process(engine: Engine) -> None:
    """testCallSimpleSubProcess: the called instance is a sub instance of the caller; its end
    continues the caller."""
    deploy_corpus(
        engine,
        CALL + "CallActivity.testCallSimpleSubProcess.bpmn20.xml",
        CALL + "simpleSubProcess.bpmn20.xml",
    )
    caller = start(engine, "callSimpleSubProcess")
    assert task(engine).name == "Task before subprocess"

    _complete(engine)

    called = _called(engine, caller)
    assert task(engine).name == "Task in subprocess"
    assert task(engine).process_instance_id == called
    assert history(engine, called).super_process_instance_id == caller
    _complete(engine)
    assert instance_ids(engine) == [caller]
    assert task(engine).name == "Task after subprocess"
    _complete(engine)
    assert instance_ids(engine) == []
    assert history(engine, called).state == history(engine, caller).state == "COMPLETED"


def _deploy_second_version(engine: Engine) -> None:
    xml = corpus(CALL + "simpleSubProcess.bpmn20.xml").read_bytes()
    engine.repository.deploy(
        [("simpleSubProcess.bpmn20.xml", xml.replace(b"Task in subprocess", b"Task in subprocess v2"))]
    )


def test_call_simple_sub_process_latest(engine: Engine) -> None:
    """testCallSimpleSubProcessLatest: binding latest takes the newest version."""
    deploy_corpus(
        engine,
        CALL + "CallActivity.testCallSimpleSubProcessLatest.bpmn20.xml",
        CALL + "simpleSubProcess.bpmn20.xml",
    )
    _deploy_second_version(engine)
    start(engine, "callSimpleSubProcessLatest")

    _complete(engine)

    assert task(engine).name == "Task in subprocess v2"


def test_call_simple_sub_process_with_version(engine: Engine) -> None:
    """testCallSimpleSubProcessWithVersion: binding version 1 ignores later versions."""
    deploy_corpus(
        engine,
        CALL + "CallActivity.testCallSimpleSubProcessWithVersion.bpmn20.xml",
        CALL + "simpleSubProcess.bpmn20.xml",
    )
    _deploy_second_version(engine)
    start(engine, "callSimpleSubProcessWithVersion")

    _complete(engine)

    assert task(engine).name == "Task in subprocess"


def test_call_simple_sub_process_from_same_deployment(engine: Engine) -> None:
    """testCallSimpleSubProcessFromSameDeployment: binding deployment."""
    deploy_corpus(
        engine,
        CALL + "CallActivity.testCallSimpleSubProcessFromSameDeployment.bpmn20.xml",
        CALL + "simpleSubProcess.bpmn20.xml",
    )
    _deploy_second_version(engine)
    start(engine, "callSimpleSubProcessFromSameDeployment")

    _complete(engine)

    assert task(engine).name == "Task in subprocess"


def test_call_simple_sub_process_with_expressions(engine: Engine) -> None:
    """testCallSimpleSubProcessWithExpressions: calledElement is an expression."""
    deploy_corpus(
        engine,
        CALL + "CallActivity.testCallSimpleSubProcessWithExpressions.bpmn20.xml",
        CALL + "simpleSubProcess.bpmn20.xml",
        CALL + "simpleSubProcess2.bpmn20.xml",
    )
    start(engine, "callSimpleSubProcess", simpleSubProcessExpression="simpleSubProcess2")

    _complete(engine)

    assert task(engine).name == "Task in subprocess 2"


def test_call_parallel_sub_process(engine: Engine) -> None:
    """testCallParallelSubProcess: the caller ends when both paths of the called process end."""
    deploy_corpus(
        engine,
        CALL + "CallActivity.testCallParallelSubProcess.bpmn20.xml",
        CALL + "simpleParallelSubProcess.bpmn20.xml",
    )
    caller = start(engine, "callParallelSubProcess")
    assert task_names(engine) == ["Task A", "Task B"]

    for waiting in tasks(engine):
        engine.tasks.complete(waiting.id)

    assert instance_ids(engine) == []
    assert history(engine, caller).state == "COMPLETED"


def test_two_sub_processes(engine: Engine) -> None:
    """testTwoSubProcesses: two call activities in parallel, joined afterwards."""
    deploy_corpus(
        engine, CALL + "CallActivity.testTwoSubProcesses.bpmn20.xml", CALL + "simpleSubProcess.bpmn20.xml"
    )
    caller = start(engine, "callTwoSubProcesses")

    assert len(instance_ids(engine, super_process_instance=caller)) == 2
    assert task_names(engine) == ["Task in subprocess", "Task in subprocess"]
    for waiting in tasks(engine):
        engine.tasks.complete(waiting.id)

    assert instance_ids(engine) == []


def test_nested_call_activity(engine: Engine) -> None:
    """testNestedCallActivity: three levels, each continuing its caller."""
    deploy_corpus(
        engine,
        CALL + "CallActivity.testNestedCallActivity.bpmn20.xml",
        CALL + "CallActivity.testCallSimpleSubProcess.bpmn20.xml",
        CALL + "simpleSubProcess.bpmn20.xml",
    )
    top = start(engine, "nestedCallActivity")

    _complete(engine)
    middle = _called(engine, top)
    assert task(engine).process_instance_id == middle
    _complete(engine)
    bottom = _called(engine, middle)
    assert history(engine, bottom).root_process_instance_id == top
    assert task(engine).name == "Task in subprocess"
    _complete(engine)
    assert (task(engine).name, task(engine).process_instance_id) == ("Task after subprocess", middle)
    _complete(engine)
    assert (task(engine).name, task(engine).process_instance_id) == ("Task after subprocess", top)
    _complete(engine)
    assert instance_ids(engine) == []


def test_sub_process_ends_super_process(engine: Engine) -> None:
    """testSubProcessEndsSuperProcess."""
    deploy_corpus(
        engine,
        CALL + "CallActivity.testSubProcessEndsSuperProcess.bpmn20.xml",
        CALL + "simpleSubProcess.bpmn20.xml",
    )
    caller = start(engine, "subProcessEndsSuperProcess")

    _complete(engine)

    assert instance_ids(engine) == []
    assert history(engine, caller).state == "COMPLETED"


def test_sub_process_all_data_input_output(engine: Engine) -> None:
    """testSubProcessAllDataInputOutput: variables="all" in both directions."""
    deploy_corpus(
        engine,
        CALL + "CallActivity.testSubProcessAllDataInputOutput.bpmn20.xml",
        CALL + "simpleSubProcess.bpmn20.xml",
    )
    caller = start(engine, "subProcessAllDataInputOutput", superVariable="String from super process")

    _complete(engine)
    called = _called(engine, caller)
    assert variables(engine, called) == {"superVariable": "String from super process"}
    _complete(engine, subVariable="String from sub process")

    assert variables(engine, caller) == {
        "superVariable": "String from super process",
        "subVariable": "String from sub process",
    }


def test_sub_process_business_key_input(engine: Engine) -> None:
    """testSubProcessBusinessKeyInput: camunda:in businessKey="#{execution.processBusinessKey}"."""
    deploy_corpus(
        engine,
        CALL + "CallActivity.testSubProcessBusinessKeyInput.bpmn20.xml",
        CALL + "simpleSubProcess.bpmn20.xml",
    )
    caller = start(engine, "subProcessBusinessKeyInput", business_key="myBusinessKey")

    _complete(engine)

    called = engine.runtime.get_process_instance(_called(engine, caller))
    assert called.business_key == "myBusinessKey"


def test_literal_source_expression(engine: Engine) -> None:
    """testLiteralSourceExpression: sourceExpression without ${} is a literal."""
    deploy_corpus(
        engine,
        CALL + "CallActivity.testLiteralSourceExpression.bpmn20.xml",
        CALL + "simpleSubProcess.bpmn20.xml",
    )
    caller = start(engine, "process")

    assert variables(engine, _called(engine, caller)) == {"inLiteralVariable": "inLiteralValue"}
    _complete(engine)

    assert variables(engine, caller) == {"outLiteralVariable": "outLiteralValue"}


def test_sub_process_local_input_all_variables(engine: Engine) -> None:
    """testSubProcessLocalInputAllVariables: local="true" passes only the call activity's own
    (input-mapped) variables."""
    deploy_corpus(
        engine,
        CALL + "CallActivity.testSubProcessLocalInputAllVariables.bpmn20.xml",
        CALL + "simpleSubProcess.bpmn20.xml",
    )
    caller = start(engine, "subProcessLocalInputAllVariables", callingProcessVar1="val1")

    _complete(engine)
    assert variables(engine, _called(engine, caller)) == {"inputParameter": "val2"}
    _complete(engine)

    assert variables(engine, caller) == {"callingProcessVar1": "val1", "outputParameter": 43}


def test_sub_process_local_output_single_variable(engine: Engine) -> None:
    """testSubProcessLocalOutputSingleVariable: a local out mapping feeds the output parameter."""
    deploy_corpus(
        engine,
        CALL + "CallActivity.testSubProcessLocalOutputSingleVariable.bpmn20.xml",
        CALL + "simpleSubProcess.bpmn20.xml",
    )
    caller = start(engine, "subProcessLocalOutputSingleVariable", callingProcessVar1="val1")

    _complete(engine)
    _complete(engine, calledProcessVar1=42)

    assert variables(engine, caller) == {"callingProcessVar1": "val1", "outputParameter": 43}


def test_deleting_the_caller_deletes_the_called_instance(engine: Engine) -> None:
    """Deleting the calling instance cancels the called one with its tasks."""
    deploy_corpus(
        engine,
        CALL + "CallActivity.testCallSimpleSubProcess.bpmn20.xml",
        CALL + "simpleSubProcess.bpmn20.xml",
    )
    caller = start(engine, "callSimpleSubProcess")
    _complete(engine)
    called = _called(engine, caller)

    engine.runtime.delete_process_instance(caller, reason="test")

    assert instance_ids(engine) == []
    assert tasks(engine) == []
    assert history(engine, called).state == "EXTERNALLY_TERMINATED"


# ── errors crossing call activities ────────────────────────────────────────────────────────────


def test_catch_error_on_call_activity(engine: Engine) -> None:
    """BoundaryErrorEventTest.testCatchErrorOnCallActivity: the called process's error end
    event is caught by the boundary event on the call activity."""
    deploy_corpus(
        engine,
        ERROR + "BoundaryErrorEventTest.testCatchErrorOnCallActivity-parent.bpmn20.xml",
        ERROR + "BoundaryErrorEventTest.subprocess.bpmn20.xml",
    )
    caller = start(engine, "catchErrorOnCallActivity")
    called = _called(engine, caller)
    assert task(engine).name == "Task in subprocess"

    _complete(engine)

    assert task(engine).name == "Escalated Task"
    assert instance_ids(engine) == [caller]
    assert history(engine, called).state != "ACTIVE"


def test_catch_error_thrown_by_call_activity_on_subprocess(engine: Engine) -> None:
    """BoundaryErrorEventTest.testCatchErrorThrownByCallActivityOnSubprocess."""
    deploy_corpus(
        engine,
        ERROR + "BoundaryErrorEventTest.testCatchErrorThrownByCallActivityOnSubprocess.bpmn20.xml",
        ERROR + "BoundaryErrorEventTest.subprocess.bpmn20.xml",
    )
    caller = start(engine, "catchErrorOnSubprocess")

    _complete(engine)

    assert task(engine).name == "Escalated Task"
    _complete(engine)
    assert instance_ids(engine) == []
    assert history(engine, caller).state == "COMPLETED"


def test_catch_error_thrown_by_call_activity_on_call_activity(engine: Engine) -> None:
    """BoundaryErrorEventTest.testCatchErrorThrownByCallActivityOnCallActivity: two levels down."""
    deploy_corpus(
        engine,
        ERROR + "BoundaryErrorEventTest.testCatchErrorThrownByCallActivityOnCallActivity.bpmn20.xml",
        ERROR + "BoundaryErrorEventTest.subprocess2ndLevel.bpmn20.xml",
        ERROR + "BoundaryErrorEventTest.subprocess.bpmn20.xml",
    )
    caller = start(engine, "catchErrorOnCallActivity2ndLevel")
    assert len(instance_ids(engine)) == 3

    _complete(engine)

    assert task(engine).name == "Escalated Task"
    assert instance_ids(engine) == [caller]


def test_user_task_error_in_called_process_caught_on_call_activity(engine: Engine) -> None:
    """A user task's bpmnError in the called process reaches the caller's boundary event."""
    deploy_corpus(
        engine,
        ERROR + "BoundaryErrorEventTest.testCatchErrorOnCallActivity-parent.bpmn20.xml",
        ERROR + "BoundaryErrorEventTest.subprocess.bpmn20.xml",
    )
    caller = start(engine, "catchErrorOnCallActivity")

    throw_error(engine, task(engine).id, "myError", "broken")

    assert task(engine).name == "Escalated Task"
    assert instance_ids(engine) == [caller]


def test_sub_process_data_output_on_error(engine: Engine) -> None:
    """CallActivity.testSubProcessDataOutputOnError: camunda:out is applied while the error
    crosses the call activity."""
    deploy_corpus(
        engine, CALL + "CallActivity.testSubProcessDataOutputOnError.bpmn", CALL + "subProcessWithError.bpmn"
    )
    caller = start(engine, "Process_1")
    assert task(engine).name == "SubTask"

    _complete(engine, subVariable="subVariableValue")

    assert task(engine).name == "Task after error"
    assert variables(engine, caller) == {"subVariable": "subVariableValue"}


def test_catch_error_from_call_activity_sets_error_variables(engine: Engine) -> None:
    """ErrorEventSubProcessTest.testCatchErrorFromCallActivitySetsErrorVariables."""
    deploy_corpus(
        engine,
        ERROR + "ErrorEventSubProcessTest.testCatchErrorFromCallActivitySetsErrorVariables.bpmn",
        ERROR + "ThrowErrorProcess.bpmn",
    )

    caller = start(engine, "Process_1")

    assert task(engine).name == "User Task"
    assert variables(engine, caller)["errorCode"] == "error"


def test_call_simple_sub_process_with_hash_expressions(engine: Engine) -> None:
    """testCallSimpleSubProcessWithHashExpressions: #{...} works like ${...}."""
    deploy_corpus(
        engine,
        CALL + "CallActivity.testCallSimpleSubProcessWithHashExpressions.bpmn20.xml",
        CALL + "simpleSubProcess.bpmn20.xml",
    )
    start(engine, "callSimpleSubProcess", simpleSubProcessExpression="simpleSubProcess")

    _complete(engine)

    assert task(engine).name == "Task in subprocess"


def test_double_nested_call_activity(engine: Engine) -> None:
    """testDoubleNestedCallActivity: four levels of instances, unwound one by one."""
    deploy_corpus(
        engine,
        CALL + "CallActivity.testDoubleNestedCallActivity.bpmn20.xml",
        CALL + "CallActivity.testNestedCallActivity.bpmn20.xml",
        CALL + "CallActivity.testCallSimpleSubProcess.bpmn20.xml",
        CALL + "simpleSubProcess.bpmn20.xml",
    )
    top = start(engine, "doubleNestedCallActivity")

    for _ in range(3):
        assert task(engine).name == "Task before subprocess"
        _complete(engine)
    assert task(engine).name == "Task in subprocess"
    assert len(instance_ids(engine)) == 4
    _complete(engine)
    for _ in range(3):
        assert task(engine).name == "Task after subprocess"
        _complete(engine)

    assert instance_ids(engine) == []
    assert history(engine, top).state == "COMPLETED"


def test_terminate_in_call_activity(engine: Engine) -> None:
    """TerminateEndEventTest.testTerminateInCallActivity: a terminate end event in the called
    process ends only that instance; the call activity continues."""
    deploy_corpus(
        engine,
        "bpmn/event/end/TerminateEndEventTest.testTerminateInCallActivity.bpmn",
        "bpmn/event/end/TerminateEndEventTest.subProcessTerminate.bpmn",
    )
    caller = start(engine, "terminateEndEventExample")

    assert instance_ids(engine) == [caller]
    assert task_names(engine, caller) == ["check before end"]
    _complete(engine, caller)
    assert instance_ids(engine) == []


def test_terminate_with_call_activity(engine: Engine) -> None:
    """TerminateEndEventTest.testTerminateWithCallActivity: terminating the caller deletes the
    called instance."""
    deploy_corpus(
        engine,
        "bpmn/event/end/TerminateEndEventTest.testTerminateWithCallActivity.bpmn",
        "bpmn/event/end/TerminateEndEventTest.subProcessNoTerminate.bpmn",
    )
    caller = start(engine, "terminateEndEventExample")
    called = _called(engine, caller)
    assert task_names(engine) == ["Perform Sample", "check before termination"]

    engine.tasks.complete(next(t for t in tasks(engine, caller)).id)

    assert instance_ids(engine) == []
    assert tasks(engine) == []
    assert history(engine, caller).state == "COMPLETED"
    assert history(engine, called).state == "INTERNALLY_TERMINATED"
