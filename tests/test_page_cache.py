"""The page cache and HTTP caching of public pages (public/caching.py).

The suite runs with the page cache off (tests/conftest.py); these tests turn it on. The tests of
writes run in transactions that really commit (`transaction=True`), because the dataset version
moves only on commit: what they show is what a reader's next request sees.
"""

import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import tablib
from django.core.cache import caches
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from companies.models import Company, Deal
from companies.resources import DealResource
from core.changes import dataset_version, version_bump
from core.editorial import EditorialState
from dataio.resources import import_dataset
from sources.models import Story
from tests.conftest import logged_in, make_backed_deal, make_company, make_staff
from tests.import_helpers import admin_url, confirm, upload

ROOT = Path(__file__).resolve().parent.parent
IN_REVIEW = EditorialState.IN_REVIEW
DEAL_TITLE = "Xiaomi sets up an EV subsidiary"
# A page of each kind, for the checks that need a handful rather than every address.
PAGES = ["/", "/companies/", "/companies/xiaomi/", "/deals/", "/sources/a-source/", "/feeds/deals/", "/data/deals.csv"]


@pytest.fixture
def page_cache(settings):
    settings.PAGE_CACHE = True


@pytest.fixture
def two_instances(settings, page_cache):
    """Two app servers, each with a page cache of its own memory (DJANGO_CACHE=local) and one
    database; `serve(client, name, url)` sends a request to one of them."""
    settings.CACHES = {
        **settings.CACHES,
        "instance_a": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "a"},
        "instance_b": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "b"},
    }

    def serve(client, name: str, url: str):
        settings.PAGE_CACHE_ALIAS = f"instance_{name}"
        return client.get(url)

    yield serve
    for name in ("instance_a", "instance_b"):
        caches[name].clear()


def body(response) -> bytes:
    """The bytes a reader receives, streamed (a large download) or not."""
    return b"".join(response.streaming_content) if response.streaming else response.content


def warm(client, url: str) -> str:
    """Fetch `url` twice, so that the second answer comes from the cache; its text."""
    client.get(url)
    response = client.get(url)
    assert response["X-Page-Cache"] == "hit"
    return response.text


# -- a change is on the very next request ----------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_a_publish_through_the_admin_shows_on_the_next_request_on_every_instance(client, two_instances):
    deal = make_backed_deal(state=IN_REVIEW)
    for instance in ("a", "b"):
        two_instances(client, instance, "/deals/")
        assert DEAL_TITLE not in two_instances(client, instance, "/deals/").text
        assert two_instances(client, instance, "/deals/")["X-Page-Cache"] == "hit"
    reviewer = logged_in(make_staff(username="reviewer", group="Reviewers"))
    reviewer.post(admin_url(Deal, "changelist"), {"action": "publish", "_selected_action": [deal.pk]})
    assert Deal.objects.get().editorial_state == EditorialState.PUBLISHED
    for instance in ("a", "b"):  # b's memory still holds the old page, under the old version
        response = two_instances(client, instance, "/deals/")
        assert (response["X-Page-Cache"], DEAL_TITLE in response.text) == ("miss", True)
    assert client.get(deal.get_absolute_url()).status_code == 200


@pytest.mark.django_db(transaction=True)
def test_an_admin_import_shows_on_the_next_request(client, page_cache):
    make_backed_deal()
    superuser = logged_in(make_staff(username="boss", is_superuser=True))
    assert "Makes phones and now cars." not in warm(client, "/companies/xiaomi/")
    csv = b"slug,name,kind,editorial_state,summary\nxiaomi,Xiaomi,tech,published,Makes phones and now cars.\n"
    confirm(superuser, Company, upload(superuser, Company, "companies.csv", content=csv))
    assert Company.objects.get(slug="xiaomi").summary == "Makes phones and now cars."
    assert "Makes phones and now cars." in client.get("/companies/xiaomi/").text


@pytest.mark.django_db(transaction=True)
def test_a_bulk_import_shows_on_the_next_request(client, page_cache):
    deal = make_backed_deal()
    assert "A renamed subsidiary" not in warm(client, "/deals/")
    dataset = tablib.Dataset(
        [deal.slug, "A renamed subsidiary", deal.kind, deal.status, "published"],
        headers=["slug", "title", "kind", "status", "editorial_state"],
    )
    report = import_dataset(DealResource(), dataset, name="deals.csv")
    assert (report.errors, report.updated) == ([], 1)
    assert "A renamed subsidiary" in client.get("/deals/").text


@pytest.mark.django_db(transaction=True)
def test_a_history_revert_shows_on_the_next_request(client, page_cache):
    make_backed_deal()
    company = Company.objects.get(slug="xiaomi")
    company.summary = "First text."
    company.save()
    first = company.history.latest()
    company.summary = "Second text."
    company.save()
    assert "Second text." in warm(client, "/companies/xiaomi/")
    superuser = logged_in(make_staff(username="boss", is_superuser=True))
    url = reverse("admin:companies_company_simple_history", args=[company.pk, first.history_id])
    form = superuser.get(url).context["adminform"].form
    data = {name: value for name, value in form.initial.items() if value is not None}
    data.update({"aliases-TOTAL_FORMS": "0", "aliases-INITIAL_FORMS": "0", "parent": ""})
    assert superuser.post(url, data).status_code == 302
    assert "First text." in client.get("/companies/xiaomi/").text


# -- what is kept, and what it costs ---------------------------------------------------------


@pytest.mark.django_db
def test_a_kept_page_costs_one_query_and_a_miss_one_more_than_the_view(
    client, page_cache, xiaomi_world, django_assert_num_queries
):
    first = client.get("/companies/")
    assert first["X-Page-Cache"] == "miss"
    with django_assert_num_queries(1):  # the dataset version
        second = client.get("/companies/")
    assert (second["X-Page-Cache"], second.content) == ("hit", first.content)


@pytest.mark.django_db
def test_each_address_is_kept_apart_query_string_and_host_included(client, settings, page_cache, xiaomi_world):
    settings.ALLOWED_HOSTS = ["testserver", "localhost"]
    assert client.get("/deals/")["X-Page-Cache"] == "miss"
    assert client.get("/deals/?kind=funding_round")["X-Page-Cache"] == "miss"
    assert "360 leads" in client.get("/deals/?kind=funding_round").text
    assert "Xiaomi sets up" not in client.get("/deals/?kind=funding_round").text
    assert client.get("/sitemap.xml")["X-Page-Cache"] == "miss"
    other_host = client.get("/sitemap.xml", HTTP_HOST="localhost")
    assert other_host["X-Page-Cache"] == "miss"
    assert "http://localhost/sitemap-" in other_host.text


@pytest.mark.django_db
def test_only_answers_for_everyone_are_kept(client, page_cache, xiaomi_world):
    assert client.get("/companies/no-such-company/").status_code == 404
    missing = client.get("/companies/no-such-company/")
    assert missing.status_code == 404 and not missing.has_header("X-Page-Cache")
    assert not missing.has_header("ETag") and not missing.has_header("Cache-Control")
    assert client.post("/companies/").status_code == 405
    admin = client.get("/admin/login/")
    assert not admin.has_header("ETag") and not admin.has_header("X-Page-Cache")
    assert not client.get("/healthz").has_header("ETag")


@pytest.mark.django_db
def test_page_cache_off_builds_every_page_and_sends_no_validators(client, settings, xiaomi_world):
    settings.PAGE_CACHE = False
    response = client.get("/companies/")
    assert response.status_code == 200
    assert not {"ETag", "Last-Modified", "X-Page-Cache"} & set(response.headers)
    assert client.head("/").status_code == 200  # HEAD is still answered


# -- HTTP caching -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_conditional_requests_are_answered_304_without_running_the_view(
    client, page_cache, xiaomi_world, django_assert_num_queries
):
    version_bump()  # the set-up's writes, committed: the version has a time
    first = client.get("/companies/xiaomi/")
    tag, modified = first["ETag"], first["Last-Modified"]
    assert tag.startswith('W/"') and first["Cache-Control"] == "public, max-age=60, stale-while-revalidate=300"
    with django_assert_num_queries(2):  # the dataset version, once a request, and no view
        for method in (client.get, client.head):
            response = method("/companies/xiaomi/", HTTP_IF_NONE_MATCH=f'"other", {tag}')
            assert (response.status_code, response.content, response["ETag"]) == (304, b"", tag)
    assert client.get("/companies/xiaomi/", HTTP_IF_MODIFIED_SINCE=modified).status_code == 304
    # A tag that is not the current one wins over a date that is: If-None-Match decides.
    assert (
        client.get("/companies/xiaomi/", HTTP_IF_NONE_MATCH='W/"0-x"', HTTP_IF_MODIFIED_SINCE=modified).status_code
        == 200
    )
    assert client.get("/companies/", HTTP_IF_NONE_MATCH=tag).status_code == 200  # each address its own tag


@pytest.mark.django_db
def test_a_change_gives_a_new_etag_and_the_old_one_no_longer_matches(client, page_cache, xiaomi_world):
    version_bump()  # the set-up's writes, committed
    tag = client.get("/companies/")["ETag"]
    assert client.get("/companies/", HTTP_IF_NONE_MATCH=tag).status_code == 304
    make_company(name="Nio")
    version_bump()  # what the commit of that save runs
    response = client.get("/companies/", HTTP_IF_NONE_MATCH=tag)
    assert response.status_code == 200 and response["ETag"] != tag
    assert f'W/"{dataset_version()}-' in response["ETag"] and "Nio" in response.text


@pytest.mark.django_db
def test_staff_and_readers_get_the_same_bytes_and_no_cookie(client, settings, xiaomi_world):
    staff = logged_in(make_staff(username="reviewer", group="Reviewers"))
    for cache_on in (False, True):
        settings.PAGE_CACHE = cache_on
        for url in PAGES:
            caches["pages"].clear()
            built_for_staff = staff.get(url)  # with the cache on, readers get this one
            for_reader = client.get(url)
            assert body(built_for_staff) == body(for_reader), url
            for response in (built_for_staff, for_reader):
                assert response.status_code == 200 and not response.cookies, url
                assert "Cookie" not in response.get("Vary", ""), url
                assert not response.has_header("Vary"), url


# -- HEAD on every public address ------------------------------------------------------------

# The arguments of each public address that takes some. A new public address must be added here.
SAMPLE_ARGUMENTS = {
    "companies:company_detail": {"slug": "xiaomi"},
    "companies:deal_detail": {"slug": "xiaomi-sets-up-an-ev-subsidiary"},
    "sources:source_detail": {"slug": "a-source"},
    "downloads:table_csv": {"name": "deals"},
    "downloads:table_csv_plain": {"name": "deals"},
    "downloads:table_json": {"name": "deals"},
    "sitemap_section": {"section": "companies"},
    "api:company-detail": {"slug": "xiaomi"},
    "api:deal-detail": {"slug": "xiaomi-sets-up-an-ev-subsidiary"},
    "api:source-detail": {"slug": "a-source"},
    "api:excerpt-detail": {"slug": "a-source-0"},
    "api:story-detail": {"slug": "a-story"},  # the walk's story, made below
}
NOT_PUBLIC = ("admin/", "healthz", "preview/")  # staff's previews: tests/test_preview.py


def public_url_names(patterns=None, *, namespace: str = "") -> list[str]:
    """Every named address of the site's URL configuration, less the admin and /healthz."""
    names = []
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if str(pattern.pattern).startswith(NOT_PUBLIC):
            continue
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            names += public_url_names(pattern.url_patterns, namespace=inner)
        elif isinstance(pattern, URLPattern):
            names.append(namespace + pattern.name)
    return names


def test_the_walk_finds_every_kind_of_public_address():
    names = set(public_url_names())
    assert {"home", "robots_txt", "sitemap", "sitemap_section", "companies:deal_feed", "downloads:table_csv"} <= names
    assert not any(name.startswith("admin:") or name == "healthz" for name in names)


@pytest.mark.django_db
@pytest.mark.parametrize("cache_on", [True, False], ids=["cache-on", "cache-off"])
def test_head_is_answered_on_every_public_address(client, settings, xiaomi_world, cache_on):
    settings.PAGE_CACHE = cache_on
    Story.objects.create(slug="a-story", title="A story").sources.add(xiaomi_world.source)  # for /api/stories/…
    for name in public_url_names():
        url = reverse(name, kwargs=SAMPLE_ARGUMENTS.get(name))
        get = client.get(url)
        head = client.head(url)
        assert (get.status_code, head.status_code, body(head)) == (200, 200, b""), url
        assert head["Content-Type"] == get["Content-Type"], url
        if cache_on and name != "robots_txt":
            assert head["ETag"] == get["ETag"] and head["Cache-Control"], url


@pytest.mark.django_db
def test_robots_txt_stays_trivial_built_without_a_query_and_not_cached(client, page_cache, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/robots.txt")
    assert response.status_code == 200 and "Sitemap: http://testserver/sitemap.xml" in response.text
    assert not response.has_header("X-Page-Cache") and not response.has_header("ETag")


@pytest.fixture
def redis_url(tmp_path):
    """A throwaway Redis server on 127.0.0.1 (Debian's redis-server), stopped after the test."""
    server = shutil.which("redis-server")
    if not server:
        pytest.skip("redis-server is not installed (apt-get install redis-server)")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = subprocess.Popen(
        [
            server,
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(tmp_path),
        ],
        stdout=subprocess.DEVNULL,
    )
    try:
        for _ in range(50):
            with socket.socket() as attempt:
                if attempt.connect_ex(("127.0.0.1", port)) == 0:
                    break
            time.sleep(0.1)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.mark.django_db
def test_instances_share_pages_through_redis(client, settings, page_cache, xiaomi_world, redis_url):
    settings.CACHES = {
        **settings.CACHES,
        "pages": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": redis_url, "KEY_PREFIX": "p"},
    }
    assert client.get("/deals/")["X-Page-Cache"] == "miss"
    assert client.get("/deals/")["X-Page-Cache"] == "hit"
    caches.close_all()  # another process: nothing of this one's but the Redis server
    make_company(name="Nio")
    version_bump()
    response = client.get("/companies/")
    assert (response["X-Page-Cache"], "Nio" in response.text) == ("miss", True)


# -- settings ---------------------------------------------------------------------------------


def settings_of(code: str, **env: str) -> subprocess.CompletedProcess:
    clean = {key: value for key, value in os.environ.items() if not key.startswith(("DJANGO_", "DATABASE_URL"))}
    clean.update({"DJANGO_SETTINGS_MODULE": "evtracker.settings", "DJANGO_ENV_FILE": "", "DJANGO_DEBUG": "1", **env})
    script = f"import django; django.setup(); from django.conf import settings; print(repr(({code})))"
    return subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=clean, capture_output=True, text=True, timeout=60
    )


def test_a_redis_url_uses_djangos_redis_cache_for_both_caches():
    code = "[(c['BACKEND'], c['LOCATION'], c['KEY_PREFIX']) for c in settings.CACHES.values()]"
    result = settings_of(code, DJANGO_CACHE="redis://cache.internal:6379/1")
    assert result.returncode == 0, result.stderr
    backend = "django.core.cache.backends.redis.RedisCache"
    url = "redis://cache.internal:6379/1"
    assert result.stdout.strip() == str([(backend, url, "evtracker_cache"), (backend, url, "evtracker_page_cache")])


def test_page_cache_settings_come_from_the_environment():
    code = "settings.PAGE_CACHE, settings.PAGE_CACHE_CONTROL, settings.CACHES['pages']['OPTIONS']"
    result = settings_of(code, DJANGO_PAGE_CACHE="0", DJANGO_PAGE_CACHE_CONTROL="public, no-cache")
    assert result.stdout.strip() == "(False, 'public, no-cache', {'MAX_ENTRIES': 2000})", result.stderr
    refused = settings_of("1", DJANGO_CACHE="memcached://x")
    assert "DJANGO_CACHE='memcached://x': use local, database or a redis:// URL." in refused.stderr


@pytest.mark.django_db
def test_head_on_a_streamed_download_sends_its_headers_and_no_body(client, settings, xiaomi_world, tmp_path):
    settings.DOWNLOAD_CACHE_DIR = str(tmp_path)
    get = client.get("/data/deals.csv")
    assert get.streaming  # served from the per-version file
    head = client.head("/data/deals.csv")
    assert head.status_code == 200 and not head.streaming and head.content == b""
    assert head["Content-Length"] == str(len(b"".join(get.streaming_content)))
