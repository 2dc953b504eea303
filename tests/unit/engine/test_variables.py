"""Variable scoping (camunda7-semantics.md §4.3): non-local sets update the nearest scope that
has the variable, else the process instance; local sets write their own scope; task-local
variables sit in front of their execution (no database)."""

from __future__ import annotations

import pytest

from cadenza.engine.context import CommandContext
from cadenza.engine.state import Execution, VariableInstance
from cadenza.engine.variables import (
    get_variable,
    set_variable,
    set_variable_local,
    visible_variables,
)
from cadenza.errors import BadUserRequestError
from cadenza.expr.values import TypedValue, ValueType, typed_value_from_python
from fakes import FakeEngine


@pytest.fixture
def fake() -> FakeEngine:
    return FakeEngine()


def _v(value: object) -> TypedValue:
    return typed_value_from_python(value)


def _flow(flow_id: str, source: str, target: str) -> str:
    return f'<sequenceFlow id="{flow_id}" sourceRef="{source}" targetRef="{target}"/>'


PARALLEL = f"""
<startEvent id="start"/>{_flow("f1", "start", "fork")}
<parallelGateway id="fork"/>{_flow("f2", "fork", "a")}{_flow("f3", "fork", "b")}
<userTask id="a"/>{_flow("f4", "a", "join")}
<userTask id="b"/>{_flow("f5", "b", "join")}
<parallelGateway id="join"/>{_flow("f6", "join", "after")}
<userTask id="after"/>
"""

SUB_PROCESS = f"""
<startEvent id="start"/>{_flow("f1", "start", "sub")}
<subProcess id="sub">
  <startEvent id="subStart"/>{_flow("s1", "subStart", "inner")}
  <userTask id="inner"/>
</subProcess>
{_flow("f2", "sub", "after")}
<userTask id="after"/>
"""


def _execution_of(fake: FakeEngine, key: str) -> Execution:
    return fake.uow.rows[Execution][fake.user_task(key).execution_id]


def test_start_variables_are_stored_on_process_instance(fake: FakeEngine) -> None:
    instance = fake.start(fake.deploy(PARALLEL), {"amount": 10, "customer": "ACME"})

    rows = fake.variable_rows(instance)
    assert {(v.name, v.execution_id) for v in rows} == {("amount", instance), ("customer", instance)}
    assert fake.variables(_execution_of(fake, "a").id) == {"amount": 10, "customer": "ACME"}


def test_set_variable_unknown_name_from_concurrent_path_creates_it_on_process_instance(
    fake: FakeEngine,
) -> None:
    instance = fake.start(fake.deploy(PARALLEL))
    a = _execution_of(fake, "a")

    def command(ctx: CommandContext) -> None:
        graph = ctx.graph(instance)
        set_variable(ctx, graph, graph.executions[a.id], "result", _v("done"))

    fake.run(command)

    (row,) = fake.variable_rows(instance)
    assert (row.name, row.execution_id) == ("result", instance)
    assert fake.variables(_execution_of(fake, "b").id) == {"result": "done"}


def test_set_variable_existing_in_inner_scope_updates_it_there(fake: FakeEngine) -> None:
    instance = fake.start(fake.deploy(SUB_PROCESS), {"counter": 1})
    inner = _execution_of(fake, "inner")
    assert inner.id != instance  # the sub-process has its own scope execution

    def command(ctx: CommandContext) -> None:
        graph = ctx.graph(instance)
        set_variable_local(ctx, graph, graph.executions[inner.id], "counter", _v(100))
        set_variable(ctx, graph, graph.executions[inner.id], "counter", _v(101))

    fake.run(command)

    assert fake.variables(inner.id, local=True) == {"counter": 101}
    assert fake.variables(instance, local=True) == {"counter": 1}
    assert fake.variables(inner.id) == {"counter": 101}  # the inner scope shadows the outer


def test_set_variable_existing_on_instance_from_inner_scope_updates_instance(fake: FakeEngine) -> None:
    instance = fake.start(fake.deploy(SUB_PROCESS), {"counter": 1})
    inner = _execution_of(fake, "inner")

    def command(ctx: CommandContext) -> None:
        graph = ctx.graph(instance)
        set_variable(ctx, graph, graph.executions[inner.id], "counter", _v(2))

    fake.run(command)

    assert fake.variables(instance, local=True) == {"counter": 2}
    assert fake.variables(inner.id, local=True) == {}
    assert len(fake.variable_rows(instance)) == 1


def test_set_variable_local_on_concurrent_path_is_invisible_to_sibling_and_dropped_at_join(
    fake: FakeEngine,
) -> None:
    instance = fake.start(fake.deploy(PARALLEL))
    a = fake.user_task("a")

    def command(ctx: CommandContext) -> None:
        graph = ctx.graph(instance)
        set_variable_local(ctx, graph, graph.executions[a.execution_id], "note", _v("a only"))

    fake.run(command)

    assert fake.variables(a.execution_id) == {"note": "a only"}
    assert fake.variables(_execution_of(fake, "b").id) == {}
    fake.complete_user_task(a)
    fake.complete_user_task(fake.user_task("b"))
    assert fake.active_activity_ids(instance) == ["after"]
    assert fake.variable_rows(instance) == []


def test_complete_external_task_variables_go_to_instance_and_local_variables_stay_on_path(
    fake: FakeEngine,
) -> None:
    deployed = fake.deploy(
        f"""
        <startEvent id="start"/>{_flow("f1", "start", "fork")}
        <parallelGateway id="fork"/>{_flow("f2", "fork", "work")}{_flow("f3", "fork", "wait")}
        <serviceTask id="work" camunda:type="external" camunda:topic="t"/>{_flow("f4", "work", "check")}
        <userTask id="check"/>
        <userTask id="wait"/>
        """
    )
    instance = fake.start(deployed)
    (task,) = fake.external_tasks(instance)

    fake.complete_external_task(task, {"global": 1}, {"local": 2})

    check = _execution_of(fake, "check")
    assert check.id == task.execution_id  # the path continues on the same concurrent execution
    assert fake.variables(instance, local=True) == {"global": 1}
    assert fake.variables(check.id, local=True) == {"local": 2}
    assert fake.variables(_execution_of(fake, "wait").id) == {"global": 1}


def test_task_local_variable_shadows_execution_variable_and_goes_with_task(fake: FakeEngine) -> None:
    deployed = fake.deploy(
        f'<startEvent id="start"/>{_flow("f1", "start", "t1")}<userTask id="t1"/>'
        f'{_flow("f2", "t1", "t2")}<userTask id="t2"/>'
    )
    instance = fake.start(deployed, {"x": "process"})
    task = fake.user_task("t1")

    def command(ctx: CommandContext) -> None:
        graph = ctx.graph(instance)
        execution, user_task = graph.executions[instance], graph.user_tasks[task.id]
        set_variable_local(ctx, graph, execution, "x", _v("task"), user_task)
        # a non-local set naming a task variable updates the task variable
        set_variable(ctx, graph, execution, "x", _v("task updated"), user_task)
        found = get_variable(graph, execution, "x", user_task)
        assert found is not None and found.value.value == "task updated"
        assert visible_variables(graph, execution, user_task)["x"].task_id == task.id

    fake.run(command)

    assert fake.variables(instance) == {"x": "process"}
    assert {v.task_id for v in fake.variable_rows(instance)} == {None, task.id}
    fake.complete_user_task(task)
    assert [v.task_id for v in fake.variable_rows(instance)] == [None]


def test_set_variable_with_other_type_replaces_value_and_type(fake: FakeEngine) -> None:
    instance = fake.start(fake.deploy(PARALLEL), {"x": 1})

    fake.run(lambda ctx: set_variable(ctx, ctx.graph(instance), ctx.graph(instance).root, "x", _v("one")))

    (row,) = fake.variable_rows(instance)
    assert row.value == TypedValue(ValueType.STRING, "one")


def test_transient_variable_is_visible_in_command_but_never_stored(fake: FakeEngine) -> None:
    deployed = fake.deploy(
        f"""
        <startEvent id="start"/>{_flow("f1", "start", "gw")}
        <exclusiveGateway id="gw" default="f3"/>
        <sequenceFlow id="f2" sourceRef="gw" targetRef="yes">
          <conditionExpression>${{flag}}</conditionExpression>
        </sequenceFlow>
        <sequenceFlow id="f3" sourceRef="gw" targetRef="no"/>
        <userTask id="yes"/>
        <userTask id="no"/>
        """
    )

    def command(ctx: CommandContext) -> str:
        from cadenza.engine.lifecycle import start_process_instance

        root, _ = start_process_instance(
            ctx, deployed, variables={"flag": TypedValue(ValueType.BOOLEAN, True, transient=True)}
        )
        return root.id

    instance = fake.run(command)

    assert fake.active_activity_ids(instance) == ["yes"]
    assert fake.uow.all(VariableInstance) == []


def test_set_transient_over_persistent_variable_is_refused_engine_03078(fake: FakeEngine) -> None:
    instance = fake.start(fake.deploy(PARALLEL), {"x": 1})

    with pytest.raises(BadUserRequestError, match="ENGINE-03078"):
        fake.run(
            lambda ctx: set_variable(
                ctx,
                ctx.graph(instance),
                ctx.graph(instance).root,
                "x",
                TypedValue(ValueType.INTEGER, 2, transient=True),
            )
        )
