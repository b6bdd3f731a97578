"""An import lists its first 100 problems and counts the rest (issue #13, point 2): a file of a
million bad rows must neither keep millions of messages in memory nor print them all."""

import io
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from companies.models import Deal
from companies.resources import DealResource
from dataio.limits import ERRORS_LISTED
from dataio.resources import import_dataset, read_dataset

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parent.parent


def bad_deals(path: Path, *, rows: int) -> Path:
    """Deals whose kind is not a kind: one problem per row."""
    lines = ["slug,title,kind,status"] + [f"deal-{number},A deal,not-a-kind,announced" for number in range(rows)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_import_lists_the_first_hundred_problems_and_counts_the_rest_exactly(tmp_path):
    path = bad_deals(tmp_path / "bad.csv", rows=5000)
    report = import_dataset(DealResource(), read_dataset(path), name=path.name)
    assert len(report.errors) == ERRORS_LISTED + 1
    assert report.errors[0].startswith('bad.csv, row 1 (line 2), column "kind": "not-a-kind" is not allowed')
    assert report.errors[ERRORS_LISTED - 1].startswith("bad.csv, row 100 (line 101)")
    assert report.errors[-1] == "bad.csv: … and 4,900 more errors"
    # Only the listed rows are kept; every row is still counted.
    assert len(report.result.invalid_rows) == ERRORS_LISTED
    assert report.result.totals["invalid"] == 5000
    assert not Deal.objects.exists()


def test_import_at_the_limit_lists_everything(tmp_path):
    path = bad_deals(tmp_path / "bad.csv", rows=ERRORS_LISTED)
    report = import_dataset(DealResource(), read_dataset(path), name=path.name)
    assert len(report.errors) == ERRORS_LISTED
    assert "more error" not in report.errors[-1]


def test_several_problems_in_a_row_are_counted_one_each(tmp_path):
    path = tmp_path / "bad.csv"
    rows = [f"deal-{number},,not-a-kind,not-a-status" for number in range(150)]  # kind, status
    path.write_text("slug,title,kind,status\n" + "\n".join(rows) + "\n", encoding="utf-8")
    report = import_dataset(DealResource(), read_dataset(path), name=path.name)
    assert len(report.errors) == ERRORS_LISTED + 1
    assert report.errors[-1] == "bad.csv: … and 200 more errors"  # 300 problems, 100 listed


def test_command_line_prints_a_bounded_report(tmp_path):
    path = bad_deals(tmp_path / "bad.csv", rows=3000)
    err = io.StringIO()
    with pytest.raises(CommandError) as refused:
        call_command("import", "companies.Deal", str(path), "--no-input", stdout=err, stderr=err)
    lines = str(refused.value).splitlines()
    assert lines[0] == "bad.csv: nothing was imported; the database is unchanged."
    assert len(lines) == 1 + ERRORS_LISTED + 1
    assert lines[-1] == "bad.csv: … and 2,900 more errors"


def test_command_line_in_its_own_process_stays_small(tmp_path):
    """`manage.py import` on 50,000 bad rows, as an editor runs it: a few kilobytes of output
    and no traceback (bench/import_bench.py measures the million-row file's peak memory)."""
    path = bad_deals(tmp_path / "bad.csv", rows=50_000)
    database = tmp_path / "db.sqlite3"
    env = {
        "PATH": "/usr/bin:/bin",
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": "test",
        "DJANGO_ENV_FILE": "",
        "DJANGO_STATIC_MANIFEST": "0",
        "DATABASE_URL": f"sqlite:///{database}",
    }
    manage = [sys.executable, str(ROOT / "manage.py")]
    subprocess.run([*manage, "migrate", "--verbosity", "0"], cwd=ROOT, env=env, check=True)
    finished = subprocess.run(
        [*manage, "import", "companies.Deal", str(path), "--no-input"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert finished.returncode == 1
    output = finished.stdout + finished.stderr
    assert "Traceback" not in output
    progress = [line for line in output.splitlines() if line.endswith(" rows checked")]
    assert len(progress) == 11  # not a terminal: a progress line a tenth of the file
    assert len(output.splitlines()) - len(progress) <= ERRORS_LISTED + 3
    assert output.rstrip().endswith("bad.csv: … and 49,900 more errors")
