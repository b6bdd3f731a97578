"""The filter form of the source list (django-filter); see public/company_filters.py for the rules."""

import django_filters
from django.db.models import Q, QuerySet

from public.listing import OrderingChoiceFilter
from sources.models import Source, source_date_order


class SourceFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label="Words in title, publisher or author", method="search", max_length=100)
    ordering = OrderingChoiceFilter(
        orderings={
            "-date": ("Newest first", source_date_order(newest_first=True)),
            "date": ("Oldest first", source_date_order(newest_first=False)),
            "title": ("Title, A to Z", ["sort_title"]),  # case and accents aside (core/sort_keys.py)
        }
    )

    class Meta:
        model = Source
        fields = ["q", "ordering"]

    def search(self, queryset: QuerySet[Source], name: str, value: str) -> QuerySet[Source]:
        words = value.strip()
        return queryset.filter(Q(title__icontains=words) | Q(publisher__icontains=words) | Q(author__icontains=words))
