"""The public site on a 375 px phone (Chromium via Playwright, as in tests/test_public_browser.py):
the filter form folds behind a "Filter" disclosure so the first result is on the first screen,
and the charts are readable without scrolling sideways."""

import pytest

from tests.test_public_browser import PHONE, SCREENSHOTS, Reader, chromium, site  # noqa: F401 (fixtures)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LISTS = {"/deals/": "deal", "/companies/": "company", "/sources/": "source"}
# Each label's size on screen: its font size times the factor the SVG is drawn at.
CHART_LABEL_SIZES = """() => [...document.querySelectorAll('svg.chart text')].map(text => {
    const svg = text.ownerSVGElement;
    const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
    return [text.textContent, parseFloat(getComputedStyle(text).fontSize) * scale];
})"""


@pytest.fixture
def phone(chromium, site):  # noqa: F811 (the fixture imported above)
    reader = Reader(chromium, site, viewport=PHONE, is_mobile=True, has_touch=True)
    yield reader
    reader.context.close()
    assert not reader.problems


@pytest.mark.parametrize("path", list(LISTS))
def test_the_first_result_is_on_the_first_screen_behind_a_closed_filter(phone, path):
    page = phone.page
    phone.open(path)
    disclosure = page.locator("details.filter-disclosure")
    assert disclosure.get_attribute("open") is None
    assert page.locator("details.filter-disclosure > summary").inner_text() == "Filter"
    assert not page.locator(".filters button").is_visible()
    first_row = page.locator("table.records tbody tr").first.bounding_box()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / f"{LISTS[path]}-list-first-screen-phone.png")  # the first 812 px
    assert first_row["y"] < PHONE["height"], f"first {LISTS[path]} starts at {first_row['y']}px"

    page.locator("details.filter-disclosure > summary").click()
    assert page.get_by_role("button", name="Show results").is_visible()


def test_the_filter_is_open_when_a_filter_is_active_or_wrong(phone):
    for path in ("/deals/?kind=funding_round", "/deals/?year=soon"):
        phone.open(path)
        assert phone.page.locator("details.filter-disclosure").get_attribute("open") == "", path
        assert phone.page.get_by_label("Kind").is_visible()
    phone.open("/deals/?page=1")
    assert phone.page.locator("details.filter-disclosure").get_attribute("open") is None


def test_the_home_page_does_not_scroll_sideways_and_its_chart_labels_are_readable(phone):
    page = phone.page
    phone.open("/")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    scroller = page.locator(".chart-scroll")
    assert scroller.evaluate("el => el.scrollWidth <= el.clientWidth + 1"), "the chart scrolls sideways"
    sizes = page.evaluate(CHART_LABEL_SIZES)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    scroller.screenshot(path=SCREENSHOTS / "home-chart-phone.png")
    assert sizes and all(size >= 12 for _, size in sizes), sizes


def test_the_relationship_diagram_labels_are_readable_on_a_phone(phone):
    phone.open("/companies/xiaomi/")
    sizes = phone.page.evaluate(CHART_LABEL_SIZES)
    assert sizes and all(size >= 12 for _, size in sizes), sizes
