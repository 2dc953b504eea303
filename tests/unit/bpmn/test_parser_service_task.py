"""Service, send and business rule tasks: external tasks only."""

from __future__ import annotations

import pytest

from cadenza.bpmn import ServiceTask

from .xml_fixtures import parse_process, problem_messages, problems, wrap

EXTERNAL_ONLY = 'is not supported: Cadenza runs external tasks only (camunda:type="external")'


def around(task: str) -> str:
    return f"""<startEvent id="s" /><sequenceFlow id="a" sourceRef="s" targetRef="t" />
    {task}<sequenceFlow id="b" sourceRef="t" targetRef="e" /><endEvent id="e" />"""


@pytest.mark.parametrize("tag", ["serviceTask", "sendTask", "businessRuleTask"])
def test_external_task(tag: str) -> None:
    process = parse_process(
        around(
            f'<{tag} id="t" name="Charge" camunda:type="external" camunda:topic="charge-card" '
            f'camunda:taskPriority="${{prio}}" camunda:asyncBefore="true" />'
        )
    )
    task = process.node("t")
    assert isinstance(task, ServiceTask)
    assert task.element_type == tag
    assert task.external.topic == "charge-card"
    assert task.external.priority == "${prio}"
    assert task.external.error_event_definitions == ()
    assert task.async_before is True
    assert task.incoming == ("a",)
    assert task.outgoing == ("b",)


def test_activiti_namespace_is_an_alias() -> None:
    process = parse_process(around('<serviceTask id="t" activiti:type="external" activiti:topic="legacy" />'))
    task = process.node("t")
    assert isinstance(task, ServiceTask)
    assert task.external.topic == "legacy"


def test_external_type_is_case_insensitive() -> None:
    process = parse_process(around('<serviceTask id="t" camunda:type="External" camunda:topic="x" />'))
    assert isinstance(process.node("t"), ServiceTask)


@pytest.mark.parametrize(
    ("attributes", "what"),
    [
        ('camunda:class="com.example.Charge"', "camunda:class"),
        ('camunda:delegateExpression="${charge}"', "camunda:delegateExpression"),
        ('camunda:expression="${charge.run()}"', "camunda:expression"),
        ('camunda:type="mail"', 'camunda:type="mail"'),
        ("", "no camunda:type"),
        # A Java implementation wins over type="external" in Camunda, so it is refused.
        ('camunda:class="X" camunda:type="external" camunda:topic="t"', "camunda:class"),
    ],
)
def test_non_external_service_tasks_are_refused(attributes: str, what: str) -> None:
    found = problems(wrap(around(f'<serviceTask id="t" {attributes} />')))
    assert [p.message for p in found] == [f"serviceTask 't' ({what}) {EXTERNAL_ONLY}"]
    assert found[0].element_ids == ("t",)


def test_dmn_business_rule_task_is_refused() -> None:
    messages = problem_messages(around('<businessRuleTask id="t" camunda:decisionRef="approve" />'))
    assert messages == [f"businessRuleTask 't' (camunda:decisionRef) {EXTERNAL_ONLY}"]


def test_connector_is_refused() -> None:
    messages = problem_messages(
        around(
            """<serviceTask id="t"><extensionElements><camunda:connector>
            <camunda:connectorId>http-connector</camunda:connectorId></camunda:connector>
            </extensionElements></serviceTask>"""
        )
    )
    assert messages == [f"serviceTask 't' (camunda:connector) {EXTERNAL_ONLY}"]


def test_missing_topic() -> None:
    messages = problem_messages(around('<serviceTask id="t" camunda:type="external" />'))
    assert messages == ["External tasks must specify a 'topic' attribute in the camunda namespace"]


def test_refused_task_does_not_cause_follow_up_flow_problems() -> None:
    found = problems(wrap(around('<sendTask id="t" />')))
    assert len(found) == 1
