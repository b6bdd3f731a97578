"""The admin works in a real browser under its Content-Security-Policy, with no violation reported.

Drives Debian's Chromium through Playwright against the live test server (plain http on 127.0.0.1).
"""

from pathlib import Path

import pytest
from django.contrib import admin
from django.db import connections
from django.urls import NoReverseMatch, reverse

from tests.conftest import PASSWORD, make_company
from tests.import_helpers import run_jobs

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CHROMIUM = Path("/usr/lib/chromium/chromium")
QUIET_CHROMIUM = ["--disable-background-networking", "--disable-component-update", "--no-first-run"]

# One new company (every value shows as inserted) and one changed summary (old text shows as
# deleted): the preview draws both with the inline styles that the admin policy allows by hash.
CSV = (
    "slug,name,kind,entry_mode,headquarters,website,parent,summary,editorial_state\n"
    "example-motors,Example Motors,ev_startup,,,,,An EV maker for tests.,draft\n"
    "xiaomi,Xiaomi,tech,own_cars,,,,Phones and now cars.,draft\n"
)


class Browser:
    """A Chromium page that records every CSP violation and uncaught script error it reports."""

    def __init__(self, page, base_url: str):
        self.page = page
        self.base_url = base_url
        self.csp_violations: list[str] = []
        self.script_errors: list[str] = []
        page.on("console", self._on_console)
        page.on("pageerror", lambda error: self.script_errors.append(f"{page.url}: {error}"))

    def _on_console(self, message) -> None:
        if "Content Security Policy" in message.text:
            self.csp_violations.append(f"{self.page.url}: {message.text}")

    def open(self, path: str):
        return self.page.goto(self.base_url + path)  # waits for the load event

    def log_in(self, username: str) -> None:
        self.open(reverse("admin:login"))
        self.page.fill("#id_username", username)
        self.page.fill("#id_password", PASSWORD)
        self.page.click("input[type=submit]")
        self.page.wait_for_url("**/admin/")


@pytest.fixture
def browser(live_server, monkeypatch):
    if not CHROMIUM.exists():
        pytest.skip(f"needs Debian's Chromium at {CHROMIUM} (apt-get install chromium)")
    sync_api = pytest.importorskip("playwright.sync_api", reason="needs playwright (pip install -r requirements.txt)")
    # Playwright's sync API keeps an event loop running in this thread; the test's own database
    # work is still synchronous, so let Django run it.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=QUIET_CHROMIUM)
        page = chromium.new_page()
        yield Browser(page, live_server.url)
        chromium.close()
        # Database work done while Playwright ran has connections of its own: close them, or
        # PostgreSQL refuses to drop the test database at the end ("accessed by other users").
        connections.close_all()


def test_admin_import_previews_and_confirms_under_the_policy(browser, superuser):
    make_company(name="Xiaomi", summary="Phones.", entry_mode="own_cars")
    page = browser.page
    browser.log_in(superuser.username)

    browser.open(reverse("admin:companies_company_import"))
    page.set_input_files(
        "#id_import_file", files=[{"name": "companies.csv", "mimeType": "text/csv", "buffer": CSV.encode()}]
    )
    page.select_option("#id_format", label="csv")
    page.click("input[type=submit]")

    # The upload queues a preview job; its page polls the status (static/dataio/job_progress.js)
    # and reloads itself once the job is done. The worker's part is played here.
    page.locator("#job-progress").wait_for()
    run_jobs()
    preview = page.locator("table.import-preview")
    preview.wait_for()
    assert "Example Motors" in preview.inner_text()
    assert page.locator("table.import-preview ins").count() >= 1  # inserted text, with its inline style
    assert page.locator("table.import-preview del").count() >= 1  # "Phones." replaced

    page.click("input[name=confirm]")
    page.locator("#job-progress").wait_for()
    run_jobs()
    page.get_by_text("Import finished").wait_for()
    assert "Import finished: 1 new, 1 updated, 0 deleted and 0 skipped companies." in page.content()
    assert browser.csp_violations == [], "\n".join(browser.csp_violations)
    assert browser.script_errors == [], "\n".join(browser.script_errors)


def test_export_select_all_toggle_works_under_the_policy(browser, superuser):
    make_company(name="Xiaomi")
    page = browser.page
    browser.log_in(superuser.username)

    browser.open(reverse("admin:companies_company_export"))
    fields = page.locator(".selectable-field-export-row input[type=checkbox]:visible")
    assert fields.count() > 1 and all(box.is_checked() for box in fields.all())
    page.click("input.select-toggle")  # its inline onchange handler is allowed by hash

    assert not any(box.is_checked() for box in fields.all())
    assert browser.csp_violations == [], "\n".join(browser.csp_violations)
    assert browser.script_errors == [], "\n".join(browser.script_errors)


def admin_pages(model_admin, request) -> list[str]:
    """The changelist, add, change, history, import and export pages this user may open."""
    model = model_admin.model
    info = f"admin:{model._meta.app_label}_{model._meta.model_name}"
    obj = model._default_manager.first()
    candidates = [("changelist", ()), ("import", ()), ("export", ())]
    if model_admin.has_add_permission(request):
        candidates.append(("add", ()))
    if obj is not None:
        candidates += [("change", (obj.pk,)), ("history", (obj.pk,))]
    pages = []
    for name, args in candidates:
        try:
            pages.append(reverse(f"{info}_{name}", args=args))
        except NoReverseMatch:  # no import or export for this model
            continue
    return pages


def test_every_admin_page_opens_without_a_violation(browser, superuser, seeded, rf):
    browser.log_in(superuser.username)
    request = rf.get("/")
    request.user = superuser
    failed = []

    for model_admin in admin.site._registry.values():
        for path in admin_pages(model_admin, request):
            response = browser.open(path)
            if response.status != 200:
                failed.append(f"{path}: HTTP {response.status}")

    assert failed == []
    assert browser.csp_violations == [], "\n".join(browser.csp_violations)
    assert browser.script_errors == [], "\n".join(browser.script_errors)


def test_a_violation_on_a_public_page_is_seen(browser):
    """The listener is not blind: an inline style injected into a public page is refused and reported."""
    browser.open(reverse("home"))

    browser.page.evaluate("document.body.insertAdjacentHTML('beforeend', '<p style=\"color: red\">x</p>')")
    browser.page.wait_for_timeout(200)

    assert len(browser.csp_violations) == 1
    assert "style-src-attr" in browser.csp_violations[0] or "style-src" in browser.csp_violations[0]
