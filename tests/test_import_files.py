"""Admin import of real files from tests/data: messy spreadsheets are read as the editor meant,
the preview says what will change, and a file with any bad row changes nothing."""

import json

import pytest

from companies.models import Company, Deal
from sources.models import Excerpt
from tests.conftest import DRAFT, make_company, make_deal, make_source
from tests.import_helpers import (
    JSON,
    XLSX,
    confirm,
    diff_sides,
    invalid_rows,
    preview_labels,
    preview_rows,
    snapshot,
    upload,
    visible_text,
)

# Uploads wait in each test's own folder.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("import_folder")]


@pytest.fixture
def parents():
    """The existing companies the files name as parents."""
    return {
        "xiaomi": make_company(name="Xiaomi"),
        "saic-motor": make_company(name="SAIC Motor", slug="saic-motor", kind=Company.Kind.AUTOMAKER),
    }


def test_utf8_file_with_bom_is_read_from_its_first_column(superuser_client, parents):
    preview = upload(superuser_client, Company, "companies_bom.csv")
    assert preview_labels(preview) == ["New", "New"]
    done = confirm(superuser_client, Company, preview)
    assert "Import finished: 2 new, 0 updated, 0 deleted and 0 skipped companies." in visible_text(done)
    motors = Company.objects.get(slug="bom-motors")
    assert (motors.name, motors.headquarters, motors.website) == (
        "BOM Motors",
        "Hefei, China",
        "https://bom-motors.example",
    )
    assert Company.objects.get(slug="bom-ventures").parent == parents["xiaomi"]


def test_crlf_file_with_excel_quoting_keeps_commas_quotes_and_line_breaks(superuser_client, parents):
    done = confirm(superuser_client, Company, upload(superuser_client, Company, "companies_crlf.csv"))
    assert "Import finished: 2 new" in visible_text(done)
    motors = Company.objects.get(slug="crlf-motors")
    assert motors.name == "CRLF Motors, Inc."
    assert motors.summary == 'Says it will "build cars", not phones.'
    robotics = Company.objects.get(slug="crlf-robotics")
    assert robotics.summary == "First line of the summary.\nSecond line, after a line break."
    assert robotics.parent == parents["saic-motor"]
    assert robotics.editorial_state == DRAFT  # the last column, just before the CR LF


def test_messy_file_is_tidied(superuser_client, parents):
    """Header case and spaces, values padded with spaces, Chinese text, and empty trailing
    columns and rows, as a hand-edited spreadsheet leaves them."""
    before = Company.objects.count()
    preview = upload(superuser_client, Company, "companies_messy.csv")
    assert "Some rows failed" not in preview.text and "Errors" not in visible_text(preview)
    assert preview_labels(preview).count("New") == 2
    confirm(superuser_client, Company, preview)
    motors = Company.objects.get(slug="messy-motors")
    assert motors.name == "小米汽车测试"
    assert (motors.kind, motors.entry_mode, motors.editorial_state) == ("tech", "own_cars", DRAFT)
    assert motors.headquarters == "北京, China"
    assert motors.summary == "A tech company typed by hand, spaces and all."
    assert motors.parent == parents["xiaomi"]
    assert Company.objects.get(slug="messy-parts").name == "Messy Parts 零部件"
    assert Company.objects.count() == before + 2  # the empty rows made nothing


def test_xlsx_file_is_imported(superuser_client, parents):
    preview = upload(superuser_client, Company, "companies.xlsx", file_format=XLSX)
    assert preview_labels(preview).count("New") == 2
    done = confirm(superuser_client, Company, preview)
    assert "Import finished: 2 new" in visible_text(done)
    motors = Company.objects.get(slug="xlsx-motors")
    assert motors.summary == "Typed in Excel.\nOn two lines."
    assert motors.website == "" and motors.entry_mode == ""  # empty cells, not "None"
    ventures = Company.objects.get(slug="xlsx-ventures")
    assert ventures.name == "小米测试投资"
    assert ventures.parent == parents["xiaomi"]
    # A spreadsheet's leading apostrophe marks a cell as text; it is not part of the value.
    assert ventures.summary == "=SUM(1,2) is text here"


def test_preview_says_what_is_new_updated_and_skipped_with_a_diff(superuser_client, parents):
    first = upload(superuser_client, Company, "companies_crlf.csv")
    assert preview_labels(first) == ["New", "New"]
    _slug, name = preview_rows(first)[0][1][:2]  # cells in column order: slug, name, …
    assert diff_sides(name) == ("", "CRLF Motors, Inc.")
    confirm(superuser_client, Company, first)
    Company.objects.filter(slug="crlf-motors").update(name="Ancient Motors Ltd")

    again = upload(superuser_client, Company, "companies_crlf.csv")
    rows = preview_rows(again)
    assert [label for label, _cells in rows] == ["Update", "Skipped"]
    _slug, name = rows[0][1][:2]
    assert diff_sides(name) == ("Ancient Motors Ltd", "CRLF Motors, Inc.")
    done = confirm(superuser_client, Company, again)
    assert "Import finished: 0 new, 1 updated, 0 deleted and 1 skipped companies." in visible_text(done)
    assert Company.objects.get(slug="crlf-motors").name == "CRLF Motors, Inc."


def test_reimporting_the_same_file_changes_nothing(superuser_client, parents):
    confirm(superuser_client, Company, upload(superuser_client, Company, "companies_messy.csv"))
    before = snapshot()
    again = upload(superuser_client, Company, "companies_messy.csv")
    assert "New" not in preview_labels(again) and "Update" not in preview_labels(again)
    done = confirm(superuser_client, Company, again)
    assert "Import finished: 0 new, 0 updated" in visible_text(done)
    assert snapshot() == before


def test_file_in_another_encoding_is_refused_with_a_clear_message(superuser_client, parents):
    before = snapshot()
    response = upload(superuser_client, Company, "companies_latin1.csv")
    page = visible_text(response)
    assert "The file is not UTF-8 text. In Excel, save it as “CSV UTF-8”, or upload the .xlsx file itself." in page
    assert "Traceback" not in page and "UnicodeDecodeError" not in page
    assert "Confirm import" not in response.text
    assert snapshot() == before


def test_missing_required_column_is_named_without_a_traceback(superuser_client, parents):
    before = snapshot()
    response = upload(superuser_client, Company, "companies_missing_column.csv")
    page = visible_text(response)
    assert "missing required column(s): kind" in page
    assert "Traceback" not in page
    assert "Confirm import" not in response.text
    assert snapshot() == before


@pytest.fixture
def existing_deal(parents):
    """The deal that deals_one_bad_row.csv renames on its second row."""
    return make_deal(title="An existing deal", slug="bad-row-existing-deal", state=DRAFT, summary="Before the file.")


def test_one_bad_row_among_good_ones_is_shown_and_nothing_is_written(superuser_client, existing_deal):
    before = snapshot()
    preview = upload(superuser_client, Deal, "deals_one_bad_row.csv")
    assert "Some rows failed to validate" in preview.text
    bad = invalid_rows(preview)
    assert list(bad) == [3]  # the third row under the header; the other three are fine
    assert bad[3].startswith("1 date ")  # one error, in the column "date"
    assert '"2021-13" is not a date' in bad[3]
    assert "Confirm import" not in preview.text
    assert snapshot() == before
    assert not Deal.objects.filter(slug__in=["good-deal-one", "good-deal-two"]).exists()
    assert Deal.objects.get(slug="bad-row-existing-deal").summary == "Before the file."


def test_confirm_writes_nothing_if_the_data_changed_since_the_preview(superuser_client, parents):
    preview = upload(superuser_client, Company, "companies_bom.csv")
    assert preview_labels(preview) == ["New", "New"]
    parents["xiaomi"].delete()  # bom-ventures names it as its parent
    done = confirm(superuser_client, Company, preview)
    assert "Nothing was imported: the file no longer validates against the data." in visible_text(done)
    assert not Company.objects.filter(slug__in=["bom-motors", "bom-ventures"]).exists()


def test_unknown_slug_in_a_many_to_many_column_is_an_error(superuser_client, parents):
    quote = "Xiaomi confirmed the report on Monday, but did not offer additional details."
    make_source(slug="scmp-xiaomi-talks-evs-with-faw-group", text=f"Beijing. {quote} More text.")
    make_deal(title="Xiaomi and FAW Group in talks", slug="xiaomi-faw-group-talks")
    before = snapshot()
    preview = upload(superuser_client, Excerpt, "excerpts_unknown_company.csv")
    bad = invalid_rows(preview)
    assert list(bad) == [1]
    assert 'companies unknown company slug "xiaomii"' in bad[1]
    assert "Confirm import" not in preview.text
    assert snapshot() == before
    assert not Excerpt.objects.exists()


def test_json_rows_with_different_keys_are_refused_in_the_admin(superuser_client, parents):
    """tablib would keep only the first object's keys and drop the rest without a word."""
    first = {"slug": "json-motors", "name": "JSON Motors", "kind": "automaker", "editorial_state": "draft"}
    content = json.dumps([first, {**first, "slug": "json-two", "website": "https://json.example"}]).encode()
    before = snapshot()
    response = upload(superuser_client, Company, "companies.json", content=content, file_format=JSON)
    page = visible_text(response)
    assert "Row 2: unexpected key(s): website (every row needs the same keys)." in page
    assert "Confirm import" not in response.text
    assert snapshot() == before
