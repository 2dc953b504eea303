"""User tasks on SQLite and PostgreSQL: attributes from the model (constants and expressions),
completion with variables, task queries."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from cadenza.clock import SettableClock
from cadenza.errors import NotFoundError
from cadenza.expr.values import TypedValue, ValueType, typed_value_from_python
from cadenza.services import Engine, Page, ProcessInstanceQuery, TaskQuery, VariableFilter
from conftest import Deploy

DUE = datetime(2026, 1, 20, 17, 0, tzinfo=UTC)


def _start_review(
    engine: Engine, definition_id: str, business_key: str, *, owner: str, amount: int, team: str = "sales"
) -> str:
    values: dict[str, object] = {
        "title": f"trip {business_key}",
        "owner": owner,
        "deputy": "gonzo",
        "team": team,
        "due": DUE,
        "amount": amount,
        "form": "expense",
    }
    variables = {name: typed_value_from_python(value) for name, value in values.items()}
    return engine.runtime.start_process_instance(
        definition_id, business_key=business_key, variables=variables
    ).instance.id


@pytest.fixture
def review_definition(deploy: Deploy) -> str:
    return deploy("user_tasks/review_expense.bpmn").process_definitions[0].id


def test_user_task_attributes_from_expressions_are_evaluated_at_creation(
    engine: Engine, review_definition: str, clock: SettableClock
) -> None:
    instance = _start_review(engine, review_definition, "e-1", owner="anna", amount=5000)

    (task,) = engine.tasks.query(TaskQuery(process_instance_id=instance))
    assert task.name == "Review trip e-1"
    assert task.task_definition_key == "review"
    assert task.assignee == "anna"
    assert task.due == DUE
    assert task.follow_up == clock.now() + timedelta(days=1)
    assert task.priority == 80
    assert task.form_key == "embedded:app:forms/expense.html"
    assert task.description == "Check the receipt"
    assert task.created == clock.now()
    assert task.execution_id == instance


def test_user_task_constant_attributes_are_taken_literally(engine: Engine, deploy: Deploy) -> None:
    definition = deploy("user_tasks/static_task.bpmn").process_definitions[0]
    instance = engine.runtime.start_process_instance(definition.id).instance.id

    (task,) = engine.tasks.query(TaskQuery(process_instance_id=instance))
    assert (task.name, task.assignee, task.priority) == ("File the papers", "demo", 70)
    assert task.due == datetime(2026, 2, 1, 12, 0, tzinfo=UTC)
    assert task.form_key == "camunda-forms:deployment:file.form"
    assert task.follow_up is None


def test_user_task_empty_assignee_expression_leaves_task_unassigned(
    engine: Engine, review_definition: str
) -> None:
    instance = _start_review(engine, review_definition, "e-2", owner="", amount=10)

    (task,) = engine.tasks.query(TaskQuery(process_instance_id=instance))
    assert task.assignee is None
    assert task.priority == 20


def test_query_tasks_by_candidate_user_and_group_excludes_assigned_by_default(
    engine: Engine, review_definition: str
) -> None:
    assigned = _start_review(engine, review_definition, "e-1", owner="anna", amount=1)
    open_ = _start_review(engine, review_definition, "e-2", owner="", amount=1, team="marketing")

    def instances(query: TaskQuery) -> set[str]:
        return {t.process_instance_id for t in engine.tasks.query(query)}

    assert instances(TaskQuery(candidate_user="kermit")) == {open_}
    assert instances(TaskQuery(candidate_user="gonzo", include_assigned_tasks=True)) == {assigned, open_}
    assert instances(TaskQuery(candidate_group="accounting")) == {open_}
    assert instances(TaskQuery(candidate_group="sales", include_assigned_tasks=True)) == {assigned}
    assert instances(TaskQuery(candidate_groups=["marketing", "sales"], include_assigned_tasks=True)) == {
        assigned,
        open_,
    }
    assert instances(TaskQuery(candidate_user="piggy", include_assigned_tasks=True)) == set()


def test_query_tasks_filters_by_assignee_name_key_business_key_and_dates(
    engine: Engine, review_definition: str, clock: SettableClock
) -> None:
    first = _start_review(engine, review_definition, "e-1", owner="anna", amount=1)
    clock.advance(timedelta(minutes=5))
    second = _start_review(engine, review_definition, "e-2", owner="", amount=2000)

    def instances(query: TaskQuery) -> set[str]:
        return {t.process_instance_id for t in engine.tasks.query(query)}

    assert instances(TaskQuery(assignee="anna")) == {first}
    assert instances(TaskQuery(unassigned=True)) == {second}
    assert instances(TaskQuery(assigned=True)) == {first}
    assert instances(TaskQuery(name_like="Review trip%")) == {first, second}
    assert instances(TaskQuery(name="Review trip e-2")) == {second}
    assert instances(TaskQuery(task_definition_key="review")) == {first, second}
    assert instances(TaskQuery(process_instance_business_key="e-1")) == {first}
    assert instances(TaskQuery(process_definition_key="review_expense")) == {first, second}
    assert instances(TaskQuery(created_after=clock.now() - timedelta(minutes=1))) == {second}
    assert instances(TaskQuery(due_before=DUE + timedelta(seconds=1))) == {first, second}
    assert instances(TaskQuery(due_after=DUE)) == set()
    assert instances(TaskQuery(process_variables=[VariableFilter("amount", "gteq", 1000)])) == {second}
    assert engine.tasks.count(TaskQuery(assignee="nobody")) == 0


def test_query_tasks_sorted_by_priority_desc_with_paging(engine: Engine, review_definition: str) -> None:
    low = _start_review(engine, review_definition, "e-1", owner="a", amount=1)
    high = _start_review(engine, review_definition, "e-2", owner="b", amount=5000)

    ordered = engine.tasks.query(TaskQuery(sorting=[("priority", False)]))
    second_page = engine.tasks.query(TaskQuery(sorting=[("priority", False)]), Page(1, 1))

    assert [t.process_instance_id for t in ordered] == [high, low]
    assert [t.process_instance_id for t in second_page] == [low]


def test_complete_with_variables_sets_them_on_instance_and_takes_matching_flow(
    engine: Engine, review_definition: str
) -> None:
    instance = _start_review(engine, review_definition, "e-1", owner="anna", amount=1)
    (review,) = engine.tasks.query(TaskQuery(process_instance_id=instance))

    returned = engine.tasks.complete(
        review.id,
        {"approved": TypedValue(ValueType.BOOLEAN, True), "comment": TypedValue(ValueType.STRING, "fine")},
        with_variables_in_return=True,
    )

    (pay,) = engine.tasks.query(TaskQuery(process_instance_id=instance))
    assert (pay.task_definition_key, pay.name) == ("pay", "Pay")
    assert engine.tasks.count(TaskQuery(candidate_group="finance")) == 1
    assert returned is not None and returned["comment"] == TypedValue(ValueType.STRING, "fine")
    assert engine.runtime.get_variable(instance, "approved") == TypedValue(ValueType.BOOLEAN, True)
    with pytest.raises(NotFoundError):
        engine.tasks.get(review.id)


def test_complete_taking_flow_to_end_event_ends_instance_and_returns_its_variables(
    engine: Engine, review_definition: str
) -> None:
    instance = _start_review(engine, review_definition, "e-1", owner="anna", amount=1)
    (review,) = engine.tasks.query(TaskQuery(process_instance_id=instance))

    returned = engine.tasks.complete(
        review.id, {"approved": TypedValue(ValueType.BOOLEAN, False)}, with_variables_in_return=True
    )

    assert engine.runtime.count_process_instances(ProcessInstanceQuery()) == 0
    assert engine.tasks.count(TaskQuery()) == 0
    assert returned is not None
    assert returned["approved"] == TypedValue(ValueType.BOOLEAN, False)
    assert returned["owner"] == TypedValue(ValueType.STRING, "anna")


def test_complete_unknown_task_raises_not_found(engine: Engine) -> None:
    with pytest.raises(NotFoundError, match="Cannot find task with id nope"):
        engine.tasks.complete("nope")
