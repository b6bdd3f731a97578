"""Certainty at a glance (issue 14): every list row says how many excerpts back its record, from how
many independent sources (versions of one story count once), and whether any excerpt disagrees; the
home page's money is split by status and currency, never summed across either."""

import datetime
import re
from decimal import Decimal

import pytest
from django.urls import reverse

from companies.models import Deal, Participation
from sources.models import Excerpt, Story
from tests.conftest import DRAFT, make_company, make_deal, make_excerpt, make_source
from tests.page_text import section, text_of

pytestmark = pytest.mark.django_db

ORIGINAL = "Xiaomi will build cars. It will invest USD 10 billion."
REWRITE = "Xiaomi is to build cars, investing USD 10 billion."
OTHER = "Xiaomi will invest far less than USD 10 billion."


@pytest.fixture
def backed():
    """Xiaomi's subsidiary backed by an original, its rewrite (one story) and a source of its own
    that disagrees; a draft source's excerpt that must not be counted."""
    xiaomi = make_company(name="Xiaomi", entry_mode="own_cars")
    deal = make_deal(
        title="Xiaomi sets up an EV subsidiary",
        slug="xiaomi-ev",
        date=datetime.date(2021, 3, 30),
        date_precision="day",
        parties=[(xiaomi, Participation.Role.PARENT)],
    )
    story = Story.objects.create(slug="xiaomi-cars", title="Xiaomi will build cars")
    original = make_source(slug="original", title="Original", text=ORIGINAL, story=story)
    rewrite = make_source(slug="rewrite", title="Rewrite", text=REWRITE, story=story, story_relation="rewrite")
    other = make_source(slug="other", title="Other", text=OTHER)
    draft = make_source(slug="draft", title="Draft", text=ORIGINAL, state=DRAFT)
    for source, quote in ((original, "Xiaomi will build cars."), (original, "It will invest USD 10 billion.")):
        make_excerpt(source=source, quote=quote, deals=[deal], companies=[xiaomi])
    make_excerpt(source=rewrite, quote=REWRITE, deals=[deal], companies=[xiaomi])
    make_excerpt(source=draft, quote="Xiaomi will build cars.", deals=[deal], companies=[xiaomi])
    make_excerpt(source=other, quote=OTHER, deals=[deal], stance=Excerpt.Stance.CONTRADICTS, note="Less money")
    return deal


def row_of(html: str, href: str) -> str:
    match = re.search(rf'<tr role="row">\s*<th role="rowheader" scope="row"><a href="{href}".*?</tr>', html, re.S)
    assert match, f"no row for {href}"
    return text_of(match.group())


def test_deal_row_counts_excerpts_and_independent_sources_and_marks_disagreement(client, backed):
    row = row_of(client.get(reverse("companies:deal_list")).text, "/deals/xiaomi-ev/")
    # Four visible excerpts (the draft source's is not); original and rewrite are one story: 2 sources.
    assert row.endswith("4 excerpts · 2 independent sources · 1 excerpt disagrees")


def test_company_row_counts_its_own_excerpts(client, backed):
    row = row_of(client.get(reverse("companies:company_list")).text, "/companies/xiaomi/")
    # The contradicting excerpt backs the deal only: Xiaomi's three come from one story.
    assert row.endswith("3 excerpts · 1 independent source")
    assert "disagree" not in row


def test_a_record_with_no_excerpt_says_so(client, backed):
    make_company(name="Unbacked Motors", kind="automaker")
    assert row_of(client.get(reverse("companies:company_list")).text, "/companies/unbacked-motors/").endswith(
        "No excerpt yet"
    )


def test_source_rows_count_story_versions_once_and_mark_disagreement(client, backed):
    html = client.get(reverse("sources:source_list")).text
    assert "· 2 versions, counted as one source" in row_of(html, "/sources/rewrite/")
    assert row_of(html, "/sources/other/").endswith("A story of its own 1 (1 disagrees)")
    assert "Draft" not in html


def test_home_latest_deals_show_their_evidence(client, backed):
    latest = text_of(section(client.get(reverse("home")).text, "latest-heading"))
    assert "Evidence: 4 excerpts · 2 independent sources · 1 excerpt disagrees" in latest


def test_home_tech_table_shows_each_companys_evidence(client, backed):
    tech = section(client.get(reverse("home")).text, "tech-heading")
    assert row_of(tech, "/companies/xiaomi/").endswith("3 excerpts · 1 independent source")


def test_list_query_counts_do_not_grow_with_certainty(client, backed, django_assert_num_queries):
    # The counts are subqueries of the list's one query (tests/test_query_counts.py pins them at scale).
    with django_assert_num_queries(3):  # deals counted; one page of them with their certainty; parties
        client.get(reverse("companies:deal_list"))


# -- money split by status and currency --


@pytest.fixture
def money():
    company = make_company(name="Xiaomi")
    parties = [(company, Participation.Role.PARENT)]
    amounts = [
        ("Round A", Deal.Status.COMPLETED, "600000000", "USD"),
        ("Round B", Deal.Status.COMPLETED, "500000000", "USD"),
        ("Ten-year plan", Deal.Status.ANNOUNCED, "10000000000", "USD"),
        ("Yuan round", Deal.Status.COMPLETED, "2000000000", "CNY"),
        ("Rumoured stake", Deal.Status.RUMOURED, "300000000", "USD"),
        ("Undisclosed", Deal.Status.COMPLETED, None, ""),
    ]
    for title, status, amount, currency in amounts:
        make_deal(
            title=title,
            kind=Deal.Kind.INVESTMENT,
            status=status,
            amount=Decimal(amount) if amount else None,
            currency=currency,
            parties=parties,
        )


def test_home_money_is_split_by_status_and_currency(client, money):
    html = client.get(reverse("home")).text
    numbers = section(html, "numbers-heading")
    lines = [text_of(line) for line in re.findall(r'<span class="money-total">.*?</span></span>', numbers, re.S)]
    assert lines == [
        "CNY 2 billion completed in 1 deal",
        "USD 1.1 billion completed in 2 deals",
        "USD 10 billion announced in 1 deal",
        "USD 300 million rumoured in 1 deal",
    ]
    assert "11.1 billion" not in html and "11.4 billion" not in html  # no sum across statuses
    assert re.search(r'<data value="1100000000(\.00)?">USD 1\.1 billion</data>', numbers)  # the exact sum
    assert "Deals 6" in text_of(numbers)  # every deal, with or without an amount
    assert "per status and per currency" in text_of(numbers)
