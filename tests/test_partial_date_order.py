"""A date known only to its year or month sorts as the end of that period, never as its first day.

"2021" must not claim to come before 31 March 2021: oldest first it comes after every dated 2021
event, newest first before them, on every list, timeline, "first move" and download.
"""

import json
import re

import pytest
from django.urls import reverse

from companies.models import Deal
from core.partial_dates import date_sort_key, date_sort_key_expression, parse_partial_date
from sources.models import Source
from tests.conftest import make_deal, make_source
from tests.page_text import section, text_of

# In order, oldest first: each partial date after every date inside its period.
OLDEST_FIRST = [
    "2020",
    "2021-01-01",
    "2021-01-31",
    "2021-01",
    "2021-02-28",
    "2021-02",
    "2021-03-01",
    "2021-03-31",
    "2021-12-31",
    "2021-12",
    "2021",
    "2022-01-01",
]
# The same dates out of order (records are created, and sorted from, this order).
SHUFFLED = OLDEST_FIRST[1::2][::-1] + OLDEST_FIRST[::2]


def key_of(text: str) -> int:
    return date_sort_key(*parse_partial_date(text))


def test_python_key_puts_each_partial_date_at_the_end_of_its_period():
    assert sorted(SHUFFLED, key=key_of) == OLDEST_FIRST
    assert sorted(SHUFFLED, key=key_of, reverse=True) == OLDEST_FIRST[::-1]
    assert key_of("2021") > key_of("2021-12-31") > key_of("2021-03-31") > key_of("2021-01")
    assert date_sort_key(None, "") is None


@pytest.fixture
def dated_deals(db) -> list[str]:
    """One published deal per date of OLDEST_FIRST, created in shuffled order, plus an undated one."""
    for text in SHUFFLED:
        date, precision = parse_partial_date(text)
        make_deal(title=f"Deal of {text}", slug=f"deal-{text}", date=date, date_precision=precision)
    make_deal(title="An undated deal", slug="undated")
    return [f"Deal of {text}" for text in OLDEST_FIRST]


def test_database_key_equals_the_python_key(dated_deals):
    deals = Deal.objects.annotate(key=date_sort_key_expression("date"))
    assert {deal.slug: deal.key for deal in deals} == {
        deal.slug: date_sort_key(deal.date, deal.date_precision) for deal in deals
    }


def test_queryset_orders_both_ways_with_undated_last(dated_deals):
    oldest = [deal.title for deal in Deal.objects.ordered_oldest_first()]
    newest = [deal.title for deal in Deal.objects.ordered_newest_first()]
    assert oldest == [*dated_deals, "An undated deal"]
    assert newest == [*dated_deals[::-1], "An undated deal"]
    assert [deal.title for deal in Deal.objects.all()] == newest  # Meta.ordering: admin and unordered lists


def list_titles(html: str) -> list[str]:
    return [text_of(title) for title in re.findall(r'<th role="rowheader" scope="row"><a [^>]+>([^<]+)</a>', html)]


def test_deal_list_both_orders(client, dated_deals):
    url = reverse("companies:deal_list")
    assert list_titles(client.get(url).text) == [*dated_deals[::-1], "An undated deal"]
    assert list_titles(client.get(url + "?ordering=-date").text) == [*dated_deals[::-1], "An undated deal"]
    assert list_titles(client.get(url + "?ordering=date").text) == [*dated_deals, "An undated deal"]


def test_deals_download_is_newest_first(client, dated_deals):
    rows = json.loads(client.get(reverse("downloads:table_json", args=["deals"])).content)
    assert [row["title"] for row in rows] == [*dated_deals[::-1], "An undated deal"]


def test_sources_list_and_download_sort_a_year_after_its_months(client, db):
    for slug, text in [("may-2021", "2021-05"), ("year-2021", "2021"), ("day-2021", "2021-06-30")]:
        date, precision = parse_partial_date(text)
        make_source(slug=slug, title=slug, published_date=date, published_date_precision=precision, date_basis="stated")
    newest = ["year-2021", "day-2021", "may-2021"]
    html = client.get(reverse("sources:source_list")).text
    assert re.findall(r'href="/sources/([a-z0-9-]+)/"', html) == newest
    html = client.get(reverse("sources:source_list") + "?ordering=date").text
    assert re.findall(r'href="/sources/([a-z0-9-]+)/"', html) == newest[::-1]
    rows = json.loads(client.get(reverse("downloads:table_json", args=["sources"])).content)
    assert [row["slug"] for row in rows] == newest
    assert [source.slug for source in Source.objects.all()] == newest  # Meta.ordering


# -- the shipped dataset --


def deal_slugs(html: str) -> list[str]:
    return re.findall(r'href="/deals/([a-z0-9-]+)/"', html)


def test_xiaomi_first_move_on_the_home_page_is_its_dated_announcement(client, seeded):
    subsidiary = Deal.objects.get(slug="xiaomi-ev-subsidiary")
    assert subsidiary.date_display == "31 Mar 2021"
    assert Deal.objects.filter(participations__company__slug="xiaomi", date_precision="year").exists()
    html = client.get(reverse("home")).text
    tech = section(html, "tech-heading")
    xiaomi_row = re.search(
        r'<tr role="row">\s*<th role="rowheader"[^>]*><a href="/companies/xiaomi/".*?</tr>', tech, re.S
    )
    assert deal_slugs(xiaomi_row.group()) == ["xiaomi-ev-subsidiary"]
    assert "31 Mar 2021" in text_of(xiaomi_row.group())


def test_xiaomi_timeline_starts_with_its_dated_announcement(client, seeded):
    html = client.get(reverse("companies:company_detail", args=["xiaomi"])).text
    timeline = list(dict.fromkeys(deal_slugs(section(html, "deals-heading"))))
    assert timeline[0] == "xiaomi-ev-subsidiary"
    deals = Deal.objects.in_bulk(timeline, field_name="slug")
    keys = [date_sort_key(deals[slug].date, deals[slug].date_precision) for slug in timeline]
    dated = [key for key in keys if key is not None]
    assert dated == sorted(dated) and keys[: len(dated)] == dated  # oldest first, undated last


def test_no_year_only_2021_deal_is_listed_below_a_january_2021_deal(client, seeded):
    listed = deal_slugs(section(client.get(reverse("companies:deal_list")).text, "results-heading"))
    deals = {deal.slug: deal for deal in Deal.objects.published()}
    year_only = [i for i, slug in enumerate(listed) if deals[slug].date_iso == "2021"]
    january = [i for i, slug in enumerate(listed) if deals[slug].date_iso.startswith("2021-01")]
    assert year_only and january, "the seeds have both a year-only 2021 deal and a January 2021 deal"
    assert max(year_only) < min(january)
    keys = [date_sort_key(deals[slug].date, deals[slug].date_precision) for slug in dict.fromkeys(listed)]
    dated = [key for key in keys if key is not None]
    assert dated == sorted(dated, reverse=True)


def test_seeded_year_only_source_is_listed_above_the_dated_sources_of_its_year(client, seeded):
    listed = re.findall(r'href="/sources/([a-z0-9-]+)/"', client.get(reverse("sources:source_list")).text)
    sources = {source.slug: source for source in Source.objects.published()}
    pairs = [
        (listed.index(year_only), listed.index(dated))
        for year_only in listed
        for dated in listed
        if sources[year_only].published_date_precision == "year"
        and sources[dated].published_date_precision != "year"
        and sources[dated].published_date
        and sources[dated].published_date.year == sources[year_only].published_date.year
    ]
    assert pairs, "the seeds have a source dated to the year only and a dated one in the same year"
    assert all(above < below for above, below in pairs)


def test_feed_entries_published_together_follow_the_date_order(client, seeded):
    """Deals published at the same moment (by one import, say) are listed as /deals/ lists them."""
    xml = client.get(reverse("companies:deal_feed")).content.decode()
    entries = re.findall(r"<entry>(.*?)</entry>", xml, re.S)
    published = [re.search(r"<published>(.*?)</published>", entry).group(1) for entry in entries]
    slugs = [re.search(r'href="[^"]*/deals/([a-z0-9-]+)/"', entry).group(1) for entry in entries]
    pairs = list(zip(slugs, published, strict=True))
    together = [[slug for slug, when in pairs if when == moment] for moment in dict.fromkeys(published)]
    assert any(len(group) > 1 for group in together), "the seeds publish several deals at once"
    date_order = [deal.slug for deal in Deal.objects.published().ordered_newest_first()]
    for group in together:
        assert group == sorted(group, key=date_order.index)
