"""Partial dates in the admin: one box takes 2021, 2021-05 or 2021-05-18 (as imports do), sets the
date and its precision, and shows the stored value back the same way; lists show dates and amounts
as readers see them."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from companies.models import Deal
from core.admin import day_display, money_display, money_short_display
from core.forms import PARTIAL_DATE_FORMS, PartialDateField
from sources.models import Source
from tests.conftest import make_deal, make_source

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("typed", "date", "precision"),
    [
        ("2021", datetime.date(2021, 1, 1), "year"),
        ("2021-05", datetime.date(2021, 5, 1), "month"),
        ("2021-05-18", datetime.date(2021, 5, 18), "day"),
        (" 2021-5 ", datetime.date(2021, 5, 1), "month"),
    ],
)
def test_the_field_takes_the_three_forms(typed, date, precision):
    assert PartialDateField(required=False).clean(typed) == (date, precision)


@pytest.mark.parametrize(("typed", "reason"), [("26/04/2021", ""), ("May 2021", ""), ("2021-13", "month")])
def test_the_field_names_the_accepted_forms_on_bad_input(typed, reason):
    with pytest.raises(Exception) as refused:
        PartialDateField(required=False).clean(typed)
    message = refused.value.messages[0]
    assert message.startswith("Enter a date as YYYY, YYYY-MM or YYYY-MM-DD (e.g. 2021-05).")
    assert reason in message


def deal_form_data(client, deal: Deal, **changes) -> dict:
    form = client.get(reverse("admin:companies_deal_change", args=[deal.pk])).context["adminform"].form
    data = {name: value for name, value in form.initial.items() if value is not None}
    data.update({"venture": "", "amount": "", "currency": "", **changes})
    for key, value in {"TOTAL_FORMS": 0, "INITIAL_FORMS": 0, "MIN_NUM_FORMS": 0, "MAX_NUM_FORMS": 1000}.items():
        data[f"participations-{key}"] = str(value)
    return data


@pytest.mark.parametrize(
    ("typed", "date", "precision"),
    [("2020-12", datetime.date(2020, 12, 1), "month"), ("2021", datetime.date(2021, 1, 1), "year"), ("", None, "")],
)
def test_a_deal_saved_with_a_partial_date_gets_its_precision(editor_client, typed, date, precision):
    deal = make_deal(date=datetime.date(2021, 4, 26), date_precision="day", state="draft")
    url = reverse("admin:companies_deal_change", args=[deal.pk])
    response = editor_client.post(url, deal_form_data(editor_client, deal, date=typed))
    assert response.status_code == 302, response.context["adminform"].form.errors
    deal.refresh_from_db()
    assert (deal.date, deal.date_precision) == (date, precision)


def test_the_deal_form_shows_the_stored_date_at_its_precision_and_no_precision_box(editor_client):
    deal = make_deal(date=datetime.date(2020, 12, 1), date_precision="month", state="draft")
    page = editor_client.get(reverse("admin:companies_deal_change", args=[deal.pk])).text
    assert 'name="date" value="2020-12"' in page
    assert 'name="date_precision"' not in page


def test_a_bad_date_is_refused_with_the_accepted_forms(editor_client):
    deal = make_deal(date=datetime.date(2021, 4, 26), date_precision="day", state="draft")
    url = reverse("admin:companies_deal_change", args=[deal.pk])
    response = editor_client.post(url, deal_form_data(editor_client, deal, date="26/04/2021"))
    assert response.status_code == 200
    assert PARTIAL_DATE_FORMS in response.text
    assert 'value="26/04/2021"' in response.text  # what was typed, to correct
    deal.refresh_from_db()
    assert deal.date == datetime.date(2021, 4, 26)


def test_a_source_is_added_with_a_month_for_its_date(editor_client):
    data = {
        "title": "A month-dated report", "slug": "month-dated", "editorial_state": "draft",
        "published_date": "2021-05", "date_basis": "stated", "text": "Xiaomi makes cars in May 2021.",
        "story_relation": "original",
        "noise_spans-TOTAL_FORMS": "0", "noise_spans-INITIAL_FORMS": "0",
        "excerpts-TOTAL_FORMS": "0", "excerpts-INITIAL_FORMS": "0",
    }  # fmt: skip
    response = editor_client.post(reverse("admin:sources_source_add"), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    source = Source.objects.get(slug="month-dated")
    assert (source.published_date, source.published_date_precision) == (datetime.date(2021, 5, 1), "month")
    page = editor_client.get(reverse("admin:sources_source_change", args=[source.pk])).text
    assert 'name="published_date" value="2021-05"' in page


def test_a_read_only_deal_shows_its_date_as_readers_see_it(editor_client):
    deal = make_deal(date=datetime.date(2020, 12, 1), date_precision="month", state="published")
    page = editor_client.get(reverse("admin:companies_deal_change", args=[deal.pk])).text
    assert 'name="date"' not in page
    assert '<div class="readonly">Dec 2020</div>' in page


def test_lists_show_dates_and_amounts_as_readers_see_them(editor_client):
    make_deal(
        title="Big round", date=datetime.date(2020, 12, 1), date_precision="month",
        amount=Decimal("2000000000.00"), currency="USD",
    )  # fmt: skip
    make_source(
        slug="dated", published_date=datetime.date(2021, 4, 18), published_date_precision="day", date_basis="stated"
    )
    deals = editor_client.get(reverse("admin:companies_deal_changelist")).text
    assert '<td class="field-date_display">Dec 2020</td>' in deals
    assert '<span title="USD 2,000,000,000">USD 2 billion</span>' in deals
    assert "2000000000.00" not in deals
    sources = editor_client.get(reverse("admin:sources_source_changelist")).text
    assert "18 Apr 2021" in sources


def test_display_helpers():
    assert money_display(Decimal("465800000.00"), "USD") == "USD 465,800,000"
    assert money_display(Decimal("1234.50"), "CNY") == "CNY 1,234.50"
    assert (
        money_short_display(Decimal("465800000.00"), "USD") == '<span title="USD 465,800,000">USD 465.8 million</span>'
    )
    assert money_display(None, "") == "-"
    assert day_display(datetime.datetime(2026, 11, 24, 9, 30, tzinfo=datetime.UTC)) == "24 Nov 2026"
