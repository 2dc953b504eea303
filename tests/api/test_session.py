"""The web Cockpit's login session (``/api/session``): cookie flags, the session as REST
authentication with the same authorizations as Basic, CSRF on unsafe methods, logout,
throttled logins, expiry, and HTTP Basic clients unaffected."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from cadenza.api import create_app
from cadenza.api.session import SessionKeeper
from cadenza.cli import app as cli_app
from cadenza.clock import SettableClock
from cadenza.services import User

from .auth_support import ADMIN, ADMIN_AUTH, auth_client, auth_engine, basic
from .helpers import BASE

SESSION = "/api/session"


def _login(client: TestClient, user: str, password: str) -> TestClient:
    response = client.post(SESSION, json={"username": user, "password": password})
    assert response.status_code == 200, response.text
    return client


def _set_cookie_headers(response: object) -> dict[str, str]:
    """``Set-Cookie`` header values by cookie name."""
    headers = response.headers.get_list("set-cookie")  # type: ignore[attr-defined]
    return {value.split("=", 1)[0]: value for value in headers}


def _csrf(client: TestClient) -> dict[str, str]:
    return {"X-XSRF-TOKEN": client.cookies["XSRF-TOKEN"]}


def test_login_sets_session_and_xsrf_cookies_and_answers_who(tmp_path: Path) -> None:
    with auth_client(tmp_path) as (_, client):
        response = client.post(SESSION, json={"username": ADMIN[0], "password": ADMIN[1]})
        assert response.status_code == 200
        assert response.json() == {
            "authenticationEnabled": True,
            "userId": "admin",
            "groups": ["camunda-admin"],
        }
        assert response.headers["cache-control"] == "no-store"
        cookies = _set_cookie_headers(response)
        session = cookies["CADENZA_SESSION"].lower()
        assert "httponly" in session and "samesite=strict" in session and "path=/" in session
        assert "secure" not in session  # plain HTTP: a Secure cookie would never come back
        xsrf = cookies["XSRF-TOKEN"].lower()
        assert "samesite=strict" in xsrf and "httponly" not in xsrf
        assert client.cookies["XSRF-TOKEN"] not in client.cookies["CADENZA_SESSION"]
        who = client.get(SESSION)
        assert who.status_code == 200
        assert who.json()["userId"] == "admin"


def test_cookies_are_secure_over_https(tmp_path: Path) -> None:
    with (
        auth_engine(f"sqlite:///{tmp_path / 'auth.db'}") as engine,
        TestClient(create_app(engine), base_url="https://testserver") as client,
    ):
        response = client.post(SESSION, json={"username": ADMIN[0], "password": ADMIN[1]})
        assert response.status_code == 200
        for header in _set_cookie_headers(response).values():
            assert "; secure" in header.lower()
        assert client.get(f"{BASE}/user").status_code == 200


def test_the_session_authenticates_rest_calls_as_its_user(tmp_path: Path) -> None:
    with auth_client(tmp_path) as (engine, client):
        engine.identity.create_user(User("jonny"), "jonny-pw")
        assert client.get(f"{BASE}/process-definition").status_code == 401
        _login(client, "jonny", "jonny-pw")
        assert client.get(f"{BASE}/user/jonny/profile").json()["id"] == "jonny"
        # the same authorizations as the REST API: jonny may not create users
        refused = client.post(
            f"{BASE}/user/create",
            json={"profile": {"id": "other"}, "credentials": {"password": "x"}},
            headers=_csrf(client),
        )
        assert refused.status_code == 403
        assert refused.json()["type"] == "AuthorizationException"
        assert refused.json()["userId"] == "jonny"
        _login(client, *ADMIN)
        created = client.post(
            f"{BASE}/user/create",
            json={"profile": {"id": "other"}, "credentials": {"password": "x"}},
            headers=_csrf(client),
        )
        assert created.status_code == 204, created.text


def test_unsafe_calls_need_the_csrf_header(tmp_path: Path) -> None:
    with auth_client(tmp_path) as (_, client):
        _login(client, *ADMIN)
        body = {"id": "accounting", "name": "Accounting", "type": "WORKFLOW"}
        for headers in ({}, {"X-XSRF-TOKEN": ""}, {"X-XSRF-TOKEN": "forged"}):
            refused = client.post(f"{BASE}/group/create", json=body, headers=headers)
            assert refused.status_code == 403
            assert refused.json()["type"] == "CsrfException"
            assert refused.headers["X-XSRF-TOKEN"] == "Required"
        assert client.get(f"{BASE}/group/accounting").status_code == 404  # nothing happened
        assert client.post(f"{BASE}/group/create", json=body, headers=_csrf(client)).status_code == 204
        assert client.put(f"{BASE}/group/accounting", json=body).status_code == 403
        assert client.delete(f"{BASE}/group/accounting").status_code == 403
        assert client.delete(f"{BASE}/group/accounting", headers=_csrf(client)).status_code == 204
        # the token of another session does not fit this one
        other = TestClient(client.app)
        _login(other, *ADMIN)
        stolen = {"X-XSRF-TOKEN": other.cookies["XSRF-TOKEN"]}
        assert client.post(f"{BASE}/group/create", json=body, headers=stolen).status_code == 403


def test_basic_auth_is_unaffected_by_sessions(tmp_path: Path) -> None:
    with auth_client(tmp_path) as (_, client):
        body = {"id": "sales", "name": "Sales", "type": "WORKFLOW"}
        assert client.post(f"{BASE}/group/create", json=body, headers=ADMIN_AUTH).status_code == 204
        _login(client, *ADMIN)
        # Basic wins over the cookie and needs no CSRF header; wrong Basic is not rescued by it
        assert client.delete(f"{BASE}/group/sales", headers=ADMIN_AUTH).status_code == 204
        wrong = client.get(f"{BASE}/group", headers=basic("admin", "wrong"))
        assert wrong.status_code == 401
        assert wrong.headers["WWW-Authenticate"] == 'Basic realm="default"'


def test_scripts_get_401_without_a_browser_login_dialog(tmp_path: Path) -> None:
    with auth_client(tmp_path) as (_, client):
        response = client.get(f"{BASE}/process-definition", headers={"X-Requested-With": "XMLHttpRequest"})
        assert response.status_code == 401
        assert "WWW-Authenticate" not in response.headers


def test_bad_password_is_401_and_throttled_like_basic(tmp_path: Path) -> None:
    clock = SettableClock(datetime(2026, 1, 15, 10, 0, tzinfo=UTC))
    with auth_client(tmp_path, clock) as (engine, client):
        engine.identity.create_user(User("jonny"), "right-pw")
        for _ in range(3):
            wrong = client.post(SESSION, json={"username": "jonny", "password": "wrong-pw"})
            assert wrong.status_code == 401
            assert wrong.json()["type"] == "AuthenticationException"
            assert "set-cookie" not in wrong.headers
        # three failures in a row: the right password waits a second, also for Basic
        assert client.post(SESSION, json={"username": "jonny", "password": "right-pw"}).status_code == 401
        assert client.get(f"{BASE}/user/jonny/profile", headers=basic("jonny", "right-pw")).status_code == 401
        clock.advance(timedelta(seconds=1))
        _login(client, "jonny", "right-pw")
        unknown = client.post(SESSION, json={"username": "ghost", "password": "x"})
        assert unknown.status_code == 401
        assert unknown.json() == wrong.json()


@pytest.mark.parametrize(
    ("content", "content_type"),
    [
        ('{"username": "admin"}', "application/json"),
        ('{"username": "", "password": "x"}', "application/json"),
        ("[1]", "application/json"),
        ("not json", "application/json"),
        ("username=admin&password=admin-secret-1", "application/x-www-form-urlencoded"),
    ],
    ids=["no-password", "empty-user", "not-object", "not-json", "html-form"],
)
def test_malformed_logins_are_refused(tmp_path: Path, content: str, content_type: str) -> None:
    with auth_client(tmp_path) as (_, client):
        response = client.post(SESSION, content=content, headers={"Content-Type": content_type})
        assert response.status_code in (400, 415)
        assert "CADENZA_SESSION" not in client.cookies


def test_logout_ends_the_session_even_with_a_kept_cookie(tmp_path: Path) -> None:
    with auth_client(tmp_path) as (_, client):
        _login(client, *ADMIN)
        kept = client.cookies["CADENZA_SESSION"]
        assert client.delete(SESSION).status_code == 403  # logout needs the CSRF header too
        response = client.delete(SESSION, headers=_csrf(client))
        assert response.status_code == 204
        assert 'CADENZA_SESSION=""' in response.headers.get_list("set-cookie")[0]
        assert "CADENZA_SESSION" not in client.cookies
        assert client.get(SESSION).status_code == 401
        client.cookies.set("CADENZA_SESSION", kept)
        assert client.get(f"{BASE}/user").status_code == 401
        assert client.delete(SESSION).status_code == 204  # a dead session: just clear the cookies


def test_sessions_expire_and_end_with_their_user(tmp_path: Path) -> None:
    clock = SettableClock(datetime(2026, 1, 15, 10, 0, tzinfo=UTC))
    with auth_client(tmp_path, clock) as (engine, client):
        engine.identity.create_user(User("temp"), "temp-pw")
        _login(client, "temp", "temp-pw")
        assert client.get(f"{BASE}/user/temp/profile").status_code == 200
        engine.identity.delete_user("temp")
        assert client.get(f"{BASE}/user/temp/profile").status_code == 401
        assert client.get(SESSION).status_code == 401
        _login(client, *ADMIN)
        clock.advance(timedelta(hours=8))
        assert client.get(f"{BASE}/user").status_code == 401


def test_tampered_or_foreign_tokens_are_refused(tmp_path: Path) -> None:
    with auth_client(tmp_path) as (_, client):
        _login(client, *ADMIN)
        token = client.cookies["CADENZA_SESSION"]
        payload, mac = token.split(".")
        for forged in (f"{payload}.{mac[:-2]}AA", f"{payload[:-2]}AA.{mac}", "garbage", ""):
            client.cookies.set("CADENZA_SESSION", forged)
            assert client.get(f"{BASE}/user").status_code == 401
        # a token signed by another process (another secret) means nothing here
        other = SessionKeeper(None, now=lambda: datetime.now(UTC).timestamp())
        foreign, _ = other.issue("admin")
        client.cookies.set("CADENZA_SESSION", foreign)
        assert client.get(f"{BASE}/user").status_code == 401


def test_a_shared_secret_lets_nodes_accept_each_others_sessions(tmp_path: Path) -> None:
    secret = "s" * 40
    with auth_engine(f"sqlite:///{tmp_path / 'auth.db'}") as engine:
        one, two = (TestClient(create_app(engine, session_secret=secret)) for _ in range(2))
        _login(one, *ADMIN)
        two.cookies.set("CADENZA_SESSION", one.cookies["CADENZA_SESSION"])
        assert two.get(f"{BASE}/user").status_code == 200
    with pytest.raises(ValueError, match="at least 32"):
        SessionKeeper("short", now=lambda: 0.0)


def test_without_authentication_there_is_no_login(client: TestClient) -> None:
    assert client.get(SESSION).json() == {"authenticationEnabled": False, "userId": None, "groups": []}
    assert client.post(SESSION, json={"username": "a", "password": "b"}).status_code == 400
    assert client.delete(SESSION).status_code == 204
    assert client.post(f"{BASE}/group/create", json={"id": "g", "name": "G"}).status_code == 204


def test_run_refuses_a_short_session_secret(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        cli_app,
        ["run", "--database-url", f"sqlite:///{tmp_path / 'x.db'}"],
        env={"CADENZA_SESSION_SECRET": "too-short"},
    )
    assert result.exit_code == 2
    assert "at least 32" in result.output
