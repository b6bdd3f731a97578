"""The home page: what the tracker is, its numbers, the timeline of deals, the tech companies'
ways into EVs and the latest deals."""

import datetime
import re
from decimal import Decimal

import pytest
from django.urls import reverse

from companies.models import Company, Deal, Participation
from sources.models import Story
from tests.conftest import DRAFT, make_cast, make_company, make_deal, make_source
from tests.page_text import section, text_of

pytestmark = pytest.mark.django_db

Role = Participation.Role


@pytest.fixture
def tracker():
    cast = make_cast()
    xiaomi, company_360, hozon = cast.xiaomi, cast.company_360, cast.hozon
    make_company(name="Draft Tech", kind=Company.Kind.TECH, state=DRAFT)
    make_deal(
        title="360 leads Hozon Auto's series D round",
        slug="360-hozon",
        kind=Deal.Kind.FUNDING_ROUND,
        round_name="Series D",
        status=Deal.Status.COMPLETED,
        date=datetime.date(2021, 4, 26),
        date_precision="day",
        amount=Decimal("465800000"),
        currency="USD",
        parties=[(company_360, Role.LEAD_INVESTOR), (hozon, Role.FUNDED)],
    )
    make_deal(
        title="Xiaomi sets up an EV subsidiary",
        slug="xiaomi-subsidiary",
        date=datetime.date(2021, 3, 1),
        date_precision="month",
        amount=Decimal("10000000000"),
        currency="USD",
        parties=[(xiaomi, Role.PARENT)],
    )
    make_deal(
        title="Xiaomi in talks with FAW",
        slug="xiaomi-faw",
        kind=Deal.Kind.PARTNERSHIP,
        status=Deal.Status.IN_TALKS,
        date=datetime.date(2021, 1, 1),
        date_precision="year",
        parties=[(xiaomi, Role.PARTNER)],
    )
    make_deal(
        title="Hozon raises money at an unknown date",
        slug="hozon-undated",
        kind=Deal.Kind.INVESTMENT,
        amount=Decimal("1000000000"),
        currency="CNY",
        parties=[(hozon, Role.FUNDED)],
    )
    make_deal(title="Draft deal", slug="draft-deal", state=DRAFT, amount=Decimal(7), currency="EUR")
    story = Story.objects.create(slug="one-story", title="One story")
    make_source(slug="original", title="Original", text="Xiaomi makes cars.", story=story)
    make_source(slug="rewrite", title="Rewrite", text="Xiaomi is making cars.", story=story, story_relation="rewrite")
    make_source(slug="standalone", title="Standalone", text="360 invests in Hozon.")
    make_source(slug="draft-source", title="Draft", text="Secret.", state=DRAFT)


def test_home_says_what_the_tracker_is(client, tracker):
    text = text_of(client.get(reverse("home")).text)
    assert "Who is entering the EV market, how, and how we know" in text
    assert "Every fact on this site is backed by a verbatim excerpt of an archived source" in text


def test_headline_numbers_count_published_records(client, tracker):
    text = text_of(client.get(reverse("home")).text)
    assert "Companies 3 including 2 tech companies" in text
    assert "Deals 4" in text
    assert "Independent sources 2 from 3 archived documents" in text


def test_disclosed_money_is_added_up_per_status_and_currency(client, tracker):
    text = text_of(client.get(reverse("home")).text)
    # A completed round and an announced plan are never one sum (issue 14: "USD 11.1 billion in 5 deals").
    assert "USD 465.8 million completed in 1 deal" in text
    assert "USD 10 billion announced in 1 deal" in text
    assert "CNY 1 billion announced in 1 deal" in text
    assert "10.5 billion" not in text
    assert "EUR" not in text  # only the draft deal has euros


def test_timeline_is_an_svg_chart_with_a_title_on_every_bar(client, tracker):
    html = client.get(reverse("home")).text
    svg = re.search(r"<svg class=\"chart timeline-chart\".*?</svg>", html, re.S).group()
    assert 'role="img"' in svg and '<title id="timeline-chart-title">' in svg
    bars = re.findall(r'<rect class="bar kind-(\w+)( year-only)?"[^>]*><title>([^<]+)</title>', svg)
    assert sorted(bars) == [
        ("funding_round", "", "2021 Q2 — Funding round: 1 deal"),
        ("partnership", " year-only", "2021, quarter not known — Partnership: 1 deal"),
        ("subsidiary", "", "2021 Q1 — New subsidiary or unit: 1 deal"),
    ]
    text = text_of(html)
    assert "3 deals with a date, from 2021 to 2021" in text
    assert "1 deal has no date and is not drawn." in text


def test_timeline_numbers_are_also_a_table(client, tracker):
    html = client.get(reverse("home")).text
    table = re.search(r'<details class="chart-data">.*?</details>', html, re.S).group()
    rows = [text_of(row) for row in re.findall(r"<tr><th scope=\"row\">.*?</tr>", table, re.S)]
    assert rows == [
        "2021 Q1 1 New subsidiary or unit: 1",
        "2021 Q2 1 Funding round: 1",
        "2021, quarter not known 1 Partnership: 1",
    ]


def test_tech_companies_show_their_way_in_and_first_move_earliest_first(client, tracker):
    html = client.get(reverse("home")).text
    section = re.search(r'<section aria-labelledby="tech-heading">.*?</section>', html, re.S).group()
    rows = [
        text_of(row).strip() for row in re.findall(r'<tr role="row">\s*<th role="rowheader".*?</tr>', section, re.S)
    ]
    # Xiaomi's talks are dated "2021" only: they cannot claim to come before its Mar 2021 move.
    assert rows == [
        "Xiaomi Builds its own cars Xiaomi sets up an EV subsidiary · Mar 2021 No excerpt yet",
        "360 Investor only 360 leads Hozon Auto's series D round · 26 Apr 2021 No excerpt yet",
    ]
    assert "Draft Tech" not in html


def test_tech_companies_without_a_move_are_named_under_the_table_not_as_rows(client, tracker):
    make_company(name="Google", entry_mode="")
    make_company(name="Apple", entry_mode="")
    make_company(name="OPPO", entry_mode="")
    oppo = Company.objects.get(slug="oppo")
    make_deal(
        title="OPPO invests in an EV business",
        slug="oppo-invests",
        kind=Deal.Kind.INVESTMENT,
        parties=[(oppo, Role.INVESTOR)],
    )
    tech = section(client.get(reverse("home")).text, "tech-heading")
    rows = [text_of(row) for row in re.findall(r'<tr role="row">\s*<th role="rowheader".*?</tr>', tech, re.S)]
    # OPPO's way in is not classified: the table says what its first move was instead.
    assert rows[-1] == "OPPO Investment (its first move) OPPO invests in an EV business No excerpt yet"
    assert not any("Apple" in row or "Google" in row for row in rows)
    assert "Mentioned, no move recorded: Apple, Google." in text_of(tech)
    assert '<a href="/companies/apple/">Apple</a>' in tech
    for gone in ("No published deal yet", "Not classified yet"):
        assert gone not in tech


def test_latest_deals_newest_first_with_parties(client, tracker):
    html = client.get(reverse("home")).text
    latest = section(html, "latest-heading")
    titles = [text_of(title) for title in re.findall(r'<li class="deal-item">\s*<a href="[^"]+">([^<]+)</a>', latest)]
    # Newest first, "2021" counts as the end of 2021: before the dated 2021 deals.
    assert titles == [
        "Xiaomi in talks with FAW",
        "360 leads Hozon Auto's series D round",
        "Xiaomi sets up an EV subsidiary",
        "Hozon raises money at an unknown date",
    ]
    assert "360 (lead investor), Hozon Auto (raised the funds)" in text_of(latest)
    assert "26 Apr 2021 · Funding round (Series D) · Completed · USD 465,800,000" in text_of(latest)


def test_home_with_nothing_published_yet(client, db):
    text = text_of(client.get(reverse("home")).text)
    assert "No dated deals yet." in text
    assert "None disclosed yet" in text
