"""How well each listed record is backed, as annotations on the list's own query.

A list row says how many excerpts back the record, from how many independent sources (versions of
one story count once, as on the record's page), and whether any of them disagrees (an excerpt
that contradicts or corrects it). Each number is a correlated subquery over the visible excerpt
links of the row's record: the list stays one query, whatever its length, and only the rows of
the page being shown are counted (the paginator's count leaves unused annotations out).
"""

from django.db.models import Case, Count, F, IntegerField, OuterRef, Q, QuerySet, Subquery, When
from django.db.models.functions import Coalesce

from sources.models import Excerpt, Source, visible_excerpt_links

DISSENT = ~Q(stance=Excerpt.Stance.SUPPORTS)


def _counted(links: QuerySet, aggregate) -> Coalesce:
    counted = links.annotate(n=aggregate).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def independent_source(prefix: str) -> Case:
    """A number naming the independent source of an excerpt reached by `prefix`: its story, or
    the source itself when it is a story of its own (odd and even numbers never collide)."""
    return Case(
        When(**{f"{prefix}source__story__isnull": True}, then=F(f"{prefix}source_id") * 2 + 1),
        default=F(f"{prefix}source__story_id") * 2,
        output_field=IntegerField(),
    )


def with_certainty(records: QuerySet, *, record: str) -> QuerySet:
    """Annotate `excerpt_count`, `source_count` (independent) and `dissent_count` on companies
    (`record="company"`) or deals (`record="deal"`)."""
    links = visible_excerpt_links(record).filter(**{record: OuterRef("pk")}).order_by().values(record)
    return records.annotate(
        excerpt_count=_counted(links, Count("excerpt")),
        source_count=_counted(links, Count(independent_source("excerpt__"), distinct=True)),
        dissent_count=_counted(links, Count("excerpt", filter=~Q(excerpt__stance=Excerpt.Stance.SUPPORTS))),
    )


def with_source_certainty(sources: QuerySet[Source]) -> QuerySet[Source]:
    """Annotate on sources `dissent_count` (their excerpts that contradict or correct what they
    back) and `version_count` (the published versions of their story, which count as one)."""
    excerpts = Excerpt.objects.visible().filter(source=OuterRef("pk")).order_by().values("source")
    versions = Source.objects.published().filter(story=OuterRef("story")).order_by().values("story")
    return sources.annotate(
        dissent_count=_counted(excerpts.filter(DISSENT), Count("pk")),
        version_count=_counted(versions, Count("pk")),
    )
