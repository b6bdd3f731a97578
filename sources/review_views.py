"""The reviewers' admin page: the review queue (sources/review.py) and its one action."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.views.decorators.http import require_POST

from companies.models import Company, Deal
from core.editorial import EditorialRefusal, can_publish
from sources.models import Source
from sources.review import deal_publish_with_dependencies, review_queue


def may_review(user) -> bool:
    """The queue is the reviewers': whoever may publish any kind of record (the Reviewers group)."""
    return any(can_publish(user, model) for model in (Deal, Company, Source))


def queue(request: HttpRequest) -> HttpResponse:
    if not may_review(request.user):
        raise PermissionDenied
    groups = review_queue()
    context = {
        **admin.site.each_context(request),
        "title": "Review queue",
        "groups": groups,
        "waiting": len({(type(e.record), e.record.pk) for group in groups for e in group.entries}),
    }
    return TemplateResponse(request, "admin/review_queue.html", context)


@require_POST
def publish_deal(request: HttpRequest, pk: int) -> HttpResponse:
    """“Publish this deal with what it depends on”: all of it or, with a message per refusal, none."""
    if not may_review(request.user):
        raise PermissionDenied
    deal = get_object_or_404(Deal, pk=pk)
    try:
        published = deal_publish_with_dependencies(deal=deal, user=request.user)
    except EditorialRefusal as refusal:
        messages.error(request, f"Nothing was published: the deal “{deal}” and what it depends on go together.")
        for problem in refusal.problems:
            messages.error(request, problem)
    else:
        names = "; ".join(f"{record._meta.verbose_name} “{record}”" for record in published)
        messages.success(request, f"Published: {names}.")
    return HttpResponseRedirect(reverse("review_queue"))
