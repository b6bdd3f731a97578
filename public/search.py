"""The site-wide search (`/search/`): one selector, `search()`, over companies (names and aliases in
any script, misspelt too), deals, sources and excerpts, ranked, with what matched highlighted.

Two engines sit behind it, one per database (public/search_postgres.py, public/search_sqlite.py).
Each finds candidate company names and full-text matches; this module turns them into ranked hits:
an exact name or alias first, then a name that starts with the query, then one that contains it,
then a likely misspelling (by fuzzy score), then full-text matches (by text rank). Every record
comes from `published()` or `visible()`, so a draft is never found, whatever an index holds.
"""

import re
import unicodedata
from dataclasses import dataclass
from enum import IntEnum

from django.db import connection
from django.db.models import Q
from django.urls import reverse
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe

from companies.models import Company, Deal
from sources.models import Excerpt, Source

MAX_QUERY_CHARS = 100  # longer queries are cut: nobody types more, and a long one costs every engine
MAX_WORDS = 8
RESULTS_ON_PAGE = 50
MIN_FUZZY_CHARS = 4  # "BYD" is one letter from "BMW": misspellings of three letters are guesses
SNIPPET_CHARS = 160
# Han, kana, Hangul: scripts written without spaces, so a query matches inside a name or text.
CJK = re.compile(r"[\u1100-\u11ff\u3040-\u30ff\u3130-\u318f\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]")
WORD = re.compile(r"\w+")


class Match(IntEnum):
    """How a hit matched, best first: the ranking's first key."""

    EXACT = 0
    PREFIX = 1
    CONTAINS = 2
    FUZZY = 3
    TEXT = 4


NOTHING = SafeString("")
KIND_LABELS = {"company": "Company", "deal": "Deal", "source": "Source", "excerpt": "Excerpt"}


@dataclass(frozen=True, kw_only=True)
class SearchQuery:
    text: str  # as searched: control characters dropped, spaces collapsed, cut to MAX_QUERY_CHARS
    words: tuple[str, ...]
    cjk: bool
    truncated: bool

    @property
    def folded(self) -> str:
        return self.text.casefold()


@dataclass(frozen=True, kw_only=True)
class Hit:
    kind: str  # "company", "deal", "source" or "excerpt"
    pk: int
    url: str
    title: SafeString
    why: str
    match: Match
    score: float  # higher is better, within its kind of match
    snippet: SafeString = NOTHING
    meta: str = ""

    @property
    def kind_label(self) -> str:
        return KIND_LABELS[self.kind]


@dataclass(frozen=True, kw_only=True)
class Results:
    query: SearchQuery
    hits: list[Hit]


@dataclass(frozen=True, kw_only=True)
class NameCandidate:
    """A published company name or visible alias an engine found, with its fuzzy score (0–100)."""

    company_pk: int
    slug: str
    company_name: str
    kind: str
    name: str
    alias: bool
    fuzzy: float


def parse_query(raw: str) -> SearchQuery:
    """The query as searched: no control characters, single spaces, at most MAX_QUERY_CHARS."""
    visible = "".join(" " if unicodedata.category(char).startswith("C") else char for char in raw)
    text = " ".join(visible.split())
    truncated = len(text) > MAX_QUERY_CHARS
    text = text[:MAX_QUERY_CHARS].strip()
    words = tuple(dict.fromkeys(word.casefold() for word in WORD.findall(text)))[:MAX_WORDS]
    return SearchQuery(text=text, words=words, cjk=bool(CJK.search(text)), truncated=truncated)


def search(query: str, *, limit: int = RESULTS_ON_PAGE) -> Results:
    """The best `limit` hits for `query` among published records, best first."""
    parsed = parse_query(query)
    if not parsed.text:
        return Results(query=parsed, hits=[])
    engine = _engine()
    hits = company_name_hits(parsed, engine.name_candidates(parsed, limit=limit))
    if parsed.cjk:
        hits += substring_hits(parsed, limit=limit)
    elif parsed.words:
        hits += engine.text_hits(parsed, limit=limit)
    return Results(query=parsed, hits=ranked(hits, limit=limit))


def _engine():
    # Imported here, not at the top: each engine's module needs only its own database's features.
    if connection.vendor == "postgresql":
        from public import search_postgres as engine
    else:
        from public import search_sqlite as engine
    return engine


def ranked(hits: list[Hit], *, limit: int) -> list[Hit]:
    """Best first, each record once (its best hit): by kind of match, then score."""
    best: dict[tuple[str, int], Hit] = {}
    for hit in sorted(hits, key=lambda hit: (hit.match, -hit.score, hit.url)):
        best.setdefault((hit.kind, hit.pk), hit)
    return list(best.values())[:limit]


# -- companies by name ------------------------------------------------------------------------


def name_match(query: SearchQuery, name: str) -> Match | None:
    """Whether a name is the query, starts with it (or a word of it does), or contains it."""
    folded, wanted = name.casefold(), query.folded
    if folded == wanted:
        return Match.EXACT
    if folded.startswith(wanted) or re.search(rf"(?<!\w){re.escape(wanted)}", folded):
        return Match.PREFIX
    if wanted in folded and (query.cjk or len(wanted) >= 3):
        return Match.CONTAINS
    return None


def company_name_hits(query: SearchQuery, candidates: list[NameCandidate]) -> list[Hit]:
    hits = []
    for candidate in candidates:
        match = name_match(query, candidate.name)
        if match is None and (len(query.folded) < MIN_FUZZY_CHARS or query.cjk):
            continue
        hits.append(company_hit(query, candidate, Match.FUZZY if match is None else match))
    return hits


def company_hit(query: SearchQuery, candidate: NameCandidate, match: Match) -> Hit:
    fuzzy = match == Match.FUZZY
    score = candidate.fuzzy if fuzzy else len(query.folded) / max(len(candidate.name), 1)
    return Hit(
        kind="company",
        pk=candidate.company_pk,
        url=reverse("companies:company_detail", kwargs={"slug": candidate.slug}),
        title=highlight(candidate.company_name, query, whole=fuzzy and not candidate.alias),
        why=name_explanation(candidate, match),
        match=match,
        score=score,
        snippet=highlight(candidate.name, query, whole=fuzzy) if candidate.alias else NOTHING,
        meta=Company.Kind(candidate.kind).label if candidate.kind in Company.Kind.values else "",
    )


def name_explanation(candidate: NameCandidate, match: Match) -> str:
    if match == Match.FUZZY:
        if candidate.alias:
            return f"misspelling of “{candidate.name}”, another name of {candidate.company_name}?"
        return f"misspelling of {candidate.company_name}?"
    what = f"alias “{candidate.name}”" if candidate.alias else "name"
    return {Match.EXACT: what, Match.PREFIX: f"{what} starts with it", Match.CONTAINS: f"{what} contains it"}[match]


# -- full text: deals, sources, excerpts, company summaries -----------------------------------


def deal_hit(query: SearchQuery, deal: Deal, *, score: float) -> Hit:
    in_title = any_term_in(query, deal.title)
    return Hit(
        kind="deal",
        pk=deal.pk,
        url=deal.get_absolute_url(),
        title=highlight(deal.title, query),
        why="deal title" if in_title else "deal summary",
        match=Match.TEXT,
        score=score,
        snippet=highlight(deal.summary, query),
        meta=" · ".join(
            part for part in (deal.get_kind_display(), deal.get_status_display(), deal.date_display) if part
        ),
    )


def source_hit(query: SearchQuery, source: Source, *, score: float) -> Hit:
    byline = " · ".join(part for part in (source.publisher, source.author, source.published_date_display) if part)
    return Hit(
        kind="source",
        pk=source.pk,
        url=source.get_absolute_url(),
        title=highlight(source.title, query),
        why="source title" if any_term_in(query, source.title) else "publisher or author",
        match=Match.TEXT,
        score=score,
        snippet=highlight(byline, query),
    )


def excerpt_hit(query: SearchQuery, excerpt: dict, *, score: float) -> Hit:
    """`excerpt`: values of a visible excerpt (pk, quote, source__slug, source__title)."""
    source_url = reverse("sources:source_detail", kwargs={"slug": excerpt["source__slug"]})
    return Hit(
        kind="excerpt",
        pk=excerpt["pk"],
        url=f"{source_url}#excerpt-{excerpt['pk']}",
        title=escape(f"Quoted in “{excerpt['source__title']}”"),
        why="quoted text",
        match=Match.TEXT,
        score=score,
        snippet=highlight(excerpt["quote"], query),
    )


def summary_hit(query: SearchQuery, company: Company, *, score: float) -> Hit:
    return Hit(
        kind="company",
        pk=company.pk,
        url=company.get_absolute_url(),
        title=highlight(company.name, query),
        why="company summary",
        match=Match.TEXT,
        score=score,
        snippet=highlight(company.summary, query),
        meta=company.get_kind_display(),
    )


# Fields each kind of hit reads: both engines fetch only these (a source's text stays in the database).
DEAL_FIELDS = ("slug", "title", "summary", "kind", "status", "date", "date_precision")
SOURCE_FIELDS = ("slug", "title", "publisher", "author", "published_date", "published_date_precision")
EXCERPT_VALUES = ("pk", "quote", "source__slug", "source__title")
COMPANY_FIELDS = ("slug", "name", "kind", "summary")


def substring_hits(query: SearchQuery, *, limit: int) -> list[Hit]:
    """Deals, sources and excerpts that contain a CJK query (no word boundaries to search by), on
    either database: three queries, each bounded."""
    text = query.text
    deals = Deal.objects.published().filter(Q(title__icontains=text) | Q(summary__icontains=text))
    sources = Source.objects.published().filter(Q(title__icontains=text) | Q(publisher__icontains=text))
    excerpts = Excerpt.objects.visible().filter(quote__icontains=text)
    return (
        [deal_hit(query, deal, score=0) for deal in deals.only(*DEAL_FIELDS).order_by("title", "pk")[:limit]]
        + [source_hit(query, s, score=0) for s in sources.only(*SOURCE_FIELDS).order_by("title", "pk")[:limit]]
        + [excerpt_hit(query, e, score=0) for e in excerpts.values(*EXCERPT_VALUES).order_by("pk")[:limit]]
    )


# -- highlighting -----------------------------------------------------------------------------


def term_pattern(query: SearchQuery) -> re.Pattern | None:
    """Where the query's words occur: at the start of a word (to its end, as prefix search
    matches), or anywhere for a CJK query."""
    if query.cjk:
        return re.compile(re.escape(query.text), re.IGNORECASE)
    if not query.words:
        return None
    words = "|".join(re.escape(word) for word in sorted(query.words, key=len, reverse=True))
    return re.compile(rf"(?<!\w)(?:{words})\w*", re.IGNORECASE)


def any_term_in(query: SearchQuery, text: str) -> bool:
    pattern = term_pattern(query)
    return bool(pattern and pattern.search(text))


def highlight(text: str, query: SearchQuery, *, whole: bool = False, width: int = SNIPPET_CHARS) -> SafeString:
    """`text` escaped, cut to about `width` characters around the first match, each match in
    <mark> (`whole`: all of it, for a misspelt name that matched as a whole)."""
    if not text:
        return NOTHING
    if whole:
        return format_html("<mark>{}</mark>", text)
    pattern = term_pattern(query)
    spans = [match.span() for match in pattern.finditer(text)] if pattern else []
    start, end = snippet_window(text, first=spans[0][0] if spans else 0, width=width)
    pieces, position = [], start
    for span_start, span_end in spans:
        if span_start < position or span_end > end:
            continue
        pieces += [escape(text[position:span_start]), f"<mark>{escape(text[span_start:span_end])}</mark>"]
        position = span_end
    pieces.append(escape(text[position:end]))
    snippet = ("…" if start else "") + "".join(pieces) + ("…" if end < len(text) else "")
    return mark_safe(snippet)  # noqa: S308 (every piece of the text escaped above)


def snippet_window(text: str, *, first: int, width: int) -> tuple[int, int]:
    """A stretch of `width` characters with the first match a third of the way in, on spaces."""
    if len(text) <= width:
        return 0, len(text)
    start = max(0, min(first - width // 3, len(text) - width))
    if start:
        space = text.find(" ", start, first)
        start = space + 1 if space != -1 else start
    end = min(len(text), start + width)
    if end < len(text):
        space = text.rfind(" ", start, end)
        end = space if space > first else end
    return start, end
