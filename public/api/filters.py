"""Filters of the two kinds of record that have no list page of their own (excerpts, stories).

Companies, deals and sources use the very FilterSets of their pages (public/company_filters.py,
public/source_filters.py), so `?q=`, `?kind=`, `?ordering=`… mean the same on a page and in the API.
"""

import django_filters
from django.db.models import Q, QuerySet

from public.listing import OrderingChoiceFilter
from sources.models import Excerpt, Story, visible_excerpt_links

SLUG_MAX_LENGTH = 160


class ExcerptFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label="Words in the quote, claim or note", method="search", max_length=100)
    source = django_filters.CharFilter(
        field_name="source__slug", label="Slug of the source it is quoted from", max_length=SLUG_MAX_LENGTH
    )
    company = django_filters.CharFilter(
        label="Slug of a published company it backs", method="backing_company", max_length=SLUG_MAX_LENGTH
    )
    deal = django_filters.CharFilter(
        label="Slug of a published deal it backs", method="backing_deal", max_length=SLUG_MAX_LENGTH
    )
    stance = django_filters.ChoiceFilter(choices=Excerpt.Stance.choices)
    ordering = OrderingChoiceFilter(
        orderings={
            "source": ("By source, then place in its text", ["source__slug", "start"]),
            "slug": ("By slug", ["slug"]),
        }
    )

    class Meta:
        model = Excerpt
        fields = ["q", "source", "company", "deal", "stance", "ordering"]

    def search(self, queryset: QuerySet[Excerpt], name: str, value: str) -> QuerySet[Excerpt]:
        words = value.strip()
        return queryset.filter(Q(quote__icontains=words) | Q(claim__icontains=words) | Q(note__icontains=words))

    # Through the links readers may see only: a draft company's slug finds nothing, as on its page.
    def backing_company(self, queryset: QuerySet[Excerpt], name: str, value: str) -> QuerySet[Excerpt]:
        links = visible_excerpt_links("company").filter(company__slug=value.strip())
        return queryset.filter(pk__in=links.values("excerpt"))

    def backing_deal(self, queryset: QuerySet[Excerpt], name: str, value: str) -> QuerySet[Excerpt]:
        links = visible_excerpt_links("deal").filter(deal__slug=value.strip())
        return queryset.filter(pk__in=links.values("excerpt"))


class StoryFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        field_name="title", lookup_expr="icontains", label="Words in the title", max_length=100
    )
    ordering = OrderingChoiceFilter(orderings={"title": ("Title, A to Z", ["title"]), "slug": ("By slug", ["slug"])})

    class Meta:
        model = Story
        fields = ["q", "ordering"]
