"""camunda:inputOutput: inputs are local variables of the activity's own scope execution;
outputs are set (non-locally) on the parent when the activity ends (no database)."""

from __future__ import annotations

import pytest

from cadenza.engine.state import Execution
from fakes import FakeEngine


@pytest.fixture
def fake() -> FakeEngine:
    return FakeEngine()


def _flow(flow_id: str, source: str, target: str) -> str:
    return f'<sequenceFlow id="{flow_id}" sourceRef="{source}" targetRef="{target}"/>'


MAPPED_TASK = f"""
<startEvent id="start"/>{_flow("f1", "start", "review")}
<userTask id="review" camunda:assignee="${{reviewer}}">
  <extensionElements>
    <camunda:inputOutput>
      <camunda:inputParameter name="reviewer">${{owner}}-deputy</camunda:inputParameter>
      <camunda:inputParameter name="limit">${{amount * 2}}</camunda:inputParameter>
      <camunda:inputParameter name="tags">
        <camunda:list><camunda:value>urgent</camunda:value><camunda:value>${{owner}}</camunda:value></camunda:list>
      </camunda:inputParameter>
      <camunda:inputParameter name="address">
        <camunda:map><camunda:entry key="city">Berlin</camunda:entry></camunda:map>
      </camunda:inputParameter>
      <camunda:outputParameter name="verdict">${{decision}}</camunda:outputParameter>
    </camunda:inputOutput>
  </extensionElements>
</userTask>
{_flow("f2", "review", "after")}
<userTask id="after"/>
"""


def test_input_mapping_is_local_to_activity_scope_execution(fake: FakeEngine) -> None:
    instance = fake.start(fake.deploy(MAPPED_TASK), {"owner": "anna", "amount": 21})

    task = fake.user_task("review")
    scope = fake.uow.rows[Execution][task.execution_id]
    assert scope.id != instance and scope.is_scope and scope.parent_id == instance
    assert fake.variables(scope.id, local=True) == {
        "reviewer": "anna-deputy",
        "limit": 42,
        "tags": ["urgent", "anna"],
        "address": {"city": "Berlin"},
    }
    assert fake.variables(instance, local=True) == {"owner": "anna", "amount": 21}
    # the assignee expression already sees the mapped input
    assert task.assignee == "anna-deputy"


def test_output_mapping_sets_variable_on_parent_and_drops_inputs(fake: FakeEngine) -> None:
    instance = fake.start(fake.deploy(MAPPED_TASK), {"owner": "anna", "amount": 1})

    fake.complete_user_task(fake.user_task("review"), {"decision": "approved"})

    assert fake.active_activity_ids(instance) == ["after"]
    (only,) = fake.executions(instance)
    assert only.is_process_instance
    # "decision" was set non-locally from the scope: it went to the process instance too
    assert fake.variables(instance) == {
        "owner": "anna",
        "amount": 1,
        "decision": "approved",
        "verdict": "approved",
    }


def test_input_mapping_on_sub_process_is_visible_inside_and_gone_after(fake: FakeEngine) -> None:
    deployed = fake.deploy(
        f"""
        <startEvent id="start"/>{_flow("f1", "start", "sub")}
        <subProcess id="sub">
          <extensionElements>
            <camunda:inputOutput>
              <camunda:inputParameter name="subTotal">${{0}}</camunda:inputParameter>
              <camunda:outputParameter name="total">${{subTotal}}</camunda:outputParameter>
            </camunda:inputOutput>
          </extensionElements>
          <startEvent id="subStart"/>{_flow("s1", "subStart", "inner")}
          <userTask id="inner"/>
        </subProcess>
        {_flow("f2", "sub", "after")}
        <userTask id="after"/>
        """
    )
    instance = fake.start(deployed)
    inner = fake.user_task("inner")
    assert fake.variables(inner.execution_id) == {"subTotal": 0}
    assert fake.variables(instance) == {}

    # the worker's non-local set updates the sub-process variable, not the instance
    fake.complete_user_task(inner, {"subTotal": 7})

    assert fake.variables(instance) == {"total": 7}


def test_output_mapping_from_concurrent_path_lands_on_process_instance(fake: FakeEngine) -> None:
    deployed = fake.deploy(
        f"""
        <startEvent id="start"/>{_flow("f1", "start", "fork")}
        <parallelGateway id="fork"/>{_flow("f2", "fork", "calc")}{_flow("f3", "fork", "other")}
        <userTask id="calc">
          <extensionElements>
            <camunda:inputOutput>
              <camunda:outputParameter name="result">${{42}}</camunda:outputParameter>
            </camunda:inputOutput>
          </extensionElements>
        </userTask>
        {_flow("f4", "calc", "next")}
        <userTask id="next"/>
        <userTask id="other"/>
        """
    )
    instance = fake.start(deployed)

    fake.complete_user_task(fake.user_task("calc"))

    assert fake.active_activity_ids(instance) == ["next", "other"]
    assert fake.variables(instance, local=True) == {"result": 42}
    next_execution = fake.uow.rows[Execution][fake.user_task("next").execution_id]
    assert next_execution.is_concurrent
    assert fake.variables(next_execution.id, local=True) == {}
