"""camunda-external-task-client-js 3.1.0, unchanged, against a real ``cadenza run`` process.

``tests/compat/js/worker.mjs`` subscribes the npm client to one topic per scenario and prints a
JSON report when every scenario is done. The test starts the instances over REST, runs the
script with ``node``, resets the retries once the failing task has raised its incident (the JS
client has no call for that), and checks what the engine ended up with.

Needs ``node`` (>= 20) and ``npm ci --prefix tests/compat/js`` (scripts/test runs it); without
them the tests skip, or fail under CI=true.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from tests.compat.conftest import Server
from tests.compat.helpers import Engine, wait_until
from tests.support import IN_CI

pytestmark = pytest.mark.compat

JS_DIR = Path(__file__).resolve().parent / "js"
CLIENT_PACKAGE = JS_DIR / "node_modules" / "camunda-external-task-client-js"
UPLOAD = b"hello from the js client\n"


def _unavailable(reason: str) -> None:
    if IN_CI:
        pytest.fail(f"{reason} (CI=true requires the JS client test to run)")
    pytest.skip(reason)


def _node() -> str:
    node = shutil.which("node")
    if node is None:
        _unavailable("node is not installed; the JS client needs Node.js >= 20")
        raise AssertionError("unreachable")
    version = subprocess.run([node, "--version"], capture_output=True, text=True, check=True).stdout
    if int(version.strip().lstrip("v").split(".")[0]) < 20:
        _unavailable(f"node {version.strip()} is too old; camunda-external-task-client-js needs >= 20")
    if not CLIENT_PACKAGE.is_dir():
        _unavailable("camunda-external-task-client-js is not installed: run npm ci --prefix tests/compat/js")
    return node


def _run_worker(
    node: str, server: Server, scenarios: str, upload: Path | None = None
) -> subprocess.Popen[str]:
    args = [node, str(JS_DIR / "worker.mjs"), server.base_url, scenarios]
    if upload is not None:
        args.append(str(upload))
    return subprocess.Popen(args, cwd=JS_DIR, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _report(process: subprocess.Popen[str]) -> dict[str, Any]:
    try:
        stdout, stderr = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    assert stdout.strip(), f"no report from worker.mjs (exit {process.returncode}):\n{stderr}"
    report: dict[str, Any] = json.loads(stdout.strip().splitlines()[-1])
    assert process.returncode == 0, f"worker.mjs failed: {report}\n{stderr}"
    assert report["errors"] == [], stderr
    return report


@dataclass
class Run:
    report: dict[str, Any]
    complete: str
    flaky: str
    error: str
    flaky_task: dict[str, Any]
    incident: dict[str, Any]


@pytest.fixture(scope="module")
def run(cadenza_server: Server, deployed_engine: Engine, tmp_path_factory: pytest.TempPathFactory) -> Run:
    """One worker.mjs run doing the complete, flaky and error scenarios side by side."""
    node = _node()
    engine = deployed_engine
    upload = tmp_path_factory.mktemp("js") / "greeting.txt"
    upload.write_bytes(UPLOAD)
    complete = engine.start("compat_external", {"topic": "js-complete", "amount": 42, "label": "js"})
    flaky = engine.start("compat_external", {"topic": "js-flaky"})
    error = engine.start("compat_external_error", {"topic": "js-error"})

    process = _run_worker(node, cadenza_server, "complete,flaky,error", upload)
    try:
        incident = wait_until(lambda: engine.incidents(flaky), "the js-flaky incident")[0]
        [flaky_task] = engine.external_tasks(flaky)
        engine.call("PUT", f"/external-task/{flaky_task['id']}/retries", json={"retries": 1})
    finally:
        report = _report(process)
    return Run(report, complete, flaky, error, flaky_task, incident)


def test_complete_with_typed_variables_and_a_file(run: Run, deployed_engine: Engine) -> None:
    engine = deployed_engine
    seen = run.report["complete"]
    assert seen["processInstanceId"] == run.complete
    assert seen["activityId"] == "work"
    assert seen["received"] == {"topic": "js-complete", "amount": 42, "label": "js"}
    assert seen["receivedTypes"] == {"topic": "string", "amount": "integer", "label": "string"}

    assert engine.task_keys(run.complete) == ["check"]
    variables = engine.variables(run.complete)
    typed = {name: (v["type"], v["value"]) for name, v in variables.items() if name != "doc"}
    assert typed == {
        "topic": ("String", "js-complete"),
        "amount": ("Integer", 42),
        "label": ("String", "js"),
        "approved": ("Boolean", True),
        "count": ("Integer", 7),
        "big": ("Long", 2**40),
        "ratio": ("Double", 0.25),
        "note": ("String", "from js"),
        "nothing": ("Null", None),
        "meta": ("Json", '{"a":1,"tags":["x","y"]}'),
        "when": ("Date", "2024-01-02T03:04:05.000+0000"),
        # "work" is not a scope: the local variable lands on the process instance
        "scratch": ("String", "local"),
    }  # and the transient "ephemeral" is not stored
    assert variables["doc"]["type"] == "File"
    assert variables["doc"]["valueInfo"]["filename"] == "greeting.txt"
    assert engine.http.get(f"/process-instance/{run.complete}/variables/doc/data").content == UPLOAD


def test_failure_with_retries_incident_then_retries_reset(run: Run, deployed_engine: Engine) -> None:
    engine = deployed_engine
    flaky = run.report["flaky"]
    assert flaky["failures"] == [
        {"fetchedRetries": None, "sentRetries": 1},
        {"fetchedRetries": 1, "sentRetries": 0},
    ]
    assert run.incident["incidentType"] == "failedExternalTask"
    assert run.incident["incidentMessage"] == "js boom"
    assert run.incident["configuration"] == run.flaky_task["id"]
    assert run.flaky_task["retries"] == 0
    assert run.flaky_task["errorMessage"] == "js boom"

    assert flaky["completed"] == {"taskId": run.flaky_task["id"], "fetchedRetries": 1}
    assert engine.incidents(run.flaky) == []
    assert engine.task_keys(run.flaky) == ["check"]
    assert engine.variables(run.flaky)["recovered"]["value"] is True


def test_bpmn_error_caught_by_boundary_event(run: Run, deployed_engine: Engine) -> None:
    engine = deployed_engine
    assert run.report["error"]["processInstanceId"] == run.error
    assert engine.task_keys(run.error) == ["handleError"]
    variables = {name: v["value"] for name, v in engine.variables(run.error).items()}
    assert variables == {
        "topic": "js-error",
        "reason": "js says no",
        "caughtCode": "COMPAT_ERROR",
        "caughtMessage": "rejected by js",
    }


def test_file_variable_download(cadenza_server: Server, deployed_engine: Engine) -> None:
    engine = deployed_engine
    instance = engine.start("compat_external", {"topic": "js-download"})
    engine.call(
        "PUT",
        f"/process-instance/{instance}/variables/doc",
        json={"type": "File", "value": "aGVsbG8=", "valueInfo": {"filename": "hello.txt"}},
    )
    # File.load() reads GET /execution/{processInstanceId}/localVariables/doc/data
    report = _report(_run_worker(_node(), cadenza_server, "download"))
    assert report["download"] == {"filename": "hello.txt", "content": "hello"}
    assert engine.task_keys(instance) == ["check"]
