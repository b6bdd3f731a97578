"""Ventures and brands (issue 14): a joint venture, unit or brand shows the deal that created it and
the deals it takes part in, and its deal count includes the creating deal ("0 deals" no more)."""

import re

import pytest
from django.urls import reverse

from companies.models import Company, Deal, Participation
from tests.conftest import DRAFT, make_company, make_deal
from tests.page_text import text_of

pytestmark = pytest.mark.django_db

Role = Participation.Role


@pytest.fixture
def banma() -> Company:
    alibaba, saic = make_company(name="Alibaba"), make_company(name="SAIC Motor", kind=Company.Kind.AUTOMAKER)
    banma = make_company(name="Banma", kind=Company.Kind.VENTURE)
    make_deal(
        title="Alibaba and SAIC form Banma",
        slug="banma-jv",
        kind=Deal.Kind.JOINT_VENTURE,
        venture=banma,
        parties=[(alibaba, Role.PARTNER), (saic, Role.PARTNER)],
    )
    make_deal(title="A draft that created Banma too", slug="draft-banma", venture=banma, state=DRAFT, parties=[])
    return banma


def company_row(html: str, slug: str) -> str:
    match = re.search(
        rf'<tr role="row">\s*<th role="rowheader" scope="row"><a href="/companies/{slug}/".*?</tr>', html, re.S
    )
    assert match, slug
    return match.group()


def test_the_company_list_counts_the_deal_that_created_a_venture(client, banma):
    row = company_row(client.get(reverse("companies:company_list")).text, "banma")
    assert 'aria-label="1 deal of Banma, including the one that created it">1</a>' in row
    assert "(created by it)" in text_of(row)


def test_the_deal_list_of_a_venture_holds_its_creating_deal(client, banma):
    html = client.get(reverse("companies:deal_list") + "?company=banma").text
    assert re.findall(r'<th role="rowheader" scope="row"><a href="[^"]+">([^<]+)</a>', html) == [
        "Alibaba and SAIC form Banma"
    ]


def test_the_venture_page_names_its_creating_deal(client, banma):
    html = client.get(banma.get_absolute_url()).text
    assert re.search(r'<dt>Created by</dt><dd><a href="/deals/banma-jv/">Alibaba and SAIC form Banma</a></dd>', html)
    assert "A draft that created Banma" not in html
    assert "1 deal in the EV market" in html  # the page's description counts it too
    assert "It takes part in no published deal yet; the deal that created it is named above." in text_of(html)


def test_a_venture_in_other_deals_counts_both_and_its_creating_deal_once(client, banma):
    audi = make_company(name="Audi", kind=Company.Kind.AUTOMAKER)
    make_deal(title="Banma works with Audi", slug="banma-audi", parties=[(banma, Role.PARTNER), (audi, Role.PARTNER)])
    zhiji = make_company(name="Zhiji", kind=Company.Kind.VENTURE)
    saic = Company.objects.get(slug="saic-motor")
    # A venture that is also a party to the deal creating it: one deal, not two.
    make_deal(
        title="SAIC sets up Zhiji", slug="zhiji", venture=zhiji, parties=[(saic, Role.PARENT), (zhiji, Role.TARGET)]
    )
    html = client.get(reverse("companies:company_list")).text
    assert (
        text_of(company_row(html, "banma")).split(" Joint venture, unit or brand — ")[1].startswith("2 (created by 1)")
    )
    zhiji_row = company_row(html, "zhiji")
    assert 'aria-label="1 deal of Zhiji">1</a>' in zhiji_row and "created by" not in zhiji_row
    listed = client.get(reverse("companies:deal_list") + "?company=banma").text
    assert "Banma works with Audi" in listed and "Alibaba and SAIC form Banma" in listed


def test_most_deals_first_counts_creating_deals(client, banma):
    make_company(name="Aardvark Motors", kind=Company.Kind.AUTOMAKER)
    html = client.get(reverse("companies:company_list") + "?ordering=-deals").text
    assert html.index(">Banma</a>") < html.index(">Aardvark Motors</a>")  # 1 deal before 0, not by name


def test_seeded_ventures_no_longer_show_zero_deals(client, seeded):
    html = client.get(reverse("companies:company_list")).text
    for slug in ("banma", "zhiji", "apollo"):
        assert "(created by" in company_row(html, slug), slug
