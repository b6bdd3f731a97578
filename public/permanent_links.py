"""Old addresses keep working: a detail page or API answer asked for by a former slug of a
published record (renamed, or merged into another: core/slugs.py) answers 301 with its address now.

The lookup runs only once the slug found no published record, so a live slug always wins and the
pages' query counts are unchanged; a former slug of a record that is not published stays a 404.
"""

from django.http import Http404, HttpRequest, HttpResponsePermanentRedirect

from core.slugs import renamed_record


def moved_to(request: HttpRequest, address: str) -> HttpResponsePermanentRedirect:
    """The permanent redirect to `address`, with the request's query string (a page number)."""
    query = request.META.get("QUERY_STRING", "")
    return HttpResponsePermanentRedirect(f"{address}?{query}" if query else address)


class FormerSlugRedirectMixin:
    """For a DetailView looked up by slug: a former slug of a published record redirects to it."""

    def get(self, request: HttpRequest, *args, **kwargs):
        try:
            return super().get(request, *args, **kwargs)
        except Http404:
            record = renamed_record(self.model.objects.published(), slug=kwargs.get("slug", ""))
            if record is None:
                raise
            return moved_to(request, record.get_absolute_url())
