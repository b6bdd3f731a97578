"""/sitemap.xml: an index of sitemaps of the public pages and every published company, deal and
source. Each section is split into pages of SITEMAP_PAGE_SIZE addresses, so no single response
has to render tens of thousands of them (the protocol allows 50,000 a file)."""

import datetime

from django.contrib.sitemaps import Sitemap
from django.db.models import Max
from django.urls import reverse

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
