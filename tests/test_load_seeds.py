"""`manage.py load_seeds`: loads the shipped dataset, is idempotent, and is all or nothing."""

import csv
import io
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from companies.models import Company, Deal, Participation
from sources.models import Excerpt, NoiseSpan, Source

pytestmark = pytest.mark.django_db


def load(directory: Path | None = None) -> str:
    out = io.StringIO()
    args = ["--directory", str(directory)] if directory else []
    call_command("load_seeds", *args, stdout=out)
    return out.getvalue()


def snapshot() -> str:
    """Every row of the curated tables, to compare the database before and after."""
    out = io.StringIO()
    call_command("dumpdata", "companies", "sources", "--indent=0", stdout=out)
    return out.getvalue()


def edit_csv(path: Path, row_index: int, column: str, value: str) -> None:
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    rows[row_index][column] = value
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def test_first_load_creates_the_dataset():
    output = load()
    assert Source.objects.published().count() == 5
    assert {s.seed_file for s in Source.objects.all()} == {p.name for p in Path("seeds").glob("*.txt")}
    assert Deal.objects.published().filter(slug="360-leads-hozon-auto-series-d").exists()
    assert Excerpt.objects.filter(deals__slug="xiaomi-ev-subsidiary").count() >= 2
    assert "Seeds loaded:" in output


def test_second_load_changes_nothing_and_says_so():
    load()
    before = snapshot()
    output = load()
    assert "Seeds already loaded: nothing changed." in output
    assert "0 new, 0 updated" in output
    assert snapshot() == before


def test_loaded_excerpts_sit_at_their_offsets():
    load()
    for excerpt in Excerpt.objects.select_related("source"):
        assert excerpt.source.text[excerpt.start : excerpt.end] == excerpt.quote


def test_export_then_load_reproduces_the_database(tmp_path):
    load()
    before = snapshot()
    call_command("export_seeds", "--directory", str(tmp_path), stdout=io.StringIO())
    for text_file in Path("seeds").glob("*.txt"):
        (tmp_path / text_file.name).write_bytes(text_file.read_bytes())
    assert "nothing changed" in load(tmp_path)
    assert snapshot() == before


@pytest.mark.parametrize(
    ("file", "row", "column", "value", "message"),
    [
        (
            "participations.csv",
            0,
            "company",
            "xiaomii",
            'participations.csv, row 1 (line 2), column "company": unknown company slug "xiaomii"',
        ),
        ("deals.csv", 1, "date", "2021-13", 'deals.csv, row 2 (line 3), column "date": "2021-13" is not a date'),
        (
            "excerpts.csv",
            2,
            "quote",
            "Xiaomi will build a rocket.",
            'excerpts.csv, row 3 (line 4), column "quote": The quote does not occur in the source text.',
        ),
        (
            "excerpts.csv",
            0,
            "companies",
            "360|no-such-company",
            'excerpts.csv, row 1 (line 2), column "companies": unknown company slug "no-such-company"',
        ),
        ("deals.csv", 0, "currency", "XYZ", 'deals.csv, row 1 (line 2), column "currency": "XYZ" is not an ISO 4217'),
        (
            "companies.csv",
            0,
            "kind",
            "bank",
            'companies.csv, row 1 (line 2), column "kind": "bank" is not allowed; use one of',
        ),
        (
            "deals.csv",
            0,
            "amount",
            "465.8 million",
            'deals.csv, row 1 (line 2), column "amount": "465.8 million" is not a plain',
        ),
    ],
)
def test_bad_file_stops_with_row_and_column_and_changes_nothing(seeds_copy, file, row, column, value, message):
    load()  # a database that already holds data must come out exactly as it went in
    edit_csv(seeds_copy / "companies.csv", 3, "name", "Renamed, so a partial load would show")
    edit_csv(seeds_copy / file, row, column, value)
    before = snapshot()
    with pytest.raises(CommandError) as caught:
        load(seeds_copy)
    assert "Seeds not loaded; the database is unchanged." in str(caught.value)
    assert message in str(caught.value)
    assert snapshot() == before


def test_bad_file_on_an_empty_database_leaves_it_empty(seeds_copy):
    edit_csv(seeds_copy / "excerpts.csv", 0, "source", "no-such-source")
    with pytest.raises(CommandError, match='unknown source slug "no-such-source"'):
        load(seeds_copy)
    assert not Company.objects.exists()
    assert not Participation.objects.exists()
    assert not NoiseSpan.objects.exists()


def test_source_text_must_match_its_archived_file(seeds_copy):
    name = Source.objects.none().model._meta.get_field("seed_file").name  # the column checked
    seed_file = sorted(seeds_copy.glob("*.txt"))[1]
    seed_file.write_text(seed_file.read_text(encoding="utf-8") + "tampered", encoding="utf-8")
    with pytest.raises(CommandError) as caught:
        load(seeds_copy)
    assert f'column "{name}": the text column differs from the archived file "{seed_file.name}"' in str(caught.value)
    assert not Source.objects.exists()


def test_missing_required_column_is_named(seeds_copy):
    path = seeds_copy / "companies.csv"
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=[name for name in rows[0] if name != "kind"], extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    with pytest.raises(CommandError, match=r"companies.csv: missing required column\(s\): kind"):
        load(seeds_copy)
    assert not Company.objects.exists()


def test_ragged_file_is_refused_by_name(seeds_copy):
    with (seeds_copy / "deals.csv").open("a", encoding="utf-8") as handle:
        handle.write("," * 30 + "\n")
    with pytest.raises(CommandError, match=r"deals\.csv: rows have different numbers of columns than the header"):
        load(seeds_copy)


def test_short_row_reports_its_empty_required_cells(seeds_copy):
    path = seeds_copy / "deals.csv"
    with path.open(encoding="utf-8", newline="") as handle:
        rows = len(list(csv.DictReader(handle)))
    with path.open("a", encoding="utf-8") as handle:
        handle.write("a-new-deal,A new deal\n")
    with pytest.raises(CommandError) as caught:
        load(seeds_copy)
    expected = f'deals.csv, row {rows + 1} (line {rows + 2}), column "kind": This field cannot be blank.'
    assert expected in str(caught.value)
