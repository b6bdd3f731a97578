"""The read API's views: one read-only viewset per kind of record, the schema and the docs page.

They live in `public.`, so the page cache (public/caching.py) keeps their answers under the dataset
version and answers conditional requests with 304, as for the pages. To keep every answer the same
for every reader they read no session or user (no authentication) and render JSON only (one
renderer, so no `Vary: Accept`). Each queryset starts from the pages' selectors, i.e. from
`published()` and `visible()`.
"""

from csp.constants import HEADER as CSP_HEADER
from csp.constants import SELF
from csp.utils import build_policy
from django.db.models import Prefetch, QuerySet
from django.http import Http404
from django.urls import reverse
from django.views.generic import TemplateView
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.renderers import OpenApiJsonRenderer
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from drf_spectacular.views import SpectacularAPIView
from rest_framework import viewsets
from rest_framework.decorators import api_view
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import PageNumberPagination
from rest_framework.request import Request
from rest_framework.response import Response

from companies.models import Company, Deal
from core.slugs import renamed_record
from public import company_selectors, source_selectors
from public.api import schema as _filter_limits  # noqa: F401 (registers the schema extension)
from public.api import serializers
from public.api.filters import ExcerptFilter, StoryFilter
from public.company_filters import CompanyFilter, DealFilter
from public.listing import LIST_PAGE_SIZE
from public.permanent_links import moved_to
from public.source_filters import SourceFilter
from sources.models import Excerpt, Source, Story, source_date_order

# Whatever follows /api/<kind>/ is looked up as a slug (the schema gives a slug's pattern), so an
# address with characters no slug has (a dot, an encoded slash) gets the API's JSON 404, not the
# site's HTML page.
ANY_SLUG = r"[\s\S]+"  # any character, a newline too


class ReaderPagination(PageNumberPagination):
    """Numbered pages, like the site's lists: every ordering ends on the primary key, so a record
    never moves between pages while the dataset version stays the same. A `page_size` that is not
    a number from 1 to 100 is refused (DRF would quietly use the default)."""

    page_size = LIST_PAGE_SIZE
    page_size_query_param = "page_size"
    max_page_size = 100

    def get_page_size(self, request: Request) -> int:
        asked = request.query_params.get(self.page_size_query_param)
        if asked is None:
            return self.page_size
        if not asked.isascii() or not asked.isdigit() or not 1 <= int(asked) <= self.max_page_size:
            raise ValidationError({self.page_size_query_param: [f"A whole number from 1 to {self.max_page_size}."]})
        return int(asked)

    def get_schema_operation_parameters(self, view) -> list[dict]:
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            parameter["schema"]["minimum"] = 1
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"]["maximum"] = self.max_page_size
        return parameters


def error_response(description: str, example: str) -> OpenApiResponse:
    detail = {"type": "string", "example": example}
    return OpenApiResponse(
        response={"type": "object", "properties": {"detail": detail}, "required": ["detail"]}, description=description
    )


INVALID_FILTER = OpenApiResponse(
    response={"type": "object", "additionalProperties": {"type": "array", "items": {"type": "string"}}},
    description="A filter value that is not valid: each field's messages.",
)
NOT_FOUND = error_response(
    "No published record with this slug, or no such page.", "No Company matches the given query."
)
THROTTLED = error_response(
    "Too many requests from this client: wait the seconds in Retry-After.", "Request was throttled."
)


def documented(serializer, *, plural: str, one: str):
    """The list and detail operations of a viewset, with every answer they can give."""
    return extend_schema_view(
        list=extend_schema(
            summary=f"Published {plural}",
            responses={200: serializer(many=True), 400: INVALID_FILTER, 404: NOT_FOUND, 429: THROTTLED},
        ),
        retrieve=extend_schema(
            summary=f"One published {one}", responses={200: serializer, 404: NOT_FOUND, 429: THROTTLED}
        ),
    )


class ReaderViewSet(viewsets.ReadOnlyModelViewSet):
    # No authentication, permission or renderer here: REST_FRAMEWORK in settings gives none, none
    # and JSON alone to every API view, this one and the schema's, and the per-client rate limit.
    filter_backends = (DjangoFilterBackend,)
    pagination_class = ReaderPagination
    lookup_field = "slug"
    lookup_value_regex = ANY_SLUG

    def retrieve(self, request: Request, *args, **kwargs) -> Response:
        try:
            return super().retrieve(request, *args, **kwargs)
        except Http404:
            # A former slug of a published record (renamed or merged, core/slugs.py): 301 to it.
            record = renamed_record(self.get_queryset(), slug=kwargs.get(self.lookup_field, ""))
            if record is None:
                raise
            return moved_to(request, reverse(f"api:{self.basename}-detail", kwargs={"slug": record.slug}))


@documented(serializers.CompanySerializer, plural="companies", one="company")
class CompanyViewSet(ReaderViewSet):
    """Published companies, by name (`ordering` as on /companies/), with their other names."""

    serializer_class = serializers.CompanySerializer
    filterset_class = CompanyFilter

    def get_queryset(self) -> QuerySet[Company]:
        return company_selectors.company_list().annotate(
            parent_slug=company_selectors.published_related("parent", "slug"),
            excerpt_count=source_selectors.published_excerpt_count("company"),
        )


@documented(serializers.DealSerializer, plural="deals", one="deal")
class DealViewSet(ReaderViewSet):
    """Published deals, newest first (`ordering` as on /deals/), each with its published parties."""

    serializer_class = serializers.DealSerializer
    filterset_class = DealFilter

    def get_queryset(self) -> QuerySet[Deal]:
        return company_selectors.deal_list().annotate(
            venture_slug=company_selectors.published_related("venture", "slug"),
            excerpt_count=source_selectors.published_excerpt_count("deal"),
        )


@extend_schema_view(
    list=extend_schema(
        summary="Published sources",
        responses={200: serializers.SourceSerializer(many=True), 400: INVALID_FILTER, 404: NOT_FOUND, 429: THROTTLED},
    ),
    retrieve=extend_schema(
        summary="One published source, with its full text",
        responses={200: serializers.SourceWithTextSerializer, 404: NOT_FOUND, 429: THROTTLED},
    ),
)
class SourceViewSet(ReaderViewSet):
    """Published sources, newest first (`ordering` as on /sources/); one source with its full text."""

    filterset_class = SourceFilter

    def get_serializer_class(self):
        return serializers.SourceWithTextSerializer if self.action == "retrieve" else serializers.SourceSerializer

    def get_queryset(self) -> QuerySet[Source]:
        sources = source_selectors.source_list()
        # The list leaves the (long) text out; one source's answer carries it.
        return sources.defer(None).defer("raw_html") if self.action == "retrieve" else sources


@documented(serializers.ExcerptSerializer, plural="excerpts", one="excerpt")
class ExcerptViewSet(ReaderViewSet):
    """Excerpts of published sources, with the published companies and deals each backs."""

    serializer_class = serializers.ExcerptSerializer
    filterset_class = ExcerptFilter

    def get_queryset(self) -> QuerySet[Excerpt]:
        return (
            Excerpt.objects.visible()
            .select_related("source")
            .only("slug", "quote", "start", "end", "stance", "claim", "note", "source__slug")  # not the text
            .prefetch_related(
                Prefetch("companies", queryset=Company.objects.published().only("slug").order_by("slug")),
                Prefetch("deals", queryset=Deal.objects.published().only("slug").order_by("slug")),
            )
            .order_by("source__slug", "start", "pk")
        )


@documented(serializers.StorySerializer, plural="stories", one="story")
class StoryViewSet(ReaderViewSet):
    """Stories (an original and its rewrites or copies) with at least one published version."""

    serializer_class = serializers.StorySerializer
    filterset_class = StoryFilter

    def get_queryset(self) -> QuerySet[Story]:
        versions = Source.objects.published().order_by(*source_date_order(newest_first=False)).only("slug", "story")
        return (
            Story.objects.visible()
            .prefetch_related(Prefetch("sources", queryset=versions, to_attr="published_versions"))
            .order_by("title", "pk")
        )


class SchemaView(SpectacularAPIView):
    """The OpenAPI 3 schema as JSON, here in `public.` so that the page cache keeps it like any
    reader's answer (one renderer: drf-spectacular's four would make it vary on Accept)."""

    renderer_classes = (OpenApiJsonRenderer,)


# Each endpoint's name in the root's answer and its router basename.
ENDPOINTS = {"companies": "company", "deals": "deal", "sources": "source", "excerpts": "excerpt", "stories": "story"}


@extend_schema(exclude=True)
@api_view(["GET"])
def api_root(request: Request) -> Response:
    """Where everything is: each endpoint, the schema and the docs."""
    names = {name: f"api:{basename}-list" for name, basename in ENDPOINTS.items()}
    names.update(schema="api:schema", docs="api:docs")
    return Response({name: request.build_absolute_uri(reverse(view)) for name, view in names.items()})


# What Swagger UI needs beyond the public policy: fetching the schema and trying calls on this site,
# and the icons its stylesheet carries as data: images. Nothing from another origin, nothing inline.
DOCS_POLICY_UPDATE = {"connect-src": [SELF], "img-src": [SELF, "data:"]}


class DocsView(TemplateView):
    """Swagger UI from this site's own static files (drf-spectacular-sidecar), started by a script
    of ours (static/api/docs.js). The policy header is written here rather than through django-csp's
    decorator, which marks the view's own response object: a copy from the page cache would not
    carry the mark, while a header is kept with the page (SiteCSPMiddleware leaves one it finds)."""

    template_name = "api/docs.html"

    def render_to_response(self, context: dict, **kwargs):
        response = super().render_to_response(context, **kwargs)
        response[CSP_HEADER] = build_policy(update=DOCS_POLICY_UPDATE)
        return response
