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
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, ExtractQuarter, ExtractYear

from companies.models import Alias, Company, Deal, Participation, deal_date_order
from core.partial_dates import DatePrecision, date_sort_key_expression
from public.source_selectors import excerpts_with_sources
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


def with_first_move(companies: QuerySet[Company]) -> QuerySet[Company]:
    """Annotate each company's earliest published deal (`first_deal_*`) and its part in it."""
    first = Participation.objects.visible().filter(company=OuterRef("pk"))
    first = first.order_by(*deal_date_order(newest_first=False, prefix="deal__"), "pk")
    first = first.annotate(deal_date_sort_key=date_sort_key_expression("deal__date"))
    return companies.annotate(
        **{
            f"first_{name}": Subquery(first.values(path)[:1])
            for name, path in {
                "deal_slug": "deal__slug",
                "deal_title": "deal__title",
                "deal_date": "deal__date",
                "deal_date_precision": "deal__date_precision",
                "deal_date_sort_key": "deal_date_sort_key",
                "role": "role",
            }.items()
        }
    )


def company_list() -> QuerySet[Company]:
    """The company directory: published companies with their deal count and other names."""
    companies = with_deal_count(Company.objects.published()).order_by("name", "pk")
    return companies.prefetch_related(Prefetch("aliases", queryset=Alias.objects.visible().order_by("name")))


def search_companies(companies: QuerySet[Company], words: str) -> QuerySet[Company]:
    """Companies whose name or one of whose aliases contains `words` (no duplicates)."""
    by_alias = Alias.objects.visible().filter(name__icontains=words).values("company")
    return companies.filter(Q(name__icontains=words) | Q(pk__in=by_alias))


def company_detail() -> QuerySet[Company]:
    """A company page: its arms, other names, deals with their parties, and its evidence."""
    in_published_deals = Participation.objects.visible().select_related("deal")
    in_published_deals = in_published_deals.order_by(*deal_date_order(newest_first=False, prefix="deal__"), "pk")
    parent = {"parent_slug": published_related("parent", "slug"), "parent_name": published_related("parent", "name")}
    return (
        Company.objects.published()
        .annotate(**parent)
        .prefetch_related(
            Prefetch("children", queryset=Company.objects.published().order_by("name")),
            Prefetch("aliases", queryset=Alias.objects.visible().order_by("name")),
            Prefetch("participations", queryset=in_published_deals),
            parties_with_companies("participations__deal__participations"),
            Prefetch("created_by_deals", queryset=deals_in_date_order(Deal.objects.published(), newest_first=False)),
            excerpts_with_sources(),
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
    """A deal page: the venture it created, its parties and its evidence."""
    venture = {
        "venture_slug": published_related("venture", "slug"),
        "venture_name": published_related("venture", "name"),
    }
    return (
        Deal.objects.published().annotate(**venture).prefetch_related(parties_with_companies(), excerpts_with_sources())
    )


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
    quarter = Case(
        When(date_precision=DatePrecision.YEAR, then=Value(None)),
        default=ExtractQuarter("date"),
        output_field=IntegerField(),
    )
    rows = (
        Deal.objects.published()
        .exclude(date=None)
        .annotate(year=ExtractYear("date"), quarter=quarter)
        .order_by()
        .values("year", "quarter", "kind")
        .annotate(count=Count("pk"))
    )
    return [PeriodCount(**row) for row in rows]


def tech_companies_by_first_move(*, limit: int) -> list[Company]:
    """Up to `limit` published tech companies, the earliest movers first."""
    companies = with_first_move(Company.objects.published().filter(kind=Company.Kind.TECH))
    ordered = companies.order_by(F("first_deal_date_sort_key").asc(nulls_last=True), "name", "pk")
    return list(ordered.only("slug", "name", "kind", "entry_mode")[:limit])


def latest_deals(*, limit: int) -> list[Deal]:
    """The most recent published deals by date, with their parties (two queries)."""
    return list(deal_list()[:limit])


# -- the relationship diagram's data --


@dataclass
class Connection:
    """A company linked to the page's company through one or more published deals."""

    company: Company
    deals: list[Deal] = field(default_factory=list)


@dataclass
class TimelineEntry:
    """One of a company's deals: its part (or parts) in it and the other parties."""

    deal: Deal
    roles: list[str]
    partners: list[Participation]


def timeline_of(company: Company) -> list[TimelineEntry]:
    """The company's published deals in date order, one entry per deal (no queries)."""
    entries: dict[int, TimelineEntry] = {}
    for participation in company.participations.all():
        deal = participation.deal
        if deal.pk not in entries:
            partners = [other for other in deal.participations.all() if other.company_id != company.pk]
            entries[deal.pk] = TimelineEntry(deal=deal, roles=[], partners=partners)
        entries[deal.pk].roles.append(participation.get_role_display())
    return list(entries.values())


def connections_of(company: Company) -> list[Connection]:
    """The companies `company` shares published deals with, the most deals first.

    Works on what `company_detail()` prefetched: no queries.
    """
    found: dict[int, Connection] = {}
    for participation in company.participations.all():
        deal = participation.deal
        for other in deal.participations.all():
            if other.company_id == company.pk:
                continue
            connection = found.setdefault(other.company_id, Connection(company=other.company))
            if deal not in connection.deals:
                connection.deals.append(deal)
    return sorted(found.values(), key=lambda connection: (-len(connection.deals), connection.company.name))
