"""``cadenza.web``: the Cockpit's static files at ``/`` never shadow the REST API (no browser)."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from cadenza.api import create_app
from cadenza.services import Engine
from cadenza.web import mount_cockpit


def _client(engine: Engine, directory: Path) -> TestClient:
    app = create_app(engine)
    mount_cockpit(app, directory)
    return TestClient(app)


def test_without_bundle_root_explains_how_to_build(engine: Engine, tmp_path: Path) -> None:
    with _client(engine, tmp_path / "none") as client:
        response = client.get("/")
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/html")
        assert "npm ci &amp;&amp; npm run build" in response.text
        assert client.get("/engine-rest/engine").json() == [{"name": "default"}]


def test_bundle_is_served_with_client_routes_falling_back_to_index(engine: Engine, tmp_path: Path) -> None:
    (tmp_path / "index.html").write_text("<html>cockpit</html>")
    (tmp_path / "app.js").write_text("console.log(1)")
    with _client(engine, tmp_path) as client:
        assert client.get("/").text == "<html>cockpit</html>"
        assert client.get("/app.js").headers["content-type"].startswith("text/javascript")
        assert client.get("/tasks/some-id").text == "<html>cockpit</html>"
        assert client.get("/missing.css").status_code == 404
        assert "frame-ancestors 'none'" in client.get("/").headers["content-security-policy"]


def test_rest_errors_keep_their_camunda_shape(engine: Engine, tmp_path: Path) -> None:
    (tmp_path / "index.html").write_text("<html>cockpit</html>")
    (tmp_path / "app.js").write_text("")
    with _client(engine, tmp_path) as client:
        unknown = client.get("/engine-rest/no-such-resource")
        assert unknown.status_code == 404
        assert unknown.headers["content-type"] == "application/json"
        wrong_method = client.delete("/engine-rest/process-definition/count")
        assert wrong_method.status_code == 405
        assert wrong_method.headers["content-type"] == "application/json"
