"""Every admin list and change page runs a fixed number of queries, on the seed data and on 2,000
companies and 20,000 deals alike (tests/test_query_counts.py does the same for the public pages).

Each page's count is the same at both sizes; the constants name the queries. Every admin page
starts with the session and the user (2 queries).
"""

import pytest

from companies.models import Company, Deal
from sources.models import Source
from tests.large_dataset import build_large_dataset

pytestmark = pytest.mark.django_db

PROTOCOL = "protocol-every-chinese-tech-company-wants-to-make-evs"
# Changelists: session, user; the count of all rows and of the filtered rows; one page of rows;
# and what the page's filters or columns need besides.
COMPANY_LIST = 5  # + page of companies with parent
DEAL_LIST = 6  # + the years of deals' dates (the year filter); page of deals with venture
ALIAS_LIST = 5  # + page of aliases with company
PARTICIPATION_LIST = 5  # + page of participations with deal and company
SOURCE_LIST = 7  # + the years and the publishers (filters); page of sources with story
EXCERPT_LIST = 5  # + page of excerpts with source
NOISE_SPAN_LIST = 5  # + page of noise spans with source
STORY_LIST = 5  # + page of stories
USER_LIST = 6  # + the groups (filter); page of users
# Change pages: session, user; the record; then its inlines.
# The source's excerpts inline shows the first ten only (core/admin.py, ShownPartsInline), with the
# chosen companies and deals fetched with them, not once per excerpt.
SOURCE_CHANGE = 8  # + noise spans; the first excerpts; their companies; their deals; excerpts counted; ...
COMPANY_CHANGE = 4  # + its aliases; ...
DEAL_CHANGE = 7  # + its parties with their companies; ...
EXCERPT_CHANGE = 12  # + the excerpt as stored and its parents (asked once, core/admin.py); the form's
# source, companies and deals; ...


def admin_pages() -> list[tuple[str, int]]:
    source = Source.objects.get(slug=PROTOCOL)
    changelists = {
        "companies/company": COMPANY_LIST,
        "companies/deal": DEAL_LIST,
        "companies/alias": ALIAS_LIST,
        "companies/participation": PARTICIPATION_LIST,
        "sources/source": SOURCE_LIST,
        "sources/excerpt": EXCERPT_LIST,
        "sources/noisespan": NOISE_SPAN_LIST,
        "sources/story": STORY_LIST,
        "auth/user": USER_LIST,
    }
    pages = [(f"/admin/{name}/", queries) for name, queries in changelists.items()]
    pages += [
        (f"/admin/sources/source/{source.pk}/change/", SOURCE_CHANGE),
        (f"/admin/companies/company/{Company.objects.get(slug='xiaomi').pk}/change/", COMPANY_CHANGE),
        (f"/admin/companies/deal/{Deal.objects.get(slug='xiaomi-ev-subsidiary').pk}/change/", DEAL_CHANGE),
        (f"/admin/sources/excerpt/{source.excerpts.order_by('pk').first().pk}/change/", EXCERPT_CHANGE),
    ]
    return pages


def measured(client, pages) -> dict[str, int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    counts = {}
    for url, _ in pages:
        client.get(url)  # once before counting: Django caches content types per process
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
            assert response.status_code == 200, url
        counts[url] = len(queries)
    return counts


def test_admin_query_counts_on_the_seed_data(seeded, superuser_client):
    pages = admin_pages()
    assert measured(superuser_client, pages) == dict(pages)


def test_admin_query_counts_on_2000_companies_and_20000_deals(seeded, superuser_client):
    build_large_dataset(
        company=Company.objects.get(slug="xiaomi"),
        deal=Deal.objects.get(slug="xiaomi-ev-subsidiary"),
        source=Source.objects.get(slug=PROTOCOL),
    )
    pages = admin_pages()
    assert measured(superuser_client, pages) == dict(pages)
