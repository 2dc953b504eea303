"""End to end: the Cockpit and Tasklist in Chromium against a real ``cadenza run`` process.

Deploy, start, see the diagram with the active task highlighted, fix an incident by setting
retries (single and batch), edit variables, claim and complete a task, cancel an instance.
"""

from __future__ import annotations

import re
import uuid
from typing import TYPE_CHECKING, Any

import httpx
import pytest
from tests.e2e import demo

if TYPE_CHECKING:
    from playwright.sync_api import Page

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def definition_id(rest: httpx.Client) -> str:
    return demo.deploy(rest)


def _start(rest: httpx.Client) -> tuple[str, str]:
    key = f"e2e-{uuid.uuid4().hex[:8]}"
    return demo.start(rest, key, customer={"value": "Ada", "type": "String"}), key


def _fail_charge(rest: httpx.Client, business_key: str, message: str) -> str:
    """A worker fetches the instance's charge task and fails it with no retries left."""
    body = {
        "workerId": "e2e-worker",
        "maxTasks": 1,
        "topics": [{"topicName": "charge", "lockDuration": 60_000, "businessKey": business_key}],
    }
    locked = rest.post("/external-task/fetchAndLock", json=body)
    assert locked.status_code == 200, locked.text
    (task,) = locked.json()
    failure = {"workerId": "e2e-worker", "errorMessage": message, "errorDetails": "Trace: boom", "retries": 0}
    response = rest.post(f"/external-task/{task['id']}/failure", json=failure)
    assert response.status_code == 204, response.text
    task_id: str = task["id"]
    return task_id


def _incidents(rest: httpx.Client, **params: Any) -> list[dict[str, Any]]:
    result: list[dict[str, Any]] = rest.get("/incident", params=params).json()
    return result


def test_processes_page_lists_definitions_with_counts(
    page: Page, rest: httpx.Client, definition_id: str
) -> None:
    _start(rest)
    page.goto("/")
    row = page.locator(f'tr[data-definition="{definition_id}"]')
    row.wait_for()
    assert "Order fulfilment" in row.inner_text()
    running = int(page.get_by_test_id("instance-count").inner_text())
    assert running >= 1


def test_definition_diagram_shows_running_counts(page: Page, rest: httpx.Client, definition_id: str) -> None:
    _start(rest)
    expected = rest.get(f"/process-definition/{definition_id}/statistics").json()
    approve = next(item["instances"] for item in expected if item["id"] == "approve")
    page.goto(f"/#/processes/{definition_id}")
    badge = page.locator('.diagram-overlay[data-activity="approve"] .running')
    badge.wait_for()
    assert badge.inner_text() == str(approve)
    page.locator('[data-testid="instances"] tbody tr[data-instance]').first.wait_for()


def test_instance_diagram_highlights_the_active_tasks(
    page: Page, rest: httpx.Client, definition_id: str
) -> None:
    instance_id, _ = _start(rest)
    page.goto(f"/#/instances/{instance_id}")
    page.locator('[data-testid="diagram"][data-active]').wait_for()
    assert page.get_by_test_id("instance-id").inner_text() == instance_id
    active = page.locator('g.djs-element.active-activity[data-element-id="approve"]')
    active.wait_for()
    assert page.locator('g.djs-element.active-activity[data-element-id="charge"]').count() == 1
    assert page.locator('g.djs-element.active-activity[data-element-id="pack"]').count() == 0
    # suspend: enabled when the server has the endpoint, else disabled with a tooltip
    suspend = page.get_by_test_id("suspend")
    if suspend.is_disabled():
        assert "does not support" in (suspend.get_attribute("title") or "")


def test_fix_an_incident_by_setting_retries(page: Page, rest: httpx.Client, definition_id: str) -> None:
    instance_id, key = _start(rest)
    task_id = _fail_charge(rest, key, "Card declined")
    assert len(_incidents(rest, processInstanceId=instance_id)) == 1
    page.goto(f"/#/instances/{instance_id}")
    page.locator('g.djs-element.incident-activity[data-element-id="charge"]').wait_for()
    page.get_by_role("button", name=re.compile(r"^Incidents \(1\)")).click()
    row = page.locator("[data-testid=incidents] tr[data-incident]")
    assert row.get_by_test_id("incident-message").inner_text() == "Card declined"
    row.get_by_role("button", name="Error details").click()
    details = page.get_by_test_id("error-details")
    details.filter(has_text="Trace: boom").wait_for()
    row.get_by_role("button", name="Retry").click()
    page.locator("[data-testid=incidents]", has_text="No open incidents.").wait_for()
    assert _incidents(rest, processInstanceId=instance_id) == []
    assert rest.get(f"/external-task/{task_id}").json()["retries"] == 1
    page.locator('g.djs-element.incident-activity[data-element-id="charge"]').wait_for(state="detached")


def test_batch_retries_over_selected_incidents(page: Page, rest: httpx.Client, definition_id: str) -> None:
    failed = []
    for _ in range(3):
        instance_id, key = _start(rest)
        _fail_charge(rest, key, "Gateway timeout")
        failed.append(instance_id)
    page.goto(f"/#/incidents?definition={definition_id}")
    page.locator("[data-testid=incidents] tr[data-incident]").first.wait_for()
    page.get_by_label("Select all incidents").check()
    button = page.get_by_test_id("batch-retry")
    assert re.search(r"\((\d+)\)", button.inner_text())
    button.click()
    page.get_by_test_id("progress").filter(has_text=re.compile(r"(\d+) / \1 done")).wait_for()
    page.locator("[data-testid=incidents]", has_text="No open incidents.").wait_for()
    for instance_id in failed:
        assert _incidents(rest, processInstanceId=instance_id) == []


def test_edit_and_add_variables(page: Page, rest: httpx.Client, definition_id: str) -> None:
    instance_id, _ = _start(rest)
    page.goto(f"/#/instances/{instance_id}")
    row = page.locator('tr[data-variable="customer"]')
    row.get_by_role("button", name="Edit").click()
    page.get_by_label("Value of customer").fill("Grace")
    page.locator('tr[data-variable="customer"]').get_by_role("button", name="Save").click()
    page.locator('tr[data-variable="customer"] [data-testid=variable-value]', has_text="Grace").wait_for()
    page.get_by_label("New variable name").fill("quantity")
    page.get_by_label("New variable type").select_option("Long")
    page.get_by_label("New variable value").fill("12")
    page.get_by_role("button", name="Add variable").click()
    page.locator('tr[data-variable="quantity"]').wait_for()
    variables = rest.get(f"/process-instance/{instance_id}/variables").json()
    assert variables["customer"]["value"] == "Grace"
    assert variables["quantity"] == {"value": 12, "type": "Long", "valueInfo": {}}


def test_claim_and_complete_a_task(page: Page, rest: httpx.Client, definition_id: str) -> None:
    instance_id, _ = _start(rest)
    (task,) = rest.get("/task", params={"processInstanceId": instance_id}).json()
    page.goto("/#/tasks?filter=group")
    page.locator(f'tr[data-task="{task["id"]}"]').click()
    page.get_by_test_id("task-name").filter(has_text="Approve order").wait_for()
    page.get_by_test_id("claim").click()
    page.get_by_test_id("assignee").filter(has_text="Assigned to demo").wait_for()
    assert rest.get(f"/task/{task['id']}").json()["assignee"] == "demo"
    page.get_by_label("Comment").fill("looks fine")
    page.get_by_label("Approved?").select_option("true")
    page.get_by_test_id("complete").click()
    page.get_by_test_id("task-detail").filter(has_text="Select a task.").wait_for()
    assert rest.get(f"/task/{task['id']}").status_code == 404
    variables = rest.get(f"/process-instance/{instance_id}/variables").json()
    assert variables["comment"]["value"] == "looks fine"
    assert variables["approved"] == {"value": True, "type": "Boolean", "valueInfo": {}}


def test_cancel_an_instance(page: Page, rest: httpx.Client, definition_id: str) -> None:
    instance_id, _ = _start(rest)
    page.on("dialog", lambda dialog: dialog.accept())
    page.goto(f"/#/instances/{instance_id}")
    page.get_by_test_id("cancel-instance").click()
    page.wait_for_url(re.compile(r"#/processes/"))
    assert rest.get(f"/process-instance/{instance_id}").status_code == 404


def test_rest_paths_are_not_swallowed_by_the_cockpit(server: Any) -> None:
    root = server.base_url.removesuffix("/engine-rest")
    assert httpx.get(f"{server.base_url}/nope").headers["content-type"] == "application/json"
    assert httpx.get(f"{root}/#/tasks").headers["content-type"].startswith("text/html")
    assert httpx.get(f"{root}/some/client/route").headers["content-type"].startswith("text/html")
    assert httpx.get(f"{root}/missing.js").status_code == 404
