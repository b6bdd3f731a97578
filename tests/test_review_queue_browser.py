"""A reviewer's day in a real browser: the review queue publishes a new fact in one action, and a
draft's preview is seen by staff only (Chromium through Playwright, as tests/test_admin_csp_browser.py)."""

import pytest
from django.urls import reverse

from core.editorial import EditorialState
from tests.conftest import make_company
from tests.test_admin_csp_browser import browser  # noqa: F401  (the fixture)
from tests.test_review_queue import new_fact

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_reviewer_publishes_a_deal_with_what_it_depends_on_from_the_queue(browser, reviewer):  # noqa: F811
    deal = new_fact()
    page = browser.page
    browser.log_in(reviewer.username)  # a reviewer, not a superuser
    page.click("text=Review queue")  # the admin index's link
    page.wait_for_url("**/admin/review/")
    assert "the source “Kestrel story 0” is still in review." in page.content()
    page.click("input[value='Publish this deal with what it depends on']")
    page.get_by_text("Published: source “Kestrel story 0”").wait_for()
    assert "Nothing is in review." in page.content()

    browser.open(deal.get_absolute_url())
    text = page.inner_text("main")
    assert "Kestrel venture 0" in text and "Kestrel Dynamics 0" in text and "Preview" not in text
    assert browser.csp_violations == [], "\n".join(browser.csp_violations)


def test_a_draft_preview_is_seen_by_staff_with_the_banner_and_404_for_anyone_else(browser, editor):  # noqa: F811
    draft = make_company(name="Draft Motors", state=EditorialState.DRAFT)
    address = reverse("preview:company", kwargs={"slug": draft.slug})
    assert browser.open(address).status == 404  # not logged in

    browser.log_in(editor.username)
    browser.open(reverse("admin:companies_company_change", args=[draft.pk]))
    preview = browser.page
    preview.click("text=View on site")
    preview.wait_for_url(f"**{address}")
    assert preview.url.endswith(address)
    assert "Preview — not published." in preview.inner_text("main")
    assert "Draft Motors" in preview.inner_text("main")
    assert browser.csp_violations == [], "\n".join(browser.csp_violations)
