"""Runs only against PostgreSQL (CI's second pass): what SQLite cannot prove."""

import pytest
from django.db import IntegrityError, connection, transaction

from companies.models import Deal
from sources.models import Excerpt, Source
from tests.conftest import make_deal

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


@pytest.fixture(autouse=True)
def _needs_postgres():
    if connection.vendor != "postgresql":
        pytest.skip(f"needs PostgreSQL: DATABASE_URL points at {connection.vendor}")


def test_seeds_load_with_chinese_and_typographic_text_intact(seeded):
    source = Source.objects.get(seed_file="004_260f63d6f1731c3e.txt")
    assert "Xiaomi’s billionaire founder" in source.text
    for excerpt in Excerpt.objects.select_related("source"):
        assert excerpt.source.text[excerpt.start : excerpt.end] == excerpt.quote


def test_check_constraints_are_enforced_by_the_database():
    deal = make_deal()
    with pytest.raises(IntegrityError, match="deal_amount_has_currency"), transaction.atomic():
        Deal.objects.filter(pk=deal.pk).update(amount=1, currency="")
    with pytest.raises(IntegrityError, match="deal_date_has_precision"), transaction.atomic():
        Deal.objects.filter(pk=deal.pk).update(date="2021-01-01", date_precision="")


def test_admin_search_ignores_case_beyond_ascii(superuser_client):
    """PostgreSQL folds case for every script (SQLite's LIKE only for ASCII)."""
    from tests.conftest import make_company

    make_company(name="Škoda Auto", slug="skoda-auto", kind="automaker")
    response = superuser_client.get("/admin/companies/company/", {"q": "šKODA"})
    assert "Škoda Auto" in response.text
