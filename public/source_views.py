from django.db.models import QuerySet

from public import source_selectors as selectors
from public.listing import PublicListView, PublishedDetailView
from public.rendering import source_blocks
from public.source_filters import SourceFilter
from sources.models import Source


class SourceListView(PublicListView):
    filterset_class = SourceFilter
    context_object_name = "sources"
    template_name = "sources/source_list.html"

    def get_queryset(self) -> QuerySet[Source]:
        return selectors.source_list()


class SourceDetailView(PublishedDetailView):
    model = Source
    template_name = "sources/source_detail.html"

    def get_queryset(self) -> QuerySet[Source]:
        return selectors.source_detail()

    def get_context_data(self, **kwargs) -> dict:
        context = super().get_context_data(**kwargs)
        source = self.object
        excerpts = list(source.excerpts.all())
        context["excerpts"] = excerpts
        context["blocks"] = source_blocks(source.text, excerpts, list(source.noise_spans.all()))
        context["versions"] = source.story.published_versions if source.story else [source]
        return context
