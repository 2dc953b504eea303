"""Embedded sub-processes: scopes, node ids, start events, nesting."""

from __future__ import annotations

from cadenza.bpmn import SubProcess

from .xml_fixtures import parse_process, problem_messages

NESTED = """
<startEvent id="s" /><sequenceFlow id="f1" sourceRef="s" targetRef="sub" />
<subProcess id="sub" name="Outer" camunda:asyncBefore="true">
  <startEvent id="sub_s" /><sequenceFlow id="sf1" sourceRef="sub_s" targetRef="inner" />
  <subProcess id="inner">
    <startEvent id="inner_s" /><sequenceFlow id="if1" sourceRef="inner_s" targetRef="inner_e" />
    <endEvent id="inner_e" />
  </subProcess>
  <sequenceFlow id="sf2" sourceRef="inner" targetRef="sub_e" />
  <endEvent id="sub_e" />
</subProcess>
<sequenceFlow id="f2" sourceRef="sub" targetRef="e" /><endEvent id="e" />
"""


def test_nested_sub_processes() -> None:
    process = parse_process(NESTED)
    assert process.node_ids == ("s", "sub", "e")
    assert list(process.nodes) == ["s", "sub", "sub_s", "inner", "inner_s", "inner_e", "sub_e", "e"]
    assert list(process.flows) == ["f1", "sf1", "if1", "sf2", "f2"]
    sub = process.node("sub")
    assert isinstance(sub, SubProcess)
    assert sub.node_ids == ("sub_s", "inner", "sub_e")
    assert sub.start_event_id == "sub_s"
    assert sub.scope_id == "p"
    assert sub.async_before is True
    assert sub.incoming == ("f1",)
    assert sub.outgoing == ("f2",)
    inner = process.node("inner")
    assert isinstance(inner, SubProcess)
    assert inner.scope_id == "sub"
    assert process.node("inner_e").scope_id == "inner"
    assert process.flow("if1").scope_id == "inner"
    assert process.scope_start_event("inner") is process.node("inner_s")


def test_event_sub_process_message_start_needs_a_named_message() -> None:
    messages = problem_messages(
        """<startEvent id="s" /><sequenceFlow id="f" sourceRef="s" targetRef="e" /><endEvent id="e" />
        <subProcess id="esp" triggeredByEvent="true">
          <startEvent id="es"><messageEventDefinition /></startEvent>
        </subProcess>"""
    )
    assert messages[0] == "Cannot have a message event definition without a message name ('es')"


def test_transaction_and_ad_hoc_are_unsupported() -> None:
    messages = problem_messages("""<startEvent id="s" /><transaction id="tx" /><adHocSubProcess id="ah" />""")
    assert messages == [
        "transaction 'tx' is not supported by Cadenza yet",
        "adHocSubProcess 'ah' is not supported by Cadenza yet",
    ]


def test_multi_instance_sub_process_needs_cardinality_or_collection() -> None:
    messages = problem_messages(
        """<startEvent id="s" /><sequenceFlow id="f" sourceRef="s" targetRef="sub" />
        <subProcess id="sub"><multiInstanceLoopCharacteristics />
          <startEvent id="ss" /></subProcess>"""
    )
    assert messages == ["Either loopCardinality or collection must been set"]
