"""Read-side queries about sources and excerpts for the public site; each starts from `published()`
or, for excerpts and noise spans, `visible()` (sources/models.py says when each may be shown)."""

from dataclasses import dataclass

from django.db.models import Count, IntegerField, OuterRef, Prefetch, QuerySet, Subquery
from django.db.models.functions import Coalesce

from companies.models import Company, Deal
from sources.models import Excerpt, NoiseSpan, Source, source_date_order, visible_excerpt_links


def excerpts_with_sources() -> Prefetch:
    """A company's or deal's published excerpts, each with its source (one query)."""
    return Prefetch("excerpts", queryset=Excerpt.objects.visible().select_related("source"))


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


@dataclass(frozen=True)
class Evidence:
    """A record's excerpts, split into those that back it and those that dispute or correct it."""

    supporting: list[Excerpt]
    dissenting: list[Excerpt]
    independent_sources: int

    @property
    def disagreement(self) -> bool:
        return bool(self.dissenting)

    @property
    def count(self) -> int:
        return len(self.supporting) + len(self.dissenting)


def evidence_for(excerpts: list[Excerpt]) -> Evidence:
    supporting = [excerpt for excerpt in excerpts if excerpt.stance == Excerpt.Stance.SUPPORTS]
    dissenting = [excerpt for excerpt in excerpts if excerpt.stance != Excerpt.Stance.SUPPORTS]
    sources = {excerpt.source_id: excerpt.source for excerpt in excerpts}
    return Evidence(supporting, dissenting, independent_source_count(list(sources.values())))


def excerpt_count_of_source() -> Coalesce:
    """How many excerpts are quoted from the (published) source in the outer query."""
    counted = (
        Excerpt.objects.visible().filter(source=OuterRef("pk")).order_by().values("source").annotate(n=Count("pk"))
    )
    return Coalesce(Subquery(counted.values("n"), output_field=IntegerField()), 0)


def source_list() -> QuerySet[Source]:
    """The source list: published sources, newest first, with their story and excerpt count."""
    sources = Source.objects.published().select_related("story").annotate(excerpt_count=excerpt_count_of_source())
    return sources.order_by(*source_date_order(newest_first=True)).defer("text")


def source_detail() -> QuerySet[Source]:
    """A source page: its text's noise and excerpts, what each excerpt backs, the story's versions."""
    excerpts = (
        Excerpt.objects.visible()
        .order_by("start", "pk")
        .prefetch_related(
            Prefetch("companies", queryset=Company.objects.published()),
            Prefetch("deals", queryset=Deal.objects.published()),
        )
    )
    versions = Source.objects.published().order_by(*source_date_order(newest_first=False)).defer("text")
    return (
        Source.objects.published()
        .select_related("story")
        .prefetch_related(
            Prefetch("noise_spans", queryset=NoiseSpan.objects.visible()),
            Prefetch("excerpts", queryset=excerpts),
            Prefetch("story__sources", queryset=versions, to_attr="published_versions"),
        )
    )
