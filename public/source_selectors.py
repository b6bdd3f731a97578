"""Read-side queries about sources and excerpts for the public site; each starts from `published()`
or, for excerpts and noise spans, `visible()` (sources/models.py says when each may be shown)."""

from collections import Counter
from dataclasses import dataclass

from django.db.models import Count, IntegerField, OuterRef, Prefetch, QuerySet, Subquery
from django.db.models.functions import Coalesce

from companies.models import Company, deal_date_order
from core.editorial import published_q
from public.certainty import with_source_certainty
from sources.models import Excerpt, ExcerptQuerySet, NoiseSpan, Source, source_date_order


def published_excerpt_count(through_field: str) -> Coalesce:
    """How many published excerpts back the record in the outer query.

    `through_field` names the record on the excerpt link table (`deal` or `company`); a correlated
    subquery keeps the outer query free of GROUP BY, so it can be paginated and ordered freely.
    The outer records are published ones (every caller's are), so only the excerpts' visibility is
    checked: joining the record's own table once more per row cost a download a sixth of its time.
    """
    links = Excerpt.companies.through if through_field == "company" else Excerpt.deals.through
    counted = (
        links.objects.filter(ExcerptQuerySet.visible_q("excerpt"), **{through_field: OuterRef("pk")})
        .order_by()
        .values(through_field)
        .annotate(n=Count("excerpt"))
        .values("n")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def independent_source_count(sources: list[Source]) -> int:
    """Versions of one story count once; a source with no story is a story of its own."""
    return len({("story", source.story_id) if source.story_id else ("source", source.pk) for source in sources})


# A record page quotes this many excerpts of each side; the rest are counted, and found highlighted
# in their sources (whose pages say what each excerpt backs).
EXCERPTS_SHOWN = 20


@dataclass(frozen=True)
class MoreFromSource:
    source: Source
    count: int


@dataclass(frozen=True)
class Evidence:
    """A record's excerpts, split into those that back it and those that dispute or correct it;
    at most EXCERPTS_SHOWN of each side are quoted, `more` says where the others are."""

    supporting: list[Excerpt]
    dissenting: list[Excerpt]
    independent_sources: int
    count: int
    more: list[MoreFromSource]

    @property
    def disagreement(self) -> bool:
        return bool(self.dissenting)

    @property
    def not_shown(self) -> int:
        return self.count - len(self.supporting) - len(self.dissenting)


CITED_FIELDS = ("slug", "title", "publisher", "url", "published_date", "published_date_precision", "story_id")
EXCERPT_FIELDS = ("pk", "slug", "quote", "stance", "claim", "note")


def evidence_of(**record) -> Evidence:
    """The evidence for the record named as `company=…` or `deal=…` (one query).

    Every excerpt is read as plain values (a company in thousands of deals has thousands of them):
    they are counted by side and by source, and only those quoted on the page become records,
    each with its source's citation.
    """
    rows = list(
        Excerpt.objects.visible()
        .filter(**record)
        .order_by("source", "start", "pk")
        .values(*EXCERPT_FIELDS, "source_id", *(f"source__{name}" for name in CITED_FIELDS))
    )
    sources: dict[int, Source] = {}
    for row in rows:  # a citation per source, not per excerpt: a source may back hundreds
        if row["source_id"] not in sources:
            sources[row["source_id"]] = _citation(row)
    supporting = [row for row in rows if row["stance"] == Excerpt.Stance.SUPPORTS]
    dissenting = [row for row in rows if row["stance"] != Excerpt.Stance.SUPPORTS]
    unquoted = Counter(row["source_id"] for row in [*supporting[EXCERPTS_SHOWN:], *dissenting[EXCERPTS_SHOWN:]])
    return Evidence(
        supporting=[_quoted(row, sources) for row in supporting[:EXCERPTS_SHOWN]],
        dissenting=[_quoted(row, sources) for row in dissenting[:EXCERPTS_SHOWN]],
        independent_sources=independent_source_count(list(sources.values())),
        count=len(rows),
        more=[MoreFromSource(sources[pk], count) for pk, count in unquoted.most_common()],
    )


def _citation(row: dict) -> Source:
    return Source(pk=row["source_id"], **{name: row[f"source__{name}"] for name in CITED_FIELDS})


def _quoted(row: dict, sources: dict[int, Source]) -> Excerpt:
    excerpt = Excerpt(source_id=row["source_id"], **{name: row[name] for name in EXCERPT_FIELDS})
    excerpt.source = sources[row["source_id"]]
    return excerpt


def excerpt_count_of_source() -> Coalesce:
    """How many excerpts are quoted from the (published) source in the outer query."""
    counted = (
        Excerpt.objects.visible().filter(source=OuterRef("pk")).order_by().values("source").annotate(n=Count("pk"))
    )
    return Coalesce(Subquery(counted.values("n"), output_field=IntegerField()), 0)


def source_list() -> QuerySet[Source]:
    """The source list: published sources, newest first, with their story and excerpt count."""
    sources = Source.objects.published().select_related("story").annotate(excerpt_count=excerpt_count_of_source())
    sources = with_source_certainty(sources)  # its disagreeing excerpts, its story's versions
    return sources.order_by(*source_date_order(newest_first=True)).defer("text", "raw_html")


def source_detail() -> QuerySet[Source]:
    """A source page: its text's noise and the story's versions; its excerpts: `marked_excerpts`.

    What each excerpt backs is fetched for one page of the excerpt index only (`backed_records`).
    """
    versions = Source.objects.published().order_by(*source_date_order(newest_first=False)).defer("text", "raw_html")
    return (
        Source.objects.published()
        .select_related("story")
        .defer("raw_html")
        .prefetch_related(
            Prefetch("noise_spans", queryset=NoiseSpan.objects.visible()),
            Prefetch("story__sources", queryset=versions, to_attr="published_versions"),
        )
    )


@dataclass(frozen=True, slots=True)
class Marked:
    """An excerpt as its source's page uses it: highlighted in the text and listed in the index."""

    pk: int
    start: int
    end: int
    quote: str
    stance: str
    claim: str


def marked_excerpts(source: Source) -> list[Marked]:
    """Every visible excerpt of the source, in text order (one query, plain values: a long source
    has a thousand excerpts or more)."""
    excerpts = source.excerpts.visible().order_by("start", "pk")
    return [Marked(*row) for row in excerpts.values_list(*Marked.__dataclass_fields__)]


@dataclass(frozen=True, slots=True)
class Backed:
    """A published company or deal an excerpt backs: what the excerpt index links to."""

    slug: str
    name: str


@dataclass
class BackedRecords:
    deals: dict[int, list[Backed]]
    companies: dict[int, list[Backed]]


def backed_records(excerpt_ids: list[int]) -> BackedRecords:
    """The published deals and companies these excerpts back, by excerpt, each in its list order
    (two queries over the link tables, read as plain values; none if there are no excerpts)."""
    if not excerpt_ids:
        return BackedRecords(deals={}, companies={})
    deals = (
        Excerpt.deals.through.objects.filter(published_q("deal"), excerpt__in=excerpt_ids)
        .order_by(*deal_date_order(newest_first=True, prefix="deal__"))
        .values_list("excerpt", "deal__slug", "deal__title")
    )
    companies = (
        Excerpt.companies.through.objects.filter(published_q("company"), excerpt__in=excerpt_ids)
        .order_by(*(f"company__{name}" for name in Company._meta.ordering))  # the company list's order
        .values_list("excerpt", "company__slug", "company__name")
    )
    return BackedRecords(deals=_by_excerpt(deals), companies=_by_excerpt(companies))


def _by_excerpt(rows) -> dict[int, list[Backed]]:
    grouped: dict[int, list[Backed]] = {}
    for excerpt, slug, name in rows:
        grouped.setdefault(excerpt, []).append(Backed(slug, name))
    return grouped
