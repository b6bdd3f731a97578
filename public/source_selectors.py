"""Read-side queries about sources and excerpts for the public site; each starts from `published()`
or, for excerpts and noise spans, `visible()` (sources/models.py says when each may be shown)."""

from collections import Counter
from dataclasses import dataclass

from django.db.models import Count, IntegerField, OuterRef, Prefetch, QuerySet, Subquery, prefetch_related_objects
from django.db.models.functions import Coalesce

from companies.models import Company, Deal
from sources.models import Excerpt, NoiseSpan, Source, source_date_order, visible_excerpt_links


def published_excerpt_count(through_field: str) -> Coalesce:
    """How many published excerpts back the record in the outer query.

    `through_field` names the record on the excerpt link table (`deal` or `company`); a correlated
    subquery keeps the outer query free of GROUP BY, so it can be paginated and ordered freely.
    """
    counted = (
        visible_excerpt_links(through_field)
        .filter(**{through_field: OuterRef("pk")})
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
    sources = {row["source_id"]: _citation(row) for row in rows}
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
    return sources.order_by(*source_date_order(newest_first=True)).defer("text", "raw_html")


def source_detail() -> QuerySet[Source]:
    """A source page: its text's noise and every excerpt (to highlight), the story's versions.

    What each excerpt backs is fetched for one page of the excerpt index only (`with_backed_records`).
    """
    # Only what the highlighting and the index print: a long source has a thousand excerpts or more.
    excerpts = (
        Excerpt.objects.visible().order_by("start", "pk").only("source", "start", "end", "quote", "stance", "claim")
    )
    versions = Source.objects.published().order_by(*source_date_order(newest_first=False)).defer("text", "raw_html")
    return (
        Source.objects.published()
        .select_related("story")
        .defer("raw_html")
        .prefetch_related(
            Prefetch("noise_spans", queryset=NoiseSpan.objects.visible()),
            Prefetch("excerpts", queryset=excerpts),
            Prefetch("story__sources", queryset=versions, to_attr="published_versions"),
        )
    )


def with_backed_records(excerpts: list[Excerpt]) -> None:
    """Fetch the published companies and deals these excerpts back (two queries, none if empty)."""
    prefetch_related_objects(
        excerpts,
        Prefetch("companies", queryset=Company.objects.published()),
        Prefetch("deals", queryset=Deal.objects.published()),
    )
