"""Expression failures while the process runs (no database)."""

from __future__ import annotations

import pytest

from cadenza.errors import ExpressionError
from fakes import FakeEngine


@pytest.fixture
def fake() -> FakeEngine:
    return FakeEngine()


def test_condition_with_unknown_variable_raises_expression_error(fake: FakeEngine) -> None:
    deployed = fake.deploy(
        """
        <startEvent id="start"/>
        <sequenceFlow id="f1" sourceRef="start" targetRef="gw"/>
        <exclusiveGateway id="gw" default="f3"/>
        <sequenceFlow id="f2" sourceRef="gw" targetRef="a">
          <conditionExpression>${missing == 1}</conditionExpression>
        </sequenceFlow>
        <sequenceFlow id="f3" sourceRef="gw" targetRef="b"/>
        <userTask id="a"/>
        <userTask id="b"/>
        """
    )

    with pytest.raises(ExpressionError, match="missing"):
        fake.start(deployed)


def test_condition_with_variable_set_later_evaluates_on_later_command(fake: FakeEngine) -> None:
    deployed = fake.deploy(
        """
        <startEvent id="start"/>
        <sequenceFlow id="f1" sourceRef="start" targetRef="decide"/>
        <userTask id="decide"/>
        <sequenceFlow id="f2" sourceRef="decide" targetRef="gw"/>
        <exclusiveGateway id="gw"/>
        <sequenceFlow id="yes" sourceRef="gw" targetRef="approved">
          <conditionExpression>${approved}</conditionExpression>
        </sequenceFlow>
        <sequenceFlow id="no" sourceRef="gw" targetRef="rejected">
          <conditionExpression>${!approved}</conditionExpression>
        </sequenceFlow>
        <userTask id="approved"/>
        <userTask id="rejected"/>
        """
    )
    instance = fake.start(deployed)

    fake.complete_user_task(fake.user_task("decide"), {"approved": False})

    assert fake.active_activity_ids(instance) == ["rejected"]


def test_user_task_assignee_expression_with_unknown_variable_raises_expression_error(
    fake: FakeEngine,
) -> None:
    deployed = fake.deploy(
        """
        <startEvent id="start"/>
        <sequenceFlow id="f1" sourceRef="start" targetRef="review"/>
        <userTask id="review" camunda:assignee="${reviewer}"/>
        """
    )

    with pytest.raises(ExpressionError, match="reviewer"):
        fake.start(deployed)


def test_condition_reading_execution_variable_method_sees_variables(fake: FakeEngine) -> None:
    deployed = fake.deploy(
        """
        <startEvent id="start"/>
        <sequenceFlow id="f1" sourceRef="start" targetRef="gw"/>
        <exclusiveGateway id="gw" default="f3"/>
        <sequenceFlow id="f2" sourceRef="gw" targetRef="a">
          <conditionExpression>${execution.getVariable("level") &gt;= 3}</conditionExpression>
        </sequenceFlow>
        <sequenceFlow id="f3" sourceRef="gw" targetRef="b"/>
        <userTask id="a"/>
        <userTask id="b"/>
        """
    )

    assert fake.active_activity_ids(fake.start(deployed, {"level": 3})) == ["a"]
    assert fake.active_activity_ids(fake.start(deployed, {"level": 2})) == ["b"]
