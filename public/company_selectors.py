"""Read-side queries about companies and deals for the public site.

Every function starts from `published()` or, for records that belong to others, `visible()`
(companies/models.py says when each may be shown): a draft or in-review company or deal is never
counted, listed or linked.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import (
    Case,
    Count,
    ExpressionWrapper,
    F,
    IntegerField,
    Min,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
    Window,
)
from django.db.models.functions import Coalesce, RowNumber
from django.db.models.lookups import Exact

from companies.models import Alias, Company, Deal, Participation, deal_date_order
from core.editorial import published_q
from core.partial_dates import PRECISION_RANK, DatePrecision
from sources.models import Source

# Parties are listed by the weight of their part: the lead investor before the other investors.
ROLE_ORDER = Case(
    *(When(role=code, then=Value(rank)) for rank, code in enumerate(Participation.Role.values)),
    default=Value(len(Participation.Role.values)),
    output_field=IntegerField(),
)


def published_related(field: str, attribute: str) -> Subquery:
    """`attribute` of the company that foreign key `field` points to, only if that company is
    published: a subquery in the same SELECT, so a page costs the same with or without one."""
    return Subquery(Company.objects.published().filter(pk=OuterRef(field)).values(attribute)[:1])


def parties_with_companies(lookup: str = "participations") -> Prefetch:
    """Deals' visible parties, most important part first, each with its company (one query);
    `lookup` reaches the deals' participations from the records being fetched."""
    parties = Participation.objects.visible().select_related("company").order_by(ROLE_ORDER, "company__name", "pk")
    return Prefetch(lookup, queryset=parties)


def deals_in_date_order(deals: QuerySet[Deal], *, newest_first: bool) -> QuerySet[Deal]:
    """Dated deals first, in date order (a year or month at the end of its period); undated
    ones after them, by title."""
    return deals.ordered_newest_first() if newest_first else deals.ordered_oldest_first()


def with_deal_count(companies: QuerySet[Company]) -> QuerySet[Company]:
    """Annotate `deal_count`: the published deals each company takes part in."""
    deals = (
        Participation.objects.visible()
        .filter(company=OuterRef("pk"))
        .order_by()
        .values("company")
        .annotate(n=Count("deal", distinct=True))
        .values("n")
    )
    return companies.annotate(deal_count=Coalesce(Subquery(deals, output_field=IntegerField()), 0))


def company_list() -> QuerySet[Company]:
    """The company directory: published companies with their deal count and other names."""
    companies = with_deal_count(Company.objects.published()).order_by("name", "pk")
    return companies.prefetch_related(Prefetch("aliases", queryset=Alias.objects.visible().order_by("name")))


def search_companies(companies: QuerySet[Company], words: str) -> QuerySet[Company]:
    """Companies whose name or one of whose aliases contains `words` (no duplicates)."""
    by_alias = Alias.objects.visible().filter(name__icontains=words).values("company")
    return companies.filter(Q(name__icontains=words) | Q(pk__in=by_alias))


def company_detail() -> QuerySet[Company]:
    """A company page: its arms, other names, deal count and the deals that created it.

    Its own deals, connections and evidence are bounded queries of their own (`company_timeline`,
    `connections_of`, `evidence_of`): a company in thousands of deals costs the same as one in two.
    """
    parent = {"parent_slug": published_related("parent", "slug"), "parent_name": published_related("parent", "name")}
    return with_deal_count(
        Company.objects.published()
        .annotate(**parent)
        .prefetch_related(
            Prefetch("children", queryset=Company.objects.published().order_by("name")),
            Prefetch("aliases", queryset=Alias.objects.visible().order_by("name")),
            Prefetch("created_by_deals", queryset=deals_in_date_order(Deal.objects.published(), newest_first=False)),
        )
    )


def deal_list() -> QuerySet[Deal]:
    """The deal list: published deals, newest first, with their visible parties."""
    return deals_in_date_order(Deal.objects.published(), newest_first=True).prefetch_related(parties_with_companies())


def search_deals(deals: QuerySet[Deal], words: str) -> QuerySet[Deal]:
    """Deals whose title, summary or round, or one of whose parties' names, contains `words`."""
    by_party = Participation.objects.visible().filter(
        Q(company__name__icontains=words) | Q(company__aliases__name__icontains=words)
    )
    return deals.filter(
        Q(title__icontains=words)
        | Q(summary__icontains=words)
        | Q(round_name__icontains=words)
        | Q(pk__in=by_party.values("deal"))
    )


def deals_of_company(deals: QuerySet[Deal], company: str) -> QuerySet[Deal]:
    """Deals of the published company with this slug, or with exactly this name or alias."""
    named = Q(slug=company) | Q(name__iexact=company) | Q(aliases__name__iexact=company)
    companies = Company.objects.published().filter(named)
    return deals.filter(pk__in=Participation.objects.visible().filter(company__in=companies).values("deal"))


def deal_detail() -> QuerySet[Deal]:
    """A deal page: the venture it created and its parties (its evidence: `evidence_of`)."""
    venture = {
        "venture_slug": published_related("venture", "slug"),
        "venture_name": published_related("venture", "name"),
    }
    return Deal.objects.published().annotate(**venture).prefetch_related(parties_with_companies())


# -- the home page's numbers --


@dataclass(frozen=True)
class MoneyTotal:
    currency: str
    total: Decimal
    deals: int


@dataclass(frozen=True)
class Headline:
    companies: int
    tech_companies: int
    deals: int
    money: list[MoneyTotal]
    sources: int
    independent_sources: int


def headline_numbers() -> Headline:
    """The tracker in four numbers (three queries: companies, deals by currency, sources)."""
    companies = Company.objects.published().aggregate(
        all=Count("pk"), tech=Count("pk", filter=Q(kind=Company.Kind.TECH))
    )
    # Grouping every deal by currency gives the deal count and the money in one query; deals
    # with no amount form the group with an empty currency.
    by_currency = list(
        Deal.objects.published().order_by("currency").values("currency").annotate(n=Count("pk"), total=Sum("amount"))
    )
    sources = Source.objects.published().aggregate(
        all=Count("pk"), stories=Count("story", distinct=True), standalone=Count("pk", filter=Q(story=None))
    )
    return Headline(
        companies=companies["all"],
        tech_companies=companies["tech"],
        deals=sum(row["n"] for row in by_currency),
        money=[MoneyTotal(row["currency"], row["total"], row["n"]) for row in by_currency if row["currency"]],
        sources=sources["all"],
        independent_sources=sources["stories"] + sources["standalone"],
    )


@dataclass(frozen=True)
class PeriodCount:
    """Published deals of one kind in one quarter; `quarter` is None for deals dated to the year only."""

    year: int
    quarter: int | None
    kind: str
    count: int


def deal_counts_by_quarter() -> list[PeriodCount]:
    """Dated published deals per quarter and kind; a deal known only to its year gets no quarter."""
    # From the stored sort key YYYYMMDDP (core/partial_dates.py) in integer arithmetic: one pass
    # over an index of (state, key, kind), no date parsed per row. A month's key keeps its month,
    # a year's (P = 2) gets no quarter.
    key = F("date_sort_key")
    quarter = Case(
        When(Exact(key % 10, PRECISION_RANK[DatePrecision.YEAR]), then=Value(None)),
        default=(key / 1000 % 100 + 2) / 3,
        output_field=IntegerField(),
    )
    rows = (
        Deal.objects.published()
        .filter(date_sort_key__isnull=False)
        .annotate(year=ExpressionWrapper(key / 100000, output_field=IntegerField()), quarter=quarter)
        .order_by()
        .values("year", "quarter", "kind")
        .annotate(count=Count("pk"))
    )
    return [PeriodCount(**row) for row in rows]


def tech_companies_by_first_move(*, limit: int) -> list[Company]:
    """Up to `limit` published tech companies, the earliest movers first, each with its first move
    as `first_deal_*` and `first_role` (two queries).

    One grouped pass over the tech companies' deals picks the earliest movers by their earliest
    date key; a window over those companies' parts then picks each one's first deal. (A subquery
    per company and field cost more to build than to run.)
    """
    earliest = Min("participations__deal__date_sort_key", filter=published_q("participations__deal"))
    movers = Company.objects.published().filter(kind=Company.Kind.TECH).annotate(first_key=earliest)
    movers = list(movers.order_by(F("first_key").asc(nulls_last=True), "name", "pk").only(*MOVER_FIELDS)[:limit])
    first = {part.company_id: part for part in first_parts_of([company.pk for company in movers])}
    for company in movers:
        part = first.get(company.pk)
        deal = part.deal if part else None
        company.first_role = part.role if part else ""
        for name in ("slug", "title", "date", "date_precision"):
            setattr(company, f"first_deal_{name}", getattr(deal, name) if deal else None)
    return movers


MOVER_FIELDS = ("slug", "name", "kind", "entry_mode")


def first_parts_of(company_ids: list[int]) -> QuerySet[Participation]:
    """Each of these companies' part in its earliest published deal, with the deal."""
    in_date_order = [*deal_date_order(newest_first=False, prefix="deal__"), F("pk").asc()]
    rank = Window(RowNumber(), partition_by=F("company"), order_by=in_date_order)
    parts = Participation.objects.visible().filter(company__in=company_ids).select_related("deal")
    return parts.annotate(rank=rank).filter(rank=1)


def latest_deals(*, limit: int) -> list[Deal]:
    """The most recent published deals by date, with their parties (two queries)."""
    return list(deal_list()[:limit])


# -- a company's deals and connections, bounded --


@dataclass
class TimelineEntry:
    """One of a company's deals: its part (or parts) in it and the other parties."""

    deal: Deal
    roles: list[str] = field(default_factory=list)
    partners: list[Participation] = field(default_factory=list)


def _deals_of(company: Company) -> QuerySet[Participation]:
    return Participation.objects.visible().filter(company=company).values("deal")


def company_timeline(company: Company, *, limit: int) -> list[TimelineEntry]:
    """The company's first `limit` published deals, oldest first, each with the company's part and
    the other visible parties (one query: every part in those deals, with deal and company)."""
    first = Deal.objects.published().filter(pk__in=_deals_of(company)).ordered_oldest_first().values("pk")[:limit]
    parts = (
        Participation.objects.visible()
        .filter(deal__in=first)
        .select_related("deal", "company")
        .order_by(*deal_date_order(newest_first=False, prefix="deal__"), ROLE_ORDER, "company__name", "pk")
    )
    entries: dict[int, TimelineEntry] = {}
    for part in parts:
        entry = entries.setdefault(part.deal_id, TimelineEntry(deal=part.deal))
        if part.company_id == company.pk:
            entry.roles.append(part.get_role_display())
        else:
            entry.partners.append(part)
    return list(entries.values())


@dataclass
class Connection:
    """A company linked to the page's company through `shared` published deals; `deals` holds
    those of them among the deals the page shows."""

    company: Company
    shared: int
    deals: list[Deal] = field(default_factory=list)

    @property
    def unlisted(self) -> int:
        return self.shared - len(self.deals)


def connections_of(company: Company, *, shown: list[TimelineEntry]) -> list[Connection]:
    """Every company `company` shares published deals with, the most deals first (one grouped
    query over the parts in its deals); the shared deals among `shown` are attached by name."""
    rows = (
        Participation.objects.visible()
        .filter(deal__in=_deals_of(company))
        .exclude(company=company)
        .values_list("company", "company__slug", "company__name", "company__kind")
        .annotate(shared=Count("deal", distinct=True))
        .order_by("-shared", "company__name", "company")
    )
    connections = {
        pk: Connection(company=Company(pk=pk, slug=slug, name=name, kind=kind), shared=shared)
        for pk, slug, name, kind, shared in rows
    }
    for entry in shown:
        for partner in {part.company_id for part in entry.partners}:
            if partner in connections:  # always, unless a publish lands between the two queries
                connections[partner].deals.append(entry.deal)
    return list(connections.values())
