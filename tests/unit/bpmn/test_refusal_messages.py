"""Refusals name the construct as the modeller wrote it, and where it sits (issue 20).

A reader of "Element 'script' is not supported" had to search the model for it; each message
here names the extension or element (``camunda:script``, ``scriptTask 'Task_1'``), the
parameter, map entry or list holding it, and the flow element it belongs to.
"""

from __future__ import annotations

import pytest

from .xml_fixtures import problem_messages, problems, wrap

START = '<startEvent id="s" /><sequenceFlow id="f1" sourceRef="s" targetRef="Task_1" />'


def service_task(extensions: str) -> str:
    """An external service task ``Task_1`` (supported) carrying ``extensions``."""
    return f"""{START}<serviceTask id="Task_1" camunda:type="external" camunda:topic="pay">
    <extensionElements>{extensions}</extensionElements></serviceTask>"""


def io(content: str) -> str:
    return service_task(f"<camunda:inputOutput>{content}</camunda:inputOutput>")


SCRIPT = '<camunda:script scriptFormat="groovy">1 + 1</camunda:script>'
NOT_SUPPORTED = "is not supported by Cadenza yet"


@pytest.mark.parametrize(
    ("content", "where"),
    [
        (
            f'<camunda:inputParameter name="x">{SCRIPT}</camunda:inputParameter>',
            "input parameter 'x' of serviceTask 'Task_1'",
        ),
        (
            f'<camunda:outputParameter name="result">{SCRIPT}</camunda:outputParameter>',
            "output parameter 'result' of serviceTask 'Task_1'",
        ),
        (
            f'<camunda:inputParameter name="items"><camunda:list><camunda:value>a</camunda:value>{SCRIPT}'
            "</camunda:list></camunda:inputParameter>",
            "camunda:list in input parameter 'items' of serviceTask 'Task_1'",
        ),
        (
            f'<camunda:outputParameter name="m"><camunda:map><camunda:entry key="k">{SCRIPT}</camunda:entry>'
            "</camunda:map></camunda:outputParameter>",
            "map entry 'k' in output parameter 'm' of serviceTask 'Task_1'",
        ),
        (
            f'<camunda:inputParameter name="v"><camunda:list><camunda:value>{SCRIPT}</camunda:value>'
            "</camunda:list></camunda:inputParameter>",
            "camunda:value in camunda:list in input parameter 'v' of serviceTask 'Task_1'",
        ),
    ],
    ids=["input", "output", "in-list", "in-map-entry", "in-value"],
)
def test_script_names_parameter_and_element(content: str, where: str) -> None:
    assert problem_messages(io(content)) == [f"camunda:script in {where} {NOT_SUPPORTED}"]


def test_script_problem_points_at_the_script() -> None:
    body = io(f'<camunda:inputParameter name="x">\n{SCRIPT}</camunda:inputParameter>')
    xml = wrap(body)
    [problem] = problems(xml)
    assert problem.element_ids == ("Task_1",)
    script_line = next(n for n, line in enumerate(xml.decode().splitlines(), 1) if "camunda:script" in line)
    assert problem.line == script_line


def test_other_elements_inside_input_output_are_named_with_their_holder() -> None:
    messages = problem_messages(
        io(
            '<camunda:inputParameters name="typo" /><other:thing xmlns:other="urn:example" />'
            '<camunda:outputParameter name="m"><camunda:map><camunda:list /></camunda:map>'
            "</camunda:outputParameter>"
        )
    )
    assert messages == [
        f"camunda:inputParameters in camunda:inputOutput of serviceTask 'Task_1' {NOT_SUPPORTED}",
        f"other:thing in camunda:inputOutput of serviceTask 'Task_1' {NOT_SUPPORTED}",
        f"camunda:list in camunda:map in output parameter 'm' of serviceTask 'Task_1' {NOT_SUPPORTED}",
    ]


def test_two_values_in_one_parameter_name_the_parameter() -> None:
    messages = problem_messages(
        io(
            '<camunda:inputParameter name="x"><camunda:list /><camunda:map /></camunda:inputParameter>'
            '<camunda:outputParameter name="m"><camunda:map><camunda:entry key="k"><camunda:list />'
            "<camunda:list /></camunda:entry></camunda:map></camunda:outputParameter>"
        )
    )
    assert messages == [
        "Input parameter 'x' of serviceTask 'Task_1' must contain at most one value element",
        "Map entry 'k' in output parameter 'm' of serviceTask 'Task_1' "
        "must contain at most one value element",
    ]


@pytest.mark.parametrize(
    ("element", "extension", "owner"),
    [
        (
            '<userTask id="u">{}</userTask>',
            '<camunda:taskListener event="create" class="a.B" />',
            "userTask 'u'",
        ),
        ('<userTask id="u">{}</userTask>', "<camunda:connector />", "userTask 'u'"),
        ('<userTask id="u">{}</userTask>', '<camunda:field name="f" />', "userTask 'u'"),
        ('<task id="u">{}</task>', '<camunda:in source="a" target="b" />', "task 'u'"),
        (
            '<serviceTask id="u" camunda:type="external" camunda:topic="t">{}</serviceTask>',
            '<camunda:executionListener event="start" expression="${x}" />',
            "serviceTask 'u'",
        ),
        (
            '<intermediateThrowEvent id="u">{}</intermediateThrowEvent>',
            '<camunda:executionListener event="end" delegateExpression="${x}" />',
            "intermediateThrowEvent 'u'",
        ),
        (
            '<parallelGateway id="u">{}</parallelGateway>',
            "<camunda:potentialStarter />",
            "parallelGateway 'u'",
        ),
    ],
    ids=[
        "taskListener",
        "connector-on-user-task",
        "field",
        "in-on-task",
        "executionListener",
        "event",
        "gateway",
    ],
)
def test_extension_elements_name_themselves_and_their_element(
    element: str, extension: str, owner: str
) -> None:
    name = extension.split()[0].strip("<").rstrip("/>")
    body = START.replace("Task_1", "u") + element.format(
        f"<extensionElements>{extension}</extensionElements>"
    )
    assert problem_messages(body) == [f"{name} on {owner} {NOT_SUPPORTED}"]


def test_activiti_namespace_is_reported_as_camunda() -> None:
    body = f"""{START}<userTask id="Task_1"><extensionElements>
    <activiti:taskListener event="create" class="a.B" /></extensionElements></userTask>"""
    assert problem_messages(body) == [f"camunda:taskListener on userTask 'Task_1' {NOT_SUPPORTED}"]


def test_connector_on_a_service_task_names_the_implementation() -> None:
    body = f"""{START}<serviceTask id="Task_1"><extensionElements><camunda:connector>
    <camunda:connectorId>http-connector</camunda:connectorId></camunda:connector></extensionElements>
    </serviceTask>"""
    assert problem_messages(body) == [
        "serviceTask 'Task_1' (camunda:connector) is not supported: "
        'Cadenza runs external tasks only (camunda:type="external")'
    ]


def test_script_task_is_named_by_its_id() -> None:
    body = f'{START}<scriptTask id="Task_1" scriptFormat="groovy"><script>1</script></scriptTask>'
    assert problem_messages(body) == [f"scriptTask 'Task_1' {NOT_SUPPORTED}"]


def test_element_without_id_is_placed_by_its_scope() -> None:
    body = """<startEvent id="s" /><subProcess id="sp"><startEvent id="ss" />
    <scriptTask scriptFormat="groovy"><script>1</script></scriptTask><standardLoopCharacteristics />
    </subProcess>"""
    assert problem_messages(body) == [
        f"scriptTask in subProcess 'sp' {NOT_SUPPORTED}",
        f"standardLoopCharacteristics in subProcess 'sp' {NOT_SUPPORTED}",
    ]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            '<intermediateThrowEvent id="t"><linkEventDefinition name="L" /></intermediateThrowEvent>',
            f"linkEventDefinition on intermediateThrowEvent 't' {NOT_SUPPORTED}",
        ),
        (
            '<task id="a" /><boundaryEvent id="t" attachedToRef="a"><conditionalEventDefinition>'
            "<condition>${x}</condition></conditionalEventDefinition></boundaryEvent>",
            f"conditionalEventDefinition on boundaryEvent 't' {NOT_SUPPORTED}",
        ),
        (
            '<intermediateCatchEvent id="t"><conditionalEventDefinition /></intermediateCatchEvent>',
            f"conditionalEventDefinition on intermediateCatchEvent 't' {NOT_SUPPORTED}",
        ),
        (
            '<task id="t"><standardLoopCharacteristics /></task>',
            f"standardLoopCharacteristics on task 't' {NOT_SUPPORTED}",
        ),
    ],
    ids=["link-throw", "conditional-boundary", "conditional-catch", "loop-on-task"],
)
def test_bpmn_children_name_their_element(body: str, message: str) -> None:
    assert problem_messages(f'<startEvent id="s" />{body}') == [message]


def test_long_ids_are_shortened_in_the_message() -> None:
    long_id = "T" * 500
    body = f"""{START}<userTask id="{long_id}"><extensionElements>
    <camunda:taskListener event="create" class="a.B" /></extensionElements></userTask>"""
    message = problem_messages(body)[0]
    assert message.startswith("camunda:taskListener on userTask 'TTT")
    assert long_id not in message
    assert len(message) < 200
