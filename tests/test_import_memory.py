"""The bulk writer gives each new record its generated columns (a date's sort key) before
anything reads the record's state, so bulk_create() only replaces a value (dataio/bulk.py: in a
fresh process that keeps each record's attributes in CPython's shared-key dicts, 1.3 kB a row
less). The memory itself is measured by bench/import_bench.py in fresh processes: measured here it
depends on what the test process ran before, since a class loses its shared keys for good."""

import pytest

from companies.models import Deal
from companies.resources import DealResource
from dataio.resources import import_dataset, read_dataset

pytestmark = pytest.mark.django_db

ROWS = 3000


def deals_file(path, *, rows: int, first: int = 0):
    lines = ["slug,title,kind,status,date,editorial_state"] + [
        f"deal-{number:05d},Deal number {number},investment,announced,2021-{1 + number % 12:02d},draft"
        for number in range(first, first + rows)
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_a_new_record_holds_the_sort_key_the_database_computed(tmp_path):
    path = deals_file(tmp_path / "deals.csv", rows=3)
    report = import_dataset(DealResource(), read_dataset(path), name=path.name, retain_instances=True)
    instance = report.result.rows[0].instance
    assert instance.date_sort_key is not None
    assert instance.date_sort_key == Deal.objects.get(slug=instance.slug).date_sort_key
