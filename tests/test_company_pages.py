"""The company list (filters, search by name or alias, ordering, pages) and the company page
(facts, deals as a timeline, connected companies, evidence)."""

import datetime
import re

import pytest
from django.urls import reverse

from companies.models import Alias, Company, Deal, Participation
from tests.conftest import DRAFT, make_company, make_deal, make_excerpt, make_source
from tests.page_text import section, text_of

pytestmark = pytest.mark.django_db

Role = Participation.Role
TEXT = (
    "Xiaomi is a newcomer to the automotive industry, working on its own electric car. "
    "Xiaomi will not make cars itself, a rival outlet claimed."
)


@pytest.fixture
def companies():
    xiaomi = make_company(
        name="Xiaomi",
        entry_mode="own_cars",
        headquarters="Beijing, China",
        summary="Smartphone maker building its own electric car.",
        evidence_note="One outlet says Xiaomi will not make cars; the tracker follows Xiaomi's own announcement.",
    )
    Alias.objects.create(company=xiaomi, name="小米", kind=Alias.Kind.CHINESE)
    ventures = make_company(name="Xiaomi Ventures", kind=Company.Kind.INVESTOR, parent=xiaomi)
    faw = make_company(name="FAW Group", slug="faw-group", kind=Company.Kind.AUTOMAKER)
    Alias.objects.create(company=faw, name="First Auto Works")
    deepmotion = make_company(name="DeepMotion", kind=Company.Kind.SUPPLIER)
    hesai = make_company(name="Hesai", kind=Company.Kind.SUPPLIER)
    make_company(name="Baidu", entry_mode="joint_venture")
    secret = make_company(name="Secret Co", state=DRAFT)
    make_company(name="Orphan Arm", kind=Company.Kind.INVESTOR, parent=secret)
    nezha = make_company(name="Nezha", kind=Company.Kind.VENTURE)
    make_deal(
        title="Xiaomi buys DeepMotion",
        slug="xiaomi-deepmotion",
        kind=Deal.Kind.ACQUISITION,
        date=datetime.date(2021, 8, 1),
        date_precision="month",
        parties=[(xiaomi, Role.ACQUIRER), (deepmotion, Role.TARGET)],
    )
    talks = make_deal(
        title="Xiaomi in talks with FAW",
        slug="xiaomi-faw",
        kind=Deal.Kind.PARTNERSHIP,
        status=Deal.Status.IN_TALKS,
        date=datetime.date(2021, 1, 1),
        date_precision="year",
        parties=[(xiaomi, Role.PARTNER), (faw, Role.PARTNER)],
    )
    make_deal(
        title="Xiaomi Ventures leads Hesai's round",
        slug="ventures-hesai",
        kind=Deal.Kind.FUNDING_ROUND,
        parties=[(ventures, Role.LEAD_INVESTOR), (hesai, Role.FUNDED)],
    )
    make_deal(title="Secret deal", slug="secret-deal", state=DRAFT, parties=[(xiaomi, Role.PARTNER)])
    make_deal(title="Hozon launches Nezha", slug="nezha-launch", venture=nezha)
    source = make_source(text=TEXT, slug="scmp", title="SCMP story", publisher="South China Morning Post")
    make_excerpt(
        source=source,
        quote="Xiaomi is a newcomer to the automotive industry, working on its own electric car.",
        claim="Xiaomi is building its own car",
        companies=[xiaomi],
        deals=[talks],
        slug="newcomer",
    )
    make_excerpt(
        source=source,
        quote="Xiaomi will not make cars itself, a rival outlet claimed.",
        stance="contradicts",
        claim="whether Xiaomi makes cars",
        note="A second-hand claim; Xiaomi's own announcement says otherwise.",
        companies=[xiaomi],
        slug="rival",
    )
    return {"xiaomi": xiaomi, "ventures": ventures, "faw": faw}


def list_names(html: str) -> list[str]:
    return [text_of(name) for name in re.findall(r'<th role="rowheader" scope="row"><a [^>]+>([^<]+)</a>', html)]


# -- the list --


def test_company_list_shows_each_company_with_kind_way_in_deals_and_aliases(client, companies):
    html = client.get(reverse("companies:company_list")).text
    assert list_names(html) == [
        "Baidu",
        "DeepMotion",
        "FAW Group",
        "Hesai",
        "Nezha",
        "Orphan Arm",
        "Xiaomi",
        "Xiaomi Ventures",
    ]
    row = re.search(
        r"<tr role=\"row\">\s*<th role=\"rowheader\" scope=\"row\"><a href=\"/companies/xiaomi/\".*?</tr>", html, re.S
    )
    assert text_of(row.group()) == (
        "Xiaomi also 小米 Tech company Builds its own cars 2 2 excerpts · 1 independent source · 1 excerpt disagrees"
    )
    assert 'href="/deals/?company=xiaomi"' in row.group()
    assert "8 companies." in text_of(html)


@pytest.mark.parametrize(
    ("query", "names"),
    [
        ("kind=supplier", ["DeepMotion", "Hesai"]),
        ("kind=tech&entry_mode=own_cars", ["Xiaomi"]),
        ("entry_mode=joint_venture", ["Baidu"]),
        ("q=xiao", ["Xiaomi", "Xiaomi Ventures"]),
        ("q=first+auto", ["FAW Group"]),  # an alias
        ("q=小米", ["Xiaomi"]),  # a Chinese name
        ("q=secret", []),  # a draft
        ("ordering=-name&kind=supplier", ["Hesai", "DeepMotion"]),
        ("ordering=-deals&q=x", ["Xiaomi", "Xiaomi Ventures"]),
    ],
)
def test_company_list_filters_searches_and_orders(client, companies, query, names):
    assert list_names(client.get(f"{reverse('companies:company_list')}?{query}").text) == names


def test_company_list_is_paginated_and_keeps_its_filters_across_pages(client, db):
    for i in range(60):
        make_company(name=f"Automaker {i:02d}", kind=Company.Kind.AUTOMAKER)
    make_company(name="Tech Co")
    first = client.get(reverse("companies:company_list") + "?kind=automaker").text
    assert len(list_names(first)) == 50
    assert "60 companies; page 1 of 2." in text_of(first)
    assert 'href="?kind=automaker&amp;page=2"' in first
    second = client.get(reverse("companies:company_list") + "?kind=automaker&page=2").text
    assert list_names(second) == [f"Automaker {i}" for i in range(50, 60)]
    beyond = client.get(reverse("companies:company_list") + "?kind=automaker&page=9999").text
    assert "There is no page “9999”; this is page 2 of 2." in text_of(beyond)
    assert list_names(beyond) == list_names(second)


def test_filter_form_fields_are_labelled(client, db):
    html = client.get(reverse("companies:company_list")).text
    for field in ("q", "kind", "entry_mode", "ordering"):
        assert f'<label for="id_{field}">' in html
        assert f'id="id_{field}"' in html


# -- the company page --


def test_company_page_shows_its_facts(client, companies):
    html = client.get(companies["xiaomi"].get_absolute_url()).text
    text = text_of(html)
    for fact in (
        "Kind Tech company",
        "Entering EVs as Builds its own cars",
        "Headquarters Beijing, China",
        "Its arms and units Xiaomi Ventures",
        "Also written 小米",
        "Smartphone maker building its own electric car.",
    ):
        assert fact in text
    assert '<a href="/companies/xiaomi-ventures/">Xiaomi Ventures</a>' in html
    ventures = client.get(companies["ventures"].get_absolute_url()).text
    assert 'Part of</dt><dd><a href="/companies/xiaomi/">Xiaomi</a>' in ventures


def test_an_unpublished_parent_is_not_shown(client, companies):
    text = text_of(client.get("/companies/orphan-arm/").text)
    assert "Part of" not in text and "Secret Co" not in text


def test_a_venture_names_the_deal_that_created_it(client, companies):
    text = text_of(client.get("/companies/nezha/").text)
    assert "Created by Hozon launches Nezha" in text


def test_company_deals_are_a_timeline_with_role_and_partners(client, companies):
    deals = section(client.get(companies["xiaomi"].get_absolute_url()).text, "deals-heading")
    entries = [text_of(entry) for entry in re.findall(r"<li>.*?</li>", deals, re.S)]
    # Oldest first, "2021" counts as the end of 2021: after Aug 2021 (see test_partial_date_order.py).
    assert entries == [
        "Aug 2021 Xiaomi buys DeepMotion Acquisition · Announced Xiaomi's part: acquirer. With DeepMotion (target).",
        "2021 Xiaomi in talks with FAW Partnership · In talks Xiaomi's part: partner. With FAW Group (partner).",
    ]
    assert "Secret deal" not in deals


def test_company_page_draws_its_connections(client, companies):
    connections = section(client.get(companies["xiaomi"].get_absolute_url()).text, "connections-heading")
    svg = re.search(r'<svg class="chart relationship-diagram".*?</svg>', connections, re.S).group()
    assert 'role="img"' in svg
    assert '<desc id="diagram-desc">Xiaomi shares deals with DeepMotion, FAW Group.</desc>' in svg
    nodes = re.findall(r'<g class="node kind-(\w+)"><title>([^<]+)</title>', svg)
    assert nodes == [("supplier", "DeepMotion"), ("automaker", "FAW Group")]
    assert "<title>Xiaomi and FAW Group: 1 deal (Xiaomi in talks with FAW)</title>" in svg
    listed = [text_of(item) for item in re.findall(r"<li>.*?</li>", connections.split("</svg>")[1], re.S)]
    assert listed == [
        "DeepMotion Supplier — Xiaomi buys DeepMotion",
        "FAW Group Automaker — Xiaomi in talks with FAW",
    ]


def test_company_page_shows_the_excerpts_and_where_sources_disagree(client, companies):
    evidence = section(client.get(companies["xiaomi"].get_absolute_url()).text, "evidence-heading")
    text = text_of(evidence)
    assert "2 excerpts from 1 independent source." in text
    assert "What the tracker prefers, and why: One outlet says Xiaomi will not make cars" in text
    backing, dissent = section(evidence, "side-backing"), section(evidence, "side-dissent")
    assert "Supports: Xiaomi is building its own car. Source: SCMP story, South China Morning Post" in text_of(backing)
    assert "Contradicts: whether Xiaomi makes cars." in text_of(dissent)
    assert "A second-hand claim; Xiaomi's own announcement says otherwise." in text_of(dissent)
    excerpt_id = companies["xiaomi"].excerpts.get(slug="rival").pk
    assert f'href="/sources/scmp/#excerpt-{excerpt_id}"' in dissent


def test_a_company_without_deals_or_evidence_says_so(client, db):
    company = make_company(name="Quiet Co")
    text = text_of(client.get(company.get_absolute_url()).text)
    assert "No published deals yet." in text
    assert "No connections through published deals yet." in text
    assert "No published excerpts yet." in text
