"""The filter forms of the company and deal lists (django-filter).

Each field validates what a reader may type in the address bar: a value that is not a choice, a
year that is not a number or an amount that is not a plain number is reported on the form, and
the list stays empty until it is fixed (PublicListView's strict mode).
"""

import django_filters
from django import forms
from django.db.models import F, QuerySet

from companies.models import Company, Deal, deal_date_order
from core.currencies import validate_currency_code
from public import company_selectors as selectors
from public.listing import OrderingChoiceFilter
from public.widgets import NumberInput

SEARCH_MAX_LENGTH = 100


class YearFilter(django_filters.NumberFilter):
    """A four-digit year; anything else is a form error, never a database error."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, widget=NumberInput, **kwargs)


class CompanyFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label="Name or other name", method="search", max_length=SEARCH_MAX_LENGTH, help_text="E.g. Xiaomi, FAW, SIAC"
    )
    kind = django_filters.ChoiceFilter(choices=Company.Kind.choices, empty_label="Any kind")
    entry_mode = django_filters.ChoiceFilter(
        label="How a tech company enters EVs", choices=Company.EntryMode.choices, empty_label="Any way"
    )
    ordering = OrderingChoiceFilter(
        orderings={
            # By the stored sort key (core/sort_keys.py): case and accents aside, numbers by value.
            "name": ("Name, A to Z", ["sort_name"]),
            "-name": ("Name, Z to A", ["-sort_name"]),
            "-deals": ("Most deals first", ["-deal_count", "sort_name"]),
        }
    )

    class Meta:
        model = Company
        fields = ["q", "kind", "entry_mode", "ordering"]

    def search(self, queryset: QuerySet[Company], name: str, value: str) -> QuerySet[Company]:
        return selectors.search_companies(queryset, value.strip())


class DealFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label="Words in title, summary or a party's name", method="search", max_length=SEARCH_MAX_LENGTH
    )
    kind = django_filters.ChoiceFilter(choices=Deal.Kind.choices, empty_label="Any kind")
    status = django_filters.ChoiceFilter(choices=Deal.Status.choices, empty_label="Any status")
    year = YearFilter(field_name="date", lookup_expr="year", label="Year", min_value=1900, max_value=2100)
    company = django_filters.CharFilter(
        label="Company", method="of_company", max_length=SEARCH_MAX_LENGTH, help_text="Its exact name or slug"
    )
    currency = django_filters.CharFilter(
        label="Currency", method="in_currency", max_length=3, validators=[validate_currency_code], help_text="E.g. USD"
    )
    amount_min = django_filters.NumberFilter(
        field_name="amount",
        lookup_expr="gte",
        label="Amount at least",
        min_value=0,
        max_digits=20,
        decimal_places=2,
        widget=NumberInput,
    )
    amount_max = django_filters.NumberFilter(
        field_name="amount",
        lookup_expr="lte",
        label="Amount at most",
        min_value=0,
        max_digits=20,
        decimal_places=2,
        widget=NumberInput,
    )
    ordering = OrderingChoiceFilter(
        orderings={
            "-date": ("Newest first", deal_date_order(newest_first=True)),
            "date": ("Oldest first", deal_date_order(newest_first=False)),
            "-amount": ("Largest amount first", [F("amount").desc(nulls_last=True), "sort_title"]),
            "amount": ("Smallest amount first", [F("amount").asc(nulls_last=True), "sort_title"]),
            "title": ("Title, A to Z", ["sort_title"]),
        }
    )

    class Meta:
        model = Deal
        fields = ["q", "kind", "status", "year", "company", "currency", "amount_min", "amount_max", "ordering"]

    def search(self, queryset: QuerySet[Deal], name: str, value: str) -> QuerySet[Deal]:
        return selectors.search_deals(queryset, value.strip())

    def of_company(self, queryset: QuerySet[Deal], name: str, value: str) -> QuerySet[Deal]:
        return selectors.deals_of_company(queryset, value.strip())

    def in_currency(self, queryset: QuerySet[Deal], name: str, value: str) -> QuerySet[Deal]:
        return queryset.filter(currency=value.strip().upper())
