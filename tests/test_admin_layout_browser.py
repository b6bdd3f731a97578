"""The editors' admin fits a 1,280 × 800 window (static/core/admin.css): the lists' state, stance and
claim columns are on screen without scrolling sideways, and the deal and source forms are no wider
than the window. Drives Debian's Chromium through Playwright against the live test server."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from companies.models import Participation
from tests.conftest import make_company, make_deal, make_excerpt, make_source
from tests.test_admin_csp_browser import browser  # noqa: F401 (the fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTH, HEIGHT = 1280, 800
# Long values, as the seeds have them: a headline, a publisher, a story, a claim.
TITLE = "Xiaomi talks electric vehicles with state-owned carmaker FAW Group as it pursues smart car ambitions"
TEXT = (
    "Xiaomi, the Chinese smartphone maker, is in talks with FAW Group about building electric cars together, "
    "people familiar with the matter said. Xiaomi will invest USD 10 billion over the next decade."
)


@pytest.fixture
def records():
    xiaomi = make_company(name="Xiaomi", headquarters="Beijing, China")
    faw = make_company(name="FAW Group", kind="automaker", headquarters="Changchun, Jilin, China")
    deal = make_deal(
        title="Xiaomi holds talks with FAW Group on electric cars in a long headline",
        date=datetime.date(2021, 3, 1), date_precision="month", amount=Decimal("10000000000"), currency="USD",
        amount_note="over the next decade",
        parties=[(xiaomi, Participation.Role.PARTNER), (faw, Participation.Role.PARTNER)],
    )  # fmt: skip
    source = make_source(
        text=TEXT, slug="xiaomi-faw", title=TITLE, publisher="South China Morning Post", author="A Reporter",
        url="https://example.org/news/2021/03/xiaomi-talks-electric-vehicles-with-state-owned-carmaker-faw",
        published_date=datetime.date(2021, 3, 1), published_date_precision="month", date_basis="stated",
        seed_file="001_e818340580871307.txt",
    )  # fmt: skip
    for quote, claim in (
        ("is in talks with FAW Group about building electric cars together", "the talks; who takes part in them"),
        ("Xiaomi will invest USD 10 billion over the next decade.", "the amount and over how long it is spent"),
    ):
        make_excerpt(source=source, quote=quote, claim=claim, companies=[xiaomi, faw], deals=[deal])
    return {"deal": deal, "source": source}


def within_viewport(page, selector: str) -> list[str]:
    """The cells of `selector` whose right edge lies beyond the window (none, when it fits)."""
    return page.eval_on_selector_all(
        selector,
        f"cells => cells.filter(cell => cell.getBoundingClientRect().right > {WIDTH})"
        ".map(cell => cell.className + ': ' + Math.round(cell.getBoundingClientRect().right))",
    )


def page_width(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth")


def test_admin_lists_and_forms_fit_1280_pixels(browser, superuser, records):  # noqa: F811
    page = browser.page
    page.set_viewport_size({"width": WIDTH, "height": HEIGHT})
    browser.log_in(superuser.username)

    browser.open(reverse("admin:sources_source_changelist"))
    assert page.locator("#result_list th").nth(1).inner_text().strip().lower() == "state"  # first after the box
    assert page.locator("#result_list td.field-state").count() == 1
    assert within_viewport(page, "#result_list th, #result_list td") == []
    assert page_width(page) <= WIDTH

    browser.open(reverse("admin:sources_excerpt_changelist"))
    assert page.locator("#result_list td.field-stance").count() == 2
    assert page.locator("#result_list td.field-claim").count() == 2
    assert within_viewport(page, "#result_list td.field-stance, #result_list td.field-claim") == []
    assert within_viewport(page, "#result_list th, #result_list td") == []

    browser.open(reverse("admin:companies_deal_changelist"))
    assert within_viewport(page, "#result_list th, #result_list td") == []

    for url in (
        reverse("admin:companies_deal_change", args=[records["deal"].pk]),
        reverse("admin:sources_source_change", args=[records["source"].pk]),
        reverse("admin:sources_source_add"),
    ):
        browser.open(url)
        assert page_width(page) <= WIDTH, url
        assert within_viewport(page, "#content input, #content select, #content textarea, #content .select2") == []
    assert browser.script_errors == [], "\n".join(browser.script_errors)
