"""What a bulk import's records cost in memory while it writes them: bench/import_bench.py
measures 100,000 rows against 500 MB; this keeps the cause of one regression from coming back
(a generated column's value, set on every new record by bulk_create(), gave each record a dict
of its own: 1.3 kB a row)."""

import tracemalloc

import pytest

from companies.models import Deal
from companies.resources import DealResource
from dataio.bulk import BulkWriter
from dataio.resources import import_dataset, read_dataset

pytestmark = pytest.mark.django_db

ROWS = 3000


def deals_file(path, *, rows: int):
    lines = ["slug,title,kind,status,date,editorial_state"] + [
        f"deal-{number:05d},Deal number {number},investment,announced,2021-{1 + number % 12:02d},draft"
        for number in range(rows)
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_writing_new_records_in_bulk_adds_little_memory_per_record(tmp_path, monkeypatch):
    growth = {}
    finish = BulkWriter.finish

    def measured_finish(writer):
        tracemalloc.start()
        try:
            finish(writer)
            growth["bytes"] = tracemalloc.get_traced_memory()[0]  # still held once the rows are written
        finally:
            tracemalloc.stop()

    monkeypatch.setattr(BulkWriter, "finish", measured_finish)
    path = deals_file(tmp_path / "deals.csv", rows=ROWS)
    report = import_dataset(DealResource(), read_dataset(path), name=path.name)
    assert report.new == ROWS
    # About 350 bytes a record (its id, sort keys, timestamps); 2 kB when each got a dict of its own.
    assert growth["bytes"] / ROWS < 800


def test_a_new_record_holds_the_sort_key_the_database_computed(tmp_path):
    path = deals_file(tmp_path / "deals.csv", rows=3)
    report = import_dataset(DealResource(), read_dataset(path), name=path.name, retain_instances=True)
    instance = report.result.rows[0].instance
    assert instance.date_sort_key is not None
    assert instance.date_sort_key == Deal.objects.get(slug=instance.slug).date_sort_key
