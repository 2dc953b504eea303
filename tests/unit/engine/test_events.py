"""Start and end of paths: none end, implicit end, terminate end in a process and in a
sub-process (no database)."""

from __future__ import annotations

import pytest

from cadenza.engine.records import ProcessInstanceEnded, ProcessInstanceStarted, UserTaskCreated
from cadenza.engine.state import Execution, HistoricProcessInstance, UserTask, VariableInstance
from fakes import FakeEngine, trail


@pytest.fixture
def fake() -> FakeEngine:
    return FakeEngine()


def _flow(flow_id: str, source: str, target: str) -> str:
    return f'<sequenceFlow id="{flow_id}" sourceRef="{source}" targetRef="{target}"/>'


def test_start_process_instance_straight_through_ends_with_completed_history(fake: FakeEngine) -> None:
    deployed = fake.deploy(
        f'<startEvent id="start"/>{_flow("f1", "start", "work")}<task id="work"/>'
        f'{_flow("f2", "work", "end")}<endEvent id="end"/>'
    )

    instance = fake.start(deployed, {"order": "o-1"}, business_key="bk")

    assert fake.is_ended(instance)
    history = fake.history(instance)
    assert history.state == "COMPLETED"
    assert history.business_key == "bk"
    assert history.start_activity_id == "start"
    assert history.end_time == fake.clock.now()
    # runtime rows (execution, variables) were created and removed in the same command
    assert fake.uow.all(Execution) == []
    assert fake.uow.all(VariableInstance) == []
    assert fake.last is not None
    assert trail(fake.last.records) == [
        "ProcessInstanceStarted p",
        "VariableCreated order",
        "ActivityStarted start",
        "ActivityEnded start",
        "ActivityStarted work",
        "ActivityEnded work",
        "ActivityStarted end",
        "ActivityEnded end scope",
        "ProcessInstanceEnded COMPLETED",
    ]
    started, ended = fake.last.records[0], fake.last.records[-1]
    assert isinstance(started, ProcessInstanceStarted) and isinstance(ended, ProcessInstanceEnded)
    assert (started.process_instance_id, started.process_definition_id) == (instance, deployed.definition.id)
    assert (started.business_key, started.start_activity_id, started.root_process_instance_id) == (
        "bk",
        "start",
        instance,
    )
    assert (ended.process_instance_id, ended.state, ended.delete_reason) == (instance, "COMPLETED", None)


def test_start_process_instance_reaching_user_task_waits_there(fake: FakeEngine) -> None:
    deployed = fake.deploy(
        f'<startEvent id="start"/>{_flow("f1", "start", "review")}<userTask id="review" name="Review"/>'
        f'{_flow("f2", "review", "end")}<endEvent id="end"/>'
    )

    instance = fake.start(deployed)

    (task,) = fake.user_tasks(instance)
    assert (task.name, task.task_definition_key, task.execution_id) == ("Review", "review", instance)
    assert fake.active_activity_ids(instance) == ["review"]
    assert fake.history(instance).state == "ACTIVE"
    assert fake.last is not None
    created = fake.last.records[-1]
    assert isinstance(created, UserTaskCreated)
    assert (created.task.id, created.task.task_definition_key) == (task.id, "review")


def test_node_without_outgoing_flows_ends_instance_implicitly(fake: FakeEngine) -> None:
    deployed = fake.deploy(f'<startEvent id="start"/>{_flow("f1", "start", "last")}<userTask id="last"/>')
    instance = fake.start(deployed)

    fake.complete_user_task(fake.user_task("last"))

    assert fake.is_ended(instance)
    assert fake.history(instance).state == "COMPLETED"
    assert fake.uow.all(UserTask) == []


def test_implicit_end_of_one_parallel_path_keeps_the_other_path_running(fake: FakeEngine) -> None:
    deployed = fake.deploy(
        f"""
        <startEvent id="start"/>{_flow("f1", "start", "fork")}
        <parallelGateway id="fork"/>{_flow("f2", "fork", "a")}{_flow("f3", "fork", "b")}
        <userTask id="a"/>
        <userTask id="b"/>
        """
    )
    instance = fake.start(deployed)

    fake.complete_user_task(fake.user_task("a"))

    assert fake.active_activity_ids(instance) == ["b"]
    fake.complete_user_task(fake.user_task("b"))
    assert fake.is_ended(instance)


TERMINATE_IN_PROCESS = f"""
<startEvent id="start"/>{_flow("f1", "start", "fork")}
<parallelGateway id="fork"/>{_flow("f2", "fork", "slow")}{_flow("f3", "fork", "quick")}
<userTask id="slow"/>{_flow("f4", "slow", "end")}
<endEvent id="end"/>
<userTask id="quick"/>{_flow("f5", "quick", "kill")}
<endEvent id="kill"><terminateEventDefinition/></endEvent>
"""


def test_terminate_end_event_in_process_cancels_other_paths_and_ends_instance(fake: FakeEngine) -> None:
    instance = fake.start(fake.deploy(TERMINATE_IN_PROCESS))

    fake.complete_user_task(fake.user_task("quick"))

    assert fake.is_ended(instance)
    assert fake.user_tasks() == []
    assert fake.history(instance).state == "COMPLETED"
    assert fake.uow.all(HistoricProcessInstance)[0].end_time is not None


TERMINATE_IN_SUB_PROCESS = f"""
<startEvent id="start"/>{_flow("f1", "start", "fork")}
<parallelGateway id="fork"/>{_flow("f2", "fork", "outer")}{_flow("f3", "fork", "sub")}
<userTask id="outer"/>
<subProcess id="sub">
  <startEvent id="subStart"/>{_flow("s1", "subStart", "innerFork")}
  <parallelGateway id="innerFork"/>
  {_flow("s2", "innerFork", "innerWait")}{_flow("s3", "innerFork", "innerQuick")}
  <userTask id="innerWait"/>
  <userTask id="innerQuick"/>{_flow("s4", "innerQuick", "subKill")}
  <endEvent id="subKill"><terminateEventDefinition/></endEvent>
</subProcess>
{_flow("f4", "sub", "afterSub")}
<userTask id="afterSub"/>
"""


def test_terminate_end_event_in_sub_process_ends_only_the_sub_process(fake: FakeEngine) -> None:
    instance = fake.start(fake.deploy(TERMINATE_IN_SUB_PROCESS))
    assert fake.active_activity_ids(instance) == ["innerQuick", "innerWait", "outer"]

    fake.complete_user_task(fake.user_task("innerQuick"))

    assert fake.active_activity_ids(instance) == ["afterSub", "outer"]
    assert sorted(t.task_definition_key for t in fake.user_tasks(instance)) == ["afterSub", "outer"]
    assert not fake.is_ended(instance)
    assert fake.history(instance).end_time is None
    # nothing of the sub-process scope is left
    assert not any(e.activity_id in ("sub", "innerWait") for e in fake.executions(instance))


def _end_with_input(end_id: str, definition: str = "") -> str:
    return (
        f'<endEvent id="{end_id}"><extensionElements><camunda:inputOutput>'
        '<camunda:inputParameter name="reason">done</camunda:inputParameter>'
        f"</camunda:inputOutput></extensionElements>{definition}</endEvent>"
    )


def test_terminate_end_event_with_input_mapping_still_terminates_process(fake: FakeEngine) -> None:
    deployed = fake.deploy(
        f"""
        <startEvent id="start"/>{_flow("f1", "start", "fork")}
        <parallelGateway id="fork"/>{_flow("f2", "fork", "wait")}{_flow("f3", "fork", "kill")}
        <userTask id="wait"/>
        {_end_with_input("kill", "<terminateEventDefinition/>")}
        """
    )

    instance = fake.start(deployed)

    assert fake.is_ended(instance)
    assert fake.user_tasks() == []
    assert fake.uow.all(VariableInstance) == []


def test_none_end_event_with_input_mapping_ends_only_its_path(fake: FakeEngine) -> None:
    deployed = fake.deploy(
        f"""
        <startEvent id="start"/>{_flow("f1", "start", "fork")}
        <parallelGateway id="fork"/>{_flow("f2", "fork", "wait")}{_flow("f3", "fork", "end")}
        <userTask id="wait"/>
        {_end_with_input("end")}
        """
    )

    instance = fake.start(deployed)

    assert fake.active_activity_ids(instance) == ["wait"]
    assert fake.variable_rows(instance) == []
    fake.complete_user_task(fake.user_task("wait"))
    assert fake.is_ended(instance)
