"""The stored sort key of a partial date (core/partial_dates.py) is the database's to keep: every
write path (save, queryset update, the bulk import, history) leaves it equal to the Python key,
so lists that sort on it keep the order tests/test_partial_date_order.py pins."""

import datetime

import pytest
import tablib

from companies.models import Deal
from companies.resources import DealResource
from core.partial_dates import DatePrecision, date_sort_key
from dataio.resources import import_dataset
from sources.models import Source
from tests.conftest import make_deal, make_source

pytestmark = pytest.mark.django_db


def stored_keys(model, date_field: str) -> dict[str, tuple[int | None, int | None]]:
    """Each record's stored key next to the key Python computes from its stored date."""
    rows = model.objects.values_list("slug", date_field, f"{date_field}_precision", f"{date_field}_sort_key")
    return {slug: (key, date_sort_key(date, precision)) for slug, date, precision, key in rows}


def test_the_key_follows_save_and_queryset_update():
    deal = make_deal(slug="dated", date=datetime.date(2021, 3, 1), date_precision=DatePrecision.MONTH)
    make_deal(title="Undated", slug="undated")
    assert stored_keys(Deal, "date") == {"dated": (202103311, 202103311), "undated": (None, None)}
    deal.date, deal.date_precision = datetime.date(2021, 1, 1), DatePrecision.YEAR
    deal.save()
    Deal.objects.filter(slug="undated").update(date=datetime.date(2020, 5, 6), date_precision=DatePrecision.DAY)
    assert stored_keys(Deal, "date") == {"dated": (202112312, 202112312), "undated": (202005060, 202005060)}


def test_the_key_follows_the_bulk_import_and_its_history():
    def import_dates(*dates: str) -> None:
        dataset = tablib.Dataset(headers=["slug", "title", "kind", "status", "date"])
        for number, date in enumerate(dates):
            dataset.append([f"deal-{number}", f"Deal {number}", "partnership", "announced", date])
        report = import_dataset(DealResource(), dataset, name="deals.csv")
        assert report.errors == []

    import_dates("2021", "2021-02-03")  # bulk_create
    import_dates("2021-07", "")  # bulk_update of both
    assert stored_keys(Deal, "date") == {"deal-0": (202107311, 202107311), "deal-1": (None, None)}
    # The history rows (copied by one INSERT … SELECT) get their own computed key.
    history = Deal.history.filter(slug="deal-0").order_by("history_id").values_list("date_sort_key", flat=True)
    assert list(history) == [202112312, 202107311]


def test_sources_keep_the_key_of_their_published_date():
    make_source(
        slug="month-only",
        published_date=datetime.date(2020, 12, 1),
        published_date_precision=DatePrecision.MONTH,
        date_basis=Source.DateBasis.STATED,
    )
    make_source(slug="undated", text="Another text.")
    assert stored_keys(Source, "published_date") == {"month-only": (202012311, 202012311), "undated": (None, None)}
