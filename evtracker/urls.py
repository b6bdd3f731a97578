from django.contrib import admin
from django.contrib.sitemaps import views as sitemaps
from django.urls import include, path

from evtracker.health import healthz
from ingest import admin_views as ingest_views
from public import home as views
from public.search_views import search_page
from public.sitemaps import SITEMAPS, section_xml
from sources import review_views

admin.site.site_header = "EV Entry Tracker — editors"
admin.site.site_title = "EV Entry Tracker admin"
admin.site.index_title = "Curate companies, deals and sources"

urlpatterns = [
    path("", views.home, name="home"),
    path("", include("public.company_urls")),
    path("", include("public.source_urls")),
    path("", include("public.downloads.urls")),
    path("search/", search_page, name="search"),
    # Staff's previews of drafts (public/preview_views.py): never cached, never indexed.
    path("preview/", include("public.preview_urls")),
    path("api/", include("public.api.urls")),
    path("sitemap.xml", sitemaps.index, {"sitemaps": SITEMAPS, "sitemap_url_name": "sitemap_section"}, name="sitemap"),
    path("sitemap-<slug:section>.xml", section_xml, name="sitemap_section"),
    path("robots.txt", views.robots_txt, name="robots_txt"),
    # The article assistant's pages, inside the admin (its login, its Content-Security-Policy).
    path("admin/ingest/analyse/", admin.site.admin_view(ingest_views.analyse), name="ingest_analyse"),
    path("admin/ingest/analyse/<slug:sha256>/", admin.site.admin_view(ingest_views.review), name="ingest_review"),
    # The reviewers' queue, inside the admin like the assistant (sources/review_views.py).
    path("admin/review/", admin.site.admin_view(review_views.queue), name="review_queue"),
    path(
        "admin/review/deals/<int:pk>/publish/",
        admin.site.admin_view(review_views.publish_deal),
        name="review_publish_deal",
    ),
    path("admin/", admin.site.urls),
    path("healthz", healthz, name="healthz"),
]

# The site's 500 page, or its 503 page when what failed is the database (evtracker/unavailable.py).
handler500 = "evtracker.unavailable.server_error"
