"""Site-wide public pages: the home page and robots.txt."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_safe

from companies.models import Deal
from public import company_selectors as selectors
from public import rows
from public.caching import page_cache_exempt
from public.charts import timeline_chart

TECH_COMPANIES_ON_HOME = 30
LATEST_DEALS_ON_HOME = 8


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    headline = selectors.headline_numbers()
    tech = selectors.tech_companies_by_first_move(limit=TECH_COMPANIES_ON_HOME)
    timeline = timeline_chart(selectors.deal_counts_by_quarter(), Deal.Kind.choices)
    dated = sum(row.total for row in timeline.rows) if timeline else 0
    context = {
        "headline": headline,
        "money": rows.money_items(headline.money),
        "timeline": timeline,
        "undated_deals": headline.deals - dated,
        "tech_companies": tech.movers,
        "tech_company_rows": rows.first_move_rows(tech.movers),
        # Named plainly under the table, not as rows of it: they have no move to show yet.
        "mentioned_tech_companies": rows.company_links(tech.mentioned[:TECH_COMPANIES_ON_HOME]),
        "mentioned_not_named": max(len(tech.mentioned) - TECH_COMPANIES_ON_HOME, 0),
        "tech_shown": len(tech.movers) + min(len(tech.mentioned), TECH_COMPANIES_ON_HOME),
        "latest_deals": rows.deal_items(selectors.latest_deals(limit=LATEST_DEALS_ON_HOME)),
    }
    return render(request, "home.html", context)


@require_safe
@page_cache_exempt
def robots_txt(request: HttpRequest) -> HttpResponse:
    lines = [
        "User-agent: *",
        "Disallow: /admin/",
        f"Sitemap: {request.build_absolute_uri(reverse('sitemap'))}",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")
