"""``cadenza run`` as users start it: a real process answering Camunda REST over TCP."""

from __future__ import annotations

import httpx
from tests.compat.conftest import Server
from tests.support import RESOURCES


def test_run_answers_engine_and_version_like_camunda(cadenza_server: Server) -> None:
    engines = httpx.get(f"{cadenza_server.base_url}/engine")
    assert engines.status_code == 200
    assert engines.headers["content-type"] == "application/json"
    assert engines.json() == [{"name": "default"}]
    assert httpx.get(f"{cadenza_server.base_url}/version").json() == {"version": "7.24.0"}


def test_run_deploys_starts_and_lists_over_tcp(cadenza_server: Server) -> None:
    model = (RESOURCES / "api" / "user_task.bpmn").read_bytes()
    deployed = httpx.post(
        f"{cadenza_server.base_url}/deployment/create",
        data={"deployment-name": "smoke", "enable-duplicate-filtering": "true"},
        files={"data": ("user_task.bpmn", model, "application/octet-stream")},
    )
    assert deployed.status_code == 200, deployed.text
    definition_id = next(iter(deployed.json()["deployedProcessDefinitions"]))
    started = httpx.post(
        f"{cadenza_server.base_url}/process-definition/{definition_id}/start",
        json={"businessKey": "smoke-1"},
    )
    assert started.status_code == 200, started.text
    instance_id = started.json()["id"]
    tasks = httpx.get(f"{cadenza_server.base_url}/task", params={"processInstanceId": instance_id})
    assert [t["processInstanceId"] for t in tasks.json()] == [instance_id]
