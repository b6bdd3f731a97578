"""/sitemap.xml: an index of sitemaps of the public pages and every published company, deal and
source. Each section is split into pages of SITEMAP_PAGE_SIZE addresses, so no single response
has to render tens of thousands of them (the protocol allows 50,000 a file).

A section's page is written by `section_xml` rather than Django's sitemap view: its template
resolved five variables and a filter per address, two thirds of a 5,000-address page's time.
"""

import datetime
from html import escape

from django.contrib.sitemaps import Sitemap
from django.contrib.sitemaps.views import x_robots_tag
from django.contrib.sites.shortcuts import get_current_site
from django.core.paginator import EmptyPage, PageNotAnInteger
from django.db.models import Max
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.http import http_date
from django.views.decorators.http import require_safe

from companies.models import Company, Deal
from public.downloads.tables import page_urls
from sources.models import Source


class PublicPagesSitemap(Sitemap):
    changefreq = "daily"

    def items(self) -> list[str]:
        return ["home", "companies:company_list", "companies:deal_list", "sources:source_list", "downloads:data"]

    def location(self, name: str) -> str:
        return reverse(name)


SITEMAP_PAGE_SIZE = 5000


class PublishedSitemap(Sitemap):
    """Every published record of `model` and its last curated change: when the version now public
    was published (read as plain values: a sitemap lists tens of thousands of records)."""

    model = None
    view_name = ""
    limit = SITEMAP_PAGE_SIZE

    def items(self):
        return self.model.objects.published().order_by("pk").values("slug", "last_published_at")

    def location(self, record: dict) -> str:
        if not hasattr(self, "_page_url"):
            self._page_url = page_urls("", self.view_name)
        return self._page_url(record["slug"])

    def lastmod(self, record: dict) -> datetime.datetime | None:
        # Not `updated_at`: loading rows (seeds on a fresh database) is no change to the page.
        return record["last_published_at"]

    def get_latest_lastmod(self) -> datetime.datetime | None:
        # Django's default reads every record to find the latest; one aggregate does.
        return self.model.objects.published().aggregate(latest=Max("last_published_at"))["latest"]


class CompanySitemap(PublishedSitemap):
    model = Company
    view_name = "companies:company_detail"


class DealSitemap(PublishedSitemap):
    model = Deal
    view_name = "companies:deal_detail"


class SourceSitemap(PublishedSitemap):
    model = Source
    view_name = "sources:source_detail"


SITEMAPS = {
    "pages": PublicPagesSitemap,
    "companies": CompanySitemap,
    "deals": DealSitemap,
    "sources": SourceSitemap,
}


URLSET_OPEN = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:xhtml="http://www.w3.org/1999/xhtml">\n'
)


@x_robots_tag  # as Django's sitemap view: the sitemap itself is not a page to index
@require_safe
def section_xml(request: HttpRequest, section: str) -> HttpResponse:
    """One page (`?p=`) of a section: the addresses Django's sitemap view would list, each with
    its last change and change frequency; Last-Modified is the latest change on the page."""
    if section not in SITEMAPS:
        raise Http404(f"No sitemap section “{section}”.")
    sitemap = SITEMAPS[section]()
    try:
        items = sitemap.paginator.page(request.GET.get("p", 1)).object_list
    except (EmptyPage, PageNotAnInteger):
        raise Http404("No such page of this sitemap.") from None
    site = f"{request.scheme}://{get_current_site(request).domain}"
    changes = [sitemap.lastmod(item) for item in items] if hasattr(sitemap, "lastmod") else []
    frequency = f"<changefreq>{escape(sitemap.changefreq)}</changefreq>" if getattr(sitemap, "changefreq", None) else ""
    entries = []
    for index, item in enumerate(items):
        changed = changes[index] if changes else None
        lastmod = f"<lastmod>{_day(changed)}</lastmod>" if changed else ""
        entries.append(f"<url><loc>{escape(site + sitemap.location(item))}</loc>{lastmod}{frequency}</url>")
    response = HttpResponse(URLSET_OPEN + "".join(entries) + "\n</urlset>\n", content_type="application/xml")
    if changes and all(changes):
        response["Last-Modified"] = http_date(max(changes).timestamp())
    return response


def _day(moment: datetime.datetime | datetime.date) -> str:
    """The day of a change, in the site's time zone, as the sitemap template's `date:"Y-m-d"` wrote it."""
    if isinstance(moment, datetime.datetime) and timezone.is_aware(moment):
        moment = timezone.localtime(moment)
    return moment.strftime("%Y-%m-%d")
