"""A reviewer (not a superuser) merges a duplicate company in a real browser: the evidence moves to
the kept company and the duplicate's old address answers 301 to the kept one's page.

Clicks, after logging in: tick the two companies (2), choose "Merge selected companies…" (1), Go
(1), then "Merge into …" on the page that shows what moves (1): 5. Before, a merge was impossible.
"""

import pytest
from django.urls import reverse

from companies.models import Company, Participation
from tests.conftest import make_company, make_deal, make_excerpt, make_source, make_staff
from tests.test_admin_csp_browser import browser  # noqa: F401 (the Chromium fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_reviewer_merges_two_companies_in_the_browser(browser, live_server):  # noqa: F811
    make_staff(username="rita", group="Reviewers")
    keep = make_company(name="Kestrel Dynamics", kind=Company.Kind.EV_STARTUP)
    hasty = make_company(name="kestrel dynamics", slug="kestrel-2", kind=Company.Kind.EV_STARTUP)
    deal = make_deal(title="Kestrel raises a round", slug="kestrel-round", parties=[(hasty, "funded")])
    excerpt = make_excerpt(source=make_source(text="Kestrel raised money."), quote="Kestrel raised", companies=[hasty])
    page = browser.page
    browser.log_in("rita")

    browser.open(reverse("admin:companies_company_changelist"))
    for company in (keep, hasty):
        page.check(f"input[name=_selected_action][value='{company.pk}']")
    page.select_option("select[name=action]", "merge_selected")
    page.click("button[name=index]")
    page.wait_for_selector("text=what moves")
    assert page.is_visible("text=Excerpt link moves")
    page.click("input[name=confirm_merge]")
    page.wait_for_selector("text=Merged “kestrel dynamics” into “Kestrel Dynamics”")

    assert list(excerpt.companies.values_list("slug", flat=True)) == ["kestrel-dynamics"]
    assert list(Participation.objects.filter(deal=deal).values_list("company__slug", flat=True)) == ["kestrel-dynamics"]
    assert not Company.objects.filter(slug="kestrel-2").exists()
    answers = []
    page.on("response", lambda response: answers.append((response.status, response.url)))
    browser.open("/companies/kestrel-2/")
    # Only the page's own answers: an image of the admin page before may still arrive late.
    old_page = [status for status, url in answers if url == live_server.url + "/companies/kestrel-2/"]
    assert old_page == [301]
    assert page.url == live_server.url + "/companies/kestrel-dynamics/"
    assert browser.csp_violations == [] and browser.script_errors == []
