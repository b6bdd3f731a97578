"""The table downloads kept as files per dataset version (public/downloads/files.py): written once,
served from the file until the version moves, the same bytes as a download built afresh, and
written in bounded memory even for 20,000 deals."""

import tracemalloc

import pytest
from django.urls import reverse

from companies.models import Company, Deal
from core.changes import version_bump
from public.downloads.files import kept_file
from public.downloads.tables import TABLES_BY_NAME
from sources.models import Source
from tests.large_dataset import build_large_dataset

pytestmark = pytest.mark.django_db
SITE = "http://testserver"


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_a_kept_download_is_the_download_built_afresh(client, seeded, settings, tmp_path, fmt):
    url = reverse(f"downloads:table_{fmt}", args=["deals"])
    afresh = client.get(url)
    settings.DOWNLOAD_CACHE_DIR = str(tmp_path)
    kept = client.get(url)
    assert kept.streaming and body(kept) == afresh.content
    assert kept["Content-Type"] == afresh["Content-Type"]
    assert kept.get("Content-Disposition") == afresh.get("Content-Disposition")
    assert len(list(tmp_path.glob(f"deals.{fmt}.v*"))) == 1


def test_a_kept_download_is_served_without_the_tables_queries(
    client, seeded, settings, tmp_path, django_assert_num_queries
):
    settings.DOWNLOAD_CACHE_DIR = str(tmp_path)
    url = reverse("downloads:table_csv", args=["deals"])
    first = body(client.get(url))
    with django_assert_num_queries(1):  # the dataset version
        assert body(client.get(url)) == first


def test_a_new_dataset_version_writes_a_new_file_and_removes_the_old(client, seeded, settings, tmp_path):
    settings.DOWNLOAD_CACHE_DIR = str(tmp_path)
    url = reverse("downloads:table_csv", args=["deals"])
    client.get(url)
    (before,) = tmp_path.glob("deals.csv.v*")
    Deal.objects.filter(slug="xiaomi-ev-subsidiary").update(title="Renamed for the test")
    version_bump(reason="test")
    assert b"Renamed for the test" in body(client.get(url))
    (after,) = tmp_path.glob("deals.csv.v*")
    assert after != before and not before.exists()


def test_deals_csv_of_20000_deals_is_written_in_bounded_memory(seeded, tmp_path):
    build_large_dataset(
        company=Company.objects.get(slug="xiaomi"),
        deal=Deal.objects.get(slug="xiaomi-ev-subsidiary"),
        source=Source.objects.get(slug="protocol-every-chinese-tech-company-wants-to-make-evs"),
    )
    table = TABLES_BY_NAME["deals"]
    next(table.rows(SITE))  # once, untraced: what a process loads once (URL patterns, query compilers)
    tracemalloc.start()
    try:
        path = kept_file(folder=tmp_path, table=table, fmt="csv", site=SITE)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    size = path.stat().st_size
    print(f"deals.csv: {size / 2**20:.1f} MiB written with a peak of {peak / 2**20:.1f} MiB of Python memory")
    assert size > 3 * 2**20
    assert peak < 2**21  # a few hundred rows at a time: neither the file nor all 20,000 deals
