"""Every Camunda value type through the services on SQLite and PostgreSQL: DTO and Python values
stored and read back exactly, binary content, transient values, limits the database would
otherwise enforce with an error, the variable-instance query, and variable scopes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from tests.conftest import Deploy
from tests.variable_cases import REFUSALS, ROUND_TRIPS

from cadenza.errors import EngineError, InvalidRequestError
from cadenza.services import (
    Engine,
    FetchTopic,
    TaskQuery,
    TypedValue,
    ValueType,
    VariableFilter,
    typed_value_from_dto,
    typed_value_from_python,
    typed_value_to_dto,
)
from cadenza.services.variables import VariableInstanceQuery


@pytest.fixture
def pid(engine: Engine, deploy: Deploy) -> str:
    definition = deploy("api/user_task.bpmn").process_definitions[0]
    return engine.runtime.start_process_instance(definition.id).instance.id


@pytest.mark.parametrize(("sent", "answered"), [c[1:] for c in ROUND_TRIPS], ids=[c[0] for c in ROUND_TRIPS])
def test_every_type_is_stored_and_read_back(
    engine: Engine, pid: str, sent: dict[str, Any], answered: dict[str, Any]
) -> None:
    engine.runtime.set_variable(pid, "v", typed_value_from_dto(sent, name="v"))
    stored = engine.runtime.get_variable(pid, "v")
    assert stored is not None
    assert typed_value_to_dto(stored) == answered
    view = engine.variables.query_variable_instances(VariableInstanceQuery(variable_name="v"))[0]
    assert view.value == stored


@pytest.mark.parametrize(("sent", "message"), [c[1:] for c in REFUSALS], ids=[c[0] for c in REFUSALS])
def test_refused_values_never_reach_the_database(
    engine: Engine, pid: str, sent: dict[str, Any], message: str
) -> None:
    with pytest.raises(EngineError) as caught:
        engine.runtime.set_variable(pid, "v", typed_value_from_dto(sent, name="v"))
    assert caught.value.status == 400
    assert message in caught.value.message
    assert engine.runtime.get_variables(pid) == {}


def test_python_values_round_trip(engine: Engine, pid: str) -> None:
    values: dict[str, object] = {
        "when": datetime(2024, 5, 6, 7, 8, 9, 123000, tzinfo=timezone(timedelta(hours=2))),
        "blob": bytes(range(256)) * 4096,  # 1 MiB
        "nested": {"a": [1, 2.5, None, {"b": "ü"}]},
        "items": [1, "two"],
        "big": 2**62,
        "small": -5,
        "flag": True,
        "nothing": None,
        "text": "x" * 100_000,
    }
    engine.runtime.modify_variables(pid, {k: typed_value_from_python(v) for k, v in values.items()}, ())
    got = engine.runtime.get_variables(pid)
    assert got["when"].value == datetime(2024, 5, 6, 5, 8, 9, 123000, tzinfo=UTC)
    assert got["blob"] == TypedValue(ValueType.BYTES, values["blob"])
    assert typed_value_to_dto(got["nested"])["value"] == values["nested"]
    assert typed_value_to_dto(got["items"])["value"] == values["items"]
    assert got["big"] == TypedValue(ValueType.LONG, 2**62)
    assert got["small"] == TypedValue(ValueType.INTEGER, -5)
    assert got["flag"] == TypedValue(ValueType.BOOLEAN, True)
    assert got["nothing"] == TypedValue(ValueType.NULL, None)
    assert got["text"].value == values["text"]


def test_file_content_and_value_info(engine: Engine, pid: str) -> None:
    content = "Grüße\n".encode("utf-16")
    file = TypedValue(
        ValueType.FILE, content, {"filename": "g.txt", "mimeType": "text/plain", "encoding": "UTF-16"}
    )
    engine.runtime.set_variable(pid, "f", file)
    assert engine.runtime.get_variable(pid, "f") == file
    assert typed_value_to_dto(file)["value"] is None


def test_transient_values_are_used_but_never_stored(engine: Engine, deploy: Deploy) -> None:
    definition = deploy("api/variables_start_route.bpmn").process_definitions[0]
    route = typed_value_from_dto({"value": "yes", "valueInfo": {"transient": True}})
    started = engine.runtime.start_process_instance(definition.id, variables={"route": route})
    pid = started.instance.id
    tasks = engine.tasks.query(TaskQuery(process_instance_id=pid))
    assert [t.task_definition_key for t in tasks] == ["yes"]
    assert engine.runtime.get_variables(pid) == {}
    engine.runtime.set_variable(pid, "t", TypedValue(ValueType.INTEGER, 1, transient=True))
    engine.tasks.set_variable(tasks[0].id, "t", TypedValue(ValueType.STRING, "x", transient=True), local=True)
    assert engine.variables.count_variable_instances(VariableInstanceQuery()) == 0


def test_size_and_name_limits_are_400_on_every_database(engine: Engine, pid: str) -> None:
    limit = engine.config.max_variable_value_bytes
    with pytest.raises(InvalidRequestError, match="per value"):
        engine.runtime.set_variable(pid, "big", TypedValue(ValueType.BYTES, b"\x00" * (limit + 1)))
    with pytest.raises(InvalidRequestError, match="at most 255"):
        engine.runtime.set_variable(pid, "n" * 256, TypedValue(ValueType.INTEGER, 1))
    with pytest.raises(InvalidRequestError, match="U\\+0000"):
        engine.runtime.set_variable(pid, "nul", TypedValue(ValueType.STRING, "a\x00"))
    engine.runtime.set_variable(pid, "n" * 255, TypedValue(ValueType.STRING, "é" * 1000))
    assert list(engine.runtime.get_variables(pid)) == ["n" * 255]


def test_variable_instance_query_compares_typed_values(engine: Engine, deploy: Deploy) -> None:
    definition = deploy("api/user_task.bpmn").process_definitions[0]
    ids = []
    for customer, amount in (("Acme", 10), ("acme", 2.5), ("Other", None)):
        variables = {
            "customer": typed_value_from_python(customer),
            "amount": typed_value_from_python(amount),
            "due": typed_value_from_python(datetime(2024, 1, 1, tzinfo=UTC)),
        }
        ids.append(engine.runtime.start_process_instance(definition.id, variables=variables).instance.id)

    def instances(**criteria: Any) -> list[str]:
        found = engine.variables.query_variable_instances(VariableInstanceQuery(**criteria))
        return sorted(ids.index(v.process_instance_id) for v in found)

    assert instances(variable_values=[VariableFilter("amount", "gt", 5)]) == [0]
    assert instances(variable_values=[VariableFilter("amount", "lteq", 10)]) == [0, 1]
    assert instances(variable_values=[VariableFilter("amount", "eq", None)]) == [2]
    assert instances(variable_values=[VariableFilter("customer", "eq", "acme")]) == [1]
    assert instances(
        variable_values=[VariableFilter("customer", "eq", "acme")], variable_values_ignore_case=True
    ) == [
        0,
        1,
    ]
    assert instances(variable_values=[VariableFilter("customer", "like", "%e%")]) == [0, 1, 2]
    assert instances(variable_name="CUSTOMER", variable_names_ignore_case=True) == [0, 1, 2]
    assert instances(process_instance_id_in=[ids[1]], variable_name_like="a%") == [1]
    assert instances(activity_instance_id_in=[ids[2]]) == [2, 2, 2]
    assert engine.variables.count_variable_instances(VariableInstanceQuery(variable_name="due")) == 3
    by_type = engine.variables.query_variable_instances(
        VariableInstanceQuery(process_instance_id_in=[ids[0]], sorting=[("variableType", True)])
    )
    assert [v.value.type for v in by_type] == [ValueType.DATE, ValueType.INTEGER, ValueType.STRING]
    with pytest.raises(EngineError, match="does not exist"):
        engine.variables.get_variable_instance("missing")


def test_external_task_variables_land_in_their_scopes(engine: Engine, deploy: Deploy) -> None:
    definition = deploy("api/variables_scopes.bpmn").process_definitions[0]
    pid = engine.runtime.start_process_instance(
        definition.id, variables={"started": typed_value_from_python(1)}
    ).instance.id
    one = typed_value_from_python(1)

    left = engine.external_tasks.fetch_and_lock("w", 1, [FetchTopic("left", 60_000)])[0].task
    engine.external_tasks.handle_failure(
        left.id, "w", retries=1, variables={"failed": one}, local_variables={"attempt": one}
    )
    assert set(engine.runtime.get_variables(pid)) == {"started", "failed"}
    assert set(engine.runtime.get_variables(left.execution_id, local=True)) == {"attempt"}
    engine.external_tasks.complete(
        left.id,
        "w",
        variables={"attempt": typed_value_from_python(2), "out": one},
        local_variables={"tmp": one},
    )
    # "attempt" existed on the branch: the non-local write updated it there, and it ended with it
    assert set(engine.runtime.get_variables(pid)) == {"started", "failed", "out"}

    right = engine.external_tasks.fetch_and_lock("w", 1, [FetchTopic("right", 60_000)])[0].task
    engine.external_tasks.handle_bpmn_error(
        right.id, "w", "E", variables={"why": typed_value_from_python("x")}
    )
    assert engine.runtime.get_variable(pid, "why") == typed_value_from_python("x")
    handled = engine.tasks.query(TaskQuery(process_instance_id=pid, task_definition_key="handled"))
    assert engine.tasks.get_variable(handled[0].id, "why") == typed_value_from_python("x")
