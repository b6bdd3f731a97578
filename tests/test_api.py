"""The read API under /api/ (public/api/): published records only, the pages' filters, stable pages,
the page cache's ETags, CORS, the rate limit, the schema and its docs page.

Schemathesis runs against the live API in tests/test_api_schemathesis.py; the query counts of the
API's answers are pinned with the pages' in tests/test_query_counts.py.
"""

import re

import pytest
from django.contrib.staticfiles import finders
from django.urls import reverse
from openapi_spec_validator import validate

from companies.models import Company, Deal, Participation
from core.editorial import EditorialState
from public.api.urls import router
from sources.models import Story
from tests.conftest import DRAFT, make_company, make_deal, make_excerpt, make_source
from tests.import_helpers import settings_from_environment

pytestmark = pytest.mark.django_db

Role = Participation.Role


def results(client, url: str) -> list[dict]:
    response = client.get(url)
    assert response.status_code == 200, (url, response.content[:300])
    return response.json()["results"]


def slugs(client, url: str) -> list[str]:
    return [record["slug"] for record in results(client, url)]


# -- published records only --------------------------------------------------------------------


@pytest.fixture
def drafts(xiaomi_world):
    """Beside the published world: a draft company that is a party of a published deal and is
    backed by a published excerpt, a draft deal, a draft source with an excerpt, and a story whose
    only version is that draft."""
    ghost = make_company(name="Ghost Motors", state=DRAFT)
    Participation.objects.create(deal=xiaomi_world.round_d, company=ghost, role=Role.INVESTOR)
    draft_deal = make_deal(
        title="Ghost Motors is bought", slug="ghost-bought", state=DRAFT, parties=[(ghost, Role.TARGET)]
    )
    published_text = xiaomi_world.source
    make_excerpt(source=published_text, quote="360 led", companies=[ghost], deals=[draft_deal], slug="ghost-link")
    story = Story.objects.create(slug="ghost-story", title="A story nobody may read yet")
    hidden = make_source(slug="ghost-source", text="Ghost Motors will build cars.", state=DRAFT, story=story)
    make_excerpt(source=hidden, quote="Ghost Motors will build cars.", slug="ghost-excerpt")
    return xiaomi_world


def test_lists_hold_published_records_only(client, drafts):
    assert slugs(client, "/api/companies/") == ["360", "hozon-auto", "xiaomi"]
    assert sorted(slugs(client, "/api/deals/")) == ["360-hozon", "xiaomi-sets-up-an-ev-subsidiary"]
    assert slugs(client, "/api/sources/") == ["a-source"]
    assert "ghost-excerpt" not in slugs(client, "/api/excerpts/")
    assert slugs(client, "/api/stories/") == []


def test_a_draft_is_never_nested_as_a_party_or_a_backed_record(client, drafts):
    round_d = client.get("/api/deals/360-hozon/").json()
    assert [party["company"]["slug"] for party in round_d["parties"]] == ["360", "hozon-auto"]
    link = client.get("/api/excerpts/ghost-link/").json()
    assert (link["companies"], link["deals"]) == ([], [])
    assert "Ghost" not in client.get("/api/deals/").text + client.get("/api/excerpts/").text


DRAFT_ADDRESSES = ("/api/companies/ghost-motors/", "/api/deals/ghost-bought/", "/api/sources/ghost-source/")


@pytest.mark.parametrize("url", [*DRAFT_ADDRESSES, "/api/excerpts/ghost-excerpt/", "/api/stories/ghost-story/"])
def test_a_draft_is_not_found_by_its_slug(client, drafts, url):
    response = client.get(url)
    assert response.status_code == 404 and response["Content-Type"] == "application/json"
    assert set(response.json()) == {"detail"}


def test_a_story_appears_once_a_version_is_published(client, drafts):
    Story.objects.get(slug="ghost-story").sources.update(editorial_state=EditorialState.PUBLISHED)
    assert client.get("/api/stories/ghost-story/").json()["sources"] == ["ghost-source"]


def test_a_record_says_what_backs_it_and_where_its_page_is(client, xiaomi_world):
    company = client.get("/api/companies/xiaomi/").json()
    assert (company["deal_count"], company["excerpt_count"]) == (1, 1)
    assert company["page_url"] == "http://testserver/companies/xiaomi/"
    source = client.get("/api/sources/a-source/").json()
    assert source["text"] == xiaomi_world.source.text and source["excerpt_count"] == 2
    assert "text" not in results(client, "/api/sources/")[0]  # lists leave the long text out
    quote = results(client, "/api/excerpts/?deal=360-hozon")[0]
    assert source["text"][quote["start"] : quote["end"]] == quote["quote"]


# -- the pages' filters, search and ordering ---------------------------------------------------


def test_filters_search_and_ordering_are_the_pages(client, xiaomi_world):
    assert slugs(client, "/api/companies/?q=xiao") == ["xiaomi"]
    assert slugs(client, "/api/companies/?kind=ev_startup") == ["hozon-auto"]
    assert slugs(client, "/api/companies/?ordering=-name") == ["xiaomi", "hozon-auto", "360"]
    assert slugs(client, "/api/deals/?company=hozon-auto") == ["360-hozon"]
    assert slugs(client, "/api/deals/?q=hozon&status=completed&kind=funding_round") == ["360-hozon"]
    assert slugs(client, "/api/deals/?ordering=title") == ["360-hozon", "xiaomi-sets-up-an-ev-subsidiary"]
    assert slugs(client, "/api/sources/?q=a+source") == ["a-source"]
    assert len(slugs(client, "/api/excerpts/?company=hozon-auto&stance=supports")) == 1


def test_a_bad_filter_value_is_a_400_naming_the_field(client, xiaomi_world):
    response = client.get("/api/deals/?year=soon&kind=nonsense")
    assert response.status_code == 400
    assert set(response.json()) == {"year", "kind"}


def test_pages_are_stable_and_cover_every_record_once(client, xiaomi_world):
    # 120 deals that tie on date and title order only by their slug (the pk-ended ordering).
    Deal.objects.bulk_create(
        Deal(
            title="Same title", slug=f"tie-{i:03d}", kind="partnership", status="announced", editorial_state="published"
        )
        for i in range(120)
    )
    walks = []
    for _ in range(2):
        seen, url = [], "/api/deals/?page_size=50&ordering=title"
        while url:
            page = client.get(url).json()
            seen += [deal["slug"] for deal in page["results"]]
            url = page["next"]
        walks.append(seen)
    assert walks[0] == walks[1] and len(walks[0]) == len(set(walks[0])) == 122
    assert client.get("/api/deals/?page=99").status_code == 404
    assert len(results(client, "/api/deals/?page_size=100")) == 100
    for refused in ("1000", "0", "ten"):  # at most 100 a page; DRF alone would quietly give 50
        assert client.get(f"/api/deals/?page_size={refused}").json() == {"page_size": ["A whole number from 1 to 100."]}


# -- caching, CORS, the rate limit ----------------------------------------------------------------


@pytest.fixture
def page_cache(settings):
    settings.PAGE_CACHE = True


def test_answers_are_kept_and_answer_conditional_requests(client, page_cache, xiaomi_world):
    first = client.get("/api/deals/")
    assert first["X-Page-Cache"] == "miss" and first["ETag"].startswith('W/"')
    again = client.get("/api/deals/")
    assert again["X-Page-Cache"] == "hit" and again.content == first.content
    assert client.get("/api/deals/", headers={"if-none-match": first["ETag"]}).status_code == 304
    for url in ("/api/", "/api/schema/", "/api/docs/", "/api/companies/xiaomi/"):
        client.get(url)
        assert client.get(url)["X-Page-Cache"] == "hit", url


def test_answers_are_the_same_for_everyone_no_cookie_no_vary_but_origin(
    client, page_cache, reviewer_client, xiaomi_world
):
    for url in ("/api/deals/", "/api/schema/", "/api/docs/"):
        reader, staff = client.get(url), reviewer_client.get(url)
        assert reader.content == staff.content and not reader.cookies and not staff.cookies, url
        assert reader["Vary"].lower() == "origin", url  # django-cors-headers', added outside the cache


def test_cors_is_open_for_get_on_the_api_only(client, page_cache, xiaomi_world):
    origin = {"origin": "https://newsroom.example"}
    for _ in ("miss", "hit"):
        response = client.get("/api/deals/", headers=origin)
        assert response["Access-Control-Allow-Origin"] == "*"
        assert "ETag" in response["Access-Control-Expose-Headers"]
    preflight = client.options("/api/deals/", headers={**origin, "access-control-request-method": "GET"})
    assert preflight["Access-Control-Allow-Methods"] == "GET, HEAD, OPTIONS"
    assert not client.get("/deals/", headers=origin).has_header("Access-Control-Allow-Origin")
    assert client.post("/api/deals/", headers=origin).status_code == 405


def test_too_many_requests_are_answered_429_with_retry_after(client, settings, xiaomi_world):
    settings.API_RATE = "2/min"  # the page cache is off (tests/conftest.py): every request is counted
    assert [client.get("/api/companies/").status_code for _ in range(2)] == [200, 200]
    refused = client.get("/api/deals/")
    assert refused.status_code == 429 and 0 < int(refused["Retry-After"]) <= 60
    other_client = client.get("/api/deals/", REMOTE_ADDR="10.0.0.9")
    assert other_client.status_code == 200
    forged = client.get("/api/deals/", headers={"x-forwarded-for": "10.9.9.9"})
    assert forged.status_code == 429  # DJANGO_API_PROXY_COUNT=0: the header is not believed


def test_kept_answers_are_served_without_counting(client, settings, page_cache, xiaomi_world):
    settings.API_RATE = "1/min"
    assert [client.get("/api/deals/").status_code for _ in range(3)] == [200, 200, 200]
    assert client.get("/api/companies/").status_code == 429  # a miss is counted


def test_rate_and_proxies_come_from_the_environment():
    shown = settings_from_environment(("API_RATE", "REST_FRAMEWORK['NUM_PROXIES']"), DJANGO_API_PROXY_COUNT="1")
    assert shown.stdout.split() == ["120/min", "1"], shown.stderr
    assert settings_from_environment(("API_RATE",), DJANGO_API_RATE="").stdout.strip() == ""
    refused = settings_from_environment(("API_RATE",), DJANGO_API_RATE="lots")
    assert refused.returncode != 0 and "DJANGO_API_RATE='lots'" in refused.stderr


# -- the schema and the docs -------------------------------------------------------------------


def test_the_schema_is_valid_openapi_3_and_documents_every_endpoint(client):
    response = client.get("/api/schema/")
    assert response["Content-Type"] == "application/vnd.oai.openapi+json"
    schema = response.json()
    validate(schema)  # openapi-spec-validator: raises on any error
    assert schema["openapi"].startswith("3.")
    documented = set(schema["paths"])
    for prefix, _, _ in router.registry:
        assert {f"/api/{prefix}/", f"/api/{prefix}/{{slug}}/"} <= documented
    deals = schema["paths"]["/api/deals/"]["get"]
    assert {"q", "kind", "status", "year", "company", "currency", "ordering", "page"} <= {
        parameter["name"] for parameter in deals["parameters"]
    }
    assert {"200", "400", "404", "429"} <= set(deals["responses"])
    year = next(parameter["schema"] for parameter in deals["parameters"] if parameter["name"] == "year")
    assert (year["type"], year["minimum"], year["maximum"]) == ("integer", 1900, 2100)  # the form's limits


def test_the_docs_page_loads_only_this_sites_files_under_the_csp(client):
    response = client.get(reverse("api:docs"))
    assert response.status_code == 200
    page = response.text
    scripts = re.findall(r"<script\b([^>]*)>", page)
    assert scripts and all(re.search(r'src="/static/[^"]+"', attributes) for attributes in scripts)
    assert all(href.startswith("/static/") for href in re.findall(r'<link[^>]+href="([^"]+)"', page))
    assert "<style" not in page and " style=" not in page and not re.search(r'(?:src|href)="(?:https?:)?//', page)
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "connect-src 'self'" in policy and "unsafe" not in policy
    for path in re.findall(r'(?:src|href)="/static/([^"]+)"', page):
        assert finders.find(path), path  # shipped: drf-spectacular-sidecar's files and ours


def test_the_root_lists_every_endpoint(client):
    links = client.get("/api/").json()
    assert set(links) == {"companies", "deals", "sources", "excerpts", "stories", "schema", "docs"}
    assert links["deals"] == "http://testserver/api/deals/"


def test_every_company_kind_is_a_documented_choice(client):
    schema = client.get("/api/schema/").json()
    assert set(schema["components"]["schemas"]["CompanyKindEnum"]["enum"]) == set(Company.Kind.values)
