"""No ``${...}`` reaches Python objects (reliability.md R12): attribute access, imports,
dunder names, format-string tricks, huge numbers and long strings, placed where expressions
live in a model (conditions, I/O mappings, topics, assignees, names) and deployed and started
over HTTP. Each is refused at deployment (400), fails the start with Camunda's engine error,
or yields plain text — never a Python object, never a side effect (canary file, new module)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any
from xml.sax.saxutils import quoteattr

import pytest
from fastapi.testclient import TestClient

from cadenza.errors import ExpressionError
from cadenza.expr.el import compile_expression

from .helpers import BASE

CANARY = Path("/tmp/cadenza-expression-canary")
PAYLOADS = [
    "${''.__class__}",
    "${''.__class__.__mro__[1].__subclasses__()}",
    "${x.__class__.__init__.__globals__}",
    "${x['__class__']}",
    "${x[name]}",
    "${__import__('os').system('touch " + str(CANARY) + "')}",
    "${__builtins__}",
    "${globals()}",
    "${eval('1')}",
    "${exec('import os')}",
    "${open('/etc/passwd').read()}",
    "${x.getClass().forName('java.lang.Runtime').getRuntime().exec('touch " + str(CANARY) + "')}",
    "${''.getClass()}",
    "${'{0.__class__}'.format(x)}",
    "${'{x.__init__.__globals__}'.format(x=x)}",
    "${'%s' % x}",
    "${f'{x}'}",
    "${x.toString().__len__()}",
    "${execution.__dict__}",
    "${execution._graph}",
    "${execution.getVariable('__class__')}",
    "${import os}",
    "${lambda: 1}",
    "${[c for c in ().__class__.__bases__]}",
    "${9223372036854775807 * 9223372036854775807}",
    "${9223372036854775807 + 1}",
    "${10 ** 100000}",
    "${" + "9" * 5000 + "}",
    "${" + "(" * 5000 + "1" + ")" * 5000 + "}",
    "${" + "1+" * 4000 + "1}",
    "${'" + "a" * 9000 + "'}",
    "${'a'" + ".concat('a')" * 500 + "}",
    "${x.concat(x).concat(x).concat(x).concat(x)}",
    "#{''.__class__}",
    "${empty x.__class__}",
]


class _Scope:
    def __init__(self) -> None:
        self.values: dict[str, object] = {"x": "abc", "name": "__class__"}

    def has_variable(self, name: str) -> bool:
        return name in self.values

    def get_variable(self, name: str) -> object:
        return self.values[name]


def _plain(value: object) -> bool:
    if value is None or isinstance(value, str | bool | int | float):
        return True
    if isinstance(value, list):
        return all(_plain(v) for v in value)
    if isinstance(value, dict):
        return all(isinstance(k, str) and _plain(v) for k, v in value.items())
    return False


@pytest.mark.parametrize("source", PAYLOADS)
def test_hostile_expression_evaluates_to_plain_value_or_expression_error(source: str) -> None:
    modules = set(sys.modules)
    try:
        value = compile_expression(source).evaluate(_Scope())
    except ExpressionError:
        value = None
    assert _plain(value), repr(value)[:200]
    assert "<class" not in repr(value) and "__" not in repr(value)[:200]
    assert set(sys.modules) == modules
    assert not CANARY.exists()


def _model(place: str, payload: str) -> bytes:
    attr = quoteattr(payload)
    text = payload.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    task = '<userTask id="task" name="t"/>'
    flow = '<sequenceFlow id="toTask" sourceRef="gateway" targetRef="task"/>'
    if place == "condition":
        flow = (
            '<sequenceFlow id="toTask" sourceRef="gateway" targetRef="task">'
            f'<conditionExpression xsi:type="tFormalExpression">{text}</conditionExpression></sequenceFlow>'
        )
    elif place == "input":
        task = (
            '<userTask id="task"><extensionElements><camunda:inputOutput>'
            f'<camunda:inputParameter name="v">{text}</camunda:inputParameter>'
            "</camunda:inputOutput></extensionElements></userTask>"
        )
    elif place == "assignee":
        task = f'<userTask id="task" camunda:assignee={attr}/>'
    elif place == "topic":
        task = f'<serviceTask id="task" camunda:type="external" camunda:topic={attr}/>'
    elif place == "name":
        task = f'<userTask id="task" name={attr}/>'
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" '
        'xmlns:camunda="http://camunda.org/schema/1.0/bpmn" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" targetNamespace="t">'
        '<process id="hostile" isExecutable="true">'
        '<startEvent id="start"/><sequenceFlow id="toGateway" sourceRef="start" targetRef="gateway"/>'
        '<exclusiveGateway id="gateway" default="other"/>'
        f'{flow}{task}<sequenceFlow id="other" sourceRef="gateway" targetRef="end"/>'
        '<sequenceFlow id="taskToEnd" sourceRef="task" targetRef="end"/><endEvent id="end"/>'
        "</process></definitions>"
    ).encode()


@pytest.mark.parametrize("place", ["condition", "input", "assignee", "topic", "name"])
def test_hostile_expressions_in_models_have_no_effect(client: TestClient, place: str) -> None:
    modules = set(sys.modules)
    outcomes: dict[int, int] = {}
    for payload in PAYLOADS:
        deployed = client.post(
            f"{BASE}/deployment/create",
            data={"deployment-name": "hostile"},
            files={"data": ("hostile.bpmn", _model(place, payload), "application/octet-stream")},
        )
        assert deployed.status_code in (200, 400), deployed.text
        outcomes[deployed.status_code] = outcomes.get(deployed.status_code, 0) + 1
        if deployed.status_code != 200:
            continue
        (definition,) = deployed.json()["deployedProcessDefinitions"].values()
        started = client.post(f"{BASE}/process-definition/{definition['id']}/start", json={})
        body: dict[str, Any] = started.json()
        if started.status_code == 500:  # Camunda's engine failure on start, not a crash
            assert body["type"] == "RestException", body
            assert body["message"].startswith("Cannot instantiate process definition"), body
            assert "unexpected error" not in body["message"]
            continue
        assert started.status_code == 200, started.text
        instance = body["id"]
        variables = client.get(f"{BASE}/process-instance/{instance}/variables").json()
        tasks = client.get(f"{BASE}/task", params={"processInstanceId": instance}).json()
        external = client.get(f"{BASE}/external-task", params={"processInstanceId": instance}).json()
        seen = repr((variables, tasks, external))
        assert "<class" not in seen and "<function" not in seen and "<module" not in seen
        assert "root:x:0:0" not in seen
    assert {m for m in set(sys.modules) - modules if not m.startswith("cadenza.")} == set()
    assert not CANARY.exists()
    assert sum(outcomes.values()) == len(PAYLOADS)
