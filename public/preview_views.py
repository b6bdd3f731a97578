"""Staff's preview of a record not yet published, as readers will see it.

The public detail view itself builds the page, inside a transaction that is always rolled back, in
which the record (and, for a deal or company, the records in review that “Publish this deal with
what it depends on” would publish with it) is marked published: the same selectors, the same
templates, nothing written. The changes send no signals and never commit, so the dataset version
does not move and no reader's request sees them. The page carries a banner, `Cache-Control:
private, no-store`, `X-Robots-Tag: noindex` and a robots meta tag; its views are exempt from the
page cache (public/caching.py), which neither serves nor keeps them. Anyone but staff who may view
the record gets 404, as for a page that does not exist.
"""

from dataclasses import dataclass

from django.db import transaction
from django.db.models.functions import Coalesce
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.views.decorators.http import require_safe

from companies.models import Company, Deal
from core.editorial import Curated, EditorialState, state_label
from public.caching import page_cache_exempt
from public.company_views import CompanyDetailView, DealDetailView
from public.source_views import SourceDetailView
from sources.models import Excerpt, Source
from sources.review import deal_dependencies


@dataclass(frozen=True)
class PreviewNote:
    """What the banner says: the record's state and what is shown as published beside it."""

    state: str
    shown_with: list[str]


def may_preview(user, model: type[Curated]) -> bool:
    return user.is_active and user.is_staff and user.has_perm(f"{model._meta.app_label}.view_{model._meta.model_name}")


def shown_with(record: Curated) -> list[Curated]:
    """The records in review shown as published beside `record`: for a deal, what the one action
    of the review queue publishes with it; for a company, the sources in review that support it."""
    if isinstance(record, Deal):
        needed = deal_dependencies(record)
        return [*needed.sources, *needed.companies]
    if isinstance(record, Company):
        supporting = Excerpt.objects.filter(companies=record, stance=Excerpt.Stance.SUPPORTS).values("source")
        return list(Source.objects.filter(pk__in=supporting, editorial_state=EditorialState.IN_REVIEW))
    return []


def publish_for_this_request(records: list[Curated]) -> None:
    """Mark `records` published inside the current (rolled-back) transaction: an UPDATE, with no
    save(), no history and no signal."""
    now = timezone.now()
    for record in records:
        type(record).objects.filter(pk=record.pk).update(
            editorial_state=EditorialState.PUBLISHED,
            first_published_at=Coalesce("first_published_at", now),
            last_published_at=now,
        )


def preview(request: HttpRequest, *, model: type[Curated], view_class, slug: str) -> HttpResponse:
    if not may_preview(request.user, model):
        raise Http404
    record = get_object_or_404(model, slug=slug)
    if record.is_published:
        return HttpResponseRedirect(record.get_absolute_url())
    with transaction.atomic():
        others = shown_with(record)
        note = PreviewNote(
            state=state_label(record.editorial_state),
            shown_with=[f"the {state_label(o.editorial_state)} {o._meta.verbose_name} “{o}”" for o in others],
        )
        publish_for_this_request([record, *others])
        response = view_class.as_view(extra_context={"preview": note})(request, slug=slug)
        response.render()  # inside the transaction: the page is built from the previewed state
        transaction.set_rollback(True)
    response["Cache-Control"] = "private, no-store"
    response["X-Robots-Tag"] = "noindex"
    return response


def _preview_view(model: type[Curated], view_class):
    @page_cache_exempt
    @require_safe
    def view(request: HttpRequest, slug: str) -> HttpResponse:
        return preview(request, model=model, view_class=view_class, slug=slug)

    view.__name__ = f"preview_{model._meta.model_name}"
    return view


preview_company = _preview_view(Company, CompanyDetailView)
preview_deal = _preview_view(Deal, DealDetailView)
preview_source = _preview_view(Source, SourceDetailView)
