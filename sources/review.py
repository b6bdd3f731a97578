"""The review queue: everything in review, a fact beside what it depends on, and the one action
that publishes a deal together with the records in review it needs.

A deal depends on its parties and the venture it created (a reader sees a company only once it is
published) and on the sources of its excerpts (an excerpt shows only with its source); a party in
review depends in turn on the sources of the excerpts that support it. The queue reads all of it
in a fixed number of queries, whatever the number of records, and judges each record by the
models' own publishing rules (`deal_problems`, `support_problems` in companies/models.py) fed the
values it read in bulk.
"""

from dataclasses import dataclass, field

from django.db import models, transaction
from django.urls import reverse

from companies.models import Company, Deal, Participation, deal_problems, support_problems
from core.editorial import (
    Curated,
    EditorialRefusal,
    EditorialState,
    editorial_transition,
    publish_refusal,
    state_label,
)
from sources.models import Excerpt, Source

IN_REVIEW = EditorialState.IN_REVIEW
SUPPORTS = Excerpt.Stance.SUPPORTS


@dataclass
class QueueEntry:
    """One record in the queue: what still blocks publishing it now (each naming it), and notes
    on what it depends on that no action here will publish (drafts)."""

    record: Curated
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def kind(self) -> str:
        return self.record._meta.verbose_name

    @property
    def change_url_name(self) -> str:
        return f"admin:{self.record._meta.app_label}_{self.record._meta.model_name}_change"

    @property
    def preview_url(self) -> str:
        # The staff-only preview of the page readers will get (public/preview_views.py).
        return reverse(f"preview:{self.record._meta.model_name}", kwargs={"slug": self.record.slug})


@dataclass
class QueueGroup:
    """A deal in review with its sources and companies in review (or a company or source in review
    that no deal in review needs, on its own); `publishable` says whether the one action would go
    through."""

    lead: QueueEntry
    sources: list[QueueEntry] = field(default_factory=list)
    companies: list[QueueEntry] = field(default_factory=list)
    blocked_together: list[str] = field(default_factory=list)

    @property
    def entries(self) -> list[QueueEntry]:
        return [self.lead, *self.companies, *self.sources]

    @property
    def is_deal(self) -> bool:
        return isinstance(self.lead.record, Deal)


@dataclass
class Dependencies:
    """The records in review that publishing `deal` with what it depends on also publishes."""

    sources: list[Source]
    companies: list[Company]


def deal_dependencies(deal: Deal) -> Dependencies:
    """The in-review parties and venture of `deal`, and the in-review sources of its excerpts and
    of those parties' supporting excerpts (three queries)."""
    company_ids = set(Participation.objects.filter(deal=deal).values_list("company", flat=True))
    company_ids |= {deal.venture_id} if deal.venture_id else set()
    companies = list(Company.objects.filter(pk__in=company_ids, editorial_state=IN_REVIEW).order_by("sort_name"))
    needed = models.Q(deals=deal) | models.Q(companies__in=companies, stance=SUPPORTS)
    source_ids = Excerpt.objects.filter(needed).values("source")
    sources = list(Source.objects.filter(pk__in=source_ids, editorial_state=IN_REVIEW).order_by("sort_title", "pk"))
    return Dependencies(sources=sources, companies=companies)


def deal_publish_with_dependencies(*, deal: Deal, user) -> list[Curated]:
    """Publish, in one transaction, the sources and then the companies in review that `deal`
    depends on, then the deal, each through the workflow's own rules; if any is refused, nothing
    is published and EditorialRefusal lists every refusal. Returns what was published."""
    with transaction.atomic():
        deal = Deal.objects.select_for_update().get(pk=deal.pk)
        needed = deal_dependencies(deal)
        published, refused = [], []
        for record in [*needed.sources, *needed.companies, deal]:
            try:
                editorial_transition(record=record, to_state=EditorialState.PUBLISHED, user=user)
            except EditorialRefusal as refusal:
                refused += refusal.problems
            else:
                published.append(record)
        if refused:
            raise EditorialRefusal(refused)  # leaving the block rolls every publish back
    return published


# -- the queue, read in bulk -------------------------------------------------------------------


@dataclass
class QueueData:
    """Everything the queue judges, read in six queries."""

    deals: list[Deal]
    companies: dict[int, Company]
    sources: dict[int, Source]
    parties: dict[int, list[Company]]
    # (title, state, source id) of the sources of each record's excerpts, supporting ones apart.
    deal_sources: dict[int, list[tuple[str, str, int]]]
    deal_support: dict[int, list[tuple[str, str, int]]]
    company_support: dict[int, list[tuple[str, str, int]]]


def _sources_by(links: models.QuerySet, key: str) -> dict[int, list[tuple[str, str, int]]]:
    found: dict[int, dict[tuple, None]] = {}
    rows = links.order_by("excerpt__source__title", "excerpt__source").values_list(
        key, "excerpt__source__title", "excerpt__source__editorial_state", "excerpt__source"
    )
    for owner, *source in rows:
        found.setdefault(owner, {})[tuple(source)] = None
    return {owner: list(sources) for owner, sources in found.items()}


def queue_data() -> QueueData:
    deals = list(Deal.objects.filter(editorial_state=IN_REVIEW).select_related("venture"))
    parts = Participation.objects.filter(deal__in=[deal.pk for deal in deals]).select_related("company")
    parties: dict[int, list[Company]] = {}
    for part in parts.order_by("company__sort_name", "pk"):
        parties.setdefault(part.deal_id, [])
        if part.company not in parties[part.deal_id]:
            parties[part.deal_id].append(part.company)
    companies = {c.pk: c for c in Company.objects.filter(editorial_state=IN_REVIEW).order_by("sort_name", "pk")}
    sources = {s.pk: s for s in Source.objects.filter(editorial_state=IN_REVIEW).order_by("sort_title", "pk")}
    deal_links = _sources_by(Excerpt.deals.through.objects.filter(deal__in=[d.pk for d in deals]), "deal")
    supporting = Excerpt.deals.through.objects.filter(deal__in=[d.pk for d in deals], excerpt__stance=SUPPORTS)
    company_links = Excerpt.companies.through.objects.filter(company__in=list(companies), excerpt__stance=SUPPORTS)
    return QueueData(
        deals=deals,
        companies=companies,
        sources=sources,
        parties=parties,
        deal_sources=deal_links,
        deal_support=_sources_by(supporting, "deal"),
        company_support=_sources_by(company_links, "company"),
    )


def _pairs(sources: list[tuple[str, str, int]]) -> list[tuple[str, str]]:
    return [(title, state) for title, state, _ in sources]


def _refusals(record: Curated, problems: list[str]) -> list[str]:
    return [publish_refusal(record, problem) for problem in problems]


def _as_if_published(sources: list[tuple[str, str, int]], ids: set[int]) -> list[tuple[str, str]]:
    return [(title, EditorialState.PUBLISHED if pk in ids else state) for title, state, pk in sources]


def _company_entry(company: Company, data: QueueData) -> QueueEntry:
    support = data.company_support.get(company.pk, [])
    return QueueEntry(company, problems=_refusals(company, support_problems(_pairs(support))))


def _source_entry(source: Source) -> QueueEntry:
    return QueueEntry(source, problems=_refusals(source, source.publication_problems()))


def _deal_group(deal: Deal, data: QueueData) -> QueueGroup:
    parties = data.parties.get(deal.pk, [])
    support = data.deal_support.get(deal.pk, [])
    lead = QueueEntry(deal, problems=_refusals(deal, deal_problems(has_parties=bool(parties), sources=_pairs(support))))
    linked = [*parties, *([deal.venture] if deal.venture else [])]
    lead.notes = [
        f"The {state_label(company.editorial_state)} company “{company}” is not published by this action: "
        "readers will not see it as a party until it is."
        for company in dict.fromkeys(linked)
        if company.editorial_state != EditorialState.PUBLISHED and company.pk not in data.companies
    ]
    companies = [_company_entry(data.companies[c.pk], data) for c in dict.fromkeys(linked) if c.pk in data.companies]
    source_ids = {pk for *_, pk in data.deal_sources.get(deal.pk, [])}
    for entry in companies:
        source_ids |= {pk for *_, pk in data.company_support.get(entry.record.pk, [])}
    group = QueueGroup(
        lead=lead,
        companies=companies,
        sources=[_source_entry(data.sources[pk]) for pk in data.sources if pk in source_ids],
    )
    group.blocked_together = together_problems(group, data, published_sources={e.record.pk for e in group.sources})
    return group


def together_problems(group: QueueGroup, data: QueueData, *, published_sources: set[int]) -> list[str]:
    """What would still refuse the one action: the rules judged as if the group's sources were
    published (the action then runs the rules for real)."""
    deal = group.lead.record
    problems = []
    for entry in group.companies:
        support = _as_if_published(data.company_support.get(entry.record.pk, []), published_sources)
        problems += _refusals(entry.record, support_problems(support))
    support = _as_if_published(data.deal_support.get(deal.pk, []), published_sources)
    has_parties = bool(data.parties.get(deal.pk))
    return problems + _refusals(deal, deal_problems(has_parties=has_parties, sources=support))


def review_queue() -> list[QueueGroup]:
    """Every record in review, grouped: each deal with the sources and companies in review it
    depends on, then the companies and sources no deal in review needs, each on its own."""
    data = queue_data()
    groups = [_deal_group(deal, data) for deal in sorted(data.deals, key=lambda deal: deal.title)]
    grouped = {(type(e.record), e.record.pk) for group in groups for e in group.entries}
    for company in data.companies.values():
        if (Company, company.pk) not in grouped:
            needed = {pk for *_, pk in data.company_support.get(company.pk, [])}
            sources = [_source_entry(data.sources[pk]) for pk in data.sources if pk in needed]
            groups.append(QueueGroup(lead=_company_entry(company, data), sources=sources))
            grouped |= {(Source, entry.record.pk) for entry in sources}
    for source in data.sources.values():
        if (Source, source.pk) not in grouped:
            groups.append(QueueGroup(lead=_source_entry(source)))
    return groups
