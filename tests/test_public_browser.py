"""The public site in a real browser: Debian's Chromium driven by Playwright against the live test
server, on the seeded data.

A reader's journey and the filter run with JavaScript switched off, since the site must work
without it; the accessibility check (axe-core) and the phone-width check need it to measure the
page. Every page is also watched for Content-Security-Policy violations. Screenshots of each page
type at desktop and phone widths are saved to test-artifacts/screenshots/.
"""

import csv
import re
from pathlib import Path

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CHROMIUM = Path("/usr/lib/chromium/chromium")
QUIET_CHROMIUM = ["--disable-background-networking", "--disable-component-update", "--no-first-run"]
SCREENSHOTS = Path(__file__).resolve().parent.parent / "test-artifacts" / "screenshots"
PHONE = {"width": 375, "height": 812}
DESKTOP = {"width": 1280, "height": 900}

# One page of every type, on records of the seed data that are there to stay.
PAGE_TYPES = {
    "home": "/",
    "company-list": "/companies/",
    "company": "/companies/xiaomi/",
    "deal-list": "/deals/",
    "deal-list-bad-filter": "/deals/?year=soon&page=9999",
    "deal": "/deals/xiaomi-ev-subsidiary/",
    "source-list": "/sources/",
    "source": "/sources/protocol-every-chinese-tech-company-wants-to-make-evs/",
    "data": "/data/",
    "not-found": "/companies/no-such-company/",
}


@pytest.fixture(scope="module")
def chromium():
    if not CHROMIUM.exists():
        pytest.skip(f"needs Debian's Chromium at {CHROMIUM} (apt-get install chromium)")
    sync_api = pytest.importorskip("playwright.sync_api", reason="needs playwright (pip install -r requirements.txt)")
    # Playwright's sync API keeps an event loop running in this thread for as long as the browser
    # is open; the tests' database work is still synchronous, so let Django run it.
    environment = pytest.MonkeyPatch()
    environment.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=QUIET_CHROMIUM)
        yield browser
        browser.close()
    environment.undo()


class Reader:
    """A browser tab on the live server that records CSP violations and script errors."""

    def __init__(self, browser, base_url: str, **context_options):
        self.context = browser.new_context(**context_options)
        self.page = self.context.new_page()
        self.base_url = base_url
        self.problems: list[str] = []
        self.page.on("console", self._on_console)
        self.page.on("pageerror", lambda error: self.problems.append(f"{self.page.url}: {error}"))

    def _on_console(self, message) -> None:
        if message.type == "error" and "404" not in message.text:
            self.problems.append(f"{self.page.url}: {message.text}")

    def open(self, path: str):
        return self.page.goto(self.base_url + path)

    def path(self) -> str:
        return self.page.url.removeprefix(self.base_url)


@pytest.fixture
def site(live_server, seeded) -> str:
    return live_server.url


@pytest.fixture
def reader_without_js(chromium, site):
    reader = Reader(chromium, site, java_script_enabled=False, viewport=DESKTOP, accept_downloads=True)
    yield reader
    reader.context.close()
    assert not reader.problems


@pytest.fixture
def reader(chromium, site):
    reader = Reader(chromium, site, viewport=DESKTOP)
    yield reader
    reader.context.close()
    assert not reader.problems


def test_reader_follows_a_company_a_deal_and_an_excerpt_to_its_highlighted_place(reader_without_js):
    page = reader_without_js.page
    reader_without_js.open("/")
    assert page.locator("h1").inner_text() == "Who is entering the EV market, how, and how we know"

    page.locator("#tech-heading ~ .table-scroll").get_by_role("link", name="Xiaomi", exact=True).click()
    assert reader_without_js.path() == "/companies/xiaomi/"
    assert page.locator("h1").inner_text() == "Xiaomi"

    page.locator(".timeline").get_by_role("link", name="Xiaomi sets up an EV subsidiary").click()
    assert reader_without_js.path() == "/deals/xiaomi-ev-subsidiary/"
    assert page.get_by_role("heading", name="Parties and their roles").is_visible()

    source_link = page.locator(".excerpt figcaption a").first
    quote = page.locator(".excerpt blockquote").first.inner_text()
    target = source_link.get_attribute("href")
    source_link.click()
    assert re.fullmatch(r"/sources/[\w-]+/#excerpt-\d+", reader_without_js.path())
    mark = page.locator("mark:target")
    assert mark.count() == 1 and mark.get_attribute("id") == target.split("#")[1]
    assert mark.is_visible() and mark.evaluate("el => getComputedStyle(el).outlineStyle") == "solid"
    box = mark.bounding_box()
    assert -1 < box["y"] < DESKTOP["height"]  # scrolled into view (sub-pixel rounding can put it at -0.2)
    highlighted = " ".join(page.locator(".source-text mark").all_inner_texts())
    assert quote[:40] in " ".join(highlighted.split())


def test_reader_filters_the_deals(reader_without_js):
    page = reader_without_js.page
    reader_without_js.open("/deals/")
    page.get_by_label("Kind").select_option(label="Funding round")
    page.get_by_label("Company").fill("Xiaomi Ventures")
    page.get_by_role("button", name="Show results").click()
    assert "kind=funding_round" in page.url and "company=Xiaomi+Ventures" in page.url
    titles = page.locator("table.records tbody th a").all_inner_texts()
    assert "Xiaomi Ventures leads Hesai's series D round" in titles
    kinds = page.locator('table.records tbody td[data-label="Kind"]').all_inner_texts()
    assert kinds and all(kind.startswith("Funding round") for kind in kinds)

    # The form's number field refuses "soon"; an edited address still gets a clear answer.
    reader_without_js.open("/deals/?kind=funding_round&year=soon")
    assert page.get_by_role("alert").inner_text().startswith("No results: the filter has a problem.")
    assert page.locator("table.records").count() == 0


def test_reader_downloads_the_deals_as_csv_and_reads_it(reader_without_js, tmp_path):
    page = reader_without_js.page
    reader_without_js.open("/data/")
    with page.expect_download() as download:
        page.locator("nav").get_by_role("link", name="deals.csv").click()
    path = tmp_path / "deals.csv"
    download.value.save_as(path)
    assert download.value.suggested_filename == "deals.csv"
    with path.open(encoding="utf-8-sig", newline="") as file:  # after the byte order mark
        rows = {row["slug"]: row for row in csv.DictReader(file)}
    deal = rows["xiaomi-ev-subsidiary"]
    assert deal["page_url"] == f"{reader_without_js.base_url}/deals/xiaomi-ev-subsidiary/"
    assert re.fullmatch(r"\d{4}(-\d{2}(-\d{2})?)?", deal["date"])
    assert "xiaomi:" in deal["parties"] and int(deal["excerpts"]) >= 1
    assert rows["360-leads-hozon-auto-series-d"]["kind"] == "funding_round"


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_every_page_type_passes_the_accessibility_check(chromium, site, viewport):
    axe = pytest.importorskip("axe_playwright_python.sync_playwright", reason="needs axe-playwright-python").Axe()
    reader = Reader(chromium, site, viewport=viewport)
    found = []
    for name, path in PAGE_TYPES.items():
        reader.open(path)
        for violation in axe.run(reader.page).response["violations"]:
            if violation["impact"] in ("serious", "critical"):
                targets = [node["target"] for node in violation["nodes"][:3]]
                found.append(f"{name}: {violation['id']} ({violation['impact']}) {violation['help']} at {targets}")
    reader.context.close()
    assert not found, "\n".join(found)
    assert not reader.problems


def test_the_accessibility_check_does_find_problems(chromium, site):
    """The check above passes because the pages are right, not because axe never ran."""
    axe = pytest.importorskip("axe_playwright_python.sync_playwright", reason="needs axe-playwright-python").Axe()
    reader = Reader(chromium, site)
    reader.page.set_content('<html><body><img src="chart.png"><a href="/"></a></body></html>')
    found = {violation["id"] for violation in axe.run(reader.page).response["violations"]}
    reader.context.close()
    assert {"image-alt", "link-name", "html-has-lang"} <= found


def test_every_page_type_fits_a_phone_screen(chromium, site):
    phone = Reader(chromium, site, viewport=PHONE, is_mobile=True, has_touch=True)
    desktop = Reader(chromium, site, viewport=DESKTOP)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    too_wide = []
    for name, path in PAGE_TYPES.items():
        phone.open(path)
        width = phone.page.evaluate("document.documentElement.scrollWidth")
        if width > PHONE["width"]:
            too_wide.append(f"{name}: {width}px")
        phone.page.screenshot(path=SCREENSHOTS / f"{name}-phone.png", full_page=True)
        desktop.open(path)
        desktop.page.screenshot(path=SCREENSHOTS / f"{name}-desktop.png", full_page=True)
    for reader in (phone, desktop):
        reader.context.close()
        assert not reader.problems
    assert not too_wide, f"pages wider than the phone: {too_wide}"


def test_keyboard_reaches_the_skip_link_navigation_and_every_filter(reader):
    page = reader.page
    reader.open("/deals/")
    focused = []
    for _ in range(25):
        page.keyboard.press("Tab")
        focused.append(page.evaluate("document.activeElement.id || document.activeElement.textContent.trim()"))
    assert focused[0] == "Skip to content"
    assert focused[1:6] == ["EV Entry Tracker", "Companies", "Deals", "Sources", "Data"]
    for field in ("id_q", "id_kind", "id_status", "id_year", "id_company", "id_amount_min", "id_ordering"):
        assert field in focused
    assert "Show results" in focused
    reader.open("/")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent.trim()") == "Skip to content"
    page.keyboard.press("Enter")
    # Following the link is a same-page navigation the browser finishes after the key press.
    page.wait_for_function("location.hash === '#main'", timeout=5000)
    assert page.evaluate("document.querySelector(location.hash).tagName") == "MAIN"
