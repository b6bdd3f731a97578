"""The article assistant in a real browser, under the admin's Content-Security-Policy: from the
Source add page to created drafts, with the real analysis of an article written for this test."""

from pathlib import Path

import pytest
from django.urls import reverse

from companies.models import Company, Participation
from core.editorial import EditorialState
from sources.models import Source
from tests.conftest import make_company, make_deal
from tests.test_admin_csp_browser import PASSWORD, browser  # noqa: F401 -- the fixture

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Written for this test: a new article, one known company (Xiaomi), two new ones, one deal.
ARTICLE = (Path(__file__).parent / "data" / "ingest" / "northwind.txt").read_text(encoding="utf-8")


def test_an_editor_analyses_an_article_and_creates_drafts_under_the_policy(browser, editor):  # noqa: F811
    xiaomi = make_company(name="Xiaomi")
    make_deal(parties=[(xiaomi, Participation.Role.PARENT)])
    page = browser.page
    browser.log_in("editor")

    browser.open(reverse("admin:sources_source_add"))
    page.click("text=Analyse an article")
    page.wait_for_url(f"**{reverse('ingest_analyse')}")
    page.set_input_files(
        "#id_article_file",
        files=[{"name": "northwind.txt", "mimeType": "text/plain", "buffer": ARTICLE.encode()}],
    )
    page.click("input[value=Analyse]")

    page.locator("input[value='Create drafts']").wait_for()
    assert page.locator(".ingest-text mark.ingest-candidate").count() >= 1
    assert page.locator(".ingest-text mark.ingest-mention", has_text="Larkspur Capital").count() >= 1
    assert "A new story" in page.inner_text(".ingest-story")
    page.fill("#id_source_title", "Northwind's series A")
    page.fill("#id_source_publisher", "A test desk")
    page.click("input[value='Create drafts']")

    page.get_by_text("Created the source “Northwind's series A” (draft)").wait_for()
    source = Source.objects.get(title="Northwind's series A")
    assert source.text == ARTICLE
    assert source.editorial_state == EditorialState.DRAFT
    assert source.excerpts.filter(quote__contains="$80 million series A round").exists()
    deal = source.excerpts.get(quote__contains="$80 million").deals.get()
    assert deal.editorial_state == EditorialState.DRAFT and deal.currency == "USD"
    assert Company.objects.filter(name="Larkspur Capital", editorial_state=EditorialState.DRAFT).exists()
    assert source.history.earliest().history_user == editor
    assert browser.csp_violations == [], "\n".join(browser.csp_violations)
    assert browser.script_errors == [], "\n".join(browser.script_errors)
