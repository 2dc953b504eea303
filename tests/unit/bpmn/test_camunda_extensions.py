"""Camunda extensions: inputOutput, properties, errorEventDefinition, listeners, flags."""

from __future__ import annotations

import pytest

from cadenza.bpmn import (
    CamundaErrorEventDefinition,
    InputOutput,
    ListParameterValue,
    MapParameterValue,
    Parameter,
    ServiceTask,
    TextParameterValue,
)
from cadenza.bpmn.camunda import parse_history_time_to_live

from .xml_fixtures import parse, parse_process, problem_messages, wrap

HEAD = '<startEvent id="s" /><sequenceFlow id="a" sourceRef="s" targetRef="t" />'


def task_with(extensions: str, attributes: str = "") -> str:
    return f"""{HEAD}<task id="t" {attributes}><extensionElements>{extensions}
    </extensionElements></task>"""


def test_input_output_values() -> None:
    process = parse_process(
        task_with(
            """<camunda:inputOutput>
              <camunda:inputParameter name="text">  hello  </camunda:inputParameter>
              <camunda:inputParameter name="expr">${order.total * 2}</camunda:inputParameter>
              <camunda:inputParameter name="nothing" />
              <camunda:inputParameter name="list">
                <camunda:list>
                  <camunda:value>a</camunda:value>
                  <camunda:value>${b}</camunda:value>
                  <camunda:list><camunda:value>nested</camunda:value></camunda:list>
                </camunda:list>
              </camunda:inputParameter>
              <camunda:inputParameter name="map">
                <camunda:map>
                  <camunda:entry key="k1">v1</camunda:entry>
                  <camunda:entry key="k2">
                    <camunda:list><camunda:value>x</camunda:value></camunda:list>
                  </camunda:entry>
                  <camunda:entry key="k3" />
                </camunda:map>
              </camunda:inputParameter>
              <camunda:outputParameter name="result">${out}</camunda:outputParameter>
            </camunda:inputOutput>"""
        )
    )
    io = process.node("t").io
    assert io == InputOutput(
        inputs=(
            Parameter("text", TextParameterValue("hello")),
            Parameter("expr", TextParameterValue("${order.total * 2}")),
            Parameter("nothing", TextParameterValue(None)),
            Parameter(
                "list",
                ListParameterValue(
                    (
                        TextParameterValue("a"),
                        TextParameterValue("${b}"),
                        ListParameterValue((TextParameterValue("nested"),)),
                    )
                ),
            ),
            Parameter(
                "map",
                MapParameterValue(
                    (
                        ("k1", TextParameterValue("v1")),
                        ("k2", ListParameterValue((TextParameterValue("x"),))),
                        ("k3", TextParameterValue(None)),
                    )
                ),
            ),
        ),
        outputs=(Parameter("result", TextParameterValue("${out}")),),
    )


def test_no_extensions_means_no_io() -> None:
    process = parse_process(f'{HEAD}<task id="t" />')
    assert process.node("t").io is None
    assert process.node("t").properties == ()


def test_script_in_input_output_is_unsupported() -> None:
    messages = problem_messages(
        task_with(
            """<camunda:inputOutput><camunda:inputParameter name="x">
            <camunda:script scriptFormat="groovy">1 + 1</camunda:script>
            </camunda:inputParameter></camunda:inputOutput>"""
        )
    )
    assert messages == ["camunda:script in input parameter 'x' of task 't' is not supported by Cadenza yet"]


def test_parameter_without_name_and_entry_without_key() -> None:
    messages = problem_messages(
        task_with(
            """<camunda:inputOutput><camunda:inputParameter>1</camunda:inputParameter>
            <camunda:outputParameter name="m"><camunda:map><camunda:entry>1</camunda:entry>
            </camunda:map></camunda:outputParameter></camunda:inputOutput>"""
        )
    )
    assert messages == [
        "Missing attribute 'name' for inputParameter",
        "Missing attribute 'key' for 'entry' element",
    ]


def test_properties() -> None:
    process = parse_process(
        task_with(
            """<camunda:properties><camunda:property name="a" value="1" />
            <camunda:property name="b" value="two" /></camunda:properties>"""
        )
    )
    assert process.node("t").properties == (("a", "1"), ("b", "two"))


@pytest.mark.parametrize("listener", ["executionListener", "taskListener", "potentialStarter"])
def test_listeners_are_unsupported(listener: str) -> None:
    messages = problem_messages(
        f"""{HEAD}<userTask id="t"><extensionElements>
        <camunda:{listener} event="create" expression="${{x}}" /></extensionElements></userTask>"""
    )
    assert messages == [f"camunda:{listener} on userTask 't' is not supported by Cadenza yet"]


def test_process_level_execution_listener_is_unsupported() -> None:
    messages = problem_messages(
        f"""<extensionElements><camunda:executionListener event="start" expression="${{x}}" />
        <camunda:properties><camunda:property name="k" value="v" /></camunda:properties>
        </extensionElements>{HEAD}<task id="t" />"""
    )
    assert messages == ["camunda:executionListener on process 'p' is not supported by Cadenza yet"]


def test_error_event_definitions_on_external_task() -> None:
    xml = wrap(
        f"""{HEAD}<serviceTask id="t" camunda:type="external" camunda:topic="pay">
        <extensionElements>
          <camunda:errorEventDefinition id="d1" errorRef="err" expression="${{failed}}"
             camunda:errorCodeVariable="code" camunda:errorMessageVariable="msg" />
          <camunda:errorEventDefinition id="d2" errorRef="UNDECLARED" expression="${{x}}" />
          <camunda:errorEventDefinition id="d3" errorRef="noCode" />
          <camunda:field name="ignored"><camunda:string>x</camunda:string></camunda:field>
        </extensionElements></serviceTask>""",
        top='<error id="err" errorCode="E_PAY" /><error id="noCode" />',
    )
    task = parse(xml).processes[0].node("t")
    assert isinstance(task, ServiceTask)
    assert task.external.error_event_definitions == (
        CamundaErrorEventDefinition("d1", "E_PAY", "${failed}", "code", "msg"),
        CamundaErrorEventDefinition("d2", "UNDECLARED", "${x}"),
        CamundaErrorEventDefinition("d3", None, None),
    )


def test_error_event_definition_outside_external_task_is_unsupported() -> None:
    messages = problem_messages(
        task_with('<camunda:errorEventDefinition id="d" errorRef="e" expression="${x}" />')
    )
    assert messages == ["camunda:errorEventDefinition on task 't' is not supported by Cadenza yet"]


def test_async_flags_and_unknown_boolean_words() -> None:
    process = parse_process(
        f'{HEAD}<task id="t" camunda:asyncBefore="maybe" camunda:asyncAfter="true" camunda:exclusive="no" />'
    )
    task = process.node("t")
    assert task.async_before is False  # unknown word: Camunda falls back to the default
    assert task.async_after is True
    assert task.exclusive is False


@pytest.mark.parametrize(
    ("text", "days"), [("", None), ("  ", None), ("0", 0), ("42", 42), ("P7D", 7), ("P30D", 30)]
)
def test_history_time_to_live_parser(text: str, days: int | None) -> None:
    assert parse_history_time_to_live(text) == days


@pytest.mark.parametrize("text", ["P", "PD", "PT1H", "P1W", "${ttl}", "1.5"])
def test_history_time_to_live_parser_refuses(text: str) -> None:
    with pytest.raises(ValueError, match=r"."):
        parse_history_time_to_live(text)
