"""The search engine on SQLite: FTS5 for words, rapidfuzz for misspelt company names.

The full-text index is a table of its own, `search_index` (created by sources' migration 0008):
one row per published company, deal and source and per visible excerpt. It is rebuilt whenever
the dataset version (core/changes.py) has moved since it was built, by the first search after a
change, in one transaction: a DELETE and one INSERT … SELECT per kind of record, each SELECT built
from the same `published()` / `visible()` querysets the pages use, so the index holds exactly what
a reader may see. Hits are read back through those querysets too, so even an index a moment stale
never shows a draft. A rebuild costs a fraction of a second on 20,000 deals; SQLite suits a site
with a few editors (README, "SQLite or PostgreSQL"), where searches far outnumber saves.

Company names and aliases are a few thousand at most: they are read whole and scored in Python.
"""

from django.db import connection, transaction
from django.db.models import F, TextField, Value
from django.db.models.functions import Concat
from rapidfuzz import fuzz

from companies.models import Alias, Company, Deal
from core.changes import dataset_version
from public.search import (
    COMPANY_FIELDS,
    DEAL_FIELDS,
    EXCERPT_VALUES,
    SOURCE_FIELDS,
    Hit,
    NameCandidate,
    SearchQuery,
    deal_hit,
    excerpt_hit,
    source_hit,
    summary_hit,
)
from sources.models import Excerpt, Source

INDEX = "search_index"
STATE = "search_index_state"
FUZZY_CUTOFF = 72  # of 100: "Hozen" is 80 from the word "Hozon"; "Audi" is 44 from "Baidu"
WORD_WEIGHT = 0.9  # a query close to one word of a longer name ranks below one close to the name
TITLE_WEIGHT = 10.0  # bm25 weight of a title (or name) over the body text


# -- company names ----------------------------------------------------------------------------


def name_candidates(query: SearchQuery, *, limit: int) -> list[NameCandidate]:
    """Every published company name and visible alias with its fuzzy score (two queries)."""
    companies = {
        pk: (slug, name, kind)
        for pk, slug, name, kind in Company.objects.published().values_list("pk", "slug", "name", "kind")
    }
    aliases = Alias.objects.visible().values_list("company_id", "name")
    names = [(pk, name, False) for pk, (_, name, _) in companies.items()] + [
        (pk, name, True) for pk, name in aliases if pk in companies
    ]
    wanted = query.folded
    candidates = []
    for pk, name, alias in names:
        slug, company_name, kind = companies[pk]
        score = fuzzy_score(wanted, name.casefold())
        if score >= FUZZY_CUTOFF or wanted in name.casefold():
            candidates.append(
                NameCandidate(
                    company_pk=pk, slug=slug, company_name=company_name, kind=kind, name=name, alias=alias, fuzzy=score
                )
            )
    return candidates


def fuzzy_score(wanted: str, name: str) -> float:
    """How close the query is to the name, or to one of its words (0–100)."""
    words = name.split()
    best_word = max((fuzz.ratio(wanted, word) for word in words), default=0) if len(words) > 1 else 0
    return max(fuzz.ratio(wanted, name), WORD_WEIGHT * best_word)


# -- full text --------------------------------------------------------------------------------


def text_hits(query: SearchQuery, *, limit: int) -> list[Hit]:
    """Full-text hits from the FTS5 index: each word as a prefix, all words required."""
    index_refresh()
    match = " ".join(f'"{word}"*' for word in query.words)  # \w+ words: no quote can get in
    with connection.cursor() as cursor:
        # Names and weights are constants; the query's words are bound.
        matches = f"SELECT kind, record_id, bm25({INDEX}, 0, 0, {TITLE_WEIGHT}, 1.0) AS rank FROM {INDEX} "  # noqa: S608
        cursor.execute(matches + f"WHERE {INDEX} MATCH %s ORDER BY rank LIMIT %s", [match, limit])
        rows = cursor.fetchall()
    # bm25 is lower for better matches; the ranking wants higher.
    scores = {(kind, pk): -rank for kind, pk, rank in rows}
    ids = {kind: [pk for k, pk in scores if k == kind] for kind in ("company", "deal", "source", "excerpt")}
    hits = []
    # `pk__in=[]` runs no query: a kind without hits costs nothing.
    for company in Company.objects.published().filter(pk__in=ids["company"]).only(*COMPANY_FIELDS):
        hits.append(summary_hit(query, company, score=scores["company", company.pk]))
    for deal in Deal.objects.published().filter(pk__in=ids["deal"]).only(*DEAL_FIELDS):
        hits.append(deal_hit(query, deal, score=scores["deal", deal.pk]))
    for source in Source.objects.published().filter(pk__in=ids["source"]).only(*SOURCE_FIELDS):
        hits.append(source_hit(query, source, score=scores["source", source.pk]))
    for excerpt in Excerpt.objects.visible().filter(pk__in=ids["excerpt"]).values(*EXCERPT_VALUES):
        hits.append(excerpt_hit(query, excerpt, score=scores["excerpt", excerpt["pk"]]))
    return hits


def built_version() -> int | None:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT version FROM {STATE} WHERE id = 1")  # noqa: S608 (a constant name)
        row = cursor.fetchone()
    return row[0] if row else None


def index_refresh() -> None:
    """Rebuild the index if the dataset version moved since it was built."""
    version = dataset_version()
    if built_version() == version:
        return
    with transaction.atomic():
        if built_version() == version:  # another request rebuilt it while this one waited
            return
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {INDEX}")  # noqa: S608 (a constant name)
            for queryset in index_rows():
                sql, params = queryset.query.sql_with_params()
                # The SELECT is Django's own SQL for the queryset, its values bound.
                cursor.execute(f"INSERT INTO {INDEX} (kind, record_id, title, body) {sql}", params)
            cursor.execute(f"INSERT OR REPLACE INTO {STATE} (id, version) VALUES (1, %s)", [version])  # noqa: S608


def index_rows() -> list:
    """What the index holds, as querysets of (kind, record_id, title, body): what readers may see."""

    def rows(queryset, kind: str, title, body):
        annotated = queryset.order_by().annotate(index_kind=Value(kind), index_id=F("pk"))
        annotated = annotated.annotate(index_title=title, index_body=body)
        return annotated.values_list("index_kind", "index_id", "index_title", "index_body")

    def joined(*fields: str) -> Concat:
        return Concat(fields[0], Value(" "), *fields[1:], output_field=TextField())

    return [
        rows(Company.objects.published(), "company", F("name"), F("summary")),
        rows(Deal.objects.published(), "deal", F("title"), joined("summary", "round_name")),
        rows(Source.objects.published(), "source", F("title"), joined("publisher", "author")),
        rows(Excerpt.objects.visible(), "excerpt", Value(""), F("quote")),
    ]
