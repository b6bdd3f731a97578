"""The admin's "Merge selected …" action on the company and deal lists: a page to pick the record
to keep and see what moves, then the merge (companies/merge.py) in one transaction."""

from django.contrib import messages
from django.contrib.admin import helpers
from django.http import HttpRequest, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse

from companies.merge import MergeRefused, merge_permission
from core.editorial import EditorialState

# A merge page lists what moves for every record merged: a handful of duplicates, not a list.
MOST_MERGED_AT_ONCE = 10


def default_keep(records: list) -> object:
    """The record offered to keep first: a published one (its page stays), else the oldest."""
    return min(records, key=lambda record: (record.editorial_state != EditorialState.PUBLISHED, record.pk))


class MergeAdminMixin:
    """Adds the merge action for users with the model's merge permission. A subclass names its
    `merge_plan` and `merge` functions (keyword-only `keep`, `merged`, `user`)."""

    merge_plan = None
    merge = None

    def has_merge_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm(merge_permission(self.model))

    def get_actions(self, request: HttpRequest) -> dict:
        actions = super().get_actions(request)
        if self.has_merge_permission(request):
            plural = self.model._meta.verbose_name_plural
            actions["merge_selected"] = (type(self).merge_selected, "merge_selected", f"Merge selected {plural}…")
        return actions

    def merge_selected(self, request: HttpRequest, queryset):
        records = list(queryset.order_by("pk")[: MOST_MERGED_AT_ONCE + 1])
        plural = self.model._meta.verbose_name_plural
        if not 2 <= len(records) <= MOST_MERGED_AT_ONCE:
            self.message_user(request, f"Select from 2 to {MOST_MERGED_AT_ONCE} {plural} to merge.", messages.WARNING)
            return None
        asked = request.POST.get("keep", "")
        keep = next((record for record in records if str(record.pk) == asked), None) or default_keep(records)
        merged = [record for record in records if record.pk != keep.pk]
        plan = type(self).merge_plan(keep=keep, merged=merged, user=request.user)
        # Merged only as previewed: a different choice of the one to keep shows its moves first.
        previewed = str(keep.pk) == asked == request.POST.get("previewed")
        if "confirm_merge" in request.POST and previewed and not plan.problems:
            return self.merge_confirmed(request, keep=keep, merged=merged) or self.merge_page(request, records, plan)
        return self.merge_page(request, records, plan)

    def merge_confirmed(self, request: HttpRequest, *, keep, merged: list):
        try:
            type(self).merge(keep=keep, merged=merged, user=request.user)
        except MergeRefused as refusal:
            for problem in refusal.problems:
                self.message_user(request, problem, messages.ERROR)
            return None
        names = ", ".join(f"“{record}”" for record in merged)
        self.message_user(
            request,
            f"Merged {names} into “{keep}”. Their old addresses now lead to “{keep}”.",
            messages.SUCCESS,
        )
        opts = self.model._meta
        return HttpResponseRedirect(reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[keep.pk]))

    def merge_page(self, request: HttpRequest, records: list, plan) -> TemplateResponse:
        opts = self.model._meta
        context = {
            **self.admin_site.each_context(request),
            "title": f"Merge {opts.verbose_name_plural}",
            "opts": opts,
            "records": records,
            "plan": plan,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/companies/merge.html", context)
