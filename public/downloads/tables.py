"""The public dataset: five tables of published records, each downloadable as CSV and JSON.

This is the reader-facing serialization, separate from the admin's import/export resources: the
column names here are a published promise (README.md, "Downloads"), so add columns at the end and
never rename one. Every table starts from `published()` or, for records that belong to others,
`visible()` (companies/models.py, sources/models.py); links to unpublished records are left out.

A row is a dict of JSON values; lists become `|`-separated cells in CSV. Each table reads the
database a fixed number of times, whatever its size: no query runs per row.
"""

from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import F
from django.urls import reverse

from companies.models import Alias, Company, Deal, Participation, deal_date_order
from core.partial_dates import format_partial_date_iso
from public.company_selectors import ROLE_ORDER, published_related, with_deal_count
from public.source_selectors import excerpt_count_of_source, published_excerpt_count
from sources.models import Excerpt, Source, source_date_order, visible_excerpt_links

Row = dict[str, object]
SLUG_MARKER = "slug-placeholder"


@dataclass(frozen=True)
class Column:
    name: str
    meaning: str


@dataclass(frozen=True)
class Table:
    name: str
    description: str
    columns: tuple[Column, ...]
    rows: Callable[[str], Iterator[Row]]  # given the site's address, e.g. "https://tracker.example.org"

    @property
    def column_names(self) -> list[str]:
        return [column.name for column in self.columns]


def page_urls(site: str, view_name: str) -> Callable[[str], str]:
    """Page address for a slug, after `site` ("" for the path alone). `reverse()` costs more than
    the rest of a row, so it runs once per table, not once per row; slugs need no escaping."""
    before, after = reverse(view_name, args=[SLUG_MARKER]).split(SLUG_MARKER)
    return lambda slug: f"{site}{before}{slug}{after}"


def number(value: Decimal | None) -> int | float | None:
    """A decimal as a JSON number: whole amounts as integers (465800000, not 465800000.00)."""
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


def _grouped(pairs) -> dict[int, list]:
    grouped: dict[int, list] = defaultdict(list)
    for key, value in pairs:
        grouped[key].append(value)
    return grouped


# -- companies --


def company_rows(site: str) -> Iterator[Row]:
    page_url = page_urls(site, "companies:company_detail")
    aliases = _grouped(Alias.objects.visible().order_by("name").values_list("company", "name"))
    companies = with_deal_count(Company.objects.published()).annotate(
        parent_slug=published_related("parent", "slug"), excerpt_count=published_excerpt_count("company")
    )
    fields = ("pk", "slug", "name", "kind", "entry_mode", "headquarters", "website", "summary", "evidence_note")
    for company in companies.order_by("slug").values(*fields, "parent_slug", "deal_count", "excerpt_count"):
        yield {
            **{name: company[name] for name in fields[1:]},
            "parent": company["parent_slug"] or "",
            "aliases": aliases.get(company["pk"], []),
            "deals": company["deal_count"],
            "excerpts": company["excerpt_count"],
            "page_url": page_url(company["slug"]),
        }


# -- deals --


def beside(records: Iterator[dict], parts: Iterator[tuple], *, key: str = "pk") -> Iterator[tuple[dict, list]]:
    """Each record with its parts, read side by side from two queries in the same order (parts
    start with their record's `key`): only one record's parts are in memory at a time."""
    pending = next(parts, None)
    for record in records:
        mine = []
        while pending is not None and pending[0] == record[key]:
            mine.append(pending)
            pending = next(parts, None)
        yield record, mine


def deal_rows(site: str) -> Iterator[Row]:
    page_url = page_urls(site, "companies:deal_detail")
    # Newest first, as on /deals/ (a month or a year counts as its period's end); the parties in
    # the same order of deals, so the two are read together.
    participations = Participation.objects.visible().order_by(
        *deal_date_order(newest_first=True, prefix="deal__"), ROLE_ORDER, "company__slug"
    )
    parties = participations.values_list("deal", "company__slug", "role").iterator(1000)
    deals = Deal.objects.published().annotate(
        venture_slug=published_related("venture", "slug"), excerpt_count=published_excerpt_count("deal")
    )
    fields = ("slug", "title", "kind", "round_name", "status", "date_precision", "currency", "amount_note")
    extra = ("pk", "date", "amount", "venture_slug", "summary", "evidence_note", "excerpt_count")
    rows = deals.order_by(*deal_date_order(newest_first=True)).values(*fields, *extra).iterator(500)
    for deal, its_parties in beside(rows, parties):
        yield {
            **{name: deal[name] for name in fields},
            "date": format_partial_date_iso(deal["date"], deal["date_precision"]),
            "amount": number(deal["amount"]),
            "venture": deal["venture_slug"] or "",
            "parties": [{"company": company, "role": role} for _, company, role in its_parties],
            "summary": deal["summary"],
            "evidence_note": deal["evidence_note"],
            "excerpts": deal["excerpt_count"],
            "page_url": page_url(deal["slug"]),
        }


# -- participations --


def participation_rows(site: str) -> Iterator[Row]:
    participations = Participation.objects.visible().order_by("deal__slug", ROLE_ORDER, "company__slug")
    values = participations.values("deal__slug", "deal__title", "company__slug", "company__name")
    for row in values.annotate(role_code=F("role"), stake=F("stake_percent"), text=F("note")).iterator(2000):
        yield {
            "deal": row["deal__slug"],
            "deal_title": row["deal__title"],
            "company": row["company__slug"],
            "company_name": row["company__name"],
            "role": row["role_code"],
            "stake_percent": number(row["stake"]),
            "note": row["text"],
        }


# -- excerpts --


def excerpt_rows(site: str) -> Iterator[Row]:
    source_url = page_urls(site, "sources:source_detail")
    company_links = visible_excerpt_links("company")
    deal_links = visible_excerpt_links("deal")
    companies = _grouped(company_links.order_by("company__slug").values_list("excerpt", "company__slug"))
    deals = _grouped(deal_links.order_by("deal__slug").values_list("excerpt", "deal__slug"))
    fields = ("slug", "quote", "start", "end", "stance", "claim", "note")
    excerpts = Excerpt.objects.visible().order_by("source__slug", "start", "pk").values("pk", "source__slug", *fields)
    for excerpt in excerpts.iterator(2000):
        yield {
            "slug": excerpt["slug"],
            "source": excerpt["source__slug"],
            **{name: excerpt[name] for name in fields[1:]},
            "companies": companies.get(excerpt["pk"], []),
            "deals": deals.get(excerpt["pk"], []),
            "page_url": f"{source_url(excerpt['source__slug'])}#excerpt-{excerpt['pk']}",
        }


# -- sources --


def source_rows(site: str) -> Iterator[Row]:
    page_url = page_urls(site, "sources:source_detail")
    sources = Source.objects.published().select_related("story").annotate(excerpt_count=excerpt_count_of_source())
    # The archived web page is for editors only, and large: never read for a download.
    for source in sources.order_by(*source_date_order(newest_first=True)).defer("raw_html").iterator(chunk_size=500):
        yield {
            "slug": source.slug,
            "title": source.title,
            "publisher": source.publisher,
            "author": source.author,
            "original_url": source.url,
            "published_date": source.published_date_iso,
            "published_date_precision": source.published_date_precision,
            "date_basis": source.date_basis,
            "date_note": source.date_note,
            "story": source.story.slug if source.story else "",
            "story_relation": source.story_relation,
            "sha256": source.sha256,
            "excerpts": source.excerpt_count,
            "page_url": page_url(source.slug),
            "text": source.text,
        }


# -- the tables and their columns, as documented on /data/ and in README.md --


def codes(choices) -> str:
    return ", ".join(f"`{code}` ({label})" for code, label in choices)


PAGE_URL = Column("page_url", "Address of the record's page on this site.")
PARTIAL_DATE = "ISO 8601 at the precision known: `2021`, `2021-06` or `2021-06-15`; empty if unknown."

TABLES = (
    Table(
        name="companies",
        description="One row per published company.",
        columns=(
            Column("slug", "Permanent identifier; other tables name companies by it."),
            Column("name", "The name readers know it by."),
            Column("kind", f"What sort of company it is: {codes(Company.Kind.choices)}."),
            Column("entry_mode", f"Tech companies only, how it is entering EVs: {codes(Company.EntryMode.choices)}."),
            Column("headquarters", "City and country, where a source states it."),
            Column("website", "Official site, where a source gives it."),
            Column("parent", "Slug of the company this one is an arm of; empty if none is published."),
            Column("aliases", "Other names, spellings and misspellings (a list; `|`-separated in CSV)."),
            Column("summary", "One paragraph in the tracker's words."),
            Column("evidence_note", "Where sources disagree about it: which account the tracker prefers and why."),
            Column("deals", "Number of published deals it takes part in or that created it (a venture or brand)."),
            Column("excerpts", "Number of published excerpts that back facts about it."),
            PAGE_URL,
        ),
        rows=company_rows,
    ),
    Table(
        name="deals",
        description="One row per published deal.",
        columns=(
            Column("slug", "Permanent identifier; other tables name deals by it."),
            Column("title", "Short headline."),
            Column("kind", f"What sort of move it is: {codes(Deal.Kind.choices)}."),
            Column("round_name", "Funding rounds only, e.g. “Series D”."),
            Column("status", f"How far it had got, as of the latest source: {codes(Deal.Status.choices)}."),
            Column("date", f"When it happened or was announced. {PARTIAL_DATE}"),
            Column("date_precision", "`day`, `month` or `year`: how much of the date is known."),
            Column("amount", "Amount as stated, a plain number in `currency`; empty if not disclosed."),
            Column("currency", "ISO 4217 code of the amount (CNY, USD…)."),
            Column("amount_note", "What the amount covers, e.g. “over the next decade”."),
            Column("venture", "Slug of the joint venture, unit or brand it created, if published."),
            Column(
                "parties",
                "Companies taking part and their roles. CSV: `company:role` pairs joined by `|` "
                "(`360:lead_investor|hozon-auto:funded`); JSON: a list of `{company, role}` objects.",
            ),
            Column("summary", "Two or three sentences in the tracker's words."),
            Column("evidence_note", "Where sources disagree: which value the tracker prefers and why."),
            Column("excerpts", "Number of published excerpts that back it."),
            PAGE_URL,
        ),
        rows=deal_rows,
    ),
    Table(
        name="participations",
        description="One row per company's part in a deal (both published).",
        columns=(
            Column("deal", "Slug of the deal."),
            Column("deal_title", "Title of the deal."),
            Column("company", "Slug of the company."),
            Column("company_name", "Name of the company."),
            Column("role", f"Its part in the deal: {codes(Participation.Role.choices)}."),
            Column("stake_percent", "Share held after the deal, in percent, where stated."),
            Column("note", "E.g. “second-largest shareholder”."),
        ),
        rows=participation_rows,
    ),
    Table(
        name="excerpts",
        description="One row per verbatim excerpt of a published source.",
        columns=(
            Column("slug", "Permanent identifier."),
            Column("source", "Slug of the source it is quoted from."),
            Column("quote", "The words exactly as they appear in the source's text."),
            Column("start", "Character offset of the quote in the source's `text` (counting from 0)."),
            Column("end", "Character offset just after the quote: `text[start:end]` is the quote."),
            Column("stance", f"What it does for the records it backs: {codes(Excerpt.Stance.choices)}."),
            Column("claim", "The fact it backs, in a few words."),
            Column("note", "For a contradiction or correction: what differs and why."),
            Column("companies", "Slugs of the published companies it backs (a list; `|`-separated in CSV)."),
            Column("deals", "Slugs of the published deals it backs (a list; `|`-separated in CSV)."),
            Column("page_url", "Address of the excerpt, highlighted in its source's text on this site."),
        ),
        rows=excerpt_rows,
    ),
    Table(
        name="sources",
        description="One row per published source, with its full archived text.",
        columns=(
            Column("slug", "Permanent identifier."),
            Column("title", "The headline as published, or a description."),
            Column("publisher", "Who published it, where known."),
            Column("author", "Byline, where the text gives one."),
            Column("original_url", "Where it was published, if known."),
            Column("published_date", f"When it was published. {PARTIAL_DATE}"),
            Column("published_date_precision", "`day`, `month` or `year`."),
            Column("date_basis", f"{codes(Source.DateBasis.choices)}."),
            Column("date_note", "For an inferred date: the reasoning."),
            Column(
                "story",
                "Slug of the original story this is a version of; sources sharing a story count as one "
                "independent source. Empty: a story of its own.",
            ),
            Column("story_relation", f"What it is to its story: {codes(Source.StoryRelation.choices)}."),
            Column("sha256", "SHA-256 of `text` in hex, to check the archive is unaltered."),
            Column("excerpts", "Number of excerpts quoted from it."),
            PAGE_URL,
            Column("text", "The full text exactly as archived; excerpt offsets point into it."),
        ),
        rows=source_rows,
    ),
)
TABLES_BY_NAME = {table.name: table for table in TABLES}
