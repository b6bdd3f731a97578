"""Model validation: what an editor is stopped from saving, and why."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from companies.models import Company, Deal
from sources.models import Excerpt, text_sha256
from tests.conftest import make_company, make_deal, make_excerpt, make_source

pytestmark = pytest.mark.django_db

TEXT = "Xiaomi will invest $10 billion. Hozon Auto raised money. Xiaomi will invest $10 billion in cars."


def errors_of(instance) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as caught:
        instance.full_clean()
    return caught.value.message_dict


def test_excerpt_offsets_are_computed_from_the_quote():
    source = make_source(text=TEXT)
    excerpt = make_excerpt(source=source, quote="Hozon Auto raised money.")
    assert (excerpt.start, excerpt.end) == (32, 56)
    assert source.text[excerpt.start : excerpt.end] == "Hozon Auto raised money."
    assert excerpt.slug == "a-source-32"


def test_excerpt_not_in_source_is_refused_with_a_reason():
    source = make_source(text=TEXT)
    errors = errors_of(Excerpt(source=source, quote="Xiaomi will invest $12 billion."))
    assert errors["quote"] == ["The quote does not occur in the source text."]
    assert not Excerpt.objects.exists()


def test_excerpt_with_typographic_differences_gets_a_hint():
    source = make_source(text="Lei said “high-quality” cars.")
    errors = errors_of(Excerpt(source=source, quote='Lei said "high-quality" cars.'))
    assert "differs from the source only in quotation marks" in errors["quote"][0]


def test_ambiguous_quote_needs_context_or_offset():
    source = make_source(text=TEXT)
    errors = errors_of(Excerpt(source=source, quote="Xiaomi will invest $10 billion"))
    assert "occurs 2 times in the source text (at characters 0, 57)" in errors["quote"][0]

    by_context = make_excerpt(source=source, quote="Xiaomi will invest $10 billion", context_before="money. ")
    assert by_context.start == 57

    by_offset = make_excerpt(source=source, quote="Xiaomi will invest $10 billion", start=0, slug="first")
    assert by_offset.start == 0


def test_wrong_explicit_offset_is_refused():
    source = make_source(text=TEXT)
    errors = errors_of(Excerpt(source=source, quote="Hozon Auto raised money.", start=5))
    assert "not at character 5" in errors["start"][0]


def test_editing_a_quote_finds_it_again():
    source = make_source(text=TEXT)
    excerpt = make_excerpt(source=source, quote="Hozon Auto raised money.")
    excerpt = Excerpt.objects.get(pk=excerpt.pk)
    excerpt.quote = "Xiaomi will invest $10 billion in cars."
    excerpt.full_clean()
    assert excerpt.start == 57


def test_excerpt_in_page_noise_is_refused():
    source = make_source(text="Article text here.\n\nMost Read: other story.")
    source.noise_spans.create(label="Most Read list", text="Most Read: other story.", start=20, end=43)
    errors = errors_of(Excerpt(source=source, quote="other story."))
    assert errors["quote"] == ["The quote lies in page noise (“Most Read list”), not in the article."]


def test_source_hash_is_computed_and_text_cannot_change():
    source = make_source(text=TEXT)
    assert source.sha256 == text_sha256(TEXT)
    stored = type(source).objects.get(pk=source.pk)
    stored.text = TEXT + " Edited."
    assert "cannot be changed" in errors_of(stored)["text"][0]


def test_inferred_source_date_needs_a_note():
    source = make_source(text=TEXT)
    source.published_date, source.published_date_precision = datetime.date(2021, 5, 1), "month"
    source.date_basis = "inferred"
    assert errors_of(source)["date_note"] == ["An inferred date needs a note saying how it was inferred."]


@pytest.mark.parametrize(
    ("amount", "currency", "field", "message"),
    [
        (Decimal("10"), "XYZ", "currency", '"XYZ" is not an ISO 4217 currency code (examples: CNY, USD, EUR).'),
        (Decimal("10"), "", "currency", "An amount needs its currency (ISO 4217 code)."),
        (None, "USD", "amount", "A currency without an amount: fill in the amount or clear both."),
        (Decimal("-1"), "USD", "amount", "An amount cannot be negative."),
    ],
)
def test_deal_amount_and_currency(amount, currency, field, message):
    deal = Deal(title="t", slug="t", kind="investment", status="announced", amount=amount, currency=currency)
    assert message in errors_of(deal)[field]


def test_valid_amount_is_saved():
    deal = make_deal(amount=Decimal("465800000"), currency="USD")
    assert Deal.objects.get(pk=deal.pk).amount == Decimal("465800000.00")


@pytest.mark.parametrize(
    ("date", "precision", "field", "message"),
    [
        (datetime.date(2020, 12, 15), "month", "date", "stored as the 1st of that month, not 2020-12-15"),
        (datetime.date(2021, 6, 1), "year", "date", "stored as 1 January, not 2021-06-01"),
        (datetime.date(2021, 6, 1), "", "date_precision", "Say whether the date is known to the day, month or year."),
        (None, "day", "date_precision", "A precision needs a date"),
    ],
)
def test_deal_date_precision(date, precision, field, message):
    deal = Deal(title="t", slug="t", kind="investment", status="announced", date=date, date_precision=precision)
    assert message in " ".join(errors_of(deal)[field])


def test_partial_dates_display_at_their_precision():
    month = make_deal(slug="m", date=datetime.date(2020, 12, 1), date_precision="month")
    year = make_deal(slug="y", date=datetime.date(2019, 1, 1), date_precision="year")
    day = make_deal(slug="d", date=datetime.date(2021, 3, 31), date_precision="day")
    assert (month.date_display, month.date_iso) == ("Dec 2020", "2020-12")
    assert (year.date_display, year.date_iso) == ("2019", "2019")
    assert (day.date_display, day.date_iso) == ("31 Mar 2021", "2021-03-31")


def test_database_refuses_amount_without_currency_even_past_validation():
    deal = make_deal()
    with pytest.raises(IntegrityError), transaction.atomic():
        Deal.objects.filter(pk=deal.pk).update(amount=Decimal("1"), currency="")


def test_entry_mode_only_for_tech_companies():
    company = Company(name="FAW Group", slug="faw", kind="automaker", entry_mode="own_cars")
    assert "Only a tech company has an EV entry mode" in errors_of(company)["entry_mode"][0]


def test_published_queryset_hides_other_states():
    make_company(name="Shown")
    make_company(name="Hidden", state="draft")
    make_company(name="Waiting", state="in_review")
    assert [c.name for c in Company.objects.published()] == ["Shown"]
