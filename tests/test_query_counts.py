"""Every public page runs a fixed number of queries, on the seed data and on 2,000 companies and
20,000 deals alike: no query runs per row, so a page cannot slow down as the tracker grows.

Each constant names its queries in order. When a page legitimately needs one more, change the
constant and its comment together. Django skips a prefetch when the list it would fill is empty,
so a record with nothing to show at some level costs fewer queries: every measured page has data
at each level.
"""

import time

import pytest
from django.urls import reverse

from companies.models import Company, Deal
from sources.models import Source, Story
from tests.conftest import make_excerpt, make_source
from tests.large_dataset import build_large_dataset

pytestmark = pytest.mark.django_db

HOME = 8  # companies counted (all, tech); deals counted and summed by currency; sources and stories
# counted; dated deals per quarter and kind; the earliest-moving tech companies (one grouped query); their
# first deals (a window over their parts); latest deals; their parties. The first move was one query with six
# subqueries per tech company, slower to build and run than these two.
COMPANY_LIST = 3  # companies counted; one page of them with their deal counts; their aliases
COMPANY_DETAIL = 7  # company + published parent + deal count; its published arms; aliases; deals that
# created it; the first deals' parts + deal + company (bounded); connected companies grouped with their shared
# deal counts; excerpts from published sources + source citation, as values
DEAL_LIST = 3  # deals counted; one page of them; their parties + company
DEAL_DETAIL = 3  # deal + published venture; parties + company; excerpts from published sources + source
# citation, as values
SOURCE_LIST = 2  # sources counted; one page of them with story and excerpt count
SOURCE_DETAIL = 5  # source + story; noise spans; excerpts; for one page of the excerpt index: their
# published companies; their published deals
SOURCE_IN_STORY_DETAIL = SOURCE_DETAIL + 1  # and the published versions of its story
DATA_PAGE = 0  # the columns are described in code
COMPANIES_DOWNLOAD = 2  # aliases of published companies; companies with parent slug, deal and excerpt counts
DEALS_DOWNLOAD = 2  # parties of published deals; deals with venture slug and excerpt count
PARTICIPATIONS_DOWNLOAD = 1  # parts of published companies in published deals, with both slugs and names
EXCERPTS_DOWNLOAD = 3  # excerpts' published companies; their published deals; excerpts + source slug
SOURCES_DOWNLOAD = 1  # sources + story slug + excerpt count
FEED = 1  # the newest published deals
SITEMAP_INDEX = 6  # for companies, deals and sources: the records counted; their latest change
SITEMAP_SECTION = 2  # the section's records counted; one page of them
ROBOTS = 0

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
        (reverse("companies:deal_feed"), FEED),
        (reverse("sitemap"), SITEMAP_INDEX),
        (reverse("sitemap_section", args=["deals"]), SITEMAP_SECTION),
        (reverse("sitemap_section", args=["companies"]) + "?p=1", SITEMAP_SECTION),
        (reverse("robots_txt"), ROBOTS),
    ]
    for name, queries in DOWNLOADS.items():
        pages.append((reverse("downloads:table_csv", args=[name]), queries))
        pages.append((reverse("downloads:table_json", args=[name]), queries))
    return pages


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
