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
    Exists,
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
from core.partial_dates import PRECISION_RANK, DatePrecision
from public.certainty import with_certainty
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
    parties = Participation.objects.visible().select_related("company").order_by(ROLE_ORDER, "company__sort_name", "pk")
    return Prefetch(lookup, queryset=parties)


def deals_in_date_order(deals: QuerySet[Deal], *, newest_first: bool) -> QuerySet[Deal]:
    """Dated deals first, in date order (a year or month at the end of its period); undated
    ones after them, by title."""
    return deals.ordered_newest_first() if newest_first else deals.ordered_oldest_first()


def with_deal_count(companies: QuerySet[Company]) -> QuerySet[Company]:
    """Annotate `deal_count`: the published deals each company takes part in or was created by
    (a venture or brand counts the deal that set it up), and `created_deal_count`: those of them
    that created it without it taking part."""
    deals = (
        Participation.objects.visible()
        .filter(company=OuterRef("pk"))
        .order_by()
        .values("company")
        .annotate(n=Count("deal", distinct=True))
        .values("n")
    )
    # Through the index on the venture column: a company that created nothing costs one lookup.
    created = (
        Deal.objects.published()
        .filter(venture=OuterRef("pk"))
        .exclude(participations__company=OuterRef("pk"))
        .order_by()
        .values("venture")
        .annotate(n=Count("pk"))
        .values("n")
    )
    counted = {
        "part_deal_count": Coalesce(Subquery(deals, output_field=IntegerField()), 0),
        "created_deal_count": Coalesce(Subquery(created, output_field=IntegerField()), 0),
    }
    return companies.annotate(**counted).annotate(deal_count=F("part_deal_count") + F("created_deal_count"))


def company_list() -> QuerySet[Company]:
    """The company directory: published companies in name order (core/sort_keys.py) with their
    deal count, how well each is backed (public/certainty.py) and their other names."""
    companies = with_certainty(with_deal_count(Company.objects.published()), record="company")
    companies = companies.order_by("sort_name", "pk")
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
    """The deal list: published deals, newest first, with how well each is backed and their
    visible parties."""
    deals = with_certainty(deals_in_date_order(Deal.objects.published(), newest_first=True), record="deal")
    return deals.prefetch_related(parties_with_companies())


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
    """Deals of the published company with this slug, or with exactly this name or alias: those it
    takes part in and those that created it (as its deal count counts them)."""
    named = Q(slug=company) | Q(name__iexact=company) | Q(aliases__name__iexact=company)
    companies = Company.objects.published().filter(named)
    parts = Participation.objects.visible().filter(company__in=companies).values("deal")
    return deals.filter(Q(pk__in=parts) | Q(venture__in=companies))


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
    """The disclosed amounts of the published deals of one status in one currency: never added
    across statuses (a completed round and a ten-year plan are not one sum) nor currencies."""

    status: str
    currency: str
    total: Decimal
    deals: int


# Money is told in this order: what was paid first, then what was promised, then what was only said.
MONEY_STATUS_ORDER = [
    Deal.Status.COMPLETED,
    Deal.Status.ANNOUNCED,
    Deal.Status.IN_TALKS,
    Deal.Status.RUMOURED,
    Deal.Status.CALLED_OFF,
]


@dataclass(frozen=True)
class Headline:
    companies: int
    tech_companies: int
    deals: int
    money: list[MoneyTotal]
    sources: int
    independent_sources: int


def headline_numbers() -> Headline:
    """The tracker in four numbers (three queries: companies, deals by status and currency, sources)."""
    companies = Company.objects.published().aggregate(
        all=Count("pk"), tech=Count("pk", filter=Q(kind=Company.Kind.TECH))
    )
    # Grouping every deal by status and currency gives the deal count and the money in one query;
    # deals with no amount form the groups with an empty currency.
    groups = (
        Deal.objects.published().order_by().values("status", "currency").annotate(n=Count("pk"), total=Sum("amount"))
    )
    rank = {status: position for position, status in enumerate(MONEY_STATUS_ORDER)}
    by_currency = sorted(groups, key=lambda row: (rank.get(row["status"], len(rank)), row["currency"]))
    sources = Source.objects.published().aggregate(
        all=Count("pk"), stories=Count("story", distinct=True), standalone=Count("pk", filter=Q(story=None))
    )
    return Headline(
        companies=companies["all"],
        tech_companies=companies["tech"],
        deals=sum(row["n"] for row in by_currency),
        money=[
            MoneyTotal(row["status"], row["currency"], row["total"], row["n"]) for row in by_currency if row["currency"]
        ],
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


@dataclass(frozen=True)
class TechCompanies:
    """The home page's tech companies: those with a published move (the earliest movers first,
    at most the limit asked for) and, by name, those only mentioned so far."""

    movers: list[Company]
    mentioned: list[Company]


def tech_companies_by_first_move(*, limit: int) -> TechCompanies:
    """Published tech companies, split: up to `limit` with a published move, the earliest movers
    first, each with its first move as `first_deal_*` and `first_role` and how well it is backed
    (public/certainty.py); then the ones with no move recorded (two queries).

    The first query gives every tech company its earliest date key and whether it has a move, as
    subqueries beside the certainty counts (a join grouped by company would compute those per
    part); a window over the movers' parts then picks each one's first deal. (A subquery per
    company and first-move field cost more to build than to run.)
    """
    parts = Participation.objects.visible().filter(company=OuterRef("pk")).order_by().values("company")
    earliest = Subquery(parts.annotate(key=Min("deal__date_sort_key")).values("key"), output_field=IntegerField())
    tech = Company.objects.published().filter(kind=Company.Kind.TECH).annotate(first_key=earliest, moves=Exists(parts))
    tech = with_certainty(tech, record="company").only(*MOVER_FIELDS)
    everyone = list(tech.order_by(F("first_key").asc(nulls_last=True), "sort_name", "pk"))
    movers = [company for company in everyone if company.moves][:limit]
    first = {part.company_id: part for part in first_parts_of([company.pk for company in movers])}
    for company in movers:
        part = first.get(company.pk)
        deal = part.deal if part else None
        company.first_role = part.role if part else ""
        for name in ("slug", "title", "date", "date_precision", "kind"):
            setattr(company, f"first_deal_{name}", getattr(deal, name) if deal else None)
    mentioned = sorted((company for company in everyone if not company.moves), key=lambda company: company.sort_name)
    return TechCompanies(movers=movers, mentioned=mentioned)


MOVER_FIELDS = ("slug", "name", "sort_name", "kind", "entry_mode")


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


@dataclass(frozen=True, slots=True)
class DealLine:
    """What a company page prints of one of its deals (read as plain values, not a model)."""

    slug: str
    title: str
    kind: str
    round_name: str
    status: str
    date: object
    date_precision: str
    amount: Decimal | None
    currency: str


@dataclass(frozen=True, slots=True)
class PartyLine:
    """Another party to one of the page's deals: its company and its role's label."""

    company_id: int
    slug: str
    name: str
    role_label: str


@dataclass
class TimelineEntry:
    """One of a company's deals: its part (or parts) in it and the other parties."""

    deal: DealLine
    roles: list[str] = field(default_factory=list)
    partners: list[PartyLine] = field(default_factory=list)


def _deals_of(company: Company) -> QuerySet[Participation]:
    return Participation.objects.visible().filter(company=company).values("deal")


DEAL_LINE_FIELDS = tuple(DealLine.__dataclass_fields__)
ROLE_LABELS = dict(Participation.Role.choices)


def company_timeline(company: Company, *, limit: int) -> list[TimelineEntry]:
    """The company's first `limit` published deals, oldest first, each with the company's part and
    the other visible parties (one query: every part in those deals, with deal and company, read
    as plain values)."""
    first = Deal.objects.published().filter(pk__in=_deals_of(company)).ordered_oldest_first().values("pk")[:limit]
    parts = (
        Participation.objects.visible()
        .filter(deal__in=first)
        .order_by(*deal_date_order(newest_first=False, prefix="deal__"), ROLE_ORDER, "company__name", "pk")
        .values_list(
            "deal", "company", "role", "company__slug", "company__name", *(f"deal__{name}" for name in DEAL_LINE_FIELDS)
        )
    )
    entries: dict[int, TimelineEntry] = {}
    for deal_id, company_id, role, slug, name, *deal in parts:
        entry = entries.get(deal_id)
        if entry is None:
            entry = entries[deal_id] = TimelineEntry(deal=DealLine(*deal))
        label = ROLE_LABELS.get(role, role)
        if company_id == company.pk:
            entry.roles.append(label)
        else:
            entry.partners.append(PartyLine(company_id, slug, name, label))
    return list(entries.values())


@dataclass(frozen=True, slots=True)
class CompanyLine:
    slug: str
    name: str
    kind: str


@dataclass
class Connection:
    """A company linked to the page's company through `shared` published deals; `deals` holds
    those of them among the deals the page shows."""

    company: CompanyLine
    shared: int
    deals: list[DealLine] = field(default_factory=list)

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
        pk: Connection(company=CompanyLine(slug, name, kind), shared=shared) for pk, slug, name, kind, shared in rows
    }
    for entry in shown:
        for partner in {part.company_id for part in entry.partners}:
            if partner in connections:  # always, unless a publish lands between the two queries
                connections[partner].deals.append(entry.deal)
    return list(connections.values())
