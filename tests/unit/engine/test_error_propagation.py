"""``engine.error_propagation`` on in-memory fakes: handler precedence, catch-all, an unknown
errorRef used as the code, re-throw from an event sub-process, the unhandled default versus
``enable_exceptions_after_unhandled_bpmn_error``, and escalations (non-interrupting paths)."""

from __future__ import annotations

import pytest

from cadenza.config import EngineConfig
from cadenza.engine.context import CommandContext
from cadenza.engine.error_propagation import propagate_error, propagate_escalation
from cadenza.engine.state import Execution, UserTask
from cadenza.errors import ProcessEngineError
from fakes import FakeEngine


@pytest.fixture
def fake() -> FakeEngine:
    return FakeEngine()


def _flow(flow_id: str, source: str, target: str) -> str:
    return f'<sequenceFlow id="{flow_id}" sourceRef="{source}" targetRef="{target}"/>'


def _throw(fake: FakeEngine, task: UserTask, code: str, message: str | None = None) -> None:
    def command(ctx: CommandContext) -> None:
        graph = ctx.graph(task.process_instance_id)
        propagate_error(ctx, graph.executions[task.execution_id], code, message)

    fake.run(command)


def _escalate(fake: FakeEngine, task: UserTask, code: str) -> None:
    def command(ctx: CommandContext) -> None:
        graph = ctx.graph(task.process_instance_id)
        propagate_escalation(ctx, graph.executions[task.execution_id], code)

    fake.run(command)


def _task_keys(fake: FakeEngine) -> list[str]:
    return sorted(t.task_definition_key for t in fake.user_tasks())


_ERRORS = '<error id="e123" errorCode="123"/><error id="noCode"/>'


def _deploy(fake: FakeEngine, body: str, definitions: str = _ERRORS) -> str:
    xml = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" '
        'xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="d" targetNamespace="t">'
        f'{definitions}<process id="p" isExecutable="true">{body}</process></definitions>'
    ).encode()
    return fake.start(fake.definitions.deploy(xml))


_SUB_WITH_TASK = f"""
<startEvent id="start"/>{_flow("f1", "start", "sub")}
<subProcess id="sub">
  <startEvent id="subStart"/>{_flow("f2", "subStart", "work")}<userTask id="work"/>
  {{inner}}
</subProcess>
{_flow("f3", "sub", "end")}<endEvent id="end"/>
{{outer}}
"""


def _boundary(boundary_id: str, attached: str, ref: str | None, target: str, **attrs: str) -> str:
    ref_attr = f' errorRef="{ref}"' if ref is not None else ""
    extra = "".join(f' camunda:{k}="{v}"' for k, v in attrs.items())
    return (
        f'<boundaryEvent id="{boundary_id}" attachedToRef="{attached}">'
        f"<errorEventDefinition{ref_attr}{extra}/></boundaryEvent>"
        f'{_flow("bf_" + boundary_id, boundary_id, target)}<userTask id="{target}"/>'
    )


def _esp(esp_id: str, ref: str | None, target: str) -> str:
    ref_attr = f' errorRef="{ref}"' if ref is not None else ""
    return (
        f'<subProcess id="{esp_id}" triggeredByEvent="true"><startEvent id="{esp_id}Start">'
        f"<errorEventDefinition{ref_attr}/></startEvent>"
        f'{_flow("ef_" + esp_id, esp_id + "Start", target)}<userTask id="{target}"/></subProcess>'
    )


def test_boundary_with_code_beats_catch_all_boundary(fake: FakeEngine) -> None:
    _deploy(
        fake,
        _SUB_WITH_TASK.format(
            inner="",
            outer=_boundary("any", "sub", None, "afterAny")
            + _boundary("specific", "sub", "e123", "afterSpecific"),
        ),
    )

    _throw(fake, fake.user_task("work"), "123")

    assert _task_keys(fake) == ["afterSpecific"]


def test_catch_all_boundary_catches_other_codes(fake: FakeEngine) -> None:
    _deploy(
        fake,
        _SUB_WITH_TASK.format(
            inner="",
            outer=_boundary("any", "sub", None, "afterAny")
            + _boundary("specific", "sub", "e123", "afterSpecific"),
        ),
    )

    _throw(fake, fake.user_task("work"), "999")

    assert _task_keys(fake) == ["afterAny"]


def test_error_without_code_is_a_catch_all(fake: FakeEngine) -> None:
    _deploy(fake, _SUB_WITH_TASK.format(inner="", outer=_boundary("b", "sub", "noCode", "after")))

    _throw(fake, fake.user_task("work"), "whatever")

    assert _task_keys(fake) == ["after"]


def test_unknown_error_ref_is_used_as_the_code(fake: FakeEngine) -> None:
    _deploy(
        fake,
        _SUB_WITH_TASK.format(
            inner="",
            outer=_boundary("b", "sub", "literalCode", "after") + _boundary("b2", "sub", "e123", "other"),
        ),
    )

    _throw(fake, fake.user_task("work"), "literalCode")

    assert _task_keys(fake) == ["after"]


def test_event_sub_process_beats_boundary_with_code_on_same_scope(fake: FakeEngine) -> None:
    _deploy(
        fake,
        _SUB_WITH_TASK.format(
            inner=_esp("esp", None, "inEsp"), outer=_boundary("b", "sub", "e123", "afterBoundary")
        ),
    )

    _throw(fake, fake.user_task("work"), "123")

    assert _task_keys(fake) == ["inEsp"]


def test_innermost_scope_wins(fake: FakeEngine) -> None:
    """A catch-all boundary on the task beats an event sub-process with the code outside."""
    _deploy(
        fake,
        _SUB_WITH_TASK.format(
            inner=_boundary("onTask", "work", None, "afterTask"), outer=_esp("esp", "e123", "inEsp")
        ),
    )

    _throw(fake, fake.user_task("work"), "123")

    assert _task_keys(fake) == ["afterTask"]


def test_error_variables_are_set_non_locally(fake: FakeEngine) -> None:
    instance = _deploy(
        fake,
        _SUB_WITH_TASK.format(
            inner="",
            outer=_boundary("b", "sub", None, "after", errorCodeVariable="code", errorMessageVariable="msg"),
        ),
    )

    _throw(fake, fake.user_task("work"), "123", "broken")

    assert fake.variables(instance) == {"code": "123", "msg": "broken"}


def test_event_sub_process_is_skipped_for_errors_thrown_inside_it(fake: FakeEngine) -> None:
    """Catch and re-throw: the error end event inside the event sub-process goes to the
    boundary of the enclosing sub-process, not to the event sub-process itself."""
    inner = (
        '<subProcess id="esp" triggeredByEvent="true">'
        '<startEvent id="espStart"><errorEventDefinition/></startEvent>'
        f'{_flow("e1", "espStart", "handle")}<userTask id="handle"/>{_flow("e2", "handle", "rethrow")}'
        '<endEvent id="rethrow"><errorEventDefinition errorRef="e123"/></endEvent></subProcess>'
    )
    _deploy(fake, _SUB_WITH_TASK.format(inner=inner, outer=_boundary("b", "sub", "e123", "afterRethrow")))

    _throw(fake, fake.user_task("work"), "first")
    assert _task_keys(fake) == ["handle"]
    fake.complete_user_task(fake.user_task("handle"))

    assert _task_keys(fake) == ["afterRethrow"]


def test_unhandled_error_by_default_ends_the_activity_and_the_instance(fake: FakeEngine) -> None:
    instance = _deploy(
        fake,
        f'<startEvent id="s"/>{_flow("f1", "s", "t")}<userTask id="t"/>'
        f'{_flow("f2", "t", "e")}<endEvent id="e"/>',
    )

    _throw(fake, fake.user_task("t"), "nobody")

    assert fake.is_ended(instance)
    assert fake.history(instance).state == "COMPLETED"
    assert fake.user_tasks() == []


def test_unhandled_error_ends_only_its_path(fake: FakeEngine) -> None:
    instance = _deploy(
        fake,
        f'<startEvent id="s"/>{_flow("f1", "s", "fork")}<parallelGateway id="fork"/>'
        f'{_flow("f2", "fork", "a")}{_flow("f3", "fork", "b")}<userTask id="a"/><userTask id="b"/>',
    )

    _throw(fake, fake.user_task("a"), "nobody")

    assert _task_keys(fake) == ["b"]
    assert not fake.is_ended(instance)


def test_unhandled_error_raises_when_enabled() -> None:
    fake = FakeEngine(EngineConfig(enable_exceptions_after_unhandled_bpmn_error=True))
    instance = _deploy(fake, f'<startEvent id="s"/>{_flow("f1", "s", "t")}<userTask id="t"/>')

    with pytest.raises(ProcessEngineError) as raised:
        _throw(fake, fake.user_task("t"), "E1", "msg")

    assert (
        "ENGINE-02042 Execution with id 't' throws an error event with errorCode 'E1' and errorMessage 'msg'"
        in str(raised.value)
    )
    assert not fake.is_ended(instance)


# ── escalation ─────────────────────────────────────────────────────────────────────────────────

_ESCALATIONS = '<escalation id="esc" escalationCode="ESC"/>'


def test_non_interrupting_escalation_event_sub_process_keeps_the_task(fake: FakeEngine) -> None:
    instance = _deploy(
        fake,
        f'<startEvent id="s"/>{_flow("f1", "s", "t")}<userTask id="t"/>'
        f'{_flow("f2", "t", "e")}<endEvent id="e"/>'
        '<subProcess id="esp" triggeredByEvent="true"><startEvent id="es" isInterrupting="false">'
        '<escalationEventDefinition escalationRef="esc" camunda:escalationCodeVariable="code"/></startEvent>'
        f'{_flow("f3", "es", "handle")}<userTask id="handle"/></subProcess>',
        _ESCALATIONS,
    )
    before = fake.user_task("t")

    _escalate(fake, before, "ESC")

    assert _task_keys(fake) == ["handle", "t"]
    after = fake.user_task("t")
    assert after.id == before.id
    # the token moved to a concurrent child of the process instance, as in Camunda
    moved = fake.uow.rows[Execution][after.execution_id]
    assert moved.is_concurrent and moved.parent_id == instance
    assert fake.variables(instance)["code"] == "ESC"
    fake.complete_user_task(after)
    fake.complete_user_task(fake.user_task("handle"))
    assert fake.is_ended(instance)


def test_interrupting_escalation_boundary_cancels_the_activity(fake: FakeEngine) -> None:
    _deploy(
        fake,
        f'<startEvent id="s"/>{_flow("f1", "s", "t")}<userTask id="t"/>'
        '<boundaryEvent id="b" attachedToRef="t"><escalationEventDefinition/></boundaryEvent>'
        f'{_flow("f2", "b", "after")}<userTask id="after"/>',
        _ESCALATIONS,
    )

    _escalate(fake, fake.user_task("t"), "ANY")

    assert _task_keys(fake) == ["after"]


def test_unhandled_escalation_from_a_task_raises(fake: FakeEngine) -> None:
    _deploy(fake, f'<startEvent id="s"/>{_flow("f1", "s", "t")}<userTask id="t"/>', _ESCALATIONS)

    with pytest.raises(ProcessEngineError) as raised:
        _escalate(fake, fake.user_task("t"), "ESC")

    assert str(raised.value).startswith(
        "ENGINE-02043 Execution with id 't' throws an escalation event with escalationCode 'ESC', "
        "but no escalation handler was defined. "
    )
