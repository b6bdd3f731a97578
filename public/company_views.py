from django.db.models import QuerySet

from companies.models import Company, Deal
from public import company_selectors as selectors
from public import record_sections, rows
from public.charts import MAX_NODES, Neighbour, relationship_diagram
from public.company_filters import CompanyFilter, DealFilter
from public.listing import PublicListView, PublishedDetailView
from public.permanent_links import FormerSlugRedirectMixin
from public.source_selectors import Evidence, evidence_of

# A company in thousands of deals gets a page of the same size as one in a few: its first deals,
# its closest connections, and links to the filtered deal list for the rest.
DEALS_ON_COMPANY_PAGE = 50
CONNECTIONS_ON_COMPANY_PAGE = 40


class CompanyListView(PublicListView):
    filterset_class = CompanyFilter
    context_object_name = "companies"
    template_name = "companies/company_list.html"

    def get_queryset(self) -> QuerySet[Company]:
        return selectors.company_list()

    def get_context_data(self, **kwargs) -> dict:
        context = super().get_context_data(**kwargs)
        context["company_rows"] = rows.company_rows(context["companies"])
        return context


class CompanyDetailView(FormerSlugRedirectMixin, PublishedDetailView):
    model = Company
    template_name = "companies/company_detail.html"

    def get_queryset(self) -> QuerySet[Company]:
        return selectors.company_detail()

    def get_context_data(self, **kwargs) -> dict:
        context = super().get_context_data(**kwargs)
        company = self.object
        timeline = selectors.company_timeline(company, limit=DEALS_ON_COMPANY_PAGE)
        connections = selectors.connections_of(company, shown=timeline)
        listed = connections[:CONNECTIONS_ON_COMPANY_PAGE]
        context.update(
            timeline=timeline,
            timeline_items=record_sections.timeline_items(company_name=company.name, timeline=timeline),
            connections=listed,
            connection_items=record_sections.connection_items(
                company_slug=company.slug, connections=listed, shown=len(timeline)
            ),
            connections_not_listed=len(connections) - CONNECTIONS_ON_COMPANY_PAGE,
            diagram=relationship_diagram(company.name, company.kind, neighbours_of(connections[:MAX_NODES])),
            **evidence_context(evidence_of(companies=company)),
        )
        return context


def neighbours_of(connections: list[selectors.Connection]) -> list[Neighbour]:
    return [Neighbour(c.company.name, c.company.kind, [deal.title for deal in c.deals], c.shared) for c in connections]


class DealListView(PublicListView):
    filterset_class = DealFilter
    context_object_name = "deals"
    template_name = "companies/deal_list.html"

    def get_queryset(self) -> QuerySet[Deal]:
        return selectors.deal_list()

    def get_context_data(self, **kwargs) -> dict:
        context = super().get_context_data(**kwargs)
        context["deal_rows"] = rows.deal_rows(context["deals"])
        return context


class DealDetailView(FormerSlugRedirectMixin, PublishedDetailView):
    model = Deal
    template_name = "companies/deal_detail.html"

    def get_queryset(self) -> QuerySet[Deal]:
        return selectors.deal_detail()

    def get_context_data(self, **kwargs) -> dict:
        context = super().get_context_data(**kwargs)
        context.update(evidence_context(evidence_of(deals=self.object)))
        return context


def evidence_context(evidence: Evidence) -> dict:
    """The evidence and its quoted excerpts written out (templates/includes/evidence.html)."""
    return {
        "evidence": evidence,
        "supporting_figures": record_sections.excerpt_figures(evidence.supporting),
        "dissenting_figures": record_sections.excerpt_figures(evidence.dissenting),
    }
