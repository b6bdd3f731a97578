"""What every public page shares: published records only, filters that never fail, forgiving pages.

A reader's bookmark or a crawler's guess (`?kind=nonsense`, `?page=9999`, `?year=soon`) gets a
normal page saying what was wrong, never an error page.
"""

import django_filters
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.views.generic import DetailView
from django_filters.views import FilterView

LIST_PAGE_SIZE = 50


class PublishedDetailView(DetailView):
    """Every public detail page: only published records exist; anything else is a 404."""

    def get_queryset(self) -> QuerySet:
        return self.model.objects.published()


class OrderingChoiceFilter(django_filters.ChoiceFilter):
    """`?ordering=<key>` sorts by that key's expressions; the first key is the default order.

    Every ordering ends on the primary key, so records that tie never swap between pages.
    """

    def __init__(self, *, orderings: dict[str, tuple[str, list]], **kwargs) -> None:
        self.orderings = orderings
        choices = [(key, label) for key, (label, _) in orderings.items()]
        super().__init__(choices=choices, empty_label=None, label="Order by", **kwargs)

    def filter(self, qs: QuerySet, value: str) -> QuerySet:
        if not value:
            return qs
        return qs.order_by(*self.orderings[value][1], "pk")


class PublicListView(FilterView):
    """A filtered, paginated public list.

    Invalid filter values give an empty result and the form's message (django-filter's strict
    mode); a page number that is not a page shows the nearest real page and says so.
    """

    paginate_by = LIST_PAGE_SIZE
    page_notice = ""

    def paginate_queryset(self, queryset: QuerySet, page_size: int) -> tuple[Paginator, Page, list, bool]:
        paginator = self.get_paginator(queryset, page_size)
        asked = self.request.GET.get("page", "").strip()
        page = paginator.get_page(asked)
        if asked and asked != str(page.number):
            self.page_notice = f"There is no page “{asked[:20]}”; this is page {page.number} of {paginator.num_pages}."
        return paginator, page, page.object_list, page.has_other_pages()

    def get_context_data(self, **kwargs) -> dict:
        context = super().get_context_data(**kwargs)
        page = context["page_obj"]
        context["page_notice"] = self.page_notice
        # A filtered view is the list seen through a filter: search engines get the list itself.
        filtered = bool(set(self.request.GET) - {"page"})
        suffix = f"?page={page.number}" if page.number > 1 and not filtered else ""
        context["canonical_url"] = self.request.build_absolute_uri(self.request.path) + suffix
        return context
