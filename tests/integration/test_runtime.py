"""Runtime service on SQLite and PostgreSQL: starting instances with typed variables, instance
and execution queries, deleting instances, modifying variables."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from cadenza.errors import NotFoundError
from cadenza.expr.values import TypedValue, ValueType, typed_value_from_dto
from cadenza.services import (
    Engine,
    ExecutionQuery,
    Page,
    ProcessInstanceQuery,
    TaskQuery,
    VariableFilter,
)
from conftest import Deploy


def _definition_id(deploy: Deploy, resource: str) -> str:
    return deploy(f"runtime/{resource}.bpmn").process_definitions[0].id


EVERY_TYPE: dict[str, TypedValue] = {
    "text": TypedValue(ValueType.STRING, "grüße ✓"),
    "empty": TypedValue(ValueType.STRING, ""),
    "flag": TypedValue(ValueType.BOOLEAN, False),
    "count": TypedValue(ValueType.INTEGER, -2147483648),
    "big": TypedValue(ValueType.LONG, 9007199254740993),
    "small_long": TypedValue(ValueType.LONG, 7),
    "ratio": TypedValue(ValueType.DOUBLE, 0.1),
    "whole_double": TypedValue(ValueType.DOUBLE, 2.0),
    "when": TypedValue(ValueType.DATE, datetime(2026, 3, 1, 8, 30, 15, 123000, tzinfo=UTC)),
    "doc": typed_value_from_dto({"type": "Json", "value": '{"items": [1, 2], "name": "x"}'}),
    "nothing": TypedValue(ValueType.NULL, None),
}


def test_start_with_business_key_and_every_variable_type_round_trips_exactly(
    engine: Engine, deploy: Deploy
) -> None:
    started = engine.runtime.start_process_instance(
        _definition_id(deploy, "one_user_task"), business_key="order-1", variables=EVERY_TYPE
    )

    instance = engine.runtime.get_process_instance(started.instance.id)
    assert instance.business_key == "order-1"
    assert instance.definition_key == "one_user_task"
    assert not started.instance.ended
    assert engine.runtime.get_variables(instance.id) == dict(sorted(EVERY_TYPE.items()))
    assert engine.runtime.get_variable(instance.id, "big") == TypedValue(ValueType.LONG, 9007199254740993)


def test_start_with_variables_in_return_returns_typed_values(engine: Engine, deploy: Deploy) -> None:
    started = engine.runtime.start_process_instance(
        _definition_id(deploy, "one_user_task"),
        variables={"a": TypedValue(ValueType.LONG, 1)},
        with_variables_in_return=True,
    )

    assert started.variables == {"a": TypedValue(ValueType.LONG, 1)}


def test_start_instance_that_ends_at_once_returns_ended_and_its_variables(
    engine: Engine, deploy: Deploy
) -> None:
    started = engine.runtime.start_process_instance(
        _definition_id(deploy, "straight_through"),
        business_key="quick",
        variables=EVERY_TYPE,
        with_variables_in_return=True,
    )

    assert started.instance.ended
    assert started.variables == EVERY_TYPE
    assert engine.runtime.count_process_instances(ProcessInstanceQuery()) == 0
    with pytest.raises(NotFoundError):
        engine.runtime.get_process_instance(started.instance.id)


def test_start_without_variables_in_return_returns_none(engine: Engine, deploy: Deploy) -> None:
    started = engine.runtime.start_process_instance(
        _definition_id(deploy, "straight_through"), variables={"a": TypedValue(ValueType.STRING, "x")}
    )

    assert started.variables is None


def test_start_unknown_definition_raises_not_found(engine: Engine) -> None:
    with pytest.raises(NotFoundError):
        engine.runtime.start_process_instance("unknown:1:abc")


def _start_three(engine: Engine, deploy: Deploy) -> dict[str, str]:
    one = _definition_id(deploy, "one_user_task")
    parallel = _definition_id(deploy, "parallel_user_tasks")
    specs = {
        "a": (one, {"amount": 50, "customer": "ACME", "vip": True, "note": None}),
        "b": (one, {"amount": 150.5, "customer": "Initech", "vip": False, "note": "x"}),
        "c": (parallel, {"amount": 1000, "customer": "ACME Europe", "vip": True, "note": "y"}),
    }
    ids = {}
    for key, (definition_id, values) in specs.items():
        variables = {
            name: typed_value_from_dto({"value": value}, name=name) for name, value in values.items()
        }
        ids[key] = engine.runtime.start_process_instance(
            definition_id, business_key=f"bk-{key}", variables=variables
        ).instance.id
    return ids


def _ids(engine: Engine, query: ProcessInstanceQuery) -> set[str]:
    return {p.id for p in engine.runtime.query_process_instances(query)}


def test_query_process_instances_by_key_and_business_key(engine: Engine, deploy: Deploy) -> None:
    ids = _start_three(engine, deploy)

    assert _ids(engine, ProcessInstanceQuery(process_definition_key="one_user_task")) == {ids["a"], ids["b"]}
    assert _ids(engine, ProcessInstanceQuery(business_key="bk-c")) == {ids["c"]}
    assert _ids(engine, ProcessInstanceQuery(business_key_like="bk-%")) == set(ids.values())
    assert engine.runtime.count_process_instances(ProcessInstanceQuery(business_key="nope")) == 0


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ([VariableFilter("amount", "gt", 100)], {"b", "c"}),
        ([VariableFilter("amount", "lteq", 150.5)], {"a", "b"}),
        ([VariableFilter("customer", "eq", "ACME")], {"a"}),
        ([VariableFilter("customer", "like", "ACME%")], {"a", "c"}),
        ([VariableFilter("customer", "neq", "ACME")], {"b", "c"}),
        ([VariableFilter("vip", "eq", True)], {"a", "c"}),
        ([VariableFilter("note", "eq", None)], {"a"}),
        ([VariableFilter("vip", "eq", True), VariableFilter("amount", "lt", 100)], {"a"}),
        ([VariableFilter("missing", "eq", "x")], set()),
    ],
)
def test_query_process_instances_by_variable_filters_matches_typed_values(
    engine: Engine, deploy: Deploy, filters: list[VariableFilter], expected: set[str]
) -> None:
    ids = _start_three(engine, deploy)

    found = _ids(engine, ProcessInstanceQuery(variables=filters))

    assert found == {ids[k] for k in expected}


def test_query_process_instances_sorted_by_business_key_desc_with_paging(
    engine: Engine, deploy: Deploy
) -> None:
    _start_three(engine, deploy)

    page = engine.runtime.query_process_instances(
        ProcessInstanceQuery(sorting=[("businessKey", False)]), Page(first_result=1, max_results=5)
    )

    assert [p.business_key for p in page] == ["bk-b", "bk-a"]


def test_query_process_instances_by_active_activity_id(engine: Engine, deploy: Deploy) -> None:
    ids = _start_three(engine, deploy)

    assert _ids(engine, ProcessInstanceQuery(activity_id_in=["pack"])) == {ids["c"]}
    assert _ids(engine, ProcessInstanceQuery(activity_id_in=["review"])) == {ids["a"], ids["b"]}


def test_delete_process_instance_removes_tasks_variables_and_executions(
    engine: Engine, deploy: Deploy
) -> None:
    ids = _start_three(engine, deploy)

    engine.runtime.delete_process_instance(ids["c"], reason="cancelled by test")

    assert _ids(engine, ProcessInstanceQuery()) == {ids["a"], ids["b"]}
    assert engine.tasks.count(TaskQuery(process_instance_id=ids["c"])) == 0
    assert engine.tasks.count(TaskQuery()) == 2
    assert engine.runtime.count_executions(ExecutionQuery(process_instance_id=ids["c"])) == 0
    with pytest.raises(NotFoundError):
        engine.runtime.get_variables(ids["c"])
    assert _ids(engine, ProcessInstanceQuery(variables=[VariableFilter("note", "eq", "y")])) == set()


def test_delete_process_instance_unknown_id_raises_not_found_unless_told_not_to(engine: Engine) -> None:
    with pytest.raises(NotFoundError, match="does not exist"):
        engine.runtime.delete_process_instance("nope")

    engine.runtime.delete_process_instance("nope", fail_if_not_exists=False)


def test_modify_variables_sets_and_removes_in_one_call(engine: Engine, deploy: Deploy) -> None:
    ids = _start_three(engine, deploy)

    engine.runtime.modify_variables(
        ids["a"],
        {"amount": TypedValue(ValueType.STRING, "fifty"), "added": TypedValue(ValueType.LONG, 3)},
        ["note"],
    )

    variables = engine.runtime.get_variables(ids["a"])
    assert variables["amount"] == TypedValue(ValueType.STRING, "fifty")
    assert variables["added"] == TypedValue(ValueType.LONG, 3)
    assert "note" not in variables
    assert _ids(engine, ProcessInstanceQuery(variables=[VariableFilter("amount", "eq", "fifty")])) == {
        ids["a"]
    }


def test_set_variable_from_concurrent_execution_lands_on_process_instance(
    engine: Engine, deploy: Deploy
) -> None:
    ids = _start_three(engine, deploy)
    (pack,) = engine.runtime.query_executions(ExecutionQuery(activity_id="pack"))
    assert pack.id != ids["c"]

    engine.runtime.set_variable(pack.id, "packed", TypedValue(ValueType.BOOLEAN, True))
    engine.runtime.set_variable(pack.id, "box", TypedValue(ValueType.STRING, "S"), local=True)

    assert engine.runtime.get_variables(ids["c"], local=True)["packed"] == TypedValue(ValueType.BOOLEAN, True)
    assert engine.runtime.get_variables(pack.id, local=True) == {"box": TypedValue(ValueType.STRING, "S")}
    (label,) = engine.runtime.query_executions(ExecutionQuery(activity_id="label"))
    assert "box" not in engine.runtime.get_variables(label.id)

    engine.runtime.remove_variable(pack.id, "packed")
    assert "packed" not in engine.runtime.get_variables(ids["c"])


def test_modify_variables_unknown_execution_raises_not_found(engine: Engine) -> None:
    with pytest.raises(NotFoundError):
        engine.runtime.set_variable("nope", "x", TypedValue(ValueType.STRING, "y"))


def test_query_executions_shows_the_execution_tree_of_a_fork(engine: Engine, deploy: Deploy) -> None:
    ids = _start_three(engine, deploy)

    executions = engine.runtime.query_executions(ExecutionQuery(process_instance_id=ids["c"]))

    assert len(executions) == 3
    root = next(e for e in executions if e.id == ids["c"])
    children = [e for e in executions if e.id != ids["c"]]
    assert not root.is_active
    assert sorted(e.activity_id or "" for e in children) == ["label", "pack"]
    assert all(e.parent_id == root.id and e.is_concurrent for e in children)
    assert engine.runtime.count_executions(ExecutionQuery(business_key="bk-c")) == 3
    assert engine.runtime.get_execution(children[0].id).process_instance_id == ids["c"]
    with pytest.raises(NotFoundError):
        engine.runtime.get_execution("nope")


def test_complete_all_parallel_tasks_ends_instance(engine: Engine, deploy: Deploy) -> None:
    ids = _start_three(engine, deploy)

    for task in engine.tasks.query(TaskQuery(process_instance_id=ids["c"])):
        engine.tasks.complete(task.id)

    assert _ids(engine, ProcessInstanceQuery(process_definition_key="parallel_user_tasks")) == set()
    assert engine.runtime.count_executions(ExecutionQuery(process_instance_id=ids["c"])) == 0


def test_modify_variables_same_name_updated_and_deleted_ends_up_deleted(
    engine: Engine, deploy: Deploy
) -> None:
    ids = _start_three(engine, deploy)

    engine.runtime.modify_variables(
        ids["a"],
        {"customer": TypedValue(ValueType.STRING, "Globex"), "fresh": TypedValue(ValueType.STRING, "x")},
        ["customer", "fresh"],
    )

    variables = engine.runtime.get_variables(ids["a"])
    assert "customer" not in variables
    assert "fresh" not in variables
    assert variables["amount"] == TypedValue(ValueType.INTEGER, 50)
