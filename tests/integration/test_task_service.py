"""The task service on SQLite and PostgreSQL: assignment and delegation flows, candidate
queries, task-local vs process variables, completion with returned variables, identity links,
BPMN errors and escalations from user tasks."""

from __future__ import annotations

import pytest

from cadenza.errors import BadUserRequestError, EngineError, NotFoundError
from cadenza.services import Engine, TaskQuery, VariableFilter, typed_value_from_python
from cadenza.services.tasks import DelegationState, TaskAlreadyClaimedError, TaskUpdate
from conftest import Deploy


def _start(engine: Engine, deploy: Deploy, key: str = "review", **variables: object) -> tuple[str, str]:
    definition = deploy(f"tasks/{key}.bpmn").process_definitions[0]
    started = engine.runtime.start_process_instance(
        definition.id,
        business_key="bk",
        variables={n: typed_value_from_python(v) for n, v in variables.items()},
    )
    tasks = engine.tasks.query(TaskQuery(process_instance_id=started.instance.id))
    assert len(tasks) == 1
    return started.instance.id, tasks[0].id


def _values(engine: Engine, instance_id: str) -> dict[str, object]:
    return {n: v.value for n, v in engine.runtime.get_variables(instance_id).items()}


def test_claim_unclaim_and_assignee(engine: Engine, deploy: Deploy) -> None:
    _, task_id = _start(engine, deploy)
    engine.tasks.claim(task_id, "kermit")
    engine.tasks.claim(task_id, "kermit")
    with pytest.raises(
        TaskAlreadyClaimedError, match=f"Task '{task_id}' is already claimed by someone else."
    ):
        engine.tasks.claim(task_id, "gonzo")
    task = engine.tasks.get(task_id)
    assert task.assignee == "kermit"
    assert task.last_updated is not None
    engine.tasks.unclaim(task_id)
    assert engine.tasks.get(task_id).assignee is None
    engine.tasks.set_assignee(task_id, "gonzo")
    assert engine.tasks.get(task_id).assignee == "gonzo"
    with pytest.raises(NotFoundError, match="Cannot find task with id nope: task is null"):
        engine.tasks.claim("nope", "kermit")


def test_delegate_resolve_complete(engine: Engine, deploy: Deploy) -> None:
    instance_id, task_id = _start(engine, deploy)
    engine.tasks.claim(task_id, "kermit")
    engine.tasks.delegate(task_id, "gonzo")
    task = engine.tasks.get(task_id)
    assert (task.owner, task.assignee, task.delegation_state) == ("kermit", "gonzo", DelegationState.PENDING)
    with pytest.raises(BadUserRequestError, match="A delegated task cannot be completed"):
        engine.tasks.complete(task_id)
    assert engine.tasks.get(task_id).delegation_state is DelegationState.PENDING

    engine.tasks.resolve(task_id, {"verdict": typed_value_from_python("ok")})
    task = engine.tasks.get(task_id)
    assert (task.assignee, task.delegation_state) == ("kermit", DelegationState.RESOLVED)
    assert _values(engine, instance_id) == {"verdict": "ok"}
    engine.tasks.complete(task_id)
    remaining = engine.tasks.query(TaskQuery(process_instance_id=instance_id))
    assert [t.task_definition_key for t in remaining] == ["archive"]


def test_candidate_queries_and_include_assigned_tasks(engine: Engine, deploy: Deploy) -> None:
    _, first = _start(engine, deploy)
    _, second = _start(engine, deploy)
    engine.tasks.claim(first, "kermit")
    engine.tasks.add_identity_link(second, "candidate", group_id="sales")

    assert [t.id for t in engine.tasks.query(TaskQuery(candidate_user="gonzo"))] == [second]
    both = engine.tasks.query(TaskQuery(candidate_user="gonzo", include_assigned_tasks=True))
    assert sorted(t.id for t in both) == sorted([first, second])
    assert [t.id for t in engine.tasks.query(TaskQuery(candidate_groups=["sales", "x"]))] == [second]
    assert engine.tasks.count(TaskQuery(candidate_group="management", include_assigned_tasks=True)) == 2
    assert engine.tasks.count(TaskQuery(involved_user="kermit")) == 2

    links = engine.tasks.get_identity_links(first)
    assert ("assignee", "kermit", None) in [(link.type, link.user_id, link.group_id) for link in links]
    engine.tasks.delete_identity_link(second, "candidate", group_id="sales")
    assert engine.tasks.count(TaskQuery(candidate_group="sales")) == 0


def test_task_local_and_process_variables(engine: Engine, deploy: Deploy) -> None:
    instance_id, task_id = _start(engine, deploy, amount=5)
    engine.tasks.set_variable(task_id, "note", typed_value_from_python("draft"), local=True)
    engine.tasks.set_variable(task_id, "amount", typed_value_from_python(6))
    engine.tasks.set_variable(task_id, "fresh", typed_value_from_python(True))

    local = engine.tasks.get_variables(task_id, local=True)
    assert {n: v.value for n, v in local.items()} == {"note": "draft"}
    visible = engine.tasks.get_variables(task_id)
    assert {n: v.value for n, v in visible.items()} == {"amount": 6, "fresh": True, "note": "draft"}
    assert _values(engine, instance_id) == {"amount": 6, "fresh": True}
    assert engine.tasks.count(TaskQuery(task_variables=[VariableFilter("note", "eq", "draft")])) == 1
    assert engine.tasks.count(TaskQuery(process_variables=[VariableFilter("note", "eq", "draft")])) == 0
    assert engine.tasks.count(TaskQuery(process_variables=[VariableFilter("amount", "gt", 5)])) == 1

    engine.tasks.modify_variables(task_id, {"note": typed_value_from_python("final")}, ["fresh"])
    assert engine.tasks.get_variable(task_id, "note", local=True) == typed_value_from_python("final")
    assert _values(engine, instance_id) == {"amount": 6}

    engine.tasks.complete(task_id, {"approved": typed_value_from_python(True)})
    assert _values(engine, instance_id) == {"amount": 6, "approved": True}


def test_complete_with_variables_in_return(engine: Engine, deploy: Deploy) -> None:
    instance_id, task_id = _start(engine, deploy, a=1)
    returned = engine.tasks.complete(
        task_id, {"b": typed_value_from_python(2)}, with_variables_in_return=True
    )
    assert returned is not None
    assert {n: v.value for n, v in returned.items()} == {"a": 1, "b": 2}
    (last,) = engine.tasks.query(TaskQuery(process_instance_id=instance_id))
    final = engine.tasks.complete(last.id, with_variables_in_return=True)
    assert final is not None
    assert set(final) == {"a", "b"}
    assert engine.tasks.query(TaskQuery(process_instance_id=instance_id)) == []


def test_update_replaces_properties(engine: Engine, deploy: Deploy) -> None:
    _, task_id = _start(engine, deploy)
    engine.tasks.update(task_id, TaskUpdate(name="Renamed", priority=3, owner="piggy"))
    task = engine.tasks.get(task_id)
    assert (task.name, task.priority, task.owner, task.description) == ("Renamed", 3, "piggy", None)
    assert engine.tasks.count(TaskQuery(owner="piggy", max_priority=3)) == 1
    with pytest.raises(BadUserRequestError, match="Cannot change tenantId"):
        engine.tasks.update(task_id, TaskUpdate(tenant_id="other"))


def test_bpmn_error_and_escalation_from_a_user_task(engine: Engine, deploy: Deploy) -> None:
    instance_id, task_id = _start(engine, deploy, "review_error")
    engine.tasks.handle_escalation(task_id, "TOO_HARD")
    keys = sorted(
        t.task_definition_key for t in engine.tasks.query(TaskQuery(process_instance_id=instance_id))
    )
    assert keys == ["help", "reviewTask"]

    with pytest.raises(BadUserRequestError, match="errorCode is empty"):
        engine.tasks.handle_bpmn_error(task_id, " ")
    engine.tasks.handle_bpmn_error(task_id, "REJECTED", "bad", {"extra": typed_value_from_python(1)})
    keys = sorted(
        t.task_definition_key for t in engine.tasks.query(TaskQuery(process_instance_id=instance_id))
    )
    assert keys == ["fix", "help"]
    assert _values(engine, instance_id) == {"extra": 1, "code": "REJECTED", "reason": "bad"}
    with pytest.raises(NotFoundError):
        engine.tasks.handle_bpmn_error(task_id, "REJECTED")


def test_escalation_without_handler_changes_nothing(engine: Engine, deploy: Deploy) -> None:
    instance_id, task_id = _start(engine, deploy)
    with pytest.raises(EngineError, match="ENGINE-02043"):
        engine.tasks.handle_escalation(task_id, "NOBODY", {"v": typed_value_from_python(1)})
    assert engine.tasks.get(task_id).last_updated is None
    assert _values(engine, instance_id) == {}
