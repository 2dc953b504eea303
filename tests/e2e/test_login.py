"""End to end with authentication on: a ``cadenza run`` with ``CADENZA_AUTH=true`` and a first
administrator; the browser is sent to the login page, logs in (no Basic header anywhere: the
session cookie and the CSRF header carry the calls), sees the processes, claims and completes
a task as the logged-in user, and logs out."""

from __future__ import annotations

import base64
import re
from collections.abc import Iterator
from typing import TYPE_CHECKING

import httpx
import pytest
from tests.compat.conftest import Server, start_server, stop_server
from tests.e2e import demo
from tests.e2e.conftest import _require_browser

if TYPE_CHECKING:
    from playwright.sync_api import Page

pytestmark = pytest.mark.slow

ADMIN = ("admin", "e2e-admin-password")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """Overrides the e2e ``server``: authentication on, ``admin`` created at start."""
    _require_browser()
    folder = tmp_path_factory.mktemp("cockpit-auth")
    env = {"CADENZA_AUTH": "true", "CADENZA_ADMIN_USER": ADMIN[0], "CADENZA_ADMIN_PASSWORD": ADMIN[1]}
    running = start_server(f"sqlite:///{folder / 'cadenza.db'}", folder / "server.log", env=env)
    yield running
    stop_server(running)


@pytest.fixture(scope="module")
def rest(server: Server) -> Iterator[httpx.Client]:
    """REST as the administrator over HTTP Basic, for setting up and checking state."""
    token = base64.b64encode(":".join(ADMIN).encode()).decode()
    headers = {"Authorization": f"Basic {token}"}
    with httpx.Client(base_url=server.base_url, headers=headers, timeout=10) as client:
        yield client


@pytest.fixture(scope="module")
def definition_id(rest: httpx.Client) -> str:
    body = {"id": "accounting", "name": "Accounting", "type": "WORKFLOW"}
    assert rest.post("/group/create", json=body).status_code == 204
    assert rest.put(f"/group/accounting/members/{ADMIN[0]}").status_code == 204
    return demo.deploy(rest)


def _log_in(page: Page, password: str) -> None:
    page.get_by_label("User id").fill(ADMIN[0])
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()


def test_log_in_work_and_log_out(page: Page, rest: httpx.Client, definition_id: str) -> None:
    instance_id = demo.start(rest, "login-1")
    sent: list[dict[str, str]] = []
    page.on("request", lambda r: sent.append(r.headers) if "/engine-rest/" in r.url else None)

    # not logged in: any page leads to the login page, remembering where it was going
    page.goto("/#/processes")
    page.wait_for_url(re.compile(r"/login\?next=%23%2Fprocesses$"))
    page.get_by_test_id("login-form").wait_for()
    assert not page.locator(".topbar nav").is_visible()

    _log_in(page, "wrong password")
    page.get_by_test_id("login-error").filter(has_text="Wrong user id or password").wait_for()
    assert page.url.endswith("/login?next=%23%2Fprocesses")

    _log_in(page, ADMIN[1])
    page.wait_for_url(re.compile(r"/#/processes$"))
    page.locator(f'tr[data-definition="{definition_id}"]').wait_for()
    assert page.get_by_test_id("current-user").inner_text() == ADMIN[0]
    assert page.locator("#identity-user").input_value() == ADMIN[0]
    assert page.locator("#identity-groups").input_value() == "accounting,camunda-admin"
    session = {cookie["name"]: cookie for cookie in page.context.cookies()}["CADENZA_SESSION"]
    assert session["httpOnly"] and session["sameSite"] == "Strict"

    # the Tasklist works as the session's user: claim and complete the group task
    (task,) = rest.get("/task", params={"processInstanceId": instance_id}).json()
    page.goto("/#/tasks?filter=group")
    page.locator(f'tr[data-task="{task["id"]}"]').click()
    page.get_by_test_id("claim").click()
    page.get_by_test_id("assignee").filter(has_text=f"Assigned to {ADMIN[0]}").wait_for()
    page.get_by_label("Comment").fill("approved after login")
    page.get_by_test_id("complete").click()
    page.get_by_test_id("task-detail").filter(has_text="Select a task.").wait_for()
    assert rest.get(f"/task/{task['id']}").status_code == 404
    variables = rest.get(f"/process-instance/{instance_id}/variables").json()
    assert variables["comment"]["value"] == "approved after login"
    assert sent and all("authorization" not in headers for headers in sent)
    unsafe = [headers for headers in sent if headers.get("x-xsrf-token")]
    assert unsafe, "claim and complete carry the CSRF header"

    # log out: back to the login page, and the old pages need a login again
    page.get_by_test_id("logout").click()
    page.wait_for_url(re.compile(r"/login$"))
    assert "CADENZA_SESSION" not in {cookie["name"] for cookie in page.context.cookies()}
    page.goto("/#/instances")
    page.wait_for_url(re.compile(r"/login\?next=%23%2Finstances$"))


def test_rest_without_credentials_is_refused(server: Server) -> None:
    response = httpx.get(f"{server.base_url}/process-definition")
    assert response.status_code == 401
    assert httpx.get(f"{server.base_url.removesuffix('/engine-rest')}/api/session").status_code == 401
