from django.db.models import Prefetch

from companies.models import Company, Deal
from companies.views import PublishedDetailView
from sources.models import Excerpt, Source
from sources.rendering import source_blocks


class SourceDetailView(PublishedDetailView):
    model = Source
    template_name = "sources/source_detail.html"

    def get_queryset(self):
        excerpts = Excerpt.objects.prefetch_related(
            Prefetch("companies", queryset=Company.objects.published()),
            Prefetch("deals", queryset=Deal.objects.published()),
        )
        return (
            super()
            .get_queryset()
            .select_related("story")
            .prefetch_related("noise_spans", Prefetch("excerpts", queryset=excerpts))
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        source = self.object
        excerpts = list(source.excerpts.all())
        context["excerpts"] = excerpts
        context["blocks"] = source_blocks(source.text, excerpts, list(source.noise_spans.all()))
        return context
