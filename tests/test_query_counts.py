"""Every public page runs a fixed number of queries, on the seed data and on 2,000 companies and
20,000 deals alike: no query runs per row, so a page cannot slow down as the tracker grows.

Each constant names its queries in order. When a page legitimately needs one more, change the
constant and its comment together. Django skips a prefetch when the list it would fill is empty,
so a record with nothing to show at some level costs fewer queries: every measured page has data
at each level.
"""

import time

import pytest
from django.db import connection
from django.urls import reverse

from companies.models import Company, Deal
from sources.models import Source, Story
from tests.conftest import make_excerpt, make_source
from tests.large_dataset import build_large_dataset

pytestmark = pytest.mark.django_db

HOME = 8  # companies counted (all, tech); deals counted and summed by status and currency; sources and
# stories counted; dated deals per quarter and kind; every tech company with its earliest move's date key,
# whether it moved and its evidence counts (subqueries, no GROUP BY); the movers' first deals (a window over
# their parts); latest deals with their evidence counts; their parties. The first move was one query with six
# subqueries per tech company, slower to build and run than these two.
COMPANY_LIST = 3  # companies counted; one page of them with their deal counts (creating deals included)
# and evidence counts (subqueries: public/certainty.py); their aliases
COMPANY_DETAIL = 7  # company + published parent + deal count; its published arms; aliases; deals that
# created it; the first deals' parts + deal + company (bounded, as values); connected companies grouped with
# their shared deal counts; excerpts from published sources + source citation, as values
DEAL_LIST = 3  # deals counted; one page of them with their evidence counts; their parties + company
DEAL_DETAIL = 3  # deal + published venture; parties + company; excerpts from published sources + source
# citation, as values
SOURCE_LIST = 2  # sources counted; one page of them with story, excerpt, disagreeing-excerpt and story
# version counts
SOURCE_DETAIL = 5  # source + story; noise spans; excerpts, as values; for one page of the excerpt index:
# their published deals; their published companies (both from the link tables, as values)
SOURCE_IN_STORY_DETAIL = SOURCE_DETAIL + 1  # and the published versions of its story
DATA_PAGE = 1  # the dataset version, for the citation (the columns are described in code)
DATA_PACKAGE = 1  # the dataset version and when it moved (the columns are described in code)
COMPANIES_DOWNLOAD = 2  # aliases of published companies; companies with parent slug, deal and excerpt counts
DEALS_DOWNLOAD = 2  # parties of published deals; deals with venture slug and excerpt count
PARTICIPATIONS_DOWNLOAD = 1  # parts of published companies in published deals, with both slugs and names
EXCERPTS_DOWNLOAD = 3  # excerpts' published companies; their published deals; excerpts + source slug
SOURCES_DOWNLOAD = 1  # sources + story slug + excerpt count
FEED = 1  # the newest published deals
SITEMAP_INDEX = 6  # for companies, deals and sources: the records counted; their latest change
SITEMAP_SECTION = 2  # the section's records counted; one page of them
ROBOTS = 0
# The site search (public/search.py) for "xiaomi", which finds every kind of record at both sizes.
# SQLite: published company names; their aliases; the dataset version; the version the FTS5 index was
# built at; the index's matches; the companies, deals, sources and excerpts they name (4).
# PostgreSQL: company names like it; aliases like it; full-text matches of companies, deals, sources and
# excerpts (4), each ranked and bounded in the database.
SEARCH = 9 if connection.vendor == "sqlite" else 6
# On SQLite the first search after a change also rebuilds the index: a savepoint; the built version read
# again under the write lock; the index emptied; refilled from each kind of record (4); its version noted;
# the savepoint released. PostgreSQL has nothing to rebuild.
SEARCH_AFTER_A_CHANGE = SEARCH + 9 if connection.vendor == "sqlite" else SEARCH
# The read API (public/api/): a list is its records counted and one page of them, then one query per
# kind of part; the schema and the docs are built without a query (the schema from code).
API_COMPANY_LIST = 3  # companies counted; one page with deal count, excerpt count, parent slug; aliases
API_COMPANY = 2  # the company with its counts and parent slug; its aliases
API_DEAL_LIST = 3  # deals counted; one page with venture slug and excerpt count; parties + company
API_DEAL = 2  # the deal with venture slug and excerpt count; its parties + company
API_SOURCE_LIST = 2  # sources counted; one page with story and excerpt count
API_SOURCE = 1  # the source with story and excerpt count
API_EXCERPT_LIST = 4  # excerpts of published sources counted; one page + source slug; their published
# companies; their published deals
API_EXCERPT = 3  # the excerpt + source slug; its published companies; its published deals
API_STORY_LIST = 3  # stories with a published version counted; one page; their published versions
API_STORY = 2  # the story; its published versions
API_ROOT = API_SCHEMA = API_DOCS = 0

DOWNLOADS = {
    "companies": COMPANIES_DOWNLOAD,
    "deals": DEALS_DOWNLOAD,
    "participations": PARTICIPATIONS_DOWNLOAD,
    "excerpts": EXCERPTS_DOWNLOAD,
    "sources": SOURCES_DOWNLOAD,
}


@pytest.fixture
def story_source(seeded) -> Source:
    """A published source that is one of two versions of a story (the seed slugs promised to stay
    are all stories of their own)."""
    story = Story.objects.create(slug="measured-story", title="A story told twice")
    make_source(slug="measured-original", title="Original", text="Xiaomi will build cars.", story=story)
    rewrite = make_source(
        slug="measured-rewrite", title="Rewrite", text="Xiaomi is to build cars.", story=story, story_relation="rewrite"
    )
    make_excerpt(
        source=rewrite,
        quote="Xiaomi is to build cars.",
        companies=Company.objects.filter(slug="xiaomi"),
        deals=Deal.objects.filter(slug="xiaomi-ev-subsidiary"),
    )
    return rewrite


def public_pages(story_source: Source) -> list[tuple[str, int]]:
    detail = {
        "company": reverse("companies:company_detail", args=["xiaomi"]),
        "deal": reverse("companies:deal_detail", args=["xiaomi-ev-subsidiary"]),
        "source": reverse("sources:source_detail", args=["protocol-every-chinese-tech-company-wants-to-make-evs"]),
    }
    companies, deals = reverse("companies:company_list"), reverse("companies:deal_list")
    pages = [
        (reverse("home"), HOME),
        (companies, COMPANY_LIST),
        (f"{companies}?q=xiao&kind=tech&entry_mode=own_cars&ordering=-deals", COMPANY_LIST),
        (f"{companies}?page=2", COMPANY_LIST),
        (detail["company"], COMPANY_DETAIL),
        (deals, DEAL_LIST),
        (
            f"{deals}?q=xiaomi&kind=subsidiary&status=announced&year=2021&company=xiaomi&currency=USD"
            "&amount_min=1&amount_max=99999999999&ordering=-amount",
            DEAL_LIST,
        ),
        (f"{deals}?page=2&ordering=date", DEAL_LIST),
        (detail["deal"], DEAL_DETAIL),
        (reverse("sources:source_list"), SOURCE_LIST),
        (detail["source"], SOURCE_DETAIL),
        (story_source.get_absolute_url(), SOURCE_IN_STORY_DETAIL),
        (reverse("downloads:data"), DATA_PAGE),
        (reverse("downloads:datapackage"), DATA_PACKAGE),
        (reverse("downloads:table_csv_plain", args=["deals"]), DEALS_DOWNLOAD),
        (reverse("companies:deal_feed"), FEED),
        (reverse("sitemap"), SITEMAP_INDEX),
        (reverse("sitemap_section", args=["deals"]), SITEMAP_SECTION),
        (reverse("sitemap_section", args=["companies"]) + "?p=1", SITEMAP_SECTION),
        (reverse("robots_txt"), ROBOTS),
        (f"{reverse('search')}?q=xiaomi", SEARCH_AFTER_A_CHANGE),
        (f"{reverse('search')}?q=Xiaomi", SEARCH),
        *api_pages(story_source),
    ]
    for name, queries in DOWNLOADS.items():
        pages.append((reverse("downloads:table_csv", args=[name]), queries))
        pages.append((reverse("downloads:table_json", args=[name]), queries))
    return pages


def api_pages(story_source: Source) -> list[tuple[str, int]]:
    excerpt = "protocol-360-leads-hozon-series-d"
    return [
        ("/api/", API_ROOT),
        ("/api/schema/", API_SCHEMA),
        ("/api/docs/", API_DOCS),
        ("/api/companies/", API_COMPANY_LIST),
        ("/api/companies/?q=xiao&kind=tech&ordering=-deals&page_size=100", API_COMPANY_LIST),
        ("/api/companies/xiaomi/", API_COMPANY),
        ("/api/deals/", API_DEAL_LIST),
        ("/api/deals/?company=xiaomi&ordering=-amount&page=2&page_size=1", API_DEAL_LIST),
        ("/api/deals/xiaomi-ev-subsidiary/", API_DEAL),
        ("/api/sources/?ordering=date", API_SOURCE_LIST),
        ("/api/sources/protocol-every-chinese-tech-company-wants-to-make-evs/", API_SOURCE),
        ("/api/excerpts/", API_EXCERPT_LIST),
        ("/api/excerpts/?company=xiaomi&stance=supports", API_EXCERPT_LIST),
        (f"/api/excerpts/{excerpt}/", API_EXCERPT),
        ("/api/stories/", API_STORY_LIST),
        (f"/api/stories/{story_source.story.slug}/", API_STORY),
    ]


def assert_query_counts(client, pages, django_assert_num_queries) -> dict[str, float]:
    timings = {}
    for url, expected in pages:
        started = time.perf_counter()
        with django_assert_num_queries(expected, info=url):
            response = client.get(url)
            assert response.status_code == 200, url
        timings[url] = time.perf_counter() - started
    return timings


def test_query_counts_on_the_seed_data(client, story_source, django_assert_num_queries):
    assert_query_counts(client, public_pages(story_source), django_assert_num_queries)


def test_query_counts_on_2000_companies_and_20000_deals(client, story_source, django_assert_num_queries):
    build_large_dataset(
        companies=2000,
        deals=20000,
        company=Company.objects.get(slug="xiaomi"),
        deal=Deal.objects.get(slug="xiaomi-ev-subsidiary"),
        source=Source.objects.get(slug="protocol-every-chinese-tech-company-wants-to-make-evs"),
    )
    assert Company.objects.published().count() >= 2000 and Deal.objects.published().count() >= 20000
    timings = assert_query_counts(client, public_pages(story_source), django_assert_num_queries)
    slowest = sorted(timings.items(), key=lambda item: -item[1])[:5]
    print("slowest pages on the large dataset:", [(url, f"{seconds:.2f}s") for url, seconds in slowest])
