"""The page cache and HTTP caching of everything the public app serves to readers: pages,
downloads, the feed, the sitemaps and robots.txt (not the admin, not /healthz).

A response is kept under the dataset version (core/changes.py), which every committed write to
curated data moves on, and the full address it answers (scheme, host, path and query string: pages
carry absolute links). The version lives in the database, so the first request after a publish, on
any worker of any instance, reads the new number, misses, and builds the page afresh: an old page
can linger in a cache, but nothing asks for it again. The same version gives the ETag and
Last-Modified, so a conditional request is answered 304 before any view runs, for one query.

The key and the ETag also carry the code's release (`code_release()`), so a deployment that
changes a template does not serve the old pages from a shared cache.

Only responses that are the same for every reader are kept or marked shareable: 200, no
Set-Cookie, no Vary. Public pages read no session, user or message, so staff see the very bytes
a reader sees (tests/test_page_cache.py checks it); a page that started to would simply stop being
cached. Streamed responses (large downloads) are not kept but get the same headers.
"""

import hashlib
import logging
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core.cache import caches
from django.http import HttpRequest, HttpResponse, HttpResponseBase, HttpResponseNotModified
from django.urls import Resolver404, resolve
from django.utils.http import http_date, parse_etags, parse_http_date_safe

from core.changes import ROW, DatasetVersion

logger = logging.getLogger(__name__)

# Where the views that serve readers live: this app, and Django's sitemap views (public/sitemaps.py).
READER_VIEW_MODULES = ("public.", "django.contrib.sitemaps.views")
# Larger responses are served but not kept: a cache entry has to be read whole on every hit.
MAX_KEPT_BYTES = 5 * 1024 * 1024
CODE_SUFFIXES = {".py", ".html", ".txt", ".xml", ".json"}

_release: str = ""


@dataclass(frozen=True, kw_only=True)
class Version:
    number: int
    changed_at: datetime | None


def current_version() -> Version:
    """The dataset version and when it last moved, in one query (as `dataset_version()` reads it)."""
    row = DatasetVersion.objects.filter(pk=ROW).values_list("number", "changed_at").first()
    return Version(number=row[0], changed_at=row[1]) if row else Version(number=0, changed_at=None)


def code_release() -> str:
    """DJANGO_PAGE_CACHE_RELEASE, or else a digest of the project's code and templates (and the
    static manifest), the same on every instance that runs the same checkout; read once a process."""
    global _release
    if not _release:
        _release = settings.PAGE_CACHE_RELEASE or _code_digest()
    return _release


def _code_digest() -> str:
    base = Path(settings.BASE_DIR)
    roots = {Path(config.path) for config in apps.get_app_configs() if Path(config.path).is_relative_to(base)}
    roots |= {base / "evtracker", *(Path(folder) for template in settings.TEMPLATES for folder in template["DIRS"])}
    files = sorted(path for root in roots for path in root.rglob("*") if path.suffix in CODE_SUFFIXES)
    manifest = Path(settings.STATIC_ROOT) / "staticfiles.json"
    digest = hashlib.sha256()
    for path in [*files, manifest] if manifest.is_file() else files:
        digest.update(str(path.relative_to(base)).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:12]


def serves_readers(request: HttpRequest) -> bool:
    """Whether the address is one the public app serves (found the way Django will find it)."""
    try:
        match = resolve(request.path_info, getattr(request, "urlconf", None))
    except Resolver404:
        return False
    if getattr(match.func, "page_cache_exempt", False):
        return False
    return getattr(match.func, "__module__", "").startswith(READER_VIEW_MODULES)


def page_cache_exempt(view):
    """Marks a public view that reads no curated data and is cheaper to build than to look up
    (robots.txt: the benchmark's trivial view, which must stay trivial)."""
    view.page_cache_exempt = True
    return view


def page_digest(request: HttpRequest) -> str:
    """Names the response to this address: the same for GET and HEAD."""
    address = f"{code_release()}\n{request.build_absolute_uri()}"
    return hashlib.sha256(address.encode()).hexdigest()


def etag(*, version: Version, digest: str) -> str:
    # Weak: the tag names the data version a page was built from, not a hash of its bytes, so a
    # proxy or CDN may compress the body without the tag lying (and no one asks for byte ranges).
    return f'W/"{version.number}-{digest[:20]}"'


def not_modified(request: HttpRequest, *, tag: str, version: Version) -> bool:
    """If-None-Match (weak comparison, RFC 9110) or, only when it is absent, If-Modified-Since."""
    if_none_match = request.META.get("HTTP_IF_NONE_MATCH")
    if if_none_match is not None:
        # "*" is not honoured: only a view knows whether the address exists at all.
        return tag.removeprefix("W/") in {given.removeprefix("W/") for given in parse_etags(if_none_match)}
    since = parse_http_date_safe(request.META.get("HTTP_IF_MODIFIED_SINCE", ""))
    return since is not None and version.changed_at is not None and int(version.changed_at.timestamp()) <= since


def shareable(response: HttpResponseBase) -> bool:
    """The same for every reader, so a cache (ours, a CDN's, a browser's) may keep it."""
    cache_control = response.get("Cache-Control", "")
    return (
        response.status_code == 200
        and not response.cookies
        and not response.has_header("Vary")
        and "private" not in cache_control
        and "no-store" not in cache_control
    )


def mark_cacheable(response: HttpResponseBase, *, tag: str, version: Version) -> None:
    response["ETag"] = tag
    if version.changed_at is not None:
        response["Last-Modified"] = http_date(version.changed_at.timestamp())
    response["Cache-Control"] = settings.PAGE_CACHE_CONTROL


def kept(response: HttpResponse) -> tuple[bytes, list[tuple[str, str]]]:
    """What is stored: the body and headers (not the response object, which carries the request's
    own attributes)."""
    return response.content, list(response.items())


def page_cache():
    return caches[settings.PAGE_CACHE_ALIAS]


def read_kept(key: str) -> HttpResponse | None:
    try:
        entry = page_cache().get(key)
    except Exception:  # a cache server that is down must not take the site down: build the page
        logger.warning("page cache unreadable; building the page", exc_info=True)
        return None
    if entry is None:
        return None
    content, headers = entry
    return HttpResponse(content, headers=dict(headers))


def keep(key: str, response: HttpResponse) -> None:
    try:
        page_cache().set(key, kept(response), settings.PAGE_CACHE_SECONDS)
    except Exception:  # as in read_kept: serve the page all the same
        logger.warning("page cache unwritable; page served but not kept", exc_info=True)


def without_body(response: HttpResponseBase) -> HttpResponseBase:
    """The answer to HEAD: the GET's status and headers (Content-Length included, as RFC 9110
    allows), no body; a streamed download is closed unread rather than sent."""
    if not response.streaming:
        response.content = b""
        return response
    response.close()
    empty = HttpResponse(status=response.status_code, headers=dict(response.items()))
    empty.content = b""
    return empty


class PublicPageCacheMiddleware:
    """Serves public addresses from the page cache, answers conditional requests with 304 and HEAD
    as the GET it asks about. Sits outside the session middleware: a page served from the cache
    loads no session, so it can neither set a cookie nor depend on who asks."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        if request.method not in ("GET", "HEAD") or not serves_readers(request):
            return self.get_response(request)
        head = request.method == "HEAD"
        # A view restricted to GET would refuse HEAD with 405; HEAD is that GET without its body.
        request.method = "GET"
        response = self.cached(request) if settings.PAGE_CACHE else self.get_response(request)
        request.method = "HEAD" if head else "GET"
        if head:
            return without_body(response)
        return response

    def cached(self, request: HttpRequest) -> HttpResponseBase:
        version = current_version()
        digest = page_digest(request)
        tag = etag(version=version, digest=digest)
        if not_modified(request, tag=tag, version=version):
            response = HttpResponseNotModified()
            mark_cacheable(response, tag=tag, version=version)
            return response
        key = f"page:{version.number}:{digest}"
        response = read_kept(key)
        state = "hit"
        if response is None:
            response = self.get_response(request)
            state = "miss"
            if not shareable(response):
                return response
            if not response.streaming and len(response.content) <= MAX_KEPT_BYTES:
                keep(key, response)
        mark_cacheable(response, tag=tag, version=version)
        response["X-Page-Cache"] = state
        return response
