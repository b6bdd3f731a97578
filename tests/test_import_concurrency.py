"""Two imports at once (issue #13, point 3). Disjoint files both succeed: nothing in an import
touches the id sequence (the library's `import_data_inner` resets it to max(id) inside each
import's transaction, which rewinds it under a concurrent import; `import_dataset` never calls
it). Overlapping files: the second to commit fails with one line per row the first created,
never a traceback."""

import threading

import pytest
from django.db import connection, connections, transaction

from companies.models import Deal
from companies.resources import DealResource
from dataio.bulk import BulkWriter
from dataio.resources import import_dataset, read_dataset

pytestmark = pytest.mark.django_db(transaction=True)


def deals_file(path, *, first: int, rows: int):
    lines = ["slug,title,kind,status"] + [
        f"deal-{n:06d},Deal {n},investment,announced" for n in range(first, first + rows)
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def import_in_threads(paths) -> list:
    """Import each file in its own thread (its own connection), all starting together."""
    reports, start = [None] * len(paths), threading.Barrier(len(paths))

    def run(index: int) -> None:
        try:
            dataset = read_dataset(paths[index])
            start.wait()
            reports[index] = import_dataset(DealResource(), dataset, name=paths[index].name)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(index,)) for index in range(len(paths))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return reports


def test_no_import_resets_the_id_sequence(tmp_path, monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("an import reset the id sequence")

    monkeypatch.setattr(connection.ops, "sequence_reset_sql", refuse)
    report = import_dataset(DealResource(), read_dataset(deals_file(tmp_path / "a.csv", first=0, rows=50)), name="a")
    assert (report.new, report.errors) == (50, [])


@pytest.mark.postgres
def test_disjoint_imports_at_once_both_succeed(tmp_path):
    if connection.vendor != "postgresql":
        pytest.skip(f"needs PostgreSQL: DATABASE_URL points at {connection.vendor}")
    for attempt in range(3):  # the failure it guards against came in 2 runs of 7
        first, second = attempt * 10_000, attempt * 10_000 + 5_000
        paths = [
            deals_file(tmp_path / "a.csv", first=first, rows=3000),
            deals_file(tmp_path / "b.csv", first=second, rows=3000),
        ]
        reports = import_in_threads(paths)
        assert [(report.new, report.errors) for report in reports] == [(3000, []), (3000, [])]
    assert Deal.objects.count() == 18_000


@pytest.mark.postgres
def test_overlapping_imports_the_second_fails_with_a_line_per_row(tmp_path, monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip(f"needs PostgreSQL: DATABASE_URL points at {connection.vendor}")
    paths = [deals_file(tmp_path / "a.csv", first=0, rows=3000), deals_file(tmp_path / "b.csv", first=2990, rows=20)]
    # Make the overlap certain rather than likely: the small import writes only once the large
    # one has checked its rows (so both plan the ten shared deals as new), and the large one
    # writes only once the small one has committed them.
    large_checked, small_done, finish = threading.Event(), threading.Event(), BulkWriter.finish

    def finish_in_turn(writer) -> None:
        large = len(writer.created_rows()) > 100
        if large:
            large_checked.set()
            small_done.wait(timeout=60)
        else:
            large_checked.wait(timeout=60)
        finish(writer)
        if not large:
            transaction.on_commit(small_done.set)

    monkeypatch.setattr(BulkWriter, "finish", finish_in_turn)
    reports = import_in_threads(paths)
    assert small_done.is_set()
    (loser,) = [report for report in reports if report.errors]
    (winner,) = [report for report in reports if not report.errors]
    assert loser is reports[0]  # the large file, which wrote last
    assert len(loser.errors) == 10  # deal-002990 … deal-002999 are in both files
    for line in loser.errors:
        assert "Traceback" not in line and "\n" not in line
        assert 'column "slug": another import created the deal "deal-0029' in line
    assert Deal.objects.count() == winner.new  # the loser wrote nothing
