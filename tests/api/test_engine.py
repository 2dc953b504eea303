"""Engine-level endpoints, mounting, framework errors and cross-cutting wire rules."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from cadenza.api import create_app
from cadenza.services import Engine

from .helpers import BASE, assert_error, assert_json


def test_engine_names(client: TestClient) -> None:
    assert assert_json(client.get(f"{BASE}/engine")) == [{"name": "default"}]


def test_version(client: TestClient) -> None:
    assert assert_json(client.get(f"{BASE}/version")) == {"version": "7.24.0"}


def test_named_default_engine_serves_the_same_resources(client: TestClient) -> None:
    assert assert_json(client.get(f"{BASE}/engine/default/process-definition")) == []
    assert assert_json(client.get(f"{BASE}/engine/default/deployment/count")) == {"count": 0}


def test_unknown_engine_name_is_404(client: TestClient) -> None:
    response = client.get(f"{BASE}/engine/other/process-definition")
    body = assert_error(response, 404, "InvalidRequestException", "Process engine other not available")
    assert body["code"] is None


def test_unknown_path_is_404_in_camunda_body(client: TestClient) -> None:
    body = assert_error(client.get(f"{BASE}/no-such-resource"), 404, "NotFoundException")
    assert body["code"] is None


def test_wrong_method_is_405_in_camunda_body(client: TestClient) -> None:
    response = client.put(f"{BASE}/version")
    assert_error(response, 405, "NotAllowedException")
    assert "GET" in response.headers["allow"]


def test_openapi_document_is_served(client: TestClient) -> None:
    document = assert_json(client.get(f"{BASE}/openapi.json"))
    paths = document["paths"]
    assert f"{BASE}/process-definition/{{id}}/start" in paths
    assert f"{BASE}/task" in paths
    names = [p["name"] for p in paths[f"{BASE}/external-task"]["get"]["parameters"]]
    assert {"topicName", "sortBy", "firstResult"} <= set(names)
    assert "StartProcessInstanceDto" in document["components"]["schemas"]
    assert not any("/engine/{engineName}" in path for path in paths)


def test_body_over_the_limit_is_413(engine: Engine) -> None:
    with TestClient(create_app(engine, max_body_bytes=100)) as small:
        response = small.post(f"{BASE}/process-instance", json={"businessKey": "x" * 200})
        assert_error(response, 413, "RestException")
        assert small.post(f"{BASE}/process-instance", json={}).status_code == 200


def test_streamed_body_over_the_limit_is_413(engine: Engine) -> None:
    def chunks() -> Any:
        yield b'{"businessKey": "'
        yield b"x" * 200
        yield b'"}'

    with TestClient(create_app(engine, max_body_bytes=100)) as small:
        response = small.post(
            f"{BASE}/process-instance",
            content=chunks(),
            headers={"content-type": "application/json"},
        )
        assert_error(response, 413, "RestException")


def test_unexpected_error_is_500_without_traceback(
    engine: Engine, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def boom(*args: object, **kwargs: object) -> None:
        raise RuntimeError("secret internals")

    monkeypatch.setattr(engine.repository, "count_deployments", boom)
    with TestClient(create_app(engine)) as test_client:
        body = assert_error(test_client.get(f"{BASE}/deployment/count"), 500, "ProcessEngineException")
    assert "secret" not in body["message"]
    assert "Traceback" not in body["message"]
    assert body["code"] is None
    assert any("secret internals" in (r.exc_text or "") for r in caplog.records)


def test_lifespan_hooks_run_in_order(engine: Engine) -> None:
    calls: list[str] = []
    hooks = [
        (lambda: calls.append("start-a"), lambda: calls.append("stop-a")),
        (lambda: calls.append("start-b"), lambda: calls.append("stop-b")),
    ]
    with TestClient(create_app(engine, lifespan_hooks=hooks)) as test_client:
        assert test_client.get(f"{BASE}/engine").status_code == 200
        assert calls == ["start-a", "start-b"]
    assert calls == ["start-a", "start-b", "stop-b", "stop-a"]
