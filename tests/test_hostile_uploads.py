"""Files built to exhaust the server are refused before they are read, with a message, on every
path (admin, `manage.py import`, `load_seeds`); previews of big files stay small; a waiting upload
is its uploader's alone and waits only in a private folder; a tampered confirm is a 400; and the
small admin crashes of issue #9 (a year filter of 0, a refused `?next=`) are gone.

The hostile files come from tests/hostile_files.py, small here (limits lowered where a full-size
file would be slow to build); bench/upload_bench.py runs them full size against time and memory.
"""

import io
import os
import re
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from companies.models import Alias, Company, Deal
from dataio import jobs
from dataio.limits import ImportLimits, UnreadableFile, check_csv
from dataio.models import DataJob
from sources.models import Source, Story
from tests import hostile_files
from tests.conftest import PASSWORD, logged_in, make_deal, make_source, make_staff
from tests.import_helpers import (
    JSON,
    XLSX,
    admin_url,
    cancel,
    confirm,
    invalid_rows,
    preview_labels,
    settings_from_environment,
    snapshot,
    upload,
)
from tests.import_helpers import visible_text as page_text

LIMITS = ("IMPORT_MAX_ROWS", "IMPORT_MAX_CELL_CHARS", "IMPORT_MAX_UNPACKED_MB")

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def editor_client(editor_client, import_folder) -> Client:
    """The editor of tests/conftest.py, whose uploads wait in this test's private folder."""
    return editor_client


@pytest.fixture
def other_editor(import_folder) -> Client:
    return logged_in(make_staff(username="other-editor", group="Editors"))


def waiting_files(folder: Path) -> list[str]:
    return sorted(path.name for path in folder.iterdir()) if folder.exists() else []


def companies_csv(*rows: str) -> bytes:
    return ("slug,name,kind\n" + "".join(f"{row}\n" for row in rows)).encode()


def assert_refused(response, message: str, *, before: str, folder: Path) -> None:
    """The preview page shows `message`, offers nothing to confirm, and has changed and kept nothing."""
    assert message in page_text(response)
    assert "Confirm import" not in response.text
    assert snapshot() == before
    assert waiting_files(folder) == []


# -- point 4: hostile files, refused before they are read ---------------------------------------

XLSX_CASES = {
    # 1.7 KB declaring A1:C3000000 and naming its last row: 25 s and 1.6 GB before.
    "dimension bomb": (
        lambda: hostile_files.dimension_bomb_xlsx(3_000_000),
        {},
        "The sheet declares the range A1:C3000000: more than 100,000 rows; at most 100,000 are imported at once.",
    ),
    # Declares three rows and holds 60: only counting them, not the declaration, finds out.
    "rows beyond the declared range": (
        lambda: hostile_files.undeclared_rows_xlsx(60),
        {"IMPORT_MAX_ROWS": 50},
        "The sheet has row 52, that is more than 50 rows; at most 50 are imported at once.",
    ),
    # A part that unpacks a thousandfold (the 2 MB workbook of one shared string, which took 4 GB).
    "packed a thousandfold": (
        lambda: hostile_files.shared_string_bomb_xlsx(3),
        {},
        "The workbook's part xl/sharedStrings.xml unpacks to 999 times its packed size; a saved spreadsheet "
        "stays under 100 times.",
    ),
    "unpacks over the limit": (
        lambda: hostile_files.shared_string_bomb_xlsx(3),
        {"IMPORT_MAX_UNPACKED_MB": 1},
        "The workbook unpacks to 3 MB; at most 1 MB are read.",
    ),
    "thousands of parts": (
        lambda: hostile_files.many_parts_xlsx(1000),
        {},
        "The workbook holds 1,006 parts; a saved spreadsheet has a few dozen (at most 1,000 are read).",
    ),
    "shared string longer than a cell": (
        lambda: hostile_files.long_shared_string_xlsx(5000),
        {"IMPORT_MAX_CELL_CHARS": 1000},
        "Shared text number 1 of the workbook holds more than 1,000 characters; a cell may hold at most 1,000.",
    ),
    # 100,000 characters, within a cell's limit, in each of 3 × 10 cells: 3 MB of text.
    "shared string in every cell": (
        lambda: hostile_files.repeated_shared_string_xlsx(100_000, 10),
        {"IMPORT_MAX_UNPACKED_MB": 1},
        "The workbook's cells hold more than 1 MB of text; at most 1 MB are read.",
    ),
}


@pytest.mark.parametrize("case", XLSX_CASES)
def test_hostile_xlsx_is_refused_with_a_message_and_changes_nothing(editor_client, settings, import_folder, case):
    build, limits, message = XLSX_CASES[case]
    for name, value in limits.items():
        setattr(settings, name, value)
    before = snapshot()
    response = upload(editor_client, Company, "companies.xlsx", content=build(), file_format=XLSX)
    assert_refused(response, message, before=before, folder=import_folder)


CSV_CASES = {
    # The 9 MB file of 3,000,000 empty rows (89 s, 3.1 GB and a 525 MB page before), in small.
    "empty rows": (lambda: hostile_files.empty_rows_csv(1001), "The file has more than 1,000 rows"),
    # 1,500,000 invalid rows ran into the worker timeout.
    "invalid rows": (lambda: hostile_files.invalid_rows_csv(1001), "The file has more than 1,000 rows"),
    "long cell": (
        lambda: hostile_files.long_cell_csv(1001),
        'Row 1 (line 2), column "summary", holds more than 1,000 characters; a cell may hold at most 1,000.',
    ),
}


@pytest.mark.parametrize("case", CSV_CASES)
def test_hostile_csv_is_refused_with_a_message_and_changes_nothing(editor_client, settings, import_folder, case):
    settings.IMPORT_MAX_ROWS, settings.IMPORT_MAX_CELL_CHARS = 1000, 1000
    build, message = CSV_CASES[case]
    before = snapshot()
    response = upload(editor_client, Company, "companies.csv", content=build())
    assert_refused(response, message, before=before, folder=import_folder)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (hostile_files.object_flood_json(11), "The file has more than 10 rows; at most 10 are imported at once."),
        (hostile_files.deep_json(100_000), "nested too deeply to be rows of a table."),
    ],
    ids=["flood of objects", "nested arrays"],
)
def test_hostile_json_is_refused_with_a_message_and_changes_nothing(
    editor_client, settings, import_folder, content, message
):
    settings.IMPORT_MAX_ROWS = 10
    before = snapshot()
    response = upload(editor_client, Company, "companies.json", content=content, file_format=JSON)
    assert_refused(response, message, before=before, folder=import_folder)


def test_files_at_the_limits_are_read(editor_client, settings, import_folder):
    settings.IMPORT_MAX_ROWS, settings.IMPORT_MAX_CELL_CHARS = 3, 20
    content = companies_csv(
        "a-motors,A Motors,automaker", "b-motors,B Motors,automaker", "c-motors,20 characters 12345,tech"
    )
    assert preview_labels(upload(editor_client, Company, "companies.csv", content=content)) == ["New"] * 3
    workbook = hostile_files.workbook(
        [hostile_files.row_xml(1, *hostile_files.HEADER)]
        + [hostile_files.row_xml(n, f"x{n}-motors", "X Motors", "automaker") for n in (2, 3, 4)],
        dimension="A1:C4",
    )
    assert (
        preview_labels(upload(editor_client, Company, "companies.xlsx", content=workbook, file_format=XLSX))
        == ["New"] * 3
    )


def test_the_default_limits_fit_a_100000_row_import():
    limits = ImportLimits.from_settings()
    assert (limits.rows, limits.cell_chars, limits.text_bytes) == (100_000, 500_000, 100 * 1024 * 1024)
    rows = "".join(f"deal-{i:06d},Deal number {i},joint_venture,announced,2021-03\n" for i in range(100_000))
    check_csv("slug,title,kind,status,date\n" + rows, limits)  # no refusal
    with pytest.raises(UnreadableFile, match="more than 100,000 rows"):
        check_csv("slug,title,kind,status,date\n" + rows + "one-more,Deal,joint_venture,announced,\n", limits)


def test_the_command_line_is_refused_by_the_same_limits(settings, tmp_path):
    settings.IMPORT_MAX_ROWS = 1000
    path = tmp_path / "companies.csv"
    path.write_bytes(hostile_files.empty_rows_csv(3000))
    before = snapshot()
    with pytest.raises(CommandError) as refused:
        call_command("import", "companies.Company", str(path), "--no-input", stderr=io.StringIO())
    assert str(refused.value) == (
        "companies.csv: The file has more than 1,000 rows; at most 1,000 are imported at once. "
        "Split it into smaller files.\nNothing was imported."
    )
    workbook = tmp_path / "companies.xlsx"
    workbook.write_bytes(hostile_files.dimension_bomb_xlsx(3_000_000))
    with pytest.raises(CommandError, match=r"companies\.xlsx: The sheet declares the range A1:C3000000"):
        call_command("import", "companies.Company", str(workbook), "--no-input", stderr=io.StringIO())
    assert snapshot() == before


def test_load_seeds_is_refused_by_the_same_limits(settings, seeds_copy):
    settings.IMPORT_MAX_ROWS = 20  # the seeds hold 33 companies
    with pytest.raises(CommandError) as refused:
        call_command("load_seeds", "--directory", str(seeds_copy), stdout=io.StringIO())
    assert "companies.csv: The file has more than 20 rows; at most 20 are imported at once." in str(refused.value)
    assert not Company.objects.exists() and not Story.objects.exists()


def test_the_limits_come_from_the_environment():
    assert settings_from_environment(LIMITS).stdout.split() == ["100000", "500000", "100"]
    custom = settings_from_environment(
        LIMITS,
        DJANGO_IMPORT_MAX_ROWS="250000",
        DJANGO_IMPORT_MAX_CELL_CHARS="2000000",
        DJANGO_IMPORT_MAX_UNPACKED_MB="500",
    )
    assert custom.stdout.split() == ["250000", "2000000", "500"], custom.stderr
    zero = settings_from_environment(LIMITS, DJANGO_IMPORT_MAX_ROWS="0")
    assert zero.returncode != 0
    assert "DJANGO_IMPORT_MAX_ROWS=0: must be at least 1." in zero.stderr


# -- point 4: a preview counts what it does not list --------------------------------------------


def test_preview_counts_skipped_rows_instead_of_listing_them(editor_client, tmp_path):
    rows = [f"co-{i:02d},Company {i},automaker" for i in range(30)]
    (tmp_path / "companies.csv").write_bytes(companies_csv(*rows))
    call_command("import", "companies.Company", str(tmp_path / "companies.csv"), "--no-input", stderr=io.StringIO())
    changed = companies_csv(*rows[:-1], "co-29,Company 29 renamed,automaker", ",,", ",,")
    preview = upload(editor_client, Company, "companies.csv", content=changed)
    assert preview_labels(preview) == ["Update", "Skipped"]  # one line for every skipped row
    assert "Skipped 31 rows unchanged or empty, not listed." in page_text(preview)


def test_preview_lists_a_limited_number_of_changed_rows(editor_client, monkeypatch):
    monkeypatch.setattr(jobs, "ROWS_KEPT", 5)
    preview = upload(
        editor_client, Company, "companies.csv", content=companies_csv(*(f"n-{i},N {i},tech" for i in range(12)))
    )
    assert preview_labels(preview) == ["New"] * 5
    assert "… and 7 more new or updated rows, not listed." in page_text(preview)
    done = confirm(editor_client, Company, preview)
    assert "Import finished: 12 new" in page_text(done)


def test_preview_lists_a_limited_number_of_errors_and_counts_the_rest(editor_client, monkeypatch, import_folder):
    monkeypatch.setattr(jobs, "ERRORS_KEPT", 5)
    before = snapshot()
    rows = [f"bad-{i},Bad {i},spaceship" for i in range(30)]  # one error each: an unknown kind
    preview = upload(editor_client, Company, "companies.csv", content=companies_csv(*rows))
    assert list(invalid_rows(preview)) == [1, 2, 3, 4, 5]
    assert "… and 25 more errors." in page_text(preview)
    assert snapshot() == before


# -- point 5: waiting files ---------------------------------------------------------------------

GOOD_FILE = companies_csv("waiting-motors,Waiting Motors,automaker")


def test_a_waiting_file_is_named_after_its_uploader(editor, editor_client, import_folder):
    upload(editor_client, Company, "companies.csv", content=GOOD_FILE)
    name = DataJob.objects.get().waiting_file
    assert name.startswith(f"{editor.pk}-")
    assert waiting_files(import_folder) == [name]


def test_another_user_cannot_see_confirm_or_cancel_my_import(editor_client, other_editor, import_folder):
    preview = upload(editor_client, Company, "companies.csv", content=GOOD_FILE)
    job = DataJob.objects.get()
    before = snapshot()
    assert other_editor.get(admin_url(DataJob, "change", job.pk)).status_code == 404
    assert other_editor.get(reverse("admin:dataio_datajob_status", args=[job.pk])).status_code == 404
    assert other_editor.post(reverse("admin:dataio_datajob_confirm", args=[job.pk])).status_code == 404
    assert other_editor.post(reverse("admin:dataio_datajob_cancel", args=[job.pk])).status_code == 404
    assert "waiting-motors" not in other_editor.get(admin_url(DataJob, "changelist")).text
    assert snapshot() == before
    assert waiting_files(import_folder) == [job.waiting_file]  # still there, for its owner
    assert "Import finished: 1 new" in page_text(confirm(editor_client, Company, preview))


@pytest.mark.parametrize("model", [Company, Alias])
def test_the_librarys_confirm_form_is_refused_and_imports_nothing(editor_client, import_folder, model):
    """The confirm is the job page's: a form naming a waiting file, format or resource is not acted on."""
    upload(editor_client, Company, "companies.csv", content=GOOD_FILE)
    fields = {"import_file_name": DataJob.objects.get().waiting_file, "format": "0", "resource": "0"}
    before = snapshot()
    response = editor_client.post(admin_url(model, "process_import"), {**fields, "original_file_name": "x.csv"})
    assert response.status_code == 400
    assert "Nothing was imported." in page_text(response)
    assert snapshot() == before


def test_a_second_confirm_says_the_file_is_gone(editor_client, import_folder):
    preview = upload(editor_client, Company, "companies.csv", content=GOOD_FILE)
    confirm(editor_client, Company, preview)
    again = confirm(editor_client, Company, preview)
    assert "The uploaded file is no longer waiting" in page_text(again)
    assert Company.objects.filter(slug="waiting-motors").count() == 1


@pytest.mark.parametrize(
    "content",
    [companies_csv("bad-motors,Bad Motors,spaceship"), "ä".encode("latin-1"), hostile_files.empty_rows_csv(10)],
    ids=["invalid row", "not UTF-8", "over the row limit"],
)
def test_a_refused_preview_leaves_no_file_behind(editor_client, settings, import_folder, content):
    settings.IMPORT_MAX_ROWS = 5
    response = upload(editor_client, Company, "companies.csv", content=content)
    assert "Confirm import" not in response.text
    assert waiting_files(import_folder) == []


def test_cancel_still_removes_my_own_waiting_file(editor_client, import_folder):
    preview = upload(editor_client, Company, "companies.csv", content=GOOD_FILE)
    assert "Import cancelled; the uploaded file was removed." in page_text(cancel(editor_client, preview))
    assert waiting_files(import_folder) == []


def unsafe_folders(import_folder: Path, tmp_path: Path):
    def world_writable():
        import_folder.mkdir()
        import_folder.chmod(0o777)
        return "has mode 0777, not 0700"

    def someone_elses():
        if os.geteuid() != 0:
            pytest.skip("only root can give a folder to another user")
        import_folder.mkdir(mode=0o700)
        os.chown(import_folder, 54321, -1)
        return f"belongs to user id 54321, not to this process's user (id {os.geteuid()})"

    def link():
        (tmp_path / "elsewhere").mkdir(mode=0o700)
        import_folder.symlink_to(tmp_path / "elsewhere")
        return "is a symbolic link"

    return {"world-writable": world_writable, "another user's": someone_elses, "a symbolic link": link}


@pytest.mark.parametrize("kind", ["world-writable", "another user's", "a symbolic link"])
def test_an_unsafe_folder_is_refused_before_a_file_waits_in_it(editor_client, import_folder, tmp_path, kind):
    problem = unsafe_folders(import_folder, tmp_path)[kind]()
    before = snapshot()
    response = upload(editor_client, Company, "companies.csv", content=GOOD_FILE)
    assert response.status_code == 302
    shown = page_text(editor_client.get(response["Location"]))
    assert f"The upload cannot be kept for its preview: DJANGO_IMPORT_TMP_DIR {import_folder} {problem}" in shown
    assert waiting_files(import_folder) == []
    assert snapshot() == before
    with pytest.raises(ImproperlyConfigured, match=re.escape(problem)):
        call_command("purge_import_files", stdout=io.StringIO())


def test_a_folder_opened_up_between_preview_and_confirm_is_not_read(editor_client, import_folder):
    """Another local user who can write there could have swapped the file meanwhile."""
    preview = upload(editor_client, Company, "companies.csv", content=GOOD_FILE)
    import_folder.chmod(0o777)
    done = confirm(editor_client, Company, preview)
    assert "The uploaded file cannot be read safely: DJANGO_IMPORT_TMP_DIR" in page_text(done)
    assert not Company.objects.filter(slug="waiting-motors").exists()


def test_the_purge_removes_only_uploads(import_folder):
    import_folder.mkdir(mode=0o700)
    upload_file, other = import_folder / f"3-{'c' * 32}", import_folder / "notes.txt"
    for path in (upload_file, other):
        path.write_text("old")
        os.utime(path, (0, 0))
    call_command("purge_import_files", "--older-than-hours", "1", stdout=io.StringIO())
    assert waiting_files(import_folder) == ["notes.txt"]


# -- point 6: admin crashes ---------------------------------------------------------------------


@pytest.mark.parametrize("year", ["0", "99999"])
def test_an_impossible_year_in_the_date_filters_is_ignored_with_a_message(editor_client, year):
    make_deal(title="A dated deal", slug="a-dated-deal", date="2021-03-31", date_precision="day")
    make_source(slug="a-dated-source", published_date="2021-03-31", published_date_precision="day", date_basis="stated")
    for model, parameter, listed in ((Deal, "date_year", "A dated deal"), (Source, "published_date_year", "A source")):
        response = editor_client.get(admin_url(model, "changelist"), {parameter: year})
        assert response.status_code == 200
        text = page_text(response)
        assert f"“{year}” is not a year from 1 to 9999; the year filter was ignored." in text
        assert listed in text


def test_a_real_year_still_filters(editor_client):
    make_deal(title="A 2021 deal", slug="a-2021-deal", date="2021-03-31", date_precision="day")
    make_deal(title="A 2020 deal", slug="a-2020-deal", date="2020-05-02", date_precision="day")
    text = page_text(editor_client.get(admin_url(Deal, "changelist"), {"date_year": "2021"}))
    assert "A 2021 deal" in text and "A 2020 deal" not in text


def test_a_login_with_a_foreign_next_lands_on_the_admin(client, editor):
    login = reverse("admin:login") + "?next=https://evil.example/"
    response = client.post(login, {"username": "editor", "password": PASSWORD, "next": "https://evil.example/"})
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:index") == "/admin/"
    assert client.get(response["Location"]).status_code == 200
