"""The deal list (django-filter: kind, status, year, company, amount; search; ordering; pages) and
the deal page (parties and roles, partial dates, money, evidence and disagreements)."""

import datetime
import re
from decimal import Decimal

import pytest
from django.urls import reverse

from companies.models import Company, Deal, Participation
from sources.models import Story
from tests.conftest import DRAFT, make_cast, make_company, make_deal, make_excerpt, make_source
from tests.page_text import section, text_of

pytestmark = pytest.mark.django_db

Role = Participation.Role
PROTOCOL = (
    "On March 31, Xiaomi CEO Lei Jun announced the smartphone maker would set up an EV subsidiary. "
    "Correction: An earlier version of this story said March 30; it was announced March 31."
)


@pytest.fixture
def deals():
    cast = make_cast()
    xiaomi, company_360, hozon = cast.xiaomi, cast.company_360, cast.hozon
    nezha = make_company(name="Nezha", kind=Company.Kind.VENTURE)
    secret = make_company(name="Secret Co", state=DRAFT)
    subsidiary = make_deal(
        title="Xiaomi sets up an EV subsidiary",
        slug="xiaomi-ev-subsidiary",
        date=datetime.date(2021, 3, 31),
        date_precision="day",
        amount=Decimal("10000000000"),
        currency="USD",
        amount_note="over the next decade",
        evidence_note="Protocol first said March 30 and corrected it to March 31; the tracker uses March 31.",
        parties=[(xiaomi, Role.PARENT)],
    )
    round_d = make_deal(
        title="360 leads Hozon Auto's series D round",
        slug="360-hozon",
        kind=Deal.Kind.FUNDING_ROUND,
        round_name="Series D",
        status=Deal.Status.COMPLETED,
        date=datetime.date(2021, 4, 1),
        date_precision="month",
        amount=Decimal("465800000"),
        currency="USD",
        venture=nezha,
        parties=[(hozon, Role.FUNDED), (company_360, Role.LEAD_INVESTOR), (secret, Role.INVESTOR)],
    )
    Participation.objects.filter(deal=round_d, company=company_360).update(
        stake_percent=Decimal("12.5"), note="second-largest shareholder"
    )
    make_deal(
        title="Xiaomi in talks with FAW",
        slug="xiaomi-faw",
        kind=Deal.Kind.PARTNERSHIP,
        status=Deal.Status.IN_TALKS,
        date=datetime.date(2020, 12, 1),
        date_precision="month",
        parties=[(xiaomi, Role.PARTNER)],
    )
    make_deal(
        title="Hozon borrows in yuan",
        slug="hozon-yuan",
        kind=Deal.Kind.INVESTMENT,
        date=datetime.date(2019, 1, 1),
        date_precision="year",
        amount=Decimal("2000000000"),
        currency="CNY",
        parties=[(hozon, Role.FUNDED)],
    )
    make_deal(title="An undated deal", slug="undated", kind=Deal.Kind.RESTRUCTURING)
    make_deal(title="Draft deal", slug="draft-deal", state=DRAFT, parties=[(xiaomi, Role.PARTNER)])
    story = Story.objects.create(slug="protocol-story", title="Protocol's story")
    protocol = make_source(
        text=PROTOCOL,
        slug="protocol",
        title="Every Chinese tech company wants to make EVs",
        publisher="Protocol",
        story=story,
        published_date=datetime.date(2021, 5, 1),
        published_date_precision="month",
        date_basis="stated",
    )
    copy = make_source(text=PROTOCOL, slug="protocol-copy", title="A copy", story=story, story_relation="syndicated")
    make_excerpt(
        source=protocol,
        quote=PROTOCOL.split(". ")[0] + ".",
        claim="announcement and date",
        deals=[subsidiary],
        slug="announced",
    )
    make_excerpt(
        source=copy,
        quote=PROTOCOL.split(". ")[0] + ".",
        claim="announcement and date",
        deals=[subsidiary],
        slug="announced-copy",
    )
    make_excerpt(
        source=protocol,
        quote=PROTOCOL.split(". ", 1)[1],
        stance="corrects",
        claim="date of the announcement",
        note="The article corrects its own earlier date.",
        deals=[subsidiary],
        slug="correction",
    )
    return {"subsidiary": subsidiary, "round": round_d}


def list_titles(html: str) -> list[str]:
    return [text_of(title) for title in re.findall(r'<th role="rowheader" scope="row"><a [^>]+>([^<]+)</a>', html)]


# -- the list --


def test_deal_list_rows_show_date_kind_status_amount_and_parties(client, deals):
    html = client.get(reverse("companies:deal_list")).text
    assert list_titles(html) == [
        "360 leads Hozon Auto's series D round",
        "Xiaomi sets up an EV subsidiary",
        "Xiaomi in talks with FAW",
        "Hozon borrows in yuan",
        "An undated deal",
    ]
    row = re.search(
        r'<tr role="row">\s*<th role="rowheader" scope="row"><a href="/deals/360-hozon/".*?</tr>', html, re.S
    )
    assert text_of(row.group()) == (
        "360 leads Hozon Auto's series D round Apr 2021 Funding round (Series D) Completed USD 465,800,000 "
        "360 (lead investor), Hozon Auto (raised the funds) No excerpt yet"
    )
    assert '<time datetime="2021-04">Apr 2021</time>' in row.group()


@pytest.mark.parametrize(
    ("query", "titles"),
    [
        ("kind=funding_round", ["360 leads Hozon Auto's series D round"]),
        ("status=in_talks", ["Xiaomi in talks with FAW"]),
        ("year=2021", ["360 leads Hozon Auto's series D round", "Xiaomi sets up an EV subsidiary"]),
        ("year=2019", ["Hozon borrows in yuan"]),  # known only to the year
        ("company=xiaomi", ["Xiaomi sets up an EV subsidiary", "Xiaomi in talks with FAW"]),
        ("company=Hozon+Auto", ["360 leads Hozon Auto's series D round", "Hozon borrows in yuan"]),
        ("company=secret-co", []),  # a draft company's deals are not found through it
        ("amount_min=500000000", ["Xiaomi sets up an EV subsidiary", "Hozon borrows in yuan"]),
        (
            "amount_min=400000000&amount_max=2000000000",
            ["360 leads Hozon Auto's series D round", "Hozon borrows in yuan"],
        ),
        ("currency=cny", ["Hozon borrows in yuan"]),
        ("q=subsidiary", ["Xiaomi sets up an EV subsidiary"]),
        ("q=series+d", ["360 leads Hozon Auto's series D round"]),
        ("q=hozon", ["360 leads Hozon Auto's series D round", "Hozon borrows in yuan"]),
        ("q=360", ["360 leads Hozon Auto's series D round"]),
        ("q=draft", []),
        (
            "ordering=date",
            [
                "Hozon borrows in yuan",
                "Xiaomi in talks with FAW",
                "Xiaomi sets up an EV subsidiary",
                "360 leads Hozon Auto's series D round",
                "An undated deal",
            ],
        ),
        (
            "ordering=-amount",
            [
                "Xiaomi sets up an EV subsidiary",
                "Hozon borrows in yuan",
                "360 leads Hozon Auto's series D round",
                "An undated deal",  # no amount: after those with one, by title
                "Xiaomi in talks with FAW",
            ],
        ),
        ("ordering=amount&currency=USD", ["360 leads Hozon Auto's series D round", "Xiaomi sets up an EV subsidiary"]),
        ("ordering=title&kind=subsidiary", ["Xiaomi sets up an EV subsidiary"]),
    ],
)
def test_deal_list_filters_searches_and_orders(client, deals, query, titles):
    assert list_titles(client.get(f"{reverse('companies:deal_list')}?{query}").text) == titles


def test_deal_list_pages_through_many_deals(client, db):
    for i in range(120):
        make_deal(
            title=f"Deal {i:03d}",
            slug=f"deal-{i}",
            date=datetime.date(2000 + i // 12, 1 + i % 12, 1),
            date_precision="month",
        )
    first = client.get(reverse("companies:deal_list")).text
    assert list_titles(first)[0] == "Deal 119"
    assert "120 deals; page 1 of 3." in text_of(first)
    last = client.get(reverse("companies:deal_list") + "?page=3").text
    assert list_titles(last) == [f"Deal {i:03d}" for i in range(19, -1, -1)]
    nav = re.search(r'<nav class="pagination".*?</nav>', last, re.S).group()
    assert text_of(nav) == "First Previous Page 3 of 3"


def test_deal_filter_form_labels_every_field(client, db):
    html = client.get(reverse("companies:deal_list")).text
    for field in ("q", "kind", "status", "year", "company", "currency", "amount_min", "amount_max", "ordering"):
        assert f'<label for="id_{field}">' in html, field


# -- the deal page --


def test_deal_page_shows_its_facts(client, deals):
    text = text_of(client.get(deals["round"].get_absolute_url()).text)
    assert (
        "Kind Funding round (Series D) Status Completed Date Apr 2021 (known to the month) Amount USD 465,800,000"
        in text
    )
    assert "Created Nezha" in text


def test_deal_date_keeps_its_precision(client, deals):
    html = client.get("/deals/xiaomi-faw/").text
    assert '<time datetime="2020-12">Dec 2020</time>' in html
    assert "2020-12-01" not in html and "1 Dec 2020" not in html
    assert '<time datetime="2019">2019</time>' in client.get("/deals/hozon-yuan/").text
    assert "Date Not known" in text_of(client.get("/deals/undated/").text)


def test_deal_page_lists_published_parties_with_roles_and_stakes(client, deals):
    parties = section(client.get(deals["round"].get_absolute_url()).text, "parties-heading")
    assert [text_of(item) for item in re.findall(r"<li>.*?</li>", parties, re.S)] == [
        "360 Tech company — Lead investor, 12.5% stake (second-largest shareholder)",
        "Hozon Auto EV start-up — Raised the funds",
    ]
    assert "Secret Co" not in parties


def test_deal_evidence_links_each_excerpt_to_its_place_in_the_source(client, deals):
    evidence = section(client.get(deals["subsidiary"].get_absolute_url()).text, "evidence-heading")
    assert "3 excerpts from 1 independent source." in text_of(evidence)  # two versions of one story
    for excerpt in deals["subsidiary"].excerpts.all():
        assert f'href="/sources/{excerpt.source.slug}/#excerpt-{excerpt.pk}"' in evidence
    backing = text_of(section(evidence, "side-backing"))
    assert (
        "Supports: announcement and date. Source: Every Chinese tech company wants to make EVs, Protocol, May 2021"
        in backing
    )


def test_where_sources_disagree_both_values_and_the_preferred_one_are_shown(client, deals):
    evidence = section(client.get(deals["subsidiary"].get_absolute_url()).text, "evidence-heading")
    disagreement = text_of(section(evidence, "disagreement-heading"))
    assert (
        "What the tracker prefers, and why: Protocol first said March 30 and corrected it to March 31" in disagreement
    )
    assert "On March 31, Xiaomi CEO Lei Jun announced" in text_of(section(evidence, "side-backing"))
    dissent = text_of(section(evidence, "side-dissent"))
    assert "An earlier version of this story said March 30" in dissent
    assert "Corrects: date of the announcement." in dissent
    assert "The article corrects its own earlier date." in dissent


def test_deal_without_disagreement_shows_a_plain_evidence_list(client, deals):
    text = text_of(section(client.get(deals["round"].get_absolute_url()).text, "evidence-heading"))
    assert "Where sources disagree" not in text
    assert "No published excerpts yet." in text
