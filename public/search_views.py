"""The search page: `/search/?q=…` (the header's search box sends there)."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from public.search import MAX_QUERY_CHARS, RESULTS_ON_PAGE, search


@require_safe
def search_page(request: HttpRequest) -> HttpResponse:
    results = search(request.GET.get("q", ""), limit=RESULTS_ON_PAGE)
    context = {"results": results, "max_query_chars": MAX_QUERY_CHARS, "results_on_page": RESULTS_ON_PAGE}
    return render(request, "search.html", context)
