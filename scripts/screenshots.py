#!/usr/bin/env python3
"""Take the README's Cockpit and Tasklist screenshots (docs/screenshots/*.png).

Starts a real ``cadenza run`` on a fresh SQLite file, fills it with the demo data of
``tests/e2e/demo.py`` and photographs each page with Debian's Chromium through Playwright;
then a second one with authentication on for the login page:

    .venv/bin/python scripts/screenshots.py            # needs /usr/bin/chromium and the bundle
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from playwright.sync_api import Browser, Page, sync_playwright  # noqa: E402
from tests.compat.conftest import start_server, stop_server  # noqa: E402
from tests.e2e import demo  # noqa: E402
from tests.e2e.conftest import launch_chromium  # noqa: E402

OUT = ROOT / "docs" / "screenshots"


def shoot(page: Page, name: str, ready: str) -> None:
    page.locator(ready).first.wait_for()
    page.wait_for_timeout(400)  # let the diagram settle after fit-viewport
    path = OUT / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    print(f"wrote {path.relative_to(ROOT)}")


def shoot_login(browser: Browser, folder: Path) -> None:
    env = {"CADENZA_AUTH": "true", "CADENZA_ADMIN_USER": "admin", "CADENZA_ADMIN_PASSWORD": "screenshot-pw"}
    server = start_server(f"sqlite:///{folder}/login.db", Path(folder) / "login.log", env=env)
    try:
        context = browser.new_context(
            base_url=server.base_url.removesuffix("/engine-rest"),
            viewport={"width": 1280, "height": 560},
            device_scale_factor=1,
        )
        page = context.new_page()
        page.goto("/#/processes")
        page.get_by_label("User id").fill("admin")
        shoot(page, "login", "[data-testid=login-form]")
        context.close()
    finally:
        stop_server(server)


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as folder:
        server = start_server(f"sqlite:///{folder}/demo.db", Path(folder) / "server.log")
        try:
            data = demo.seed(server.base_url)
            failing = data.instances["order-1002"]
            with sync_playwright() as playwright:
                browser = launch_chromium(playwright)
                context = browser.new_context(
                    base_url=server.base_url.removesuffix("/engine-rest"),
                    viewport={"width": 1280, "height": 800},
                    device_scale_factor=1,
                )
                page = context.new_page()
                page.goto("/#/processes")
                shoot(page, "processes", "[data-testid=definitions] tbody tr")
                page.goto(f"/#/processes/{data.definition_id}")
                shoot(page, "definition", ".diagram-overlay")
                page.goto("/#/instances")
                shoot(page, "instances", "[data-testid=instances] tbody tr[data-instance]")
                page.goto(f"/#/instances/{failing}")
                shoot(page, "instance", "g.djs-element.incident-activity")
                page.get_by_role("button", name="Incidents (1)").click()
                page.locator("[data-testid=incidents] tr[data-incident]").get_by_role(
                    "button", name="Error details"
                ).click()
                shoot(page, "instance-incidents", "[data-testid=error-details]:has-text('PaymentError')")
                page.goto("/#/incidents")
                shoot(page, "incidents", "[data-testid=incidents] tr[data-incident]")
                tasks = page.request.get(
                    f"{server.base_url}/task", params={"taskDefinitionKey": "approve", "maxResults": "1"}
                ).json()
                page.goto(f"/#/tasks/{tasks[0]['id']}?filter=group")
                shoot(page, "tasklist", "[data-testid=task-form] label")
                shoot_login(browser, Path(folder))
                browser.close()
        finally:
            stop_server(server)


if __name__ == "__main__":
    main()
