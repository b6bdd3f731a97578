from django.db.models import Prefetch
from django.shortcuts import render
from django.views.generic import DetailView

from companies.models import Company, Deal, Participation
from sources.models import Excerpt, Source


def published_excerpts() -> Prefetch:
    """A record's excerpts whose source is published, each with its source."""
    excerpts = Excerpt.objects.filter(source__in=Source.objects.published()).select_related("source")
    return Prefetch("excerpts", queryset=excerpts)


class PublishedDetailView(DetailView):
    """Every public detail page: only published records exist; anything else is a 404."""

    def get_queryset(self):
        return self.model.objects.published()


def home(request):
    companies = Company.objects.published().only("slug", "name", "kind", "entry_mode")
    deals = Deal.objects.published().only("slug", "title", "kind", "status", "date", "date_precision")
    return render(request, "home.html", {"companies": companies, "deals": deals})


class CompanyDetailView(PublishedDetailView):
    model = Company
    template_name = "companies/company_detail.html"

    def get_queryset(self):
        in_published_deals = Participation.objects.filter(deal__in=Deal.objects.published()).select_related("deal")
        return (
            super()
            .get_queryset()
            .select_related("parent")
            .prefetch_related("aliases", Prefetch("participations", queryset=in_published_deals), published_excerpts())
        )


class DealDetailView(PublishedDetailView):
    model = Deal
    template_name = "companies/deal_detail.html"

    def get_queryset(self):
        return (
            super()
            .get_queryset()
            .select_related("venture")
            .prefetch_related(
                Prefetch("participations", queryset=Participation.objects.select_related("company")),
                published_excerpts(),
            )
        )
