"""Sorting as readers sort (issue 14): case and accents aside, numbers by value, on every list and
in the admin, on SQLite and PostgreSQL alike (the stored key of core/sort_keys.py, kept on every
write path)."""

import re

import pytest
import tablib
from django.db import connection
from django.urls import reverse

from companies.models import Company
from companies.resources import CompanyResource
from core.sort_keys import natural_sort_key
from dataio.resources import import_dataset
from tests.conftest import DRAFT, make_company, make_deal, make_source

pytestmark = pytest.mark.django_db

# Character-code order put these as "BAIC Group, BMW, BYD, Baidu, Banma" and "NIO, Nezha". Ignoring
# case, "BAIC" comes before "Baidu" (c before d), as in any dictionary.
NAMES_IN_READERS_ORDER = [
    "360",
    "Ab C",  # a space sorts before letters, as SQLite compares (a locale's collation would skip it)
    "Abb",
    "BAIC Group",
    "Baidu",
    "Banma",
    "BMW",
    "BYD",
    "Company 2",
    "Company 10",
    "Nezha",
    "NIO",
    "Škoda Auto",
    "Smart",
    "Zeekr",
]


def list_names(html: str) -> list[str]:
    return re.findall(r'<th role="rowheader" scope="row"><a href="[^"]+">([^<]+)</a>', html)


@pytest.fixture
def companies() -> None:
    for name in reversed(NAMES_IN_READERS_ORDER):
        make_company(name=name, slug=natural_sort_key(name).replace(" ", "-"), kind=Company.Kind.AUTOMAKER)


def test_the_key_ignores_case_and_accents_and_compares_numbers_by_value():
    assert natural_sort_key("BMW") == natural_sort_key("bmw")
    assert natural_sort_key("Škoda") == natural_sort_key("skoda")
    assert natural_sort_key("Company 2") < natural_sort_key("Company 10") < natural_sort_key("Company 010a")
    assert natural_sort_key("  Two   spaces ") == "two spaces"
    assert sorted(["NIO", "Nezha", "BYD", "Baidu"], key=natural_sort_key) == ["Baidu", "BYD", "Nezha", "NIO"]


def test_company_list_is_in_readers_order(client, companies):
    assert list_names(client.get(reverse("companies:company_list")).text) == NAMES_IN_READERS_ORDER
    reverse_order = client.get(reverse("companies:company_list") + "?ordering=-name").text
    assert list_names(reverse_order) == NAMES_IN_READERS_ORDER[::-1]


def test_deal_and_source_titles_sort_the_same_way(client):
    for title in ("deal 10", "Deal 2", "Élan deal", "BMW deal", "baidu deal"):
        make_deal(title=title, slug=natural_sort_key(title).replace(" ", "-"))
        make_source(slug=natural_sort_key(title).replace(" ", "-"), title=title, text=f"{title}.")
    expected = ["baidu deal", "BMW deal", "Deal 2", "deal 10", "Élan deal"]
    deals = client.get(reverse("companies:deal_list") + "?ordering=title").text
    assert list_names(deals) == expected
    sources = client.get(reverse("sources:source_list") + "?ordering=title").text
    assert list_names(sources) == expected


def test_parties_of_a_deal_are_in_readers_order_within_a_role(client):
    bmw, baidu = make_company(name="BMW"), make_company(name="baidu", slug="baidu-lower")
    make_deal(title="A partnership", slug="partners", parties=[(bmw, "partner"), (baidu, "partner")])
    html = client.get(reverse("companies:deal_list")).text
    assert html.index(">baidu</a>") < html.index(">BMW</a>")


def test_the_key_is_kept_by_save_and_by_the_bulk_import(db):
    company = make_company(name="Zeta Motors", kind=Company.Kind.AUTOMAKER, state=DRAFT)
    company.name = "Ångström Motors"
    company.save()
    assert Company.objects.get(pk=company.pk).sort_name == "angstrom motors"

    def import_names(*rows: tuple[str, str]) -> None:
        dataset = tablib.Dataset(headers=["slug", "name", "kind"])
        for slug, name in rows:
            dataset.append([slug, name, "automaker"])
        report = import_dataset(CompanyResource(), dataset, name="companies.csv")
        assert report.errors == []

    import_names(("new-one", "Über Cars 7"))  # bulk_create
    assert Company.objects.get(slug="new-one").sort_name == "uber cars 017"
    import_names(("new-one", "ÉCOLE 12"), (company.slug, "BMW"))  # bulk_update of both
    keys = dict(Company.objects.values_list("slug", "sort_name"))
    assert keys["new-one"] == "ecole 0212" and keys[company.slug] == "bmw"
    # The history copies the row as written, key included.
    assert Company.history.filter(slug="new-one").latest("history_id").sort_name == "ecole 0212"


def test_admin_lists_companies_in_readers_order(superuser_client, companies):
    html = superuser_client.get("/admin/companies/company/").text
    shown = re.findall(r'<th class="field-name_display"><a href="[^"]+">([^<]+)</a>', html)
    assert shown == NAMES_IN_READERS_ORDER


def test_deal_title_column_sorts_by_the_key_in_the_admin(superuser_client):
    for title in ("deal 10", "Deal 2"):
        make_deal(title=title, slug=title.lower().replace(" ", "-"))
    html = superuser_client.get("/admin/companies/deal/?o=1").text
    shown = re.findall(r'<th class="field-title_display"><a href="[^"]+">([^<]+)</a>', html)
    assert shown == ["Deal 2", "deal 10"]


@pytest.mark.postgres
def test_postgres_sorts_the_same_as_sqlite(client, companies):
    if connection.vendor != "postgresql":
        pytest.skip(f"needs PostgreSQL: DATABASE_URL points at {connection.vendor}")
    assert list_names(client.get(reverse("companies:company_list")).text) == NAMES_IN_READERS_ORDER
    # The key column compares bytes, as SQLite does, whatever the database's default collation.
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT table_name, collation_name FROM information_schema.columns WHERE column_name IN "
            "('sort_name', 'sort_title') AND table_name IN ('companies_company', 'companies_deal', 'sources_source')"
        )
        assert dict(cursor.fetchall()) == {"companies_company": "C", "companies_deal": "C", "sources_source": "C"}
