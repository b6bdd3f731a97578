"""`manage.py load_seeds`: loads the shipped dataset, is idempotent, and is all or nothing; on a
database that has diverged from the files it changes nothing unless told to overwrite."""

import csv
import io
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from companies.models import Alias, Company, Deal, Participation
from core.editorial import EditorialState
from sources.models import Excerpt, NoiseSpan, Source

pytestmark = pytest.mark.django_db


def load(directory: Path | None = None, *options: str) -> str:
    out = io.StringIO()
    args = ["--directory", str(directory)] if directory else []
    call_command("load_seeds", *args, *options, stdout=out)
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


# -- a database that editors have worked on --

EDITED_SUMMARY = "Edited by an editor after the seeds were loaded."


def seed_row(name: str, slug: str) -> dict[str, str]:
    with (Path("seeds") / name).open(encoding="utf-8", newline="") as handle:
        return next(row for row in csv.DictReader(handle) if row["slug"] == slug)


def diverge() -> None:
    """What editors and reviewers do in the admin: edit a summary, retract a deal, delete an alias."""
    xiaomi = Company.objects.get(slug="xiaomi")
    xiaomi.summary = EDITED_SUMMARY
    xiaomi.save()
    talks = Deal.objects.get(slug="xiaomi-faw-group-talks")
    talks.editorial_state = EditorialState.RETRACTED
    talks.save()
    Alias.objects.get(company__slug="banma", name="Zebra").delete()


# Each record with the columns that differ and both values (publication times are the tracker's
# own, not a difference); a long value is shortened.
SEEDED_SUMMARY = seed_row("companies.csv", "xiaomi")["summary"]
DIFFERENCES = [
    "companies.csv, xiaomi: summary",
    f"    summary: “{EDITED_SUMMARY}” in the database, “{SEEDED_SUMMARY[:69]}…” in the file",
    "aliases.csv, banma / Zebra: not in the database (deleted since, or never loaded)",
    "deals.csv, xiaomi-faw-group-talks: editorial_state",
    "    editorial_state: “retracted” in the database, “published” in the file",
]


def test_load_on_a_diverged_database_lists_each_difference_and_changes_nothing():
    load()
    diverge()
    before = snapshot()
    with pytest.raises(CommandError) as caught:
        load()
    message = str(caught.value)
    assert message.startswith("Seeds not loaded: 3 record(s) in the database differ from the seed files")
    assert [line for line in message.splitlines() if line in DIFFERENCES] == DIFFERENCES
    assert "run `manage.py load_seeds --overwrite`" in message
    assert snapshot() == before
    assert Company.objects.get(slug="xiaomi").summary == EDITED_SUMMARY


def test_dry_run_on_a_diverged_database_lists_the_differences_and_writes_nothing():
    load()
    diverge()
    before = snapshot()
    output = load(None, "--dry-run")
    assert "Differs from the seed files:" in output
    assert [line for line in output.splitlines() if line in DIFFERENCES] == DIFFERENCES
    assert "Dry run: 3 record(s) would change; nothing was written." in output
    assert snapshot() == before


def test_overwrite_restores_the_files_version_and_lists_what_it_replaced():
    load()
    diverge()
    output = load(None, "--overwrite")
    assert "Replaced 3 record(s) with the seed files' version" in output
    assert [line for line in output.splitlines() if line in DIFFERENCES] == DIFFERENCES
    assert Company.objects.get(slug="xiaomi").summary == SEEDED_SUMMARY
    assert Deal.objects.get(slug="xiaomi-faw-group-talks").editorial_state == EditorialState.PUBLISHED
    assert Alias.objects.filter(company__slug="banma", name="Zebra").exists()
    assert Company.history.filter(slug="xiaomi", summary=EDITED_SUMMARY).exists()  # the replaced version
    assert "Seeds already loaded: nothing changed." in load()


def test_records_added_by_editors_do_not_count_as_divergence():
    """The files never delete: a record they do not hold is left alone, and nothing differs."""
    load()
    Company.objects.create(name="New maker", slug="new-maker", kind=Company.Kind.AUTOMAKER)
    assert "Seeds already loaded: nothing changed." in load()
    assert Company.objects.filter(slug="new-maker").exists()


def test_if_empty_loads_an_empty_database_and_leaves_a_loaded_one_alone():
    assert "Seeds loaded:" in load(None, "--if-empty")
    diverge()
    before = snapshot()
    output = load(None, "--if-empty")
    assert output.startswith("Seeds not loaded: the database already holds curated data (")
    assert snapshot() == before
