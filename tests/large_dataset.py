"""A generated dataset at the scale the public pages must stay fast at: 2,000 companies, 20,000 deals.

Built with bulk_create (a few seconds), once per test that needs it. Every page's query count is
pinned on the seed data and again on top of this dataset, so a query per row cannot hide. The
records surround the seeded ones: the seeded Xiaomi takes part in many generated deals, and the
seeded Protocol article gets many more excerpts, so their pages grow too.
"""

import datetime
import itertools
from collections import defaultdict
from decimal import Decimal

from django.db import connection

from companies.models import Alias, Company, Deal, Participation
from core.editorial import EditorialState
from core.partial_dates import DatePrecision
from sources.models import Excerpt, NoiseSpan, Source, Story, text_sha256

PUBLISHED, DRAFT = EditorialState.PUBLISHED, EditorialState.DRAFT
SENTENCE = "Generated companies agreed the deal called {n}, a sentence long enough to quote. "
PRECISIONS = (DatePrecision.DAY, DatePrecision.MONTH, DatePrecision.YEAR)
CURRENCIES = ("CNY", "USD", "EUR")


def _companies(count: int) -> list[Company]:
    kinds, modes = Company.Kind.values, itertools.cycle(Company.EntryMode.values)
    companies = []
    for i in range(count + count // 50):  # and a few drafts on top
        kind = kinds[i % len(kinds)]
        companies.append(
            Company(
                name=f"Generated Company {i:05d}",
                slug=f"generated-company-{i}",
                kind=kind,
                entry_mode=next(modes) if kind == Company.Kind.TECH else "",
                summary=f"A generated company of kind {kind}.",
                editorial_state=DRAFT if i >= count else PUBLISHED,
            )
        )
    created = Company.objects.bulk_create(companies, batch_size=1000)
    Alias.objects.bulk_create(
        [Alias(company=company, name=f"GenCo {i}") for i, company in enumerate(created)], batch_size=1000
    )
    for child, parent in zip(created[1::10], created[::10], strict=False):
        child.parent = parent
    Company.objects.bulk_update(created[1::10], ["parent"], batch_size=1000)
    return created


def _deal_date(i: int) -> tuple[datetime.date, str]:
    precision = PRECISIONS[i % 3]
    year, month, day = 2012 + i % 12, 1 + i % 12, 1 + i % 28
    if precision == DatePrecision.YEAR:
        return datetime.date(year, 1, 1), precision
    return datetime.date(year, month, day if precision == DatePrecision.DAY else 1), precision


def _deals(count: int, companies: list[Company]) -> list[Deal]:
    kinds, statuses = Deal.Kind.values, Deal.Status.values
    deals = []
    for i in range(count + count // 100):  # and a few drafts on top
        date, precision = _deal_date(i) if i % 10 else (None, "")
        amount = Decimal(1_000_000 * (1 + i % 997)) if i % 3 else None
        deals.append(
            Deal(
                title=f"Generated deal {i:05d}",
                slug=f"generated-deal-{i}",
                kind=kinds[i % len(kinds)],
                status=statuses[i % len(statuses)],
                date=date,
                date_precision=precision,
                amount=amount,
                currency=CURRENCIES[i % 3] if amount is not None else "",
                venture=companies[i % len(companies)] if i % 40 == 0 else None,
                editorial_state=DRAFT if i >= count else PUBLISHED,
            )
        )
    return Deal.objects.bulk_create(deals, batch_size=1000)


def _participations(deals: list[Deal], companies: list[Company], seeded: list[Company]) -> dict[int, set[int]]:
    """Two parties per deal, plus one seeded company in each; returns each deal's company ids."""
    roles = Participation.Role.values
    rows = []
    for i, deal in enumerate(deals):
        a, b = companies[i % len(companies)], companies[(i * 7 + 3) % len(companies)]
        rows.append(Participation(deal=deal, company=a, role=roles[i % len(roles)]))
        if b.pk != a.pk:
            rows.append(Participation(deal=deal, company=b, role=Participation.Role.PARTNER))
        if i % 100 < len(seeded):  # each seeded company takes part in one deal in a hundred
            rows.append(Participation(deal=deal, company=seeded[i % 100], role=Participation.Role.INVESTOR))
    Participation.objects.bulk_create(rows, batch_size=2000)
    parties: dict[int, set[int]] = defaultdict(set)
    for row in rows:
        parties[row.deal_id].add(row.company_id)
    return parties


def _sources(deals: list[Deal], parties: dict[int, set[int]], *, per_source: int = 1000) -> None:
    """Generated articles, four to a story, each sentence an excerpt backing one deal."""
    stories = Story.objects.bulk_create(
        Story(slug=f"generated-story-{i}", title=f"Generated story {i}") for i in range(len(deals) // per_source)
    )
    for number, start in enumerate(range(0, len(deals), per_source)):
        chunk = deals[start : start + per_source]
        sentences = [SENTENCE.format(n=deal.slug) for deal in chunk]
        noise = "Most Read: generated noise."
        text = "".join(sentences) + noise
        source = Source(
            slug=f"generated-source-{number}",
            title=f"Generated source {number}",
            publisher="Generated Press",
            text=text,
            sha256=text_sha256(text),
            story=stories[number // 4] if number // 4 < len(stories) else None,
            editorial_state=DRAFT if number % 10 == 9 else PUBLISHED,
        )
        source.save()
        NoiseSpan.objects.create(
            source=source, label="Most Read", text=noise, start=len(text) - len(noise), end=len(text)
        )
        _excerpts(source, chunk, sentences, parties)


def _excerpts(source: Source, deals: list[Deal], sentences: list[str], parties: dict[int, set[int]]) -> None:
    """One excerpt per sentence, backing its deal and the deal's parties."""
    excerpts, offset = [], 0
    for sentence in sentences:
        quote = sentence.strip()
        excerpts.append(
            Excerpt(source=source, quote=quote, start=offset, end=offset + len(quote), slug=f"{source.slug}-{offset}")
        )
        offset += len(sentence)
    excerpts = Excerpt.objects.bulk_create(excerpts, batch_size=1000)
    deal_link, company_link = Excerpt.deals.through, Excerpt.companies.through
    pairs = list(zip(excerpts, deals, strict=True))
    deal_link.objects.bulk_create([deal_link(excerpt=e, deal=d) for e, d in pairs], batch_size=2000)
    company_link.objects.bulk_create(
        [company_link(excerpt=e, company_id=c) for e, d in pairs for c in parties[d.pk]], batch_size=2000
    )


def _more_excerpts_on(source: Source, *, count: int, company: Company, deal: Deal) -> None:
    """Many more excerpts on a seeded source, overlapping its first sentence, backing a seeded
    company and deal: the source, company and deal pages all grow."""
    quote = source.text[:40]
    excerpts = Excerpt.objects.bulk_create(
        Excerpt(source=source, quote=quote[: 10 + i % 30], start=0, end=10 + i % 30, slug=f"extra-excerpt-{i}")
        for i in range(count)
    )
    Excerpt.companies.through.objects.bulk_create(
        Excerpt.companies.through(excerpt=e, company=company) for e in excerpts
    )
    Excerpt.deals.through.objects.bulk_create(Excerpt.deals.through(excerpt=e, deal=deal) for e in excerpts)


def build_large_dataset(*, companies: int = 2000, deals: int = 20000, company: Company, deal: Deal, source: Source):
    """Add `companies` and `deals` published records (and a few drafts besides), with two or
    three parties per deal, one excerpt per deal, and many more excerpts around the given seeded
    company, deal and source."""
    seeded = list(Company.objects.published().order_by("slug"))
    created_companies = _companies(companies)
    created_deals = _deals(deals, created_companies)
    parties = _participations(created_deals, created_companies, seeded)
    _sources(created_deals, parties)
    _more_excerpts_on(source, count=300, company=company, deal=deal)
    # A database this size has planner statistics in real life (PostgreSQL's autovacuum gathers
    # them; on SQLite, run ANALYZE after a bulk load). Without them SQLite takes the index on
    # editorial_state, which nearly every row shares, for a selective one.
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
