from django.db.models import QuerySet

from companies.models import Company, Deal
from public import company_selectors as selectors
from public.charts import Neighbour, relationship_diagram
from public.company_filters import CompanyFilter, DealFilter
from public.listing import PublicListView, PublishedDetailView
from public.source_selectors import evidence_for


class CompanyListView(PublicListView):
    filterset_class = CompanyFilter
    context_object_name = "companies"
    template_name = "companies/company_list.html"

    def get_queryset(self) -> QuerySet[Company]:
        return selectors.company_list()


class CompanyDetailView(PublishedDetailView):
    model = Company
    template_name = "companies/company_detail.html"

    def get_queryset(self) -> QuerySet[Company]:
        return selectors.company_detail()

    def get_context_data(self, **kwargs) -> dict:
        context = super().get_context_data(**kwargs)
        company = self.object
        connections = selectors.connections_of(company)
        neighbours = [Neighbour(c.company.name, c.company.kind, [deal.title for deal in c.deals]) for c in connections]
        context.update(
            timeline=selectors.timeline_of(company),
            connections=connections,
            diagram=relationship_diagram(company.name, company.kind, neighbours),
            evidence=evidence_for(list(company.excerpts.all())),
        )
        return context


class DealListView(PublicListView):
    filterset_class = DealFilter
    context_object_name = "deals"
    template_name = "companies/deal_list.html"

    def get_queryset(self) -> QuerySet[Deal]:
        return selectors.deal_list()


class DealDetailView(PublishedDetailView):
    model = Deal
    template_name = "companies/deal_detail.html"

    def get_queryset(self) -> QuerySet[Deal]:
        return selectors.deal_detail()

    def get_context_data(self, **kwargs) -> dict:
        context = super().get_context_data(**kwargs)
        context["evidence"] = evidence_for(list(self.object.excerpts.all()))
        return context
