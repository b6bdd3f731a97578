"""The command line: `manage.py import` and `export` (the project's commands, in place of the
library's of the same names) read and write files as the admin does, with the same strictness
and the same formula-safe files."""

import csv
import io
import json
import re
from decimal import Decimal

import openpyxl
import pytest
from django.core.management import CommandError, call_command

from companies.models import Company
from sources.models import Excerpt, Source
from tests.conftest import DRAFT, make_company, make_deal
from tests.import_helpers import DATA, snapshot

pytestmark = pytest.mark.django_db

COMPANIES = "companies.resources.CompanyResource"
DEALS = "companies.resources.DealResource"


@pytest.fixture
def parents():
    make_company(name="Xiaomi")
    make_company(name="SAIC Motor", slug="saic-motor", kind=Company.Kind.AUTOMAKER)


def run_import(resource: str, name: str, *options: str) -> tuple[int, str]:
    """`manage.py import <resource> tests/data/<name> --no-input`: (exit status, what it printed).
    An absolute path is used as it is, and "-" is standard input."""
    err = io.StringIO()
    try:
        path = name if name == "-" else str(DATA / name)
        call_command("import", resource, path, "--no-input", *options, stdout=err, stderr=err)
    except SystemExit as exit_:
        return exit_.code, err.getvalue()
    except CommandError as error:
        return 1, err.getvalue() + str(error)
    return 0, err.getvalue()


def run_export(file_format: str, resource: str) -> bytes:
    """`manage.py export <format> <resource> > file`: the bytes written to standard output."""
    out = io.TextIOWrapper(io.BytesIO(), encoding="utf-8")
    call_command("export", file_format, resource, stdout=out)
    out.flush()
    return out.buffer.getvalue()


def test_import_command_creates_rows(parents):
    status, output = run_import(COMPANIES, "companies_crlf.csv")
    assert status == 0, output
    assert "Import finished: 2 new, 0 updated, 0 deleted and 0 skipped companies." in output
    assert Company.objects.get(slug="crlf-motors").summary == 'Says it will "build cars", not phones.'
    assert Company.objects.get(slug="crlf-robotics").parent.slug == "saic-motor"


def test_import_command_reads_a_file_with_bom(parents):
    status, output = run_import(COMPANIES, "companies_bom.csv")
    assert status == 0, output
    assert Company.objects.get(slug="bom-ventures").parent.slug == "xiaomi"


def test_import_command_reads_xlsx(parents):
    status, output = run_import(COMPANIES, "companies.xlsx")
    assert status == 0, output
    ventures = Company.objects.get(slug="xlsx-ventures")
    assert (ventures.name, ventures.summary) == ("小米测试投资", "=SUM(1,2) is text here")


def test_import_command_dry_run_writes_nothing(parents):
    before = snapshot()
    status, output = run_import(COMPANIES, "companies_messy.csv", "--dry-run")
    assert status == 0, output
    assert "no data will be modified" in output
    assert "Import finished: 2 new" in output
    assert snapshot() == before


def test_import_command_refuses_a_file_with_one_bad_row_and_writes_nothing(parents):
    make_deal(title="An existing deal", slug="bad-row-existing-deal", state=DRAFT, summary="Before the file.")
    before = snapshot()
    status, output = run_import(DEALS, "deals_one_bad_row.csv")
    assert status != 0, output
    assert "Import finished" not in output
    message = next((line for line in output.splitlines() if '"2021-13" is not a date' in line), "")
    assert re.search(r"\b(row|line number:?) 3\b", message, re.IGNORECASE), output  # which row, and why
    assert snapshot() == before


def test_import_command_names_a_missing_column(parents):
    status, output = run_import(COMPANIES, "companies_missing_column.csv")
    assert status == 1
    assert "missing required column(s): kind" in output
    assert not Company.objects.filter(slug="no-kind-motors").exists()


def test_import_command_refuses_a_wrong_encoding_with_a_message(parents):
    status, output = run_import(COMPANIES, "companies_latin1.csv")
    assert status != 0
    assert "UTF-8" in output
    assert not Company.objects.filter(slug="latin-motors").exists()


@pytest.fixture
def awkward_companies():
    make_company(name="Formula", slug="formula", summary='=HYPERLINK("http://127.0.0.1/","x")', state=DRAFT)
    make_company(name="Apostrophe", slug="apostrophe", summary="'quoted", state=DRAFT)
    make_company(name="小米", slug="xiaomi-zh", headquarters="北京, China", summary="Line one.\nLine two.")


def test_export_command_writes_our_columns_formula_safe(awkward_companies):
    rows = {row["slug"]: row for row in csv.DictReader(io.StringIO(run_export("CSV", COMPANIES).decode("utf-8")))}
    assert set(rows) == {"formula", "apostrophe", "xiaomi-zh"}
    assert rows["xiaomi-zh"]["headquarters"] == "北京, China"
    assert rows["xiaomi-zh"]["summary"] == "Line one.\nLine two."
    assert rows["formula"]["summary"] == '\'=HYPERLINK("http://127.0.0.1/","x")'
    assert rows["apostrophe"]["summary"] == "''quoted"


def test_export_command_writes_xlsx_with_numbers_as_numbers(awkward_companies):
    make_deal(title="A deal", slug="a-deal", amount=Decimal("465800000"), currency="USD", state=DRAFT)
    sheet = openpyxl.load_workbook(io.BytesIO(run_export("XLSX", DEALS))).active
    header, row = [list(line) for line in sheet.iter_rows()]
    amount = row[[cell.value for cell in header].index("amount")]
    assert (amount.data_type, amount.value) == ("n", 465800000)


def test_export_then_import_on_the_command_line_changes_nothing(awkward_companies, tmp_path):
    path = tmp_path / "companies.csv"
    path.write_bytes(run_export("CSV", COMPANIES))
    before = snapshot()
    err = io.StringIO()
    call_command("import", COMPANIES, str(path), "--no-input", stderr=err)
    assert "Import finished: 0 new, 0 updated, 0 deleted and 3 skipped companies." in err.getvalue()
    assert snapshot() == before


def test_load_seeds_reads_seed_files_saved_by_excel(seeds_copy):
    """Excel's "CSV UTF-8" adds a byte order mark and ends rows with CR LF (line breaks inside
    cells stay LF); `load_seeds` reads such files exactly as the plain ones."""
    rows = {}
    for path in seeds_copy.glob("*.csv"):
        with path.open(encoding="utf-8", newline="") as handle:
            table = list(csv.reader(handle))
        with path.open("w", encoding="utf-8-sig", newline="") as handle:
            csv.writer(handle, lineterminator="\r\n").writerows(table)
        rows[path.name] = len(table) - 1
    assert (seeds_copy / "companies.csv").read_bytes().startswith(b"\xef\xbb\xbfslug,")
    out = io.StringIO()
    call_command("load_seeds", "--directory", str(seeds_copy), stdout=out)
    assert f"Seeds loaded: {sum(rows.values())} record(s) created or updated." in out.getvalue()
    assert Company.objects.count() == rows["companies.csv"]
    assert Excerpt.objects.count() == rows["excerpts.csv"]
    for source in Source.objects.exclude(seed_file=""):  # the archived texts, byte for byte
        assert source.text == (seeds_copy / source.seed_file).read_text(encoding="utf-8")


def test_import_command_takes_a_model_label_and_an_explicit_encoding(parents):
    """`companies.Company` means the resource the admin imports with; a file that is not UTF-8
    is read when its encoding is named."""
    status, output = run_import("companies.Company", "companies_latin1.csv", "--encoding", "cp1252")
    assert status == 0, output
    assert Company.objects.get(slug="latin-motors").name == "Société Générale Automobiles"


def test_export_then_import_json_from_standard_input(awkward_companies, monkeypatch):
    exported = run_export("json", "companies.Company")
    assert [row["slug"] for row in json.loads(exported)] == ["apostrophe", "formula", "xiaomi-zh"]
    Company.objects.filter(slug__in=["apostrophe", "formula"]).delete()
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(exported), encoding="utf-8"))
    status, output = run_import(COMPANIES, "-", "--format", "json")
    assert status == 0, output
    assert "Import finished: 2 new, 0 updated, 0 deleted and 1 skipped companies." in output
    assert Company.objects.get(slug="apostrophe").summary == "'quoted"
    assert Company.objects.get(slug="formula").summary == '=HYPERLINK("http://127.0.0.1/","x")'
    assert Company.objects.get(slug="xiaomi-zh").headquarters == "北京, China"


def test_json_rows_with_different_keys_are_refused_not_dropped(parents, tmp_path):
    path = tmp_path / "companies.json"
    first = {"slug": "json-motors", "name": "JSON Motors", "kind": "automaker", "editorial_state": "draft"}
    second = {**first, "slug": "json-two", "headquarters": "Hefei"}
    path.write_text(json.dumps([first, second]), encoding="utf-8")
    status, output = run_import(COMPANIES, str(path))
    assert status == 1
    assert "companies.json, row 2: unexpected key(s): headquarters (every row needs the same keys)." in output
    assert "Nothing was imported." in output
    assert not Company.objects.filter(slug__startswith="json-").exists()


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (("companies.Nothing", "companies_bom.csv"), "Unknown resource 'companies.Nothing'"),
        ((COMPANIES, "missing.csv"), "missing.csv: no such file."),
        ((COMPANIES, "companies_bom.csv", "--format", "ods"), "Unknown format 'ods': use one of csv, xlsx, json."),
        ((COMPANIES, "companies_bom.csv", "--encoding", "klingon"), "Unknown encoding 'klingon'."),
        (("dataio.resources.read_dataset", "companies_bom.csv"), "Unknown resource 'dataio.resources.read_dataset'"),
        ((COMPANIES, "-"), "Reading standard input needs --format"),
    ],
)
def test_import_command_says_what_is_wrong_with_its_arguments(parents, arguments, message):
    resource, name, *options = arguments
    status, output = run_import(resource, name, *options)
    assert status == 1
    assert message in output
    assert Company.objects.count() == 2


def test_export_command_refuses_an_unknown_format():
    with pytest.raises(CommandError, match=re.escape("Unknown format 'ods': use one of csv, xlsx, json.")):
        run_export("ods", COMPANIES)


def test_import_command_takes_a_model_by_dotted_path_and_keeps_a_bom_under_a_named_encoding(parents):
    status, output = run_import("companies.models.Company", "companies_bom.csv", "--encoding", "utf-8")
    assert status == 0, output
    assert Company.objects.get(slug="bom-motors").headquarters == "Hefei, China"


def test_import_command_shows_what_would_change_and_asks_first(parents, monkeypatch):
    questions = []
    monkeypatch.setattr("builtins.input", lambda question: questions.append(question) or "yes")
    err = io.StringIO()
    call_command("import", COMPANIES, str(DATA / "companies_crlf.csv"), stdout=err, stderr=err)
    assert questions == ["Import it? [yes/no]: "]
    assert "companies_crlf.csv: 2 new, 0 updated and 0 unchanged companies." in err.getvalue()
    assert "Import finished: 2 new" in err.getvalue()
    assert Company.objects.filter(slug__startswith="crlf-").count() == 2
    record = Company.objects.get(slug="crlf-motors").history.get()
    assert record.history_change_reason == "Imported from companies_crlf.csv"


@pytest.mark.parametrize("answer", ["no", "", EOFError])
def test_import_command_writes_nothing_unless_the_answer_is_yes(parents, monkeypatch, answer):
    def reply(question):
        if answer is EOFError:
            raise EOFError
        return answer

    monkeypatch.setattr("builtins.input", reply)
    with pytest.raises(CommandError, match=re.escape("Import cancelled; nothing was written.")):
        call_command("import", COMPANIES, str(DATA / "companies_crlf.csv"), stdout=io.StringIO(), stderr=io.StringIO())
    assert not Company.objects.filter(slug__startswith="crlf-").exists()


def test_import_command_does_not_ask_about_a_bad_file(parents, monkeypatch):
    monkeypatch.setattr("builtins.input", lambda question: pytest.fail("asked about a file with errors"))
    with pytest.raises(CommandError, match=r'row 3 \(line 4\), column "date": "2021-13" is not a date'):
        call_command("import", DEALS, str(DATA / "deals_one_bad_row.csv"), stdout=io.StringIO(), stderr=io.StringIO())


def test_standard_input_cannot_also_answer_the_question(parents):
    with pytest.raises(CommandError, match="Reading standard input needs --no-input"):
        call_command("import", COMPANIES, "-", "--format", "csv", stdout=io.StringIO(), stderr=io.StringIO())


def test_a_file_that_is_not_a_workbook_is_named_as_such(parents, tmp_path):
    path = tmp_path / "companies.xlsx"
    path.write_bytes(b"PK\x03\x04 not really a zip")
    status, output = run_import(COMPANIES, str(path))
    assert status == 1
    assert "companies.xlsx: not an XLSX workbook (save it from the spreadsheet as .xlsx)." in output


def test_a_cell_longer_than_the_csv_modules_default_limit_is_imported_whole(parents, tmp_path):
    summary = "长" * 100_000 + " and a long summary, " * 10_000
    path = tmp_path / "companies.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(
            [
                ["slug", "name", "kind", "summary", "editorial_state"],
                ["long-motors", "Long", "automaker", summary, "draft"],
            ]
        )
    status, output = run_import(COMPANIES, str(path))
    assert status == 0, output
    assert Company.objects.get(slug="long-motors").summary == summary.strip()


def test_headers_that_tidy_to_the_same_name_are_refused(parents, tmp_path):
    path = tmp_path / "companies.csv"
    path.write_text("slug,name,kind,Name ,editorial_state\ntwin-motors,Twin,automaker,Other,draft\n", encoding="utf-8")
    status, output = run_import(COMPANIES, str(path))
    assert status == 1
    assert 'columns 2 and 4 are both "name"; keep one of them' in output
    assert not Company.objects.filter(slug="twin-motors").exists()


def test_json_errors_name_the_row_without_spreadsheet_lines(parents, tmp_path):
    path = tmp_path / "deals.json"
    row = {"slug": "json-deal", "title": "A JSON deal", "kind": "investment", "status": "announced"}
    path.write_text(json.dumps([{**row, "date": "2021-13", "editorial_state": "draft"}]), encoding="utf-8")
    status, output = run_import(DEALS, str(path))
    assert status == 1
    assert 'deals.json, row 1, column "date": "2021-13" is not a date' in output
    assert "(line" not in output
