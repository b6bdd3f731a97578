"""The filter form of the source list (django-filter); see companies/filters.py for the rules."""

import django_filters
from django.db.models import F, Q, QuerySet

from evtracker.public import OrderingChoiceFilter
from sources.models import Source


class SourceFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label="Words in title, publisher or author", method="search", max_length=100)
    ordering = OrderingChoiceFilter(
        orderings={
            "-date": ("Newest first", [F("published_date").desc(nulls_last=True), "title"]),
            "date": ("Oldest first", [F("published_date").asc(nulls_last=True), "title"]),
            "title": ("Title, A to Z", ["title"]),
        }
    )

    class Meta:
        model = Source
        fields = ["q", "ordering"]

    def search(self, queryset: QuerySet[Source], name: str, value: str) -> QuerySet[Source]:
        words = value.strip()
        return queryset.filter(Q(title__icontains=words) | Q(publisher__icontains=words) | Q(author__icontains=words))
