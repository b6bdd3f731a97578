"""Public CSV downloads are formula-safe: a published text that a spreadsheet would run as a
formula is written behind an apostrophe, as in the admin's export; numbers stay numbers; the JSON
downloads carry every text exactly as stored (issue #9, point 3)."""

import csv
import io
import json
from decimal import Decimal

import pytest
from django.urls import reverse

from companies.models import Alias, Company, Deal, Participation
from core.editorial import EditorialState
from public.downloads.tables import TABLES
from sources.models import Excerpt, Source, Story

pytestmark = pytest.mark.django_db

PREFIXES = ["=", "+", "-", "@", "\t", "\r"]
PUBLISHED = EditorialState.PUBLISHED

# The text columns of each table that a curated record fills with free text (or a slug, which may
# start with "-"), and so could carry a formula; every other column holds a code, a number or an
# address the tracker builds.
TEXT_COLUMNS = {
    "companies": {"name", "headquarters", "website", "parent", "aliases", "summary", "evidence_note"},
    "deals": {"title", "round_name", "amount_note", "venture", "parties", "summary", "evidence_note"},
    "participations": {"deal", "deal_title", "company", "company_name", "note"},
    "excerpts": {"slug", "source", "quote", "claim", "note", "companies", "deals"},
    "sources": {"slug", "title", "publisher", "author", "original_url", "date_note", "story", "text"},
}
# Columns holding slugs, which only "-" can lead.
SLUG_COLUMNS = {"slug", "parent", "venture", "parties", "deal", "company", "source", "story", "companies", "deals"}
NUMBER_COLUMNS = {
    "companies": {"deals", "excerpts"},
    "deals": {"amount", "excerpts"},
    "participations": {"stake_percent"},
    "excerpts": {"start", "end"},
    "sources": {"excerpts"},
}


def formula(prefix: str, name: str) -> str:
    """What an attacker with an editor's login would type (the issue's payload)."""
    return f'{prefix}HYPERLINK("http://x.invalid","{name}")'


def published_records_made_of_formulas(prefix: str) -> None:
    """Published records whose every text field starts with `prefix`: saved without validation, as
    a record that slipped past the forms would be. Slugs must be slugs, so the ones that can carry
    a prefix (only "-") get it; a negative amount checks that numbers stay numbers."""
    slug_lead = "-" if prefix == "-" else ""
    parent = Company.objects.create(
        slug=f"{slug_lead}parent", name=formula(prefix, "parent"), kind="tech", editorial_state=PUBLISHED
    )
    company = Company.objects.create(
        slug=f"{slug_lead}company",
        name=formula(prefix, "name"),
        kind="tech",
        headquarters=formula(prefix, "headquarters"),
        website=formula(prefix, "website"),
        parent=parent,
        summary=formula(prefix, "summary"),
        evidence_note=formula(prefix, "evidence_note"),
        editorial_state=PUBLISHED,
    )
    Alias.objects.create(company=company, name=formula(prefix, "alias"))
    deal = Deal.objects.create(
        slug=f"{slug_lead}deal",
        title=formula(prefix, "title"),
        kind="funding_round",
        round_name=formula(prefix, "round")[:40],
        status="completed",
        amount=Decimal("-5"),
        currency="USD",
        amount_note=formula(prefix, "amount_note"),
        venture=company,
        summary=formula(prefix, "summary"),
        evidence_note=formula(prefix, "evidence_note"),
        editorial_state=PUBLISHED,
    )
    Participation.objects.create(
        deal=deal, company=company, role="investor", stake_percent=Decimal("12.5"), note=formula(prefix, "note")
    )
    story = Story.objects.create(slug=f"{slug_lead}story", title="A story")
    text = formula(prefix, "text")
    source = Source.objects.create(
        slug=f"{slug_lead}source",
        title=formula(prefix, "title"),
        publisher=formula(prefix, "publisher"),
        author=formula(prefix, "author"),
        url=formula(prefix, "url"),
        date_note=formula(prefix, "date_note"),
        story=story,
        text=text,
        editorial_state=PUBLISHED,
    )
    excerpt = Excerpt.objects.create(
        slug=f"{slug_lead}excerpt",
        source=source,
        quote=text,
        start=0,
        end=len(text),
        claim=formula(prefix, "claim")[:200],
        note=formula(prefix, "note"),
    )
    excerpt.companies.set([company])
    excerpt.deals.set([deal])


def csv_rows(client, table: str) -> list[dict[str, str]]:
    response = client.get(reverse("downloads:table_csv", args=[table]))
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"), newline="")))


def json_rows(client, table: str) -> list[dict]:
    return json.loads(client.get(reverse("downloads:table_json", args=[table])).content)


def as_csv_text(value) -> str:
    """A JSON value as the CSV writes it, before neutralising (lists joined, parties as company:role)."""
    if isinstance(value, list):
        return "|".join(as_csv_text(item) for item in value)
    if isinstance(value, dict):
        return ":".join(str(part) for part in value.values())
    return "" if value is None else str(value)


@pytest.mark.parametrize("prefix", PREFIXES, ids=repr)
@pytest.mark.parametrize("table", [table.name for table in TABLES])
def test_no_public_csv_cell_starts_a_formula(client, table, prefix):
    published_records_made_of_formulas(prefix)
    rows = csv_rows(client, table)
    # One row (the company, not its parent) has every text column filled.
    assert any(all(row[column] for column in TEXT_COLUMNS[table]) for row in rows), table
    for row in rows:
        for column in TEXT_COLUMNS[table]:
            cell = row[column]
            if not cell or (column in SLUG_COLUMNS and prefix != "-"):
                continue
            assert cell.startswith("'" + prefix), (table, column, cell)
        # No cell of the file, in any column, would run in a spreadsheet.
        for column, cell in row.items():
            if column not in NUMBER_COLUMNS[table]:
                assert not cell.startswith(tuple(PREFIXES)), (table, column, cell)


@pytest.mark.parametrize("prefix", PREFIXES, ids=repr)
@pytest.mark.parametrize("table", [table.name for table in TABLES])
def test_csv_cells_read_back_to_the_json_values_by_dropping_one_apostrophe(client, table, prefix):
    """What README.md tells a consumer: remove one leading apostrophe from a text cell to get the
    text as stored, which the JSON download carries untouched."""
    published_records_made_of_formulas(prefix)
    from_json = json_rows(client, table)
    from_csv = csv_rows(client, table)
    assert len(from_json) == len(from_csv)
    texts_with_prefix = 0
    for json_row, csv_row in zip(from_json, from_csv, strict=True):
        for column, value in json_row.items():
            cell = csv_row[column]
            if isinstance(value, int | float):
                assert cell == str(value)
                continue
            assert (cell[1:] if cell.startswith("'") else cell) == as_csv_text(value), (table, column)
            texts_with_prefix += isinstance(value, str) and value.startswith(prefix)
    assert texts_with_prefix  # the JSON holds the formulas exactly as stored, no apostrophe added


def test_numbers_stay_numbers_and_text_that_looks_negative_is_text(client):
    published_records_made_of_formulas("-")
    deal = csv_rows(client, "deals")[0]
    assert (deal["amount"], deal["excerpts"]) == ("-5", "1")
    assert csv_rows(client, "participations")[0]["stake_percent"] == "12.5"
    assert json_rows(client, "deals")[0]["amount"] == -5
    assert deal["slug"] == "'-deal"  # a slug is text, as in the admin's export
    assert deal["title"] == '\'-HYPERLINK("http://x.invalid","title")'


def test_the_issues_payloads_are_text_in_every_table(client):
    """`=HYPERLINK("http://x.invalid","x")` and `=1+2` as a company name, an alias, a claim and a
    party's name: each is written as text."""
    published_records_made_of_formulas("=")
    Company.objects.filter(slug="company").update(name="=1+2")
    Alias.objects.update(name='=HYPERLINK("http://x.invalid","x")')
    Excerpt.objects.update(claim="=1+2")
    companies = {row["slug"]: row for row in csv_rows(client, "companies")}
    assert companies["company"]["name"] == "'=1+2"
    assert companies["company"]["aliases"] == '\'=HYPERLINK("http://x.invalid","x")'
    assert csv_rows(client, "excerpts")[0]["claim"] == "'=1+2"
    assert csv_rows(client, "participations")[0]["company_name"] == "'=1+2"
    assert {row["slug"]: row["name"] for row in json_rows(client, "companies")}["company"] == "=1+2"


def test_a_text_starting_with_an_apostrophe_keeps_it_after_the_one_removed(client):
    published_records_made_of_formulas("=")
    Company.objects.filter(slug="company").update(name="'quoted")
    companies = {row["slug"]: row for row in csv_rows(client, "companies")}
    assert companies["company"]["name"] == "''quoted"


def test_plain_text_is_written_as_it_is(client):
    published_records_made_of_formulas("=")
    Company.objects.filter(slug="company").update(name="Xiaomi = 小米")
    companies = {row["slug"]: row for row in csv_rows(client, "companies")}
    assert companies["company"]["name"] == "Xiaomi = 小米"


def test_a_formula_after_a_bare_carriage_return_stays_inside_its_cell(client):
    """A bare CR in the middle of a text (no quote character to force quoting) must not end the
    row: a spreadsheet that breaks lines on CR would start a new row with `=2+3`."""
    published_records_made_of_formulas("=")
    Company.objects.filter(slug="company").update(evidence_note="Note\r=2+3")
    response = client.get(reverse("downloads:table_csv", args=["companies"]))
    body = response.content.decode("utf-8-sig")
    assert "\r=2+3" not in body.replace('"Note\r=2+3"', "")  # only ever inside a quoted cell
    rows = list(csv.reader(io.StringIO(body, newline="")))
    assert len(rows) == 1 + Company.objects.published().count()
    assert not any(cell.startswith("=") for row in rows for cell in row)
    companies = {row["slug"]: row for row in csv_rows(client, "companies")}
    assert companies["company"]["evidence_note"] == "Note\r=2+3"
