"""None tasks and manual tasks, plus attributes common to every activity."""

from __future__ import annotations

from cadenza.bpmn import ManualTask, Task

from .xml_fixtures import parse_process, problem_messages

BODY = """
<startEvent id="s" /><sequenceFlow id="a" sourceRef="s" targetRef="t" />
<task id="t" name="Think" default="c" camunda:async="true" camunda:exclusive="false">
  <documentation>first</documentation><documentation>second</documentation>
  <incoming>a</incoming><outgoing>b</outgoing>
  <ioSpecification><inputSet /><outputSet /></ioSpecification>
</task>
<sequenceFlow id="b" sourceRef="t" targetRef="m">
  <conditionExpression>${go}</conditionExpression></sequenceFlow>
<sequenceFlow id="c" sourceRef="t" targetRef="m" />
<manualTask id="m" camunda:asyncBefore="yes" camunda:asyncAfter="on" />
"""


def test_task_and_manual_task() -> None:
    process = parse_process(BODY)
    task = process.node("t")
    assert isinstance(task, Task)
    assert task.name == "Think"
    assert task.default_flow == "c"
    assert task.async_before is True  # camunda:async is the old asyncBefore
    assert task.exclusive is False
    assert task.documentation == "first\nsecond"
    manual = process.node("m")
    assert isinstance(manual, ManualTask)
    # Camunda's boolean words: yes/on/enabled/active count as true.
    assert manual.async_before is True
    assert manual.async_after is True
    assert manual.exclusive is True
    # A node other than an end event may have no outgoing flow (the path just ends).
    assert manual.outgoing == ()


def test_standard_loop_characteristics_are_unsupported() -> None:
    messages = problem_messages(
        """<startEvent id="s" /><sequenceFlow id="a" sourceRef="s" targetRef="t" />
        <task id="t"><multiInstanceLoopCharacteristics id="mi" isSequential="true">
        <loopCardinality>3</loopCardinality></multiInstanceLoopCharacteristics></task>
        <task id="t2"><standardLoopCharacteristics /></task>"""
    )
    assert messages == ["standardLoopCharacteristics on task 't2' is not supported by Cadenza yet"]


def test_other_task_types_are_unsupported() -> None:
    messages = problem_messages(
        """<startEvent id="s" /><scriptTask id="a" scriptFormat="groovy"><script>1</script></scriptTask>
        <receiveTask id="b" /><callActivity id="c" />"""
    )
    assert messages == [
        "scriptTask 'a' is not supported by Cadenza yet",
        "Missing attribute 'calledElement'",
    ]


def test_artifacts_are_ignored() -> None:
    process = parse_process(
        """<laneSet id="ls"><lane id="l1"><flowNodeRef>s</flowNodeRef></lane></laneSet>
        <startEvent id="s" /><sequenceFlow id="a" sourceRef="s" targetRef="e" /><endEvent id="e" />
        <textAnnotation id="ta"><text>note</text></textAnnotation>
        <association id="as" sourceRef="ta" targetRef="s" />
        <group id="g" /><dataObject id="do" /><dataObjectReference id="dor" dataObjectRef="do" />
        <dataStoreReference id="dsr" /><property id="pr" name="x" />
        <documentation>The process</documentation>"""
    )
    assert process.node_ids == ("s", "e")
    assert process.documentation == "The process"


def test_other_vendor_extensions_are_ignored() -> None:
    process = parse_process(
        """<startEvent id="s"><extensionElements xmlns:v="urn:vendor"><v:color c="red" />
        </extensionElements></startEvent>
        <sequenceFlow id="a" sourceRef="s" targetRef="e" /><endEvent id="e" />"""
    )
    assert process.node_ids == ("s", "e")
