"""Exclusive and parallel gateways, and conditional flows out of activities (no database)."""

from __future__ import annotations

import pytest

from cadenza.engine.records import ProcessInstanceEnded
from cadenza.engine.state import Execution
from cadenza.errors import ProcessEngineError
from fakes import FakeEngine, trail


def _flow(flow_id: str, source: str, target: str, condition: str | None = None) -> str:
    if condition is None:
        return f'<sequenceFlow id="{flow_id}" sourceRef="{source}" targetRef="{target}"/>'
    return (
        f'<sequenceFlow id="{flow_id}" sourceRef="{source}" targetRef="{target}">'
        f"<conditionExpression>{condition}</conditionExpression></sequenceFlow>"
    )


EXCLUSIVE = f"""
<startEvent id="start"/>
{_flow("toGateway", "start", "gw")}
<exclusiveGateway id="gw" default="toDefault"/>
{_flow("toSmall", "gw", "small", "${amount &gt; 0}")}
{_flow("toLarge", "gw", "large", "${amount &gt; 100}")}
{_flow("toDefault", "gw", "fallback")}
<userTask id="small" name="Small"/>
<userTask id="large" name="Large"/>
<userTask id="fallback" name="Fallback"/>
"""


@pytest.fixture
def fake() -> FakeEngine:
    return FakeEngine()


def test_exclusive_gateway_several_conditions_true_takes_first_in_document_order(fake: FakeEngine) -> None:
    instance = fake.start(fake.deploy(EXCLUSIVE), {"amount": 500})

    assert fake.active_activity_ids(instance) == ["small"]
    assert [t.name for t in fake.user_tasks(instance)] == ["Small"]


def test_exclusive_gateway_no_condition_true_takes_default_flow(fake: FakeEngine) -> None:
    instance = fake.start(fake.deploy(EXCLUSIVE), {"amount": -1})

    assert fake.active_activity_ids(instance) == ["fallback"]


def test_exclusive_gateway_default_flow_listed_first_is_only_taken_last(fake: FakeEngine) -> None:
    deployed = fake.deploy(
        f"""
        <startEvent id="start"/>
        {_flow("toGateway", "start", "gw")}
        <exclusiveGateway id="gw" default="toDefault"/>
        {_flow("toDefault", "gw", "fallback")}
        {_flow("toYes", "gw", "yes", "${ok}")}
        <userTask id="fallback"/>
        <userTask id="yes"/>
        """
    )

    assert fake.active_activity_ids(fake.start(deployed, {"ok": True})) == ["yes"]
    assert fake.active_activity_ids(fake.start(deployed, {"ok": False})) == ["fallback"]


def test_exclusive_gateway_no_flow_selectable_raises_engine_02004(fake: FakeEngine) -> None:
    deployed = fake.deploy(
        f"""
        <startEvent id="start"/>
        {_flow("toGateway", "start", "gw")}
        <exclusiveGateway id="gw"/>
        {_flow("toA", "gw", "a", "${x == 1}")}
        {_flow("toB", "gw", "b", "${x == 2}")}
        <userTask id="a"/>
        <userTask id="b"/>
        """
    )

    with pytest.raises(ProcessEngineError) as caught:
        fake.start(deployed, {"x": 3})

    assert caught.value.message.startswith("ENGINE-02004")
    assert "'gw'" in caught.value.message


PARALLEL = f"""
<startEvent id="start"/>
{_flow("toFork", "start", "fork")}
<parallelGateway id="fork"/>
{_flow("toA", "fork", "a")}
{_flow("toB", "fork", "b")}
{_flow("toC", "fork", "c")}
<userTask id="a"/>
<userTask id="b"/>
<userTask id="c"/>
{_flow("aToJoin", "a", "join")}
{_flow("bToJoin", "b", "join")}
{_flow("cToJoin", "c", "join")}
<parallelGateway id="join"/>
{_flow("toAfter", "join", "after")}
<userTask id="after"/>
{_flow("toEnd", "after", "end")}
<endEvent id="end"/>
"""


def test_parallel_fork_gives_each_path_a_concurrent_child_of_the_instance(fake: FakeEngine) -> None:
    instance = fake.start(fake.deploy(PARALLEL))

    executions = fake.executions(instance)
    root = next(e for e in executions if e.is_process_instance)
    children = [e for e in executions if not e.is_process_instance]
    assert fake.active_activity_ids(instance) == ["a", "b", "c"]
    assert not root.is_active
    assert len(children) == 3
    assert all(c.is_concurrent and not c.is_scope and c.parent_id == root.id for c in children)
    assert {t.execution_id for t in fake.user_tasks(instance)} == {c.id for c in children}


def test_parallel_join_waits_until_every_incoming_path_arrived(fake: FakeEngine) -> None:
    instance = fake.start(fake.deploy(PARALLEL))

    fake.complete_user_task(fake.user_task("a"))
    fake.complete_user_task(fake.user_task("c"))

    assert fake.active_activity_ids(instance) == ["b"]
    assert sorted(t.task_definition_key for t in fake.user_tasks(instance)) == ["b"]
    waiting = [e for e in fake.executions(instance) if e.activity_id == "join"]
    assert len(waiting) == 2
    assert not any(e.is_active for e in waiting)


def test_parallel_join_last_arrival_fires_once_and_collapses_tree_to_instance(fake: FakeEngine) -> None:
    instance = fake.start(fake.deploy(PARALLEL))
    fake.complete_user_task(fake.user_task("a"))
    fake.complete_user_task(fake.user_task("b"))
    fake.uow.clear_log()

    fake.complete_user_task(fake.user_task("c"))

    assert [t.task_definition_key for t in fake.user_tasks(instance)] == ["after"]
    (only,) = fake.executions(instance)
    assert only.is_process_instance
    assert only.is_active
    assert only.activity_id == "after"
    assert fake.user_task("after").execution_id == instance
    # the join bumps the scope execution so concurrent arrivals conflict in the database
    assert any(isinstance(e, Execution) and e.id == instance for e in fake.uow.touched)


def test_parallel_join_then_end_event_completes_instance(fake: FakeEngine) -> None:
    instance = fake.start(fake.deploy(PARALLEL))
    for key in ("a", "b", "c"):
        fake.complete_user_task(fake.user_task(key))

    fake.complete_user_task(fake.user_task("after"))

    assert fake.is_ended(instance)
    assert fake.history(instance).state == "COMPLETED"
    assert fake.last is not None
    assert trail(fake.last.records) == [
        "UserTaskCompleted after",
        "ActivityEnded after",
        "ActivityStarted end",
        "ActivityEnded end scope",
        "ProcessInstanceEnded COMPLETED",
    ]


def test_parallel_fork_and_join_without_wait_states_ends_instance_in_one_command(fake: FakeEngine) -> None:
    deployed = fake.deploy(
        f"""
        <startEvent id="start"/>
        {_flow("toFork", "start", "fork")}
        <parallelGateway id="fork"/>
        {_flow("toA", "fork", "a")}
        {_flow("toB", "fork", "b")}
        <task id="a"/>
        <task id="b"/>
        {_flow("aToJoin", "a", "join")}
        {_flow("bToJoin", "b", "join")}
        <parallelGateway id="join"/>
        {_flow("toEnd", "join", "end")}
        <endEvent id="end"/>
        """
    )

    instance = fake.start(deployed)

    assert fake.is_ended(instance)
    assert fake.uow.all(Execution) == []
    assert fake.last is not None
    ended = [r for r in fake.last.records if isinstance(r, ProcessInstanceEnded)]
    assert [(e.process_instance_id, e.state) for e in ended] == [(instance, "COMPLETED")]


NESTED = f"""
<startEvent id="start"/>
{_flow("toFork", "start", "fork")}
<parallelGateway id="fork"/>
{_flow("toOuter", "fork", "outer")}
{_flow("toSub", "fork", "sub")}
<userTask id="outer"/>
{_flow("outerToJoin", "outer", "join")}
<subProcess id="sub">
  <startEvent id="subStart"/>
  {_flow("toInnerFork", "subStart", "innerFork")}
  <parallelGateway id="innerFork"/>
  {_flow("toX", "innerFork", "x")}
  {_flow("toY", "innerFork", "y")}
  <userTask id="x"/>
  <userTask id="y"/>
  {_flow("xToJoin", "x", "innerJoin")}
  {_flow("yToJoin", "y", "innerJoin")}
  <parallelGateway id="innerJoin"/>
  {_flow("toInnerAfter", "innerJoin", "innerAfter")}
  <userTask id="innerAfter"/>
  {_flow("toSubEnd", "innerAfter", "subEnd")}
  <endEvent id="subEnd"/>
</subProcess>
{_flow("subToJoin", "sub", "join")}
<parallelGateway id="join"/>
{_flow("toEnd", "join", "end")}
<endEvent id="end"/>
"""


def test_nested_fork_in_sub_process_forks_below_sub_process_scope_execution(fake: FakeEngine) -> None:
    instance = fake.start(fake.deploy(NESTED))

    assert fake.active_activity_ids(instance) == ["outer", "x", "y"]
    by_id = {e.id: e for e in fake.executions(instance)}
    x_execution = by_id[fake.user_task("x").execution_id]
    sub_scope = by_id[x_execution.parent_id or ""]
    assert sub_scope.is_scope and not sub_scope.is_concurrent
    assert sub_scope.activity_id is None  # forked: the paths carry the activities
    assert by_id[sub_scope.parent_id or ""].activity_id == "sub"


def test_nested_join_in_sub_process_continues_inside_sub_process(fake: FakeEngine) -> None:
    instance = fake.start(fake.deploy(NESTED))

    fake.complete_user_task(fake.user_task("x"))
    fake.complete_user_task(fake.user_task("y"))

    assert fake.active_activity_ids(instance) == ["innerAfter", "outer"]
    inner_after = fake.user_task("innerAfter")
    by_id = {e.id: e for e in fake.executions(instance)}
    scope = by_id[inner_after.execution_id]
    assert scope.is_scope and not scope.is_concurrent
    assert by_id[scope.parent_id or ""].activity_id == "sub"


def test_nested_sub_process_completion_joins_outer_paths_and_ends_instance(fake: FakeEngine) -> None:
    instance = fake.start(fake.deploy(NESTED))
    for key in ("x", "y", "innerAfter"):
        fake.complete_user_task(fake.user_task(key))
    assert fake.active_activity_ids(instance) == ["outer"]

    fake.complete_user_task(fake.user_task("outer"))

    assert fake.is_ended(instance)
    assert fake.history(instance).state == "COMPLETED"


CONDITIONAL_FLOWS = f"""
<startEvent id="start"/>
{_flow("toWork", "start", "work")}
<task id="work"/>
{_flow("toA", "work", "a", "${x &gt; 1}")}
{_flow("toB", "work", "b", "${x &gt; 2}")}
{_flow("toC", "work", "c", "${x &gt; 3}")}
<userTask id="a"/>
<userTask id="b"/>
<userTask id="c"/>
"""


def test_activity_with_several_true_conditional_flows_takes_all_of_them(fake: FakeEngine) -> None:
    instance = fake.start(fake.deploy(CONDITIONAL_FLOWS), {"x": 3})

    assert fake.active_activity_ids(instance) == ["a", "b"]
    assert all(e.is_concurrent for e in fake.executions(instance) if not e.is_process_instance)


def test_activity_with_one_true_conditional_flow_continues_without_forking(fake: FakeEngine) -> None:
    instance = fake.start(fake.deploy(CONDITIONAL_FLOWS), {"x": 2})

    assert fake.active_activity_ids(instance) == ["a"]
    (only,) = fake.executions(instance)
    assert only.is_process_instance


def test_activity_with_no_true_conditional_flow_raises_engine_02004(fake: FakeEngine) -> None:
    with pytest.raises(ProcessEngineError, match="ENGINE-02004"):
        fake.start(fake.deploy(CONDITIONAL_FLOWS), {"x": 0})


def test_parallel_join_of_two_of_three_paths_continues_while_third_path_waits(fake: FakeEngine) -> None:
    deployed = fake.deploy(
        f"""
        <startEvent id="start"/>
        {_flow("toFork", "start", "fork")}
        <parallelGateway id="fork"/>
        {_flow("toA", "fork", "a")}
        {_flow("toB", "fork", "b")}
        {_flow("toC", "fork", "c")}
        <userTask id="a"/>
        <userTask id="b"/>
        <userTask id="c"/>
        {_flow("aToJoin", "a", "join")}
        {_flow("bToJoin", "b", "join")}
        <parallelGateway id="join"/>
        {_flow("toAfter", "join", "after")}
        <userTask id="after"/>
        """
    )
    instance = fake.start(deployed)

    fake.complete_user_task(fake.user_task("a"))
    fake.complete_user_task(fake.user_task("b"))

    assert fake.active_activity_ids(instance) == ["after", "c"]
    assert len(fake.executions(instance)) == 3  # instance + two concurrent paths
    fake.complete_user_task(fake.user_task("c"))
    fake.complete_user_task(fake.user_task("after"))
    assert fake.is_ended(instance)
