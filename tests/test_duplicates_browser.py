"""An editor adding a company named like a stored one is warned, in a real browser (issue 15,
point 1): the warning links to the stored company, saving without the tick refuses, and ticking
"Create it anyway" creates it. Uses the Chromium fixture of tests/test_admin_csp_browser.py."""

import pytest
from django.urls import reverse

from companies.models import Company
from tests.conftest import make_company, make_staff
from tests.test_admin_csp_browser import browser  # noqa: F401 (the fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_editor_is_warned_about_a_duplicate_and_creates_it_only_when_ticked(browser):  # noqa: F811
    stored = make_company(name="Kestrel Dynamics", slug="kestrel-dynamics", kind="ev_startup", state="draft")
    editor = make_staff(username="editor", group="Editors")
    assert not editor.is_superuser
    page = browser.page
    browser.log_in(editor.username)

    browser.open(reverse("admin:companies_company_add"))
    assert page.locator("input[name=create_anyway][type=checkbox]").count() == 0  # nothing to confirm yet
    page.fill("#id_name", "kestrel dynamics")
    page.fill("#id_slug", "kestrel-dynamics-2")
    page.select_option("#id_kind", "ev_startup")
    page.click("input[name=_save]")

    warning = page.locator(".errornote, .errorlist.nonfield").filter(has_text="may already be in the tracker")
    warning.first.wait_for()
    link = page.locator(f'a[href="{reverse("admin:companies_company_change", args=[stored.pk])}"]')
    assert link.first.inner_text() == "Kestrel Dynamics"
    assert Company.objects.count() == 1

    page.click("input[name=_save]")  # again, without the tick: still refused
    page.locator(".errorlist.nonfield").first.wait_for()
    assert Company.objects.count() == 1

    page.check("input[name=create_anyway]")
    page.click("input[name=_save]")
    page.wait_for_url("**/admin/companies/company/")
    assert sorted(Company.objects.values_list("name", flat=True)) == ["Kestrel Dynamics", "kestrel dynamics"]
    assert browser.csp_violations == [], "\n".join(browser.csp_violations)
