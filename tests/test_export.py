"""Admin export: all rows, the list's current filter or the selected rows; text that a spreadsheet
would run as a formula is neutralised, numbers stay numbers, and the file imports back unchanged."""

import csv
import html
import io
import json
import re
from decimal import Decimal

import openpyxl
import pytest
from django.conf import settings as django_settings
from django.contrib import admin

from companies.models import Company, Deal, Participation
from sources.models import Excerpt
from tests.conftest import DRAFT, make_company, make_deal, make_excerpt, make_source
from tests.import_helpers import (
    CSV,
    JSON,
    XLSX,
    admin_url,
    confirm,
    export,
    export_form,
    preview_labels,
    snapshot,
    upload,
    visible_text,
)

# Uploads wait in each test's own folder.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("import_folder")]

# One summary per character that makes a spreadsheet cell a formula (or, for the apostrophe,
# that the import would drop), each on its own company.
FORMULA_LIKE = {
    "formula-equals": '=HYPERLINK("http://127.0.0.1/","x")',
    "formula-plus": "+1+2",
    "formula-minus": "-2+3",
    "formula-at": "@SUM(A1:A2)",
    "formula-tab": "\t=1+1",
    "formula-cr": "\r=1+1",
    "formula-apostrophe": "'quoted",
}


@pytest.fixture
def companies():
    made = {
        slug: make_company(name=slug.replace("-", " ").title(), slug=slug, summary=summary, state=DRAFT)
        for slug, summary in FORMULA_LIKE.items()
    }
    made["saic-motor"] = make_company(name="SAIC Motor", slug="saic-motor", kind=Company.Kind.AUTOMAKER)
    made["faw-group"] = make_company(name="FAW Group", slug="faw-group", kind=Company.Kind.AUTOMAKER)
    return made


@pytest.fixture
def numbers(companies):
    """A deal with an amount, a party with a stake and an excerpt with offsets: numeric columns."""
    deal = make_deal(
        title="SAIC sets up Zhiji", slug="saic-zhiji", amount=Decimal("465800000.50"), currency="USD", state=DRAFT
    )
    Participation.objects.create(deal=deal, company=companies["saic-motor"], role="parent", stake_percent=Decimal(54))
    source = make_source(text="Intro. SAIC set up Zhiji with Alibaba. Outro.", slug="zhiji-source")
    make_excerpt(
        source=source, quote="SAIC set up Zhiji with Alibaba.", deals=[deal], companies=[companies["saic-motor"]]
    )
    return deal


def csv_rows(response) -> list[dict]:
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8"), newline="")))


def xlsx_rows(response) -> list[dict]:
    """Each row as column → cell (the openpyxl cell, to check its type as well as its value)."""
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    header, *rows = sheet.iter_rows()
    names = [cell.value for cell in header]
    return [dict(zip(names, row, strict=True)) for row in rows]


def test_export_of_all_rows_has_the_seed_file_columns(superuser_client, companies):
    rows = csv_rows(export(superuser_client, admin_url(Company, "export")))
    assert {row["slug"] for row in rows} == {company.slug for company in companies.values()}
    with (django_settings.SEEDS_DIR / "companies.csv").open(encoding="utf-8", newline="") as seeds:
        assert list(rows[0]) == next(csv.reader(seeds))


def test_export_follows_the_lists_current_filter(superuser_client, companies):
    changelist = superuser_client.get(admin_url(Company, "changelist") + "?kind__exact=automaker")
    link = re.search(r'<a href="([^"]+)" class="export_link">', changelist.text)
    assert link, "no Export button on the company list"
    export_url = html.unescape(link.group(1))
    assert export_url.endswith("?kind__exact=automaker")
    for file_format, read in ((CSV, csv_rows), (XLSX, xlsx_rows)):
        rows = read(export(superuser_client, export_url, file_format=file_format))
        slugs = {row["slug"] if file_format == CSV else row["slug"].value for row in rows}
        assert slugs == {"saic-motor", "faw-group"}


def test_export_of_selected_rows_from_the_list_action(superuser_client, companies):
    changelist = superuser_client.get(admin_url(Company, "changelist"))
    assert "Export selected companies" in changelist.text, "no “Export selected” action on the company list"
    chosen = [companies["formula-plus"], companies["faw-group"]]
    page = superuser_client.post(
        admin_url(Company, "changelist"),
        {"action": "export_admin_action", "_selected_action": [company.pk for company in chosen]},
    )
    assert "Export 2 selected items." in visible_text(page)
    response = superuser_client.post(admin_url(Company, "export"), export_form(page.text, file_format=CSV))
    assert {row["slug"] for row in csv_rows(response)} == {"formula-plus", "faw-group"}


def test_formula_like_text_is_neutralised_in_csv(superuser_client, companies):
    rows = {row["slug"]: row for row in csv_rows(export(superuser_client, admin_url(Company, "export")))}
    for slug, summary in FORMULA_LIKE.items():
        assert rows[slug]["summary"] == "'" + summary, slug
    assert rows["saic-motor"]["summary"] == ""


def test_formula_like_text_is_neutralised_in_xlsx(superuser_client, companies):
    rows = {
        row["slug"].value: row
        for row in xlsx_rows(export(superuser_client, admin_url(Company, "export"), file_format=XLSX))
    }
    for slug, summary in FORMULA_LIKE.items():
        cell = rows[slug]["summary"]
        # openpyxl writes through lxml (pinned for the article assistant), which keeps a bare
        # carriage return as it is: the text comes back exactly, behind its apostrophe.
        assert (cell.data_type, cell.value) == ("s", "'" + summary), slug


def test_numbers_stay_numbers(superuser_client, numbers):
    deal = xlsx_rows(export(superuser_client, admin_url(Deal, "export"), file_format=XLSX))[0]
    assert deal["amount"].data_type == "n" and Decimal(str(deal["amount"].value)) == Decimal("465800000.5")
    assert deal["date"].value in (None, "")
    party = xlsx_rows(export(superuser_client, admin_url(Participation, "export"), file_format=XLSX))[0]
    assert (party["stake_percent"].data_type, party["stake_percent"].value) == ("n", 54)
    excerpt = xlsx_rows(export(superuser_client, admin_url(Excerpt, "export"), file_format=XLSX))[0]
    assert (excerpt["start"].data_type, excerpt["start"].value) == ("n", 7)
    assert (excerpt["end"].data_type, excerpt["end"].value) == ("n", 38)
    # In CSV a number is written plainly, never behind an apostrophe.
    assert csv_rows(export(superuser_client, admin_url(Deal, "export")))[0]["amount"] == "465800000.5"


@pytest.mark.parametrize("file_format", [CSV, XLSX], ids=["csv", "xlsx"])
def test_reimporting_an_export_changes_nothing(superuser_client, companies, file_format):
    # A carriage return inside a cell has its own test (test_round_trip.py); XLSX cannot keep one.
    companies.pop("formula-cr").delete()
    exported = export(superuser_client, admin_url(Company, "export"), file_format=file_format).content
    before = snapshot()
    name = "companies.xlsx" if file_format == XLSX else "companies.csv"
    preview = upload(superuser_client, Company, name, content=exported, file_format=file_format)
    # Skipped rows are counted, not listed one by one (dataio/admin.py).
    assert preview_labels(preview) == ["Skipped"]
    assert f"Skipped {len(companies)} rows unchanged or empty, not listed." in visible_text(preview)
    done = confirm(superuser_client, Company, preview)
    assert f"Import finished: 0 new, 0 updated, 0 deleted and {len(companies)} skipped companies." in visible_text(done)
    assert snapshot() == before


def test_formula_injection_file_is_stored_as_text_and_exported_safely(superuser_client):
    make_company(name="Xiaomi")
    done = confirm(superuser_client, Deal, upload(superuser_client, Deal, "deals_formula_injection.csv"))
    assert "Import finished: 4 new" in visible_text(done)
    assert Deal.objects.get(slug="formula-hyperlink").title == '=HYPERLINK("http://127.0.0.1/","x")'

    rows = {row["slug"]: row for row in csv_rows(export(superuser_client, admin_url(Deal, "export")))}
    assert rows["formula-hyperlink"]["title"] == '\'=HYPERLINK("http://127.0.0.1/","x")'
    assert rows["formula-hyperlink"]["summary"] == "'@SUM(1+1)*cmd|' /C calc'!A0"
    assert rows["formula-hyperlink"]["evidence_note"] == "'+1+2"
    assert rows["formula-hyperlink"]["amount_note"] == "'-50% of the first tranche"  # looks negative, is text
    assert rows["formula-hyperlink"]["amount"] == "465800000"
    assert rows["formula-plus"]["amount"] == "1500.5"
    assert rows["formula-at"]["title"] == '\'@IMPORTDATA("http://127.0.0.1/")'
    assert Deal.objects.get(slug="formula-at").summary == "=1+1"  # the tab before it trimmed on import
    assert rows["formula-at"]["summary"] == "'=1+1"
    assert rows["formula-minus"]["title"] == "'-10 per cent deal"

    cells = {
        row["slug"].value: row
        for row in xlsx_rows(export(superuser_client, admin_url(Deal, "export"), file_format=XLSX))
    }
    title = cells["formula-hyperlink"]["title"]
    assert (title.data_type, title.value) == ("s", '\'=HYPERLINK("http://127.0.0.1/","x")')
    assert (cells["formula-hyperlink"]["amount"].data_type, cells["formula-hyperlink"]["amount"].value) == (
        "n",
        465800000,
    )
    assert cells["formula-plus"]["amount"].value == 1500.5
    assert cells["formula-minus"]["amount_note"].value in (None, "")


def test_every_curated_model_has_a_resource_keyed_on_slugs_not_ids():
    curated = [model for model in admin.site._registry if model._meta.app_label in {"companies", "sources"}]
    assert len(curated) == 8
    for model in curated:
        resource = admin.site._registry[model].resource_classes[0]()
        assert "id" not in resource.get_export_headers(), model
        assert "id" not in resource.get_import_id_fields(), model


def test_columns_are_human_readable(superuser_client, numbers):
    """Related records by slug, many-to-many as a `|` list, dates at their precision, amounts as
    plain decimals, choices by their codes."""
    Deal.objects.filter(pk=numbers.pk).update(date="2020-12-01", date_precision="month", kind="joint_venture")
    deal = csv_rows(export(superuser_client, admin_url(Deal, "export")))[0]
    assert (deal["date"], deal["date_precision"], deal["amount"], deal["kind"]) == (
        "2020-12",
        "month",
        "465800000.5",
        "joint_venture",
    )
    party = csv_rows(export(superuser_client, admin_url(Participation, "export")))[0]
    assert (party["deal"], party["company"], party["role"], party["stake_percent"]) == (
        "saic-zhiji",
        "saic-motor",
        "parent",
        "54",
    )
    Excerpt.objects.get().companies.add(Company.objects.get(slug="faw-group"))
    excerpt = csv_rows(export(superuser_client, admin_url(Excerpt, "export")))[0]
    assert (excerpt["source"], excerpt["companies"], excerpt["deals"]) == (
        "zhiji-source",
        "faw-group|saic-motor",
        "saic-zhiji",
    )


def test_export_as_json(superuser_client, numbers):
    rows = json.loads(export(superuser_client, admin_url(Deal, "export"), file_format=JSON).content)
    assert [(row["slug"], row["amount"], row["currency"]) for row in rows] == [("saic-zhiji", "465800000.5", "USD")]
