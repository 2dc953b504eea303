"""Escalations (and errors from external tasks) on SQLite and PostgreSQL.

The shared corpus carries no escalation models, so these follow the scenarios of Camunda's
``EscalationEventTest`` (intermediate throw / end event caught by interrupting and
non-interrupting boundary events and event sub-processes, across a call activity, catch-all,
escalationCodeVariable) on small models written here.
"""

from __future__ import annotations

import pytest
from tests.integration.bpmn._support import (
    active_activities,
    instance_ids,
    start,
    task,
    task_names,
    tasks,
    throw_error,
    throw_escalation,
    variables,
)

from cadenza.errors import ProcessEngineError
from cadenza.services import Engine, ExternalTaskQuery, FetchTopic


def _flow(source: str, target: str) -> str:
    return f'<sequenceFlow id="{source}_{target}" sourceRef="{source}" targetRef="{target}"/>'


def _model(body: str, process_id: str = "escalationProcess") -> bytes:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" '
        'xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="d" targetNamespace="t">'
        '<escalation id="escalation" escalationCode="escalationCode"/>'
        '<escalation id="other" escalationCode="otherCode"/>'
        '<error id="error" errorCode="failed"/>'
        f'<process id="{process_id}" isExecutable="true">{body}</process></definitions>'
    ).encode()


def _deploy(engine: Engine, *models: bytes) -> None:
    engine.repository.deploy([(f"m{i}.bpmn", model) for i, model in enumerate(models)])


def _sub_throwing(throw: str) -> str:
    """start → subProcess(start → taskInSubProcess; start → throw) → end; user task after."""
    return (
        f'<startEvent id="start"/>{_flow("start", "subProcess")}'
        '<subProcess id="subProcess"><startEvent id="subStart"/>'
        f'<parallelGateway id="fork"/>{_flow("subStart", "fork")}'
        f'{_flow("fork", "taskInSubProcess")}<userTask id="taskInSubProcess" name="task in sub process"/>'
        f"{_flow('fork', 'throw')}{throw}"
        "</subProcess>"
        f'{_flow("subProcess", "end")}<endEvent id="end"/>'
    )


def _boundary(cancel: bool, ref: str | None = "escalation", variable: str | None = None) -> str:
    ref_attr = f' escalationRef="{ref}"' if ref else ""
    var_attr = f' camunda:escalationCodeVariable="{variable}"' if variable else ""
    return (
        f'<boundaryEvent id="escalationBoundaryEvent" attachedToRef="subProcess" '
        f'cancelActivity="{"true" if cancel else "false"}">'
        f"<escalationEventDefinition{ref_attr}{var_attr}/></boundaryEvent>"
        f"{_flow('escalationBoundaryEvent', 'taskAfterCatchedEscalation')}"
        '<userTask id="taskAfterCatchedEscalation" name="task after catched escalation"/>'
    )


_THROW = (
    '<intermediateThrowEvent id="throw"><escalationEventDefinition escalationRef="escalation"/>'
    f"</intermediateThrowEvent>{_flow('throw', 'taskAfterThrow')}"
    '<userTask id="taskAfterThrow" name="task after thrown escalation"/>'
)
_END = '<endEvent id="throw"><escalationEventDefinition escalationRef="escalation"/></endEvent>'


def test_non_interrupting_boundary_catches_intermediate_throw(engine: Engine) -> None:
    """throwEscalationEventFromEmbeddedSubprocess / non-interrupting boundary: the thrower and
    the sub-process go on, and the boundary path starts."""
    _deploy(engine, _model(_sub_throwing(_THROW) + _boundary(cancel=False)))

    instance = start(engine, "escalationProcess")

    assert task_names(engine, instance) == [
        "task after catched escalation",
        "task after thrown escalation",
        "task in sub process",
    ]


def test_interrupting_boundary_catches_intermediate_throw(engine: Engine) -> None:
    """Interrupting boundary: the whole sub-process goes, the thrower does not continue."""
    _deploy(engine, _model(_sub_throwing(_THROW) + _boundary(cancel=True)))

    instance = start(engine, "escalationProcess")

    assert task_names(engine, instance) == ["task after catched escalation"]
    assert active_activities(engine, instance) == ["taskAfterCatchedEscalation"]


def test_escalation_end_event_with_non_interrupting_boundary(engine: Engine) -> None:
    """The escalation end event ends its path; the sub-process goes on with its task."""
    _deploy(engine, _model(_sub_throwing(_END) + _boundary(cancel=False)))
    instance = start(engine, "escalationProcess")
    assert task_names(engine, instance) == ["task after catched escalation", "task in sub process"]

    for waiting in tasks(engine, instance):
        engine.tasks.complete(waiting.id)

    assert instance_ids(engine) == []


def test_catch_all_boundary_and_escalation_code_variable(engine: Engine) -> None:
    """An escalationEventDefinition without escalationRef catches every code."""
    _deploy(engine, _model(_sub_throwing(_THROW) + _boundary(cancel=True, ref=None, variable="caught")))

    instance = start(engine, "escalationProcess")

    assert task_names(engine, instance) == ["task after catched escalation"]
    assert variables(engine, instance) == {"caught": "escalationCode"}


def test_boundary_with_other_code_does_not_catch(engine: Engine) -> None:
    """An uncaught escalation from a throw event is no error: the thrower just continues."""
    _deploy(engine, _model(_sub_throwing(_THROW) + _boundary(cancel=True, ref="other")))

    instance = start(engine, "escalationProcess")

    assert task_names(engine, instance) == ["task after thrown escalation", "task in sub process"]


def test_non_interrupting_event_sub_process_catches_throw(engine: Engine) -> None:
    """An escalation event sub-process in the sub-process (non-interrupting)."""
    esp = (
        '<subProcess id="escalationEventSubProcess" triggeredByEvent="true">'
        '<startEvent id="escalationStartEvent" isInterrupting="false">'
        '<escalationEventDefinition escalationRef="escalation"/></startEvent>'
        f"{_flow('escalationStartEvent', 'taskAfterCatchedEscalation')}"
        '<userTask id="taskAfterCatchedEscalation" name="task after catched escalation"/></subProcess>'
    )
    _deploy(engine, _model(_sub_throwing(_THROW + esp)))

    instance = start(engine, "escalationProcess")

    assert task_names(engine, instance) == [
        "task after catched escalation",
        "task after thrown escalation",
        "task in sub process",
    ]


def test_escalation_from_called_process_caught_on_call_activity(engine: Engine) -> None:
    """throwEscalationEventFromCallActivity: a non-interrupting boundary on the call activity;
    the called instance keeps running."""
    called = _model(
        f'<startEvent id="s"/>{_flow("s", "throw")}{_THROW}',
        process_id="calledProcess",
    )
    caller = _model(
        f'<startEvent id="start"/>{_flow("start", "subProcess")}'
        '<callActivity id="subProcess" calledElement="calledProcess"/>'
        f'{_flow("subProcess", "end")}<endEvent id="end"/>{_boundary(cancel=False)}'
    )
    _deploy(engine, caller, called)

    instance = start(engine, "escalationProcess")

    assert task_names(engine, instance) == ["task after catched escalation"]
    (sub,) = instance_ids(engine, super_process_instance=instance)
    assert task_names(engine, sub) == ["task after thrown escalation"]


def test_user_task_escalation_non_interrupting_keeps_the_task(engine: Engine) -> None:
    """bpmnEscalation of a user task caught by a non-interrupting boundary on it."""
    _deploy(
        engine,
        _model(
            f'<startEvent id="start"/>{_flow("start", "subProcess")}<userTask id="subProcess" name="review"/>'
            f'{_flow("subProcess", "end")}<endEvent id="end"/>{_boundary(cancel=False)}'
        ),
    )
    instance = start(engine, "escalationProcess")
    review = task(engine, instance)

    throw_escalation(engine, review.id, "escalationCode")

    assert task_names(engine, instance) == ["review", "task after catched escalation"]
    engine.tasks.complete(review.id)
    assert task_names(engine, instance) == ["task after catched escalation"]


def test_user_task_escalation_without_handler_raises(engine: Engine) -> None:
    _deploy(engine, _model(f'<startEvent id="start"/>{_flow("start", "review")}<userTask id="review"/>'))
    instance = start(engine, "escalationProcess")

    with pytest.raises(ProcessEngineError, match="ENGINE-02043 Execution with id 'review'"):
        throw_escalation(engine, task(engine, instance).id, "escalationCode")
    assert [t.task_definition_key for t in tasks(engine, instance)] == ["review"]


def test_external_task_error_caught_by_boundary(engine: Engine) -> None:
    """An external task's BPMN error (as handleBpmnError reports it) interrupts the task: the
    external task row goes, the boundary path starts, the variables are set."""
    _deploy(
        engine,
        _model(
            f'<startEvent id="start"/>{_flow("start", "charge")}'
            '<serviceTask id="charge" camunda:type="external" camunda:topic="charge"/>'
            f'{_flow("charge", "end")}<endEvent id="end"/>'
            '<boundaryEvent id="failed" attachedToRef="charge"><errorEventDefinition errorRef="error" '
            'camunda:errorCodeVariable="code" camunda:errorMessageVariable="message"/></boundaryEvent>'
            f'{_flow("failed", "fix")}<userTask id="fix" name="fix payment"/>'
        ),
    )
    instance = start(engine, "escalationProcess")
    (locked,) = engine.external_tasks.fetch_and_lock("worker", 1, [FetchTopic("charge", 60_000)])

    throw_error(engine, locked.task.id, "failed", "card declined", {"attempt": 1})

    assert engine.external_tasks.query(ExternalTaskQuery(process_instance_id=instance)) == []
    assert task_names(engine, instance) == ["fix payment"]
    assert variables(engine, instance) == {"attempt": 1, "code": "failed", "message": "card declined"}
