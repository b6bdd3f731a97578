"""Discovery: the Atom feed of new deals, the sitemap and robots.txt."""

import datetime
import xml.etree.ElementTree as ET
from decimal import Decimal

import pytest
from django.urls import reverse

from companies.models import Deal
from tests.conftest import DRAFT, make_company, make_deal, make_source

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


@pytest.fixture
def records():
    make_company(name="Xiaomi")
    make_company(name="Draft Motors", state=DRAFT)
    older = make_deal(title="Older deal", slug="older", date=datetime.date(2020, 12, 1), date_precision="month")
    Deal.objects.filter(pk=older.pk).update(created_at=datetime.datetime(2024, 1, 1, tzinfo=datetime.UTC))
    make_deal(
        title="Xiaomi sets up an EV subsidiary",
        slug="xiaomi-ev-subsidiary",
        summary="Xiaomi will build cars.",
        amount=Decimal("10000000000"),
        currency="USD",
    )
    make_deal(title="Draft deal", slug="draft-deal", state=DRAFT)
    make_source(slug="protocol", title="Protocol")
    make_source(slug="draft-source", title="Draft source", state=DRAFT)


def test_feed_lists_newly_published_deals_newest_first(client, records):
    response = client.get(reverse("companies:deal_feed"))
    assert response["Content-Type"].startswith("application/atom+xml")
    feed = ET.fromstring(response.content)  # noqa: S314 (the site's own response)
    assert feed.find(f"{ATOM}title").text == "EV Entry Tracker: new deals"
    entries = feed.findall(f"{ATOM}entry")
    assert [entry.find(f"{ATOM}title").text for entry in entries] == ["Xiaomi sets up an EV subsidiary", "Older deal"]
    first = entries[0]
    assert first.find(f"{ATOM}link").get("href") == "http://testserver/deals/xiaomi-ev-subsidiary/"
    assert first.find(f"{ATOM}summary").text == (
        "New subsidiary or unit · Announced · USD 10,000,000,000. Xiaomi will build cars."
    )
    assert entries[1].find(f"{ATOM}summary").text == "New subsidiary or unit · Announced · Dec 2020."


def test_every_page_links_to_the_feed(client, records):
    html = client.get(reverse("home")).text
    assert '<link rel="alternate" type="application/atom+xml" title="New deals (Atom)" href="/feeds/deals/">' in html


def locations(client, url: str) -> list[str]:
    root = ET.fromstring(client.get(url).content)  # noqa: S314 (the site's own response)
    return [loc.text for loc in root.iter(f"{SITEMAP}loc")]


def test_sitemap_indexes_a_section_per_kind_of_page(client, records):
    assert locations(client, reverse("sitemap")) == [
        "http://testserver/sitemap-pages.xml",
        "http://testserver/sitemap-companies.xml",
        "http://testserver/sitemap-deals.xml",
        "http://testserver/sitemap-sources.xml",
    ]


def test_sitemap_sections_list_published_pages_only(client, records):
    assert locations(client, "/sitemap-pages.xml") == [
        "http://testserver/",
        "http://testserver/companies/",
        "http://testserver/deals/",
        "http://testserver/sources/",
        "http://testserver/data/",
    ]
    assert locations(client, "/sitemap-companies.xml") == ["http://testserver/companies/xiaomi/"]
    assert sorted(locations(client, "/sitemap-deals.xml")) == [
        "http://testserver/deals/older/",
        "http://testserver/deals/xiaomi-ev-subsidiary/",
    ]
    assert locations(client, "/sitemap-sources.xml") == ["http://testserver/sources/protocol/"]
    assert "<lastmod>" in client.get("/sitemap-deals.xml").text


def test_sitemap_pages_beyond_the_last_are_404(client, records):
    assert client.get("/sitemap-deals.xml?p=99").status_code == 404
    assert client.get("/sitemap-deals.xml?p=abc").status_code == 404
    assert client.get("/sitemap-nothing.xml").status_code == 404


def test_robots_txt_points_at_the_sitemap_and_keeps_crawlers_out_of_the_admin(client, db):
    response = client.get("/robots.txt")
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert response.text.splitlines() == [
        "User-agent: *",
        "Disallow: /admin/",
        "Sitemap: http://testserver/sitemap.xml",
    ]
