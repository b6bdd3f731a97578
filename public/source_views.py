from django.core.paginator import Paginator
from django.db.models import QuerySet

from public import rows
from public import source_selectors as selectors
from public.listing import PublicListView, PublishedDetailView
from public.permanent_links import FormerSlugRedirectMixin
from public.rendering import excerpt_index, source_blocks
from public.source_filters import SourceFilter
from sources.models import Source

EXCERPTS_PER_INDEX_PAGE = 100


class SourceListView(PublicListView):
    filterset_class = SourceFilter
    context_object_name = "sources"
    template_name = "sources/source_list.html"

    def get_queryset(self) -> QuerySet[Source]:
        return selectors.source_list()

    def get_context_data(self, **kwargs) -> dict:
        context = super().get_context_data(**kwargs)
        context["source_rows"] = rows.source_rows(context["sources"])
        return context


class SourceDetailView(FormerSlugRedirectMixin, PublishedDetailView):
    model = Source
    template_name = "sources/source_detail.html"

    def get_queryset(self) -> QuerySet[Source]:
        return selectors.source_detail()

    def get_context_data(self, **kwargs) -> dict:
        context = super().get_context_data(**kwargs)
        source = self.object
        excerpts = selectors.marked_excerpts(source)
        # Every excerpt is highlighted in the text (links from company and deal pages land on
        # any of them); the index of what each backs comes a page at a time.
        page = Paginator(excerpts, EXCERPTS_PER_INDEX_PAGE).get_page(self.request.GET.get("page"))
        backed = selectors.backed_records([excerpt.pk for excerpt in page.object_list])
        context.update(
            excerpts=excerpts,
            page_obj=page,
            index_items=excerpt_index(page.object_list, backed),
            paginator=page.paginator,
            blocks=source_blocks(source.text, excerpts, list(source.noise_spans.all())),
            versions=source.story.published_versions if source.story else [source],
        )
        return context
