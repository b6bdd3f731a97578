"""The API's docs page (/api/docs/) in Debian's Chromium: Swagger UI starts from this site's own
files under the Content-Security-Policy, with no violation or script error, and lists every
operation of the schema. (tests/test_api.py checks the page's markup without a browser.)"""

from pathlib import Path

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CHROMIUM = Path("/usr/lib/chromium/chromium")
QUIET_CHROMIUM = ["--disable-background-networking", "--disable-component-update", "--no-first-run"]


def test_swagger_ui_renders_every_operation_without_a_csp_violation(live_server, xiaomi_world, monkeypatch):
    if not CHROMIUM.exists():
        pytest.skip(f"needs Debian's Chromium at {CHROMIUM} (apt-get install chromium)")
    sync_api = pytest.importorskip("playwright.sync_api", reason="needs playwright (pip install -r requirements.txt)")
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's loop runs in this thread
    problems, requested = [], []
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=QUIET_CHROMIUM)
        page = browser.new_page()
        page.on("console", lambda message: message.type == "error" and problems.append(message.text))
        page.on("pageerror", lambda error: problems.append(str(error)))
        page.on("request", lambda request: requested.append(request.url))
        page.goto(f"{live_server.url}/api/docs/")
        page.wait_for_selector(".opblock-summary-path", timeout=20_000)
        paths = page.locator(".opblock-summary-path").all_inner_texts()
        browser.close()
    assert problems == []
    assert all(url.startswith((live_server.url, "data:")) for url in requested), requested
    assert len(paths) == 10 and "/api/deals/{slug}/" in {path.replace("\u200b", "") for path in paths}
