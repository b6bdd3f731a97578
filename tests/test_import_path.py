"""One import path: the admin, the command line and the seeds run the same function
(`dataio.resources.import_dataset`), so the same bad file gets the same row messages everywhere,
and a background job can follow an import's progress."""

from pathlib import Path

import pytest
import tablib
from django.core.management import CommandError, call_command

from companies.models import Deal
from companies.resources import DealResource
from dataio.models import DataJob
from dataio.resources import import_dataset
from dataio.seeds import SeedError, load_seeds
from tests.import_helpers import invalid_rows, upload

pytestmark = pytest.mark.django_db

HEADER = "slug,title,kind,status,date,venture,editorial_state\n"
BAD_DEALS = (
    HEADER
    + "ghost-venture,A deal with an unknown venture,partnership,announced,2021,nowhere-motors,draft\n"
    + ",,,,,,\n"  # an empty spreadsheet line: skipped, not an error
    + "odd-status,A deal with an odd status,partnership,maybe,2021-05,,draft\n"
    + "fine-deal,A fine deal,partnership,announced,2021-05-04,,draft\n"
)
EXPECTED = [
    'deals.csv, row 1 (line 2), column "venture": unknown company slug "nowhere-motors"',
    'deals.csv, row 3 (line 4), column "status": "maybe" is not allowed; '
    "use one of: rumoured, in_talks, announced, completed, called_off",
]


def admin_messages(client) -> list[str]:
    preview = upload(client, Deal, "deals.csv", content=BAD_DEALS.encode())
    assert sorted(invalid_rows(preview)) == [1, 3]
    # The preview job keeps each row's messages by column, as its page shows them.
    job = DataJob.objects.get()
    return [
        f'deals.csv, row {error["number"]} (line {error["number"] + 1}), column "{column}": {message}'
        for error in job.first_errors
        for column, messages in error["fields"]
        for message in messages
    ]


def command_line_messages(path: Path) -> list[str]:
    with pytest.raises(CommandError) as refusal:
        call_command("import", "companies.Deal", str(path), "--no-input")
    first, *lines = str(refusal.value).splitlines()
    assert first == "deals.csv: nothing was imported; the database is unchanged."
    return lines


def seed_messages(directory: Path) -> list[str]:
    (directory / "deals.csv").write_text(BAD_DEALS, encoding="utf-8")
    with pytest.raises(SeedError) as refusal:
        load_seeds(directory=directory)
    return refusal.value.lines


def test_the_admin_the_command_line_and_the_seeds_give_the_same_messages_for_a_bad_file(
    superuser_client, import_folder, seeds_copy, tmp_path
):
    path = tmp_path / "deals.csv"
    path.write_text(BAD_DEALS, encoding="utf-8")
    assert admin_messages(superuser_client) == EXPECTED
    assert command_line_messages(path) == EXPECTED
    assert seed_messages(seeds_copy) == EXPECTED
    assert not Deal.objects.exists()  # all or nothing on every path: the fine row was not written


def test_progress_is_reported_after_each_row_with_the_total():
    dataset = tablib.Dataset(headers=["slug", "title", "kind", "status"])
    for number in range(3):
        dataset.append([f"deal-{number}", f"Deal {number}", "partnership", "announced"])
    calls = []
    report = import_dataset(
        DealResource(), dataset, name="deals.csv", progress=lambda done, total: calls.append((done, total))
    )
    assert (report.new, report.errors) == (3, [])
    assert calls == [(1, 3), (2, 3), (3, 3)]


def test_a_dry_run_checks_the_publishing_rules_as_the_import_would(tmp_path):
    path = tmp_path / "deals.csv"
    path.write_text(HEADER + "lonely-deal,A deal with no party,partnership,announced,2021,,published\n")
    with pytest.raises(CommandError) as refusal:
        call_command("import", "companies.Deal", str(path), "--dry-run")
    assert "deals.csv: row 1 (line 2): Cannot publish the deal “A deal with no party”" in str(refusal.value)
    assert not Deal.objects.exists()


def test_a_bulk_row_without_its_key_is_refused_by_name():
    dataset = tablib.Dataset(
        ["", "A deal without a slug", "partnership", "announced"], headers=["slug", "title", "kind", "status"]
    )
    report = import_dataset(DealResource(), dataset, name="deals.csv")
    assert report.errors == ['deals.csv, row 1 (line 2), column "slug": a key column is empty']
    assert not Deal.objects.exists()
