"""HTTP Basic authentication (semantics §1.3, reliability R13): 401 with ``WWW-Authenticate``
and an empty body for every request but ``GET /engine``; login throttling measured on the
settable clock (no real sleeping); the first administrator and no default password."""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cadenza.bootstrap import AdminBootstrapError, ensure_admin
from cadenza.cli import app as cli_app
from cadenza.clock import SettableClock
from cadenza.config import EngineConfig
from cadenza.services import ADMIN_GROUP, Engine, GroupQuery, User

from .auth_support import ADMIN, ADMIN_AUTH, auth_client, basic
from .helpers import BASE, assert_json

CHALLENGE = 'Basic realm="default"'


def _assert_401(response: object) -> None:
    assert response.status_code == 401  # type: ignore[attr-defined]
    assert response.headers["WWW-Authenticate"] == CHALLENGE  # type: ignore[attr-defined]
    assert response.content == b""  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    "headers",
    [
        {},
        basic("admin", "wrong"),
        basic("ghost", "admin-secret-1"),
        {"Authorization": "Basic !!!not-base64"},
        {"Authorization": "Basic " + base64.b64encode(b"no-colon").decode()},
        {"Authorization": "Bearer abc"},
    ],
    ids=["none", "wrong-password", "unknown-user", "bad-base64", "no-colon", "other-scheme"],
)
def test_bad_or_missing_credentials_get_401(tmp_path: Path, headers: dict[str, str]) -> None:
    with auth_client(tmp_path) as (_, client):
        for method, path in (
            ("GET", "/process-definition"),
            ("GET", "/engine/default/process-definition"),
            ("POST", "/external-task/fetchAndLock"),
            ("GET", "/user"),
            ("GET", "/no-such-resource"),
            ("GET", "/version"),
        ):
            _assert_401(client.request(method, f"{BASE}{path}", headers=headers))


def test_engine_list_is_open_and_admin_gets_in(tmp_path: Path) -> None:
    with auth_client(tmp_path) as (_, client):
        assert assert_json(client.get(f"{BASE}/engine")) == [{"name": "default"}]
        assert assert_json(client.get(f"{BASE}/process-definition", headers=ADMIN_AUTH)) == []
        # the password may contain colons: the header is split at the first one
        client.post(
            f"{BASE}/user/create",
            json={"profile": {"id": "colon"}, "credentials": {"password": "a:b:c"}},
            headers=ADMIN_AUTH,
        )
        assert client.get(f"{BASE}/user/colon/profile", headers=basic("colon", "a:b:c")).status_code == 200


def test_authentication_is_off_by_default(client: object) -> None:
    assert client.get(f"{BASE}/process-definition").status_code == 200  # type: ignore[attr-defined]


def test_deleted_user_is_refused_at_once(tmp_path: Path) -> None:
    with auth_client(tmp_path) as (engine, client):
        engine.identity.create_user(User("temp"), "temp-pw")
        assert client.get(f"{BASE}/user/temp/profile", headers=basic("temp", "temp-pw")).status_code == 200
        engine.identity.delete_user("temp")
        _assert_401(client.get(f"{BASE}/user/temp/profile", headers=basic("temp", "temp-pw")))


def test_login_throttling_doubles_the_wait_and_resets_on_success(tmp_path: Path) -> None:
    clock = SettableClock(datetime(2026, 1, 15, 10, 0, tzinfo=UTC))
    with auth_client(tmp_path, clock) as (engine, client):
        engine.identity.create_user(User("jonny"), "right-pw")
        good, bad = basic("jonny", "right-pw"), basic("jonny", "wrong-pw")
        path = f"{BASE}/user/jonny/profile"
        for _ in range(2):  # two failures: no wait yet
            _assert_401(client.get(path, headers=bad))
        assert client.get(path, headers=good).status_code == 200  # success resets the count
        waits: list[float] = []
        for _ in range(3):
            _assert_401(client.get(path, headers=bad))
        # 3 failures in a row: 1 s wait; the right password is refused (same 401) meanwhile
        for expected in (1.0, 2.0, 4.0):
            _assert_401(client.get(path, headers=good))
            clock.advance(timedelta(seconds=expected - 0.1))
            _assert_401(client.get(path, headers=good))
            clock.advance(timedelta(seconds=0.1))
            waits.append(expected)
            if expected < 4.0:
                _assert_401(client.get(path, headers=bad))  # one more failure: the wait doubles
        assert waits == [1.0, 2.0, 4.0]
        assert client.get(path, headers=good).status_code == 200
        for _ in range(3):  # reset: three failures again before any wait
            _assert_401(client.get(path, headers=bad))
        clock.advance(timedelta(seconds=1))
        assert client.get(path, headers=good).status_code == 200


def test_login_delay_is_capped() -> None:
    engine = Engine(EngineConfig(database_url="sqlite:///:memory:", authentication_enabled=True))
    try:
        delays = [engine.identity.login_delay(n) for n in range(1, 12)]
    finally:
        engine.close()
    assert delays[:2] == [None, None]
    assert [d.total_seconds() for d in delays[2:] if d is not None] == [1, 2, 4, 8, 16, 32, 60, 60, 60]


def test_admin_bootstrap_needs_explicit_credentials(tmp_path: Path) -> None:
    config = EngineConfig(database_url=f"sqlite:///{tmp_path / 'a.db'}", authentication_enabled=True)
    with Engine(config) as engine:
        with pytest.raises(AdminBootstrapError, match="CADENZA_ADMIN_USER"):
            ensure_admin(engine)
        assert not engine.identity.has_users()
        assert ensure_admin(engine, prompt=lambda: ("boss", "prompted-pw")) == "boss"
        assert engine.identity.check_password("boss", "prompted-pw")
        groups = engine.identity.query_groups(GroupQuery(member="boss"))
        assert [g.id for g in groups] == [ADMIN_GROUP]
        assert ensure_admin(engine, admin_user="other", admin_password="x") is None  # users exist


def test_admin_bootstrap_off_without_authentication(tmp_path: Path) -> None:
    with Engine(EngineConfig(database_url=f"sqlite:///{tmp_path / 'b.db'}")) as engine:
        assert ensure_admin(engine) is None
        assert not engine.identity.has_users()


def test_cli_refuses_to_start_without_admin_credentials(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    result = CliRunner().invoke(
        cli_app, ["run", "--auth", "--database-url", url], env={"CADENZA_ADMIN_USER": ""}
    )
    assert result.exit_code == 2
    assert "no user exists yet" in result.output


def test_cli_creates_admin_from_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import uvicorn

    monkeypatch.setattr(uvicorn, "run", lambda *args, **kwargs: None)
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    env = {"CADENZA_AUTH": "true", "CADENZA_ADMIN_USER": ADMIN[0], "CADENZA_ADMIN_PASSWORD": ADMIN[1]}
    result = CliRunner().invoke(cli_app, ["run", "--database-url", url], env=env)
    assert result.exit_code == 0, result.output
    assert "authentication on" in result.output
    with Engine(EngineConfig(database_url=url)) as engine:
        assert engine.identity.check_password(*ADMIN)
