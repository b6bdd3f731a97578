"""The plain public pages: published records only, their evidence, and a fixed number of queries."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from companies.models import Company, Deal, Participation
from sources.models import Source
from tests.conftest import DRAFT, grow_dataset, make_company, make_deal, make_excerpt, make_source

pytestmark = pytest.mark.django_db

TEXT = (
    "Chinese smartphone brand Xiaomi said it would set up an EV subsidiary. "
    "It will invest $10 billion over the next decade.\n\nMost Read: an unrelated story."
)


@pytest.fixture
def world():
    """A published company and deal backed by a published source, plus drafts that must stay hidden."""
    xiaomi = make_company(name="Xiaomi", headquarters="Beijing, China", entry_mode="own_cars")
    hidden_partner = make_company(name="Secret Partner", state=DRAFT)
    make_company(name="Draft Motors", state=DRAFT)
    source = make_source(text=TEXT, slug="scmp", title="Xiaomi story", publisher="South China Morning Post")
    source.noise_spans.create(
        label="Most Read list", text="Most Read: an unrelated story.", start=TEXT.index("Most"), end=len(TEXT)
    )
    draft_source = make_source(
        text="Xiaomi will build cars in secret.", slug="draft-source", title="Draft source", state=DRAFT
    )
    deal = make_deal(
        title="Xiaomi sets up an EV subsidiary",
        slug="xiaomi-ev-subsidiary",
        date=datetime.date(2021, 3, 1),
        date_precision="month",
        amount=Decimal("10000000000"),
        currency="USD",
        amount_note="over the next decade",
        parties=[(xiaomi, Participation.Role.PARENT), (hidden_partner, Participation.Role.PARTNER)],
    )
    make_deal(title="Draft deal", slug="draft-deal", state=DRAFT, parties=[(xiaomi, Participation.Role.PARTNER)])
    make_excerpt(
        source=source,
        quote="Xiaomi said it would set up an EV subsidiary.",
        companies=[xiaomi],
        deals=[deal],
        slug="e1",
    )
    make_excerpt(
        source=draft_source, quote="Xiaomi will build cars in secret.", companies=[xiaomi], deals=[deal], slug="e2"
    )
    return {"xiaomi": xiaomi, "deal": deal, "source": source}


def test_home_lists_published_records_and_hides_drafts(client, world):
    response = client.get(reverse("home"))
    assert response.status_code == 200
    assert "Xiaomi sets up an EV subsidiary" in response.text
    assert 'href="/companies/xiaomi/"' in response.text
    for hidden in ("Draft deal", "Draft Motors", "Secret Partner"):
        assert hidden not in response.text


@pytest.mark.parametrize(
    "url",
    [
        "/companies/draft-motors/",
        "/companies/secret-partner/",
        "/deals/draft-deal/",
        "/sources/draft-source/",
        "/companies/no-such-company/",
    ],
)
def test_unpublished_or_unknown_records_are_404(client, world, url):
    assert client.get(url).status_code == 404


def test_deal_page_shows_facts_parties_and_published_evidence(client, world):
    response = client.get(world["deal"].get_absolute_url())
    text = response.text
    assert '<time datetime="2021-03">Mar 2021</time>' in text
    assert "USD 10,000,000,000 (over the next decade)" in text
    assert '<a href="/companies/xiaomi/">Xiaomi</a>' in text
    assert "Secret Partner" in text and 'href="/companies/secret-partner/"' not in text  # named, not linked
    assert "Xiaomi said it would set up an EV subsidiary." in text
    assert f'href="/sources/scmp/#excerpt-{world["deal"].excerpts.get(slug="e1").pk}"' in text
    assert "Xiaomi will build cars in secret." not in text  # its source is a draft


def test_company_page_shows_its_published_deals_and_evidence(client, world):
    text = client.get(world["xiaomi"].get_absolute_url()).text
    assert "Beijing, China" in text
    assert "Builds its own cars" in text
    assert "Xiaomi sets up an EV subsidiary" in text
    assert "Draft deal" not in text
    assert "Xiaomi will build cars in secret." not in text


def test_source_page_highlights_excerpts_and_folds_noise(client, world):
    excerpt = world["deal"].excerpts.get(slug="e1")
    text = client.get(world["source"].get_absolute_url()).text
    assert f'<mark id="excerpt-{excerpt.pk}">Xiaomi said it would set up an EV subsidiary.</mark>' in text
    assert '<details class="noise"><summary>Page noise folded away: Most Read list</summary>' in text
    assert "Most Read: an unrelated story." in text.split("<details")[1]


# Query counts: each page is measured on the small world and again after growing it by many
# deals, partners and excerpts; the count must not move.

HOME_QUERIES = 2  # published companies; published deals
COMPANY_QUERIES = 4  # company + parent; aliases; participations in published deals + deal; excerpts + source
DEAL_QUERIES = 3  # deal + venture; participations + company; excerpts from published sources + source
SOURCE_QUERIES = 5  # source + story; noise spans; excerpts; their published companies; their published deals


@pytest.mark.parametrize("grow", [0, 60], ids=["small", "grown"])
def test_query_counts_do_not_grow_with_data(client, world, grow, django_assert_num_queries):
    if grow:
        grow_dataset(size=grow, company=world["xiaomi"], deal=world["deal"], source=world["source"])
    pages = [
        (reverse("home"), HOME_QUERIES),
        (world["xiaomi"].get_absolute_url(), COMPANY_QUERIES),
        (world["deal"].get_absolute_url(), DEAL_QUERIES),
        (world["source"].get_absolute_url(), SOURCE_QUERIES),
    ]
    for url, expected in pages:
        with django_assert_num_queries(expected):
            assert client.get(url).status_code == 200


def test_seeded_pages_render(client, seeded):
    """Every published record of the shipped dataset has a working page."""
    for model in (Company, Deal, Source):
        for record in model.objects.published():
            response = client.get(record.get_absolute_url())
            assert response.status_code == 200, record
