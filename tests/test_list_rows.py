"""The list rows written out in Python (public/rows.py) escape every value and link every record
as the templates did: names and titles with markup in them stay text."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from companies.models import Company, Deal, Participation
from core.partial_dates import DatePrecision
from tests.conftest import make_company, make_deal

pytestmark = pytest.mark.django_db

HOSTILE = '<b>Bold</b> & "quoted"'
ESCAPED = "&lt;b&gt;Bold&lt;/b&gt; &amp; &quot;quoted&quot;"


@pytest.fixture
def hostile_deal() -> Deal:
    company = make_company(name=HOSTILE, slug="hostile")
    return make_deal(
        title=f"Deal: {HOSTILE}",
        slug="hostile-deal",
        date=datetime.date(2021, 3, 1),
        date_precision=DatePrecision.MONTH,
        kind=Deal.Kind.FUNDING_ROUND,
        round_name="Series <D>",
        amount=Decimal("1500000.50"),
        currency="USD",
        parties=[(company, Participation.Role.LEAD_INVESTOR)],
    )


def test_deal_list_row(client, hostile_deal):
    html = client.get(reverse("companies:deal_list")).text
    assert f'<a href="/deals/hostile-deal/">Deal: {ESCAPED}</a>' in html
    assert '<time datetime="2021-03">Mar 2021</time>' in html
    assert "Funding round (Series &lt;D&gt;)" in html
    assert "USD 1,500,000.50" in html
    assert f'<a href="/companies/hostile/">{ESCAPED}</a> <span class="meta">(lead investor)</span>' in html
    assert HOSTILE not in html


def test_company_list_row(client, hostile_deal):
    html = client.get(reverse("companies:company_list")).text
    assert f'<a href="/companies/hostile/">{ESCAPED}</a>' in html
    assert f'<a href="/deals/?company=hostile" aria-label="1 deal of {ESCAPED}">1</a>' in html
    assert HOSTILE not in html


def test_home_rows(client, hostile_deal):
    html = client.get(reverse("home")).text
    assert f'<a href="/deals/hostile-deal/">Deal: {ESCAPED}</a>' in html  # latest deals and first move
    assert f'{ESCAPED} <span class="meta">(lead investor)</span>' in html
    assert '<span class="meta">· <time datetime="2021-03">Mar 2021</time></span>' in html
    assert Company.objects.get(slug="hostile").kind == Company.Kind.TECH
    assert HOSTILE not in html
