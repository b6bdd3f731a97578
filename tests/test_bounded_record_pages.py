"""Record pages stay the same size however large the record: a company's page shows its first deals
and links to the deal list for all of them; a record's evidence quotes a bounded number of excerpts
and names the sources of the rest; a source's index of what each excerpt backs comes a page at a
time, while every excerpt stays highlighted in its text."""

import datetime
import re

import pytest

from companies.models import Participation
from public import company_views, source_selectors, source_views
from tests.conftest import make_company, make_deal, make_excerpt, make_source
from tests.page_text import section, text_of

pytestmark = pytest.mark.django_db

Role = Participation.Role


@pytest.fixture
def busy_company():
    """A company in five deals with five partners, two shared twice."""
    busy = make_company(name="Busy Co")
    partners = [make_company(name=f"Partner {i}", slug=f"partner-{i}") for i in range(4)]
    for i in range(5):
        make_deal(
            title=f"Busy deal {i}",
            slug=f"busy-deal-{i}",
            date=datetime.date(2020 + i, 1, 1),
            date_precision="day",
            parties=[(busy, Role.PARTNER), (partners[i % 4], Role.PARTNER)],
        )
    return busy


def test_a_company_in_more_deals_than_a_page_shows_its_first_and_links_to_all(client, busy_company, monkeypatch):
    monkeypatch.setattr(company_views, "DEALS_ON_COMPANY_PAGE", 3)
    html = client.get(busy_company.get_absolute_url()).text
    deals = section(html, "deals-heading")
    assert re.findall(r'<p class="what"><a [^>]+>([^<]+)</a>', deals) == ["Busy deal 0", "Busy deal 1", "Busy deal 2"]
    assert "The first 3 of 5 deals." in text_of(deals)
    link = re.search(r'href="(/deals/\?company=busy-co[^"]*)">All 5 of Busy Co', deals).group(1)
    listed = client.get(link.replace("&amp;", "&")).text
    assert "5 deals" in text_of(listed)
    assert all(f"Busy deal {i}" in listed for i in range(5))


def test_connections_count_every_shared_deal_even_beyond_the_deals_shown(client, busy_company, monkeypatch):
    monkeypatch.setattr(company_views, "DEALS_ON_COMPANY_PAGE", 3)
    connections = section(client.get(busy_company.get_absolute_url()).text, "connections-heading")
    items = [text_of(item) for item in re.findall(r"<li>.*?</li>", connections.split("</svg>")[1], re.S)]
    assert items == [
        "Partner 0 Tech company — Busy deal 0; and 1 more shared deal beyond the first 3 above",
        "Partner 1 Tech company — Busy deal 1",
        "Partner 2 Tech company — Busy deal 2",
        "Partner 3 Tech company — 1 shared deal beyond the first 3 above",
    ]
    assert "<title>Busy Co and Partner 0: 2 deals (Busy deal 0; and 1 more)</title>" in connections
    assert "<title>Busy Co and Partner 3: 1 deal</title>" in connections


def test_evidence_quotes_a_bounded_number_and_names_the_sources_of_the_rest(client, busy_company, monkeypatch):
    monkeypatch.setattr(source_selectors, "EXCERPTS_SHOWN", 2)
    source = make_source(slug="long-read", title="Long read", text="One. Two. Three. Four.")
    for quote in ("One.", "Two.", "Three.", "Four."):
        make_excerpt(source=source, quote=quote, companies=[busy_company], slug=f"quote-{quote[:-1].lower()}")
    evidence = section(client.get(busy_company.get_absolute_url()).text, "evidence-heading")
    assert "4 excerpts from 1 independent source." in text_of(evidence)
    assert evidence.count("<blockquote") == 2
    assert "2 more excerpts not quoted here" in text_of(evidence)
    assert '<a href="/sources/long-read/">Long read</a> (2)' in evidence


def test_the_excerpt_index_of_a_source_comes_a_page_at_a_time(client, busy_company, monkeypatch):
    monkeypatch.setattr(source_views, "EXCERPTS_PER_INDEX_PAGE", 2)
    source = make_source(slug="long-read", title="Long read", text="One. Two. Three.")
    excerpts = [
        make_excerpt(source=source, quote=q, companies=[busy_company], slug=f"quote-{q[:-1].lower()}")
        for q in ("One.", "Two.", "Three.")
    ]
    first = client.get(source.get_absolute_url()).text
    second = client.get(source.get_absolute_url() + "?page=2").text
    for html in (first, second):  # every excerpt highlighted and anchored on every page
        assert all(f'id="excerpt-{excerpt.pk}"' in html for excerpt in excerpts)
    first_index, second_index = section(first, "backs-heading"), section(second, "backs-heading")
    assert "“One.”" in first_index and "“Two.”" in first_index and "“Three.”" not in first_index
    assert "“Three.”" in second_index and "“One.”" not in second_index
    assert "these are 3 to 3 (page 2 of 2)" in text_of(second_index)


def test_excerpts_starting_at_one_point_each_get_an_anchor(client, busy_company):
    source = make_source(slug="same-start", title="Same start", text="Busy Co signs a deal today.")
    short = make_excerpt(source=source, quote="Busy Co signs", companies=[busy_company], slug="short")
    long = make_excerpt(source=source, quote="Busy Co signs a deal", companies=[busy_company], slug="long")
    html = client.get(source.get_absolute_url()).text
    assert f'id="excerpt-{short.pk}"' in html and f'id="excerpt-{long.pk}"' in html
