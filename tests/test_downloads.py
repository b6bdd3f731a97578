"""The public downloads: published records only, stable documented columns, CSV and JSON alike."""

import csv
import datetime
import io
import json
from decimal import Decimal
from pathlib import Path

import pytest
from django.urls import reverse

from companies.models import Alias, Company, Deal, Participation
from public.downloads.docs import download_columns_markdown
from public.downloads.tables import TABLES
from sources.models import Story, text_sha256
from tests.conftest import DRAFT, make_company, make_deal, make_excerpt, make_source
from tests.page_text import text_of

pytestmark = pytest.mark.django_db

Role = Participation.Role
README = Path(__file__).resolve().parent.parent / "README.md"
TEXT = "360 led a $465.8 million series D round in Hozon Auto. Hozon owns the Nezha brand."


@pytest.fixture
def dataset():
    company_360 = make_company(name="360", entry_mode="investor_only")
    hozon = make_company(name="Hozon Auto", slug="hozon-auto", kind=Company.Kind.EV_STARTUP)
    Alias.objects.create(company=hozon, name="Hozon")
    Alias.objects.create(company=hozon, name="合众")
    arm = make_company(name="360 Capital", kind=Company.Kind.INVESTOR, parent=company_360)
    secret = make_company(name="Secret Co", state=DRAFT)
    make_company(name="Hidden Arm", kind=Company.Kind.INVESTOR, parent=secret)
    nezha = make_company(name="Nezha", kind=Company.Kind.VENTURE)
    round_d = make_deal(
        title="360 leads Hozon Auto's series D round",
        slug="360-hozon",
        kind=Deal.Kind.FUNDING_ROUND,
        round_name="Series D",
        status=Deal.Status.COMPLETED,
        date=datetime.date(2020, 12, 1),
        date_precision="month",
        amount=Decimal("465800000"),
        currency="USD",
        venture=nezha,
        parties=[(hozon, Role.FUNDED), (company_360, Role.LEAD_INVESTOR), (secret, Role.INVESTOR)],
    )
    Participation.objects.filter(company=company_360).update(stake_percent=Decimal("12.50"), note="second-largest")
    make_deal(
        title="Arm invests",
        slug="arm-invests",
        date=datetime.date(2021, 6, 15),
        date_precision="day",
        amount=Decimal("1000.50"),
        currency="CNY",
        parties=[(arm, Role.INVESTOR)],
    )
    make_deal(
        title="Arm plans", slug="arm-plans", date=datetime.date(2021, 1, 1), date_precision="year", venture=secret
    )
    make_deal(title="Draft deal", slug="draft-deal", state=DRAFT, parties=[(hozon, Role.FUNDED)])
    story = Story.objects.create(slug="the-story", title="The story")
    source = make_source(
        text=TEXT,
        slug="protocol",
        title="Protocol",
        publisher="Protocol",
        story=story,
        published_date=datetime.date(2021, 5, 1),
        published_date_precision="month",
        date_basis="inferred",
        date_note="Updated May 10.",
    )
    draft_source = make_source(text="A secret deal.", slug="draft-source", title="Draft", state=DRAFT)
    make_excerpt(
        source=source,
        quote="360 led a $465.8 million series D round in Hozon Auto.",
        claim="the round",
        companies=[company_360, hozon, secret],
        deals=[round_d],
        slug="round",
    )
    make_excerpt(
        source=source, quote="Hozon owns the Nezha brand.", companies=[hozon, nezha], deals=[round_d], slug="brand"
    )
    make_excerpt(source=draft_source, quote="A secret deal.", companies=[hozon], deals=[round_d], slug="secret")
    return {"round": round_d}


def download_csv(client, table: str) -> list[dict[str, str]]:
    response = client.get(reverse("downloads:table_csv", args=[table]))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == f'attachment; filename="{table}.csv"'
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))  # after the byte order mark


def download_json(client, table: str) -> list[dict]:
    response = client.get(reverse("downloads:table_json", args=[table]))
    assert response["Content-Type"] == "application/json"
    return json.loads(response.content)


def by_slug(rows: list[dict], key: str = "slug") -> dict[str, dict]:
    return {row[key]: row for row in rows}


@pytest.mark.parametrize("table", TABLES, ids=lambda table: table.name)
def test_every_download_has_exactly_its_documented_columns(client, dataset, table):
    response = client.get(reverse("downloads:table_csv", args=[table.name]))
    header = next(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert header == table.column_names
    for row in download_json(client, table.name):
        assert list(row) == table.column_names


def test_deals_csv_row_carries_what_a_reader_needs(client, dataset):
    rows = by_slug(download_csv(client, "deals"))
    assert sorted(rows) == ["360-hozon", "arm-invests", "arm-plans"]
    assert rows["360-hozon"] == {
        "slug": "360-hozon",
        "title": "360 leads Hozon Auto's series D round",
        "kind": "funding_round",
        "round_name": "Series D",
        "status": "completed",
        "date": "2020-12",
        "date_precision": "month",
        "amount": "465800000",
        "currency": "USD",
        "amount_note": "",
        "venture": "nezha",
        "parties": "360:lead_investor|hozon-auto:funded",  # the draft company's part is left out
        "summary": "",
        "evidence_note": "",
        "excerpts": "2",  # the excerpt from a draft source is not counted
        "page_url": "http://testserver/deals/360-hozon/",
    }
    assert (rows["arm-invests"]["date"], rows["arm-invests"]["amount"]) == ("2021-06-15", "1000.5")
    assert (rows["arm-plans"]["date"], rows["arm-plans"]["date_precision"]) == ("2021", "year")
    assert rows["arm-plans"]["venture"] == ""  # created an unpublished company


def test_deals_json_has_lists_and_numbers(client, dataset):
    row = by_slug(download_json(client, "deals"))["360-hozon"]
    assert row["parties"] == [{"company": "360", "role": "lead_investor"}, {"company": "hozon-auto", "role": "funded"}]
    assert row["amount"] == 465800000 and row["excerpts"] == 2
    assert by_slug(download_json(client, "deals"))["arm-invests"]["amount"] == 1000.5


def test_companies_download(client, dataset):
    rows = by_slug(download_csv(client, "companies"))
    assert sorted(rows) == ["360", "360-capital", "hidden-arm", "hozon-auto", "nezha"]
    assert rows["hozon-auto"]["aliases"] == "Hozon|合众"
    assert (rows["hozon-auto"]["deals"], rows["hozon-auto"]["excerpts"]) == ("1", "2")
    assert rows["360-capital"]["parent"] == "360"
    assert rows["hidden-arm"]["parent"] == ""  # its parent is a draft
    assert rows["360"]["entry_mode"] == "investor_only"
    assert by_slug(download_json(client, "companies"))["hozon-auto"]["aliases"] == ["Hozon", "合众"]


def test_participations_download(client, dataset):
    rows = download_csv(client, "participations")
    assert [(row["deal"], row["company"], row["role"], row["stake_percent"]) for row in rows] == [
        ("360-hozon", "360", "lead_investor", "12.5"),
        ("360-hozon", "hozon-auto", "funded", ""),
        ("arm-invests", "360-capital", "investor", ""),
    ]
    assert rows[0]["note"] == "second-largest" and rows[0]["company_name"] == "360"


def test_excerpts_download_points_into_the_source_text(client, dataset):
    rows = by_slug(download_csv(client, "excerpts"))
    assert sorted(rows) == ["brand", "round"]
    assert rows["round"]["companies"] == "360|hozon-auto"  # not the draft company
    assert rows["brand"]["deals"] == "360-hozon"
    sources = by_slug(download_json(client, "sources"))
    for row in rows.values():
        text = sources[row["source"]]["text"]
        assert text[int(row["start"]) : int(row["end"])] == row["quote"]
    excerpt_id = dataset["round"].excerpts.get(slug="round").pk
    assert rows["round"]["page_url"] == f"http://testserver/sources/protocol/#excerpt-{excerpt_id}"


def test_sources_download(client, dataset):
    rows = by_slug(download_csv(client, "sources"))
    assert sorted(rows) == ["protocol"]
    row = rows["protocol"]
    assert (row["published_date"], row["date_basis"], row["story"], row["excerpts"]) == (
        "2021-05",
        "inferred",
        "the-story",
        "2",
    )
    assert row["sha256"] == text_sha256(TEXT)
    assert row["text"] == TEXT


def test_unknown_table_is_404(client, db):
    assert client.get("/data/secrets.csv").status_code == 404
    assert client.get("/data/secrets.json").status_code == 404


def test_data_page_explains_every_download_and_column(client, db):
    html = client.get(reverse("downloads:data")).text
    for table in TABLES:
        assert f'href="/data/{table.name}.csv"' in html and f'href="/data/{table.name}.json"' in html
        for column in table.columns:
            assert f"<code>{column.name}</code>" in html, (table.name, column.name)
    assert "ISO 8601 at the precision known" in text_of(html)


def test_readme_documents_the_download_columns():
    assert download_columns_markdown() in README.read_text(encoding="utf-8"), (
        "run: python manage.py download_columns --write"
    )
