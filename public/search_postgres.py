"""The search engine on PostgreSQL: pg_trgm for company names, full-text search for the rest.

Names and aliases are found by trigram similarity (`%`, and word similarity `%>` for one word of a
longer name) or by containing the query, which GIN trigram indexes serve (companies' migration
0008); full text by
`to_tsvector` / `to_tsquery` ('english', so "invests" finds "investment"), each word of the query a
prefix, ranked by `ts_rank` with titles weighted over bodies. Nothing to rebuild: every query reads
the tables as they are.
"""

from django.contrib.postgres.search import (
    SearchQuery,
    SearchRank,
    SearchVector,
    TrigramSimilarity,
    TrigramWordSimilarity,
)
from django.db.models import F, Q, QuerySet
from django.db.models.functions import Greatest, Upper

from companies.models import Alias, Company, Deal
from public import search as found
from sources.models import Excerpt, Source

CONFIG = "english"


# -- company names ----------------------------------------------------------------------------


def name_candidates(query: found.SearchQuery, *, limit: int) -> list[found.NameCandidate]:
    """Published company names and visible aliases like the query (two queries, bounded)."""
    companies, aliases = name_querysets(query, limit=limit)
    return [_candidate(*row[:4], row[2], row[4], alias=False) for row in companies] + [
        _candidate(*row, alias=True) for row in aliases
    ]


def name_querysets(query: found.SearchQuery, *, limit: int) -> tuple[QuerySet, QuerySet]:
    """Names are compared in capitals: `icontains` is `UPPER(name) LIKE …` on PostgreSQL, so the
    trigram indexes are built on UPPER(name) and serve similarity (case-blind anyway) and
    containing alike."""
    wanted = query.text
    similar = Q(upper_name__trigram_similar=wanted) | Q(upper_name__trigram_word_similar=wanted)
    score = Greatest(TrigramSimilarity(Upper("name"), wanted), TrigramWordSimilarity(wanted, Upper("name")))
    companies = (
        Company.objects.published()
        .annotate(upper_name=Upper("name"))
        .filter(similar | Q(name__icontains=wanted))
        .annotate(similarity=score)
        .order_by("-similarity", "name")
        .values_list("pk", "slug", "name", "kind", "similarity")[:limit]
    )
    aliases = (
        Alias.objects.visible()
        .annotate(upper_name=Upper("name"))
        .filter(similar | Q(name__icontains=wanted))
        .annotate(similarity=score)
        .order_by("-similarity", "name")
        .values_list("company_id", "company__slug", "company__name", "company__kind", "name", "similarity")[:limit]
    )
    return companies, aliases


def _candidate(pk, slug, company_name, kind, name, similarity, *, alias: bool) -> found.NameCandidate:
    return found.NameCandidate(
        company_pk=pk, slug=slug, company_name=company_name, kind=kind, name=name, alias=alias, fuzzy=similarity * 100
    )


# -- full text --------------------------------------------------------------------------------


def text_hits(query: found.SearchQuery, *, limit: int) -> list[found.Hit]:
    """Full-text hits of each kind (four queries, each bounded), every word of the query a prefix."""
    ranked_by_kind = text_querysets(query, limit=limit)
    return (
        [found.summary_hit(query, c, score=c.rank) for c in ranked_by_kind["company"].only(*found.COMPANY_FIELDS)]
        + [found.deal_hit(query, d, score=d.rank) for d in ranked_by_kind["deal"].only(*found.DEAL_FIELDS)]
        + [found.source_hit(query, s, score=s.rank) for s in ranked_by_kind["source"].only(*found.SOURCE_FIELDS)]
        + [
            found.excerpt_hit(query, e, score=e["rank"])
            for e in ranked_by_kind["excerpt"].values(*found.EXCERPT_VALUES, "rank")
        ]
    )


def text_querysets(query: found.SearchQuery, *, limit: int) -> dict[str, QuerySet]:
    # \w+ words only, so nothing in them is tsquery syntax.
    tsquery = SearchQuery(" & ".join(f"{word}:*" for word in query.words), search_type="raw", config=CONFIG)
    return {
        "company": ranked(Company.objects.published(), tsquery, title="name", body=["summary"], limit=limit),
        "deal": ranked(Deal.objects.published(), tsquery, title="title", body=["summary", "round_name"], limit=limit),
        "source": ranked(Source.objects.published(), tsquery, title="title", body=["publisher", "author"], limit=limit),
        "excerpt": ranked(Excerpt.objects.visible(), tsquery, title=None, body=["quote"], limit=limit),
    }


def ranked(queryset: QuerySet, tsquery: SearchQuery, *, title: str | None, body: list[str], limit: int) -> QuerySet:
    """Matching rows, best first. The document's SQL is what the GIN indexes of companies' and
    sources' migrations 0008 are built on: change one, change the other."""
    vector = SearchVector(*body, weight="B", config=CONFIG)
    if title:
        vector = SearchVector(title, weight="A", config=CONFIG) + vector
    matching = queryset.annotate(document=vector).filter(document=tsquery)
    return matching.annotate(rank=SearchRank(F("document"), tsquery)).order_by("-rank", "pk")[:limit]
