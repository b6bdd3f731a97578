"""The site search (`/search/`, public/search.py): companies by name, alias (any script) or
misspelling, deals, sources and excerpts by their words; ranked, highlighted, published only.

Every test but the last two runs on whichever database DATABASE_URL names, so CI's PostgreSQL
pass runs them against pg_trgm and full-text search, and its SQLite pass against FTS5 and rapidfuzz.
"""

import pytest
from django.db import connection
from django.urls import reverse

from companies.models import Alias, Company, Deal, Participation
from core.changes import version_bump
from public.search import MAX_QUERY_CHARS, Match, parse_query, search
from tests.conftest import DRAFT, make_company, make_deal, make_excerpt, make_source
from tests.page_text import text_of

pytestmark = pytest.mark.django_db
SEARCH = reverse("search")


def first_company(query: str) -> tuple[str, str]:
    """The best hit for `query`, which must be a company: its name and what matched."""
    hit = search(query).hits[0]
    assert hit.kind == "company", (query, hit)
    return text_of(hit.title), hit.why


@pytest.mark.parametrize(
    ("query", "company", "why"),
    [
        ("Xiomi", "Xiaomi", "misspelling of Xiaomi?"),
        ("Hozen", "Hozon Auto", "misspelling of “Hozon”, another name of Hozon Auto?"),
        ("SIAC Motors", "SAIC Motor", "alias “SIAC Motors”"),
        ("siac", "SAIC Motor", "alias “SIAC”"),
        ("Zebra", "Banma", "alias “Zebra”"),
        ("xiaomi", "Xiaomi", "name"),
        ("xiao", "Xiaomi", "name starts with it"),
        ("geely", "Zhejiang Geely Holding Group", "alias “Geely”"),
        ("zhejiang", "Zhejiang Geely Holding Group", "name starts with it"),
        ("holding", "Zhejiang Geely Holding Group", "name starts with it"),
    ],
)
def test_seeded_companies_are_found_by_name_alias_or_misspelling(seeded, query, company, why):
    assert first_company(query) == (company, why)


def test_an_exact_name_ranks_before_a_prefix_a_misspelling_and_full_text(seeded):
    hits = search("xiaomi").hits
    assert [text_of(hit.title) for hit in hits[:2]] == ["Xiaomi", "Xiaomi Ventures"]
    assert [hit.match for hit in hits[:2]] == [Match.EXACT, Match.PREFIX]
    kinds = {hit.kind for hit in hits}
    assert {"deal", "source", "excerpt"} <= kinds
    assert [hit.match for hit in hits] == sorted(hit.match for hit in hits)


def test_the_page_shows_ranked_hits_with_what_matched_highlighted(client, seeded):
    response = client.get(SEARCH, {"q": "Xiomi"})
    assert response.status_code == 200
    assert "<mark>Xiaomi</mark>" in response.text and "misspelling of Xiaomi?" in response.text
    assert 'value="Xiomi"' in response.text  # the query stays in the box to refine


def test_a_chinese_alias_is_found_by_its_characters_and_inside_a_longer_name(client, xiaomi_world):
    # The seeds state no Chinese name (seeds/*.txt): this alias exists only in the test.
    Alias.objects.create(company=xiaomi_world.xiaomi, name="小米集团", kind=Alias.Kind.CHINESE)
    assert first_company("小米集团") == ("Xiaomi", "alias “小米集团”")
    assert first_company("小米") == ("Xiaomi", "alias “小米集团” starts with it")
    assert first_company("集团") == ("Xiaomi", "alias “小米集团” contains it")
    response = client.get(SEARCH, {"q": "小米"})
    assert "<mark>小米</mark>集团" in response.text


def test_cjk_text_is_found_inside_words(xiaomi_world):
    make_deal(title="小米汽车成立", slug="xiaomi-ev-zh", parties=[(xiaomi_world.xiaomi, Participation.Role.PARENT)])
    hits = search("汽车").hits
    assert [(hit.kind, str(hit.title)) for hit in hits] == [("deal", "小米<mark>汽车</mark>成立")]


def test_excerpt_words_are_found_and_marked_linking_to_the_excerpt(client, xiaomi_world):
    response = client.get(SEARCH, {"q": "series"})
    excerpt = xiaomi_world.round_d.excerpts.get()
    assert f'href="{xiaomi_world.source.get_absolute_url()}#excerpt-{excerpt.pk}"' in response.text
    assert "360 led Hozon Auto&#x27;s <mark>series</mark> D round" in response.text


def test_a_deal_is_found_by_a_word_of_its_summary(xiaomi_world):
    Deal.objects.filter(pk=xiaomi_world.subsidiary.pk).update(summary="A wholly owned electric vehicle unit.")
    hits = [hit for hit in search("wholly owned").hits if hit.kind == "deal"]
    assert [(text_of(hit.title), hit.why) for hit in hits] == [("Xiaomi sets up an EV subsidiary", "deal summary")]


def test_drafts_and_their_parts_are_never_found(xiaomi_world):
    draft = make_company(name="Zeekr", state=DRAFT)
    Alias.objects.create(company=draft, name="Zeekr Intelligent")
    make_deal(title="Zeekr raises money", slug="zeekr-round", state=DRAFT, summary="Zeekr")
    hidden = make_source(slug="zeekr-source", title="Zeekr news", text="Zeekr raised money.", state=DRAFT)
    make_excerpt(source=hidden, quote="Zeekr raised money.")
    for query in ("Zeekr", "zeek", "Zeekrr", "Zeekr Intelligent", "raised"):
        assert search(query).hits == [], query


def test_a_published_change_is_found_on_the_next_search(xiaomi_world):
    assert search("Nezha").hits == []
    # The dataset version moves when a write commits (this test's transaction never does, so it
    # moves it as the commit would): SQLite's index is rebuilt on the next search.
    make_deal(title="Nezha brand launched", slug="nezha", parties=[(xiaomi_world.hozon, Participation.Role.PARENT)])
    version_bump(reason="deal saved")
    assert [text_of(hit.title) for hit in search("Nezha").hits] == ["Nezha brand launched"]
    Deal.objects.filter(slug="nezha").update(editorial_state=DRAFT)
    version_bump(reason="deal saved")
    assert search("Nezha").hits == []


def test_record_text_and_the_query_are_escaped(client, xiaomi_world):
    make_company(name="Evil <img src=x onerror=alert(1)> Motors", slug="evil-motors", kind=Company.Kind.AUTOMAKER)
    hostile = client.get(SEARCH, {"q": "<script>alert(1)</script>"})
    assert hostile.status_code == 200 and "<script>alert" not in hostile.text
    assert 'value="&lt;script&gt;alert(1)&lt;/script&gt;"' in hostile.text
    assert "Nothing published matches “&lt;script&gt;alert(1)&lt;/script&gt;”" in hostile.text
    found = client.get(SEARCH, {"q": "evil"})
    assert "<img src=x" not in found.text
    assert "<mark>Evil</mark> &lt;img src=x onerror=alert(1)&gt; Motors" in found.text


@pytest.mark.parametrize(
    "query",
    ['"', "*", 'NEAR("a" "b")', "AND OR NOT", "xiaomi OR", "^x", "a:b", "''", "\\", "%_", "x' OR 1=1 --", "\x00\x07"],
)
def test_query_syntax_of_either_engine_is_only_words(client, xiaomi_world, query):
    response = client.get(SEARCH, {"q": query})
    assert response.status_code == 200


def test_a_long_query_is_cut_and_says_so(client, xiaomi_world):
    response = client.get(SEARCH, {"q": "Xiaomi " + "word " * 2000})
    assert response.status_code == 200
    assert f"Only the first {MAX_QUERY_CHARS} characters were searched." in response.text
    assert len(parse_query("x" * 5000).text) == MAX_QUERY_CHARS
    assert len(parse_query("word " * 100).words) == 1  # repeated words searched once


def test_an_empty_query_asks_nothing_of_the_database(client, xiaomi_world, django_assert_num_queries):
    for query in ("", "   ", "\t\n"):
        with django_assert_num_queries(0):
            response = client.get(SEARCH, {"q": query})
        assert response.status_code == 200 and "search-results" not in response.text


def test_nothing_found_says_so(client, xiaomi_world):
    response = client.get(SEARCH, {"q": "qqqqzzzz"})
    assert "Nothing published matches “qqqqzzzz”." in text_of(response.text)


def test_every_page_has_the_search_box_in_its_header(client, xiaomi_world):
    for url in ("/", "/companies/", xiaomi_world.source.get_absolute_url()):
        header = client.get(url).text.split("</header>")[0]
        assert f'<form class="site-search" method="get" action="{SEARCH}" role="search">' in header, url
        assert '<input type="search" id="site-search-q" name="q"' in header


def test_search_pages_are_cached_and_answer_head(client, xiaomi_world, settings):
    settings.PAGE_CACHE = True
    get, head = client.get(SEARCH, {"q": "xiaomi"}), client.head(SEARCH, {"q": "xiaomi"})
    assert (get.status_code, head.status_code, head.content) == (200, 200, b"")
    assert get["ETag"] == head["ETag"]
    assert client.get(SEARCH, {"q": "xiaomi"}, HTTP_IF_NONE_MATCH=get["ETag"]).status_code == 304


@pytest.mark.postgres
def test_postgres_has_pg_trgm_and_the_trigram_indexes():
    if connection.vendor != "postgresql":
        pytest.skip(f"needs PostgreSQL: DATABASE_URL points at {connection.vendor}")
    with connection.cursor() as cursor:
        cursor.execute("SELECT extname FROM pg_extension WHERE extname = 'pg_trgm'")
        assert cursor.fetchone() == ("pg_trgm",)
        cursor.execute("SELECT indexname FROM pg_indexes WHERE indexname LIKE '%%_trigram' ORDER BY indexname")
        assert [row[0] for row in cursor.fetchall()] == [
            "alias_name_trigram",
            "company_name_trigram",
            "deal_title_trigram",
            "excerpt_quote_trigram",
            "source_title_trigram",
        ]
        tables = connection.introspection.table_names(cursor)
    assert "search_index" not in tables


@pytest.mark.postgres
def test_postgres_name_and_full_text_expressions_match_the_gin_indexes(xiaomi_world):
    """Each expression the search filters on is the one an index was built on (the planner picks
    an index by selectivity, so the published() filter is left out: on a table this small it would
    read the editorial-state index instead)."""
    if connection.vendor != "postgresql":
        pytest.skip(f"needs PostgreSQL: DATABASE_URL points at {connection.vendor}")
    from django.contrib.postgres.search import SearchQuery
    from django.db.models.functions import Upper

    from public.search_postgres import CONFIG, ranked
    from sources.models import Excerpt, Source

    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
    for model, index in [(Company, "company_name_trigram"), (Alias, "alias_name_trigram")]:
        like = model.objects.annotate(upper_name=Upper("name")).filter(upper_name__trigram_similar="xiomi")
        assert index in like.explain() and index in model.objects.filter(name__icontains="xiao").explain()
    tsquery = SearchQuery("xiaomi:*", search_type="raw", config=CONFIG)
    documents = {
        "company": ranked(Company.objects.all(), tsquery, title="name", body=["summary"], limit=5),
        "deal": ranked(Deal.objects.all(), tsquery, title="title", body=["summary", "round_name"], limit=5),
        "source": ranked(Source.objects.all(), tsquery, title="title", body=["publisher", "author"], limit=5),
        "excerpt": ranked(Excerpt.objects.all(), tsquery, title=None, body=["quote"], limit=5),
    }
    for kind, queryset in documents.items():
        assert f"{kind}_search_document" in queryset.explain(), kind


def test_sqlite_has_the_fts5_index_and_no_postgres_indexes():
    if connection.vendor != "sqlite":
        pytest.skip(f"SQLite's index: DATABASE_URL points at {connection.vendor}")
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM sqlite_master WHERE name LIKE 'search_index%%' OR name LIKE '%%_trigram'")
        names = {row[0] for row in cursor.fetchall()}
    assert {"search_index", "search_index_state"} <= names and not any(name.endswith("_trigram") for name in names)
