"""The base admins: every model gets import/export and a readable, revertible history; curated
records (Company, Deal, Source) also get the editorial workflow, enforced on the server."""

import os

from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.db.models.functions import ExtractYear
from django.http import HttpResponseRedirect
from django.urls import path, reverse
from import_export.admin import ExportActionMixin, ImportExportModelAdmin
from import_export.forms import ImportForm
from simple_history.admin import SimpleHistoryAdmin

from evtracker import formats
from evtracker.editorial import (
    REVIEWED_STATES,
    TRANSITIONS,
    EditorialRefusal,
    EditorialState,
    can_publish,
    editorial_transition,
    transition_problems,
)


def https_formfield(field: models.Field, **kwargs):
    """Form fields for a ModelForm, taking a link typed without a scheme as https."""
    if isinstance(field, models.URLField):
        kwargs.setdefault("assume_scheme", "https")
    return field.formfield(**kwargs)


def year_filter(date_field: str, title: str = "year") -> type[admin.SimpleListFilter]:
    """A list filter offering each year that occurs in `date_field`."""

    class YearFilter(admin.SimpleListFilter):
        parameter_name = f"{date_field}_year"

        def lookups(self, request, model_admin):
            years = (
                model_admin.get_queryset(request)
                .filter(**{f"{date_field}__isnull": False})
                .annotate(year=ExtractYear(date_field))
                .values_list("year", flat=True)
                .distinct()
                .order_by("-year")
            )
            return [(str(year), str(year)) for year in years]

        def queryset(self, request, queryset):
            if self.value() and self.value().isdigit():
                return queryset.filter(**{f"{date_field}__year": int(self.value())})
            return queryset

    YearFilter.title = title
    return YearFilter


class SizeLimitedImportForm(ImportForm):
    def clean_import_file(self):
        upload = self.cleaned_data["import_file"]
        limit = settings.IMPORT_MAX_UPLOAD_MB
        if upload.size > limit * 1024 * 1024:
            raise ValidationError(
                f"The file is {upload.size / 1024 / 1024:.1f} MB; files over {limit} MB are refused. "
                "Split it into smaller files."
            )
        return upload


class RecordAdmin(ExportActionMixin, ImportExportModelAdmin, SimpleHistoryAdmin):
    """Every admin: import/export (each behind its own permission) and change history."""

    list_per_page = 50
    # A link typed without a scheme is taken as https (Django 6's default, asked for explicitly).
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    import_form_class = SizeLimitedImportForm
    # CSV, XLSX and JSON, exported formula-safe (evtracker/formats.py).
    import_formats = export_formats = formats.FORMATS
    import_template_name = "admin/evtracker/import.html"

    def get_urls(self):
        opts = self.model._meta
        cancel = path(
            "import/cancel/",
            self.admin_site.admin_view(self.cancel_import),
            name=f"{opts.app_label}_{opts.model_name}_cancel_import",
        )
        return [cancel, *super().get_urls()]

    def add_data_read_fail_error_to_form(self, form, error):
        if isinstance(error, UnicodeDecodeError):
            form.add_error(
                "import_file",
                "The file is not UTF-8 text. In Excel, save it as “CSV UTF-8”, or upload the .xlsx file itself.",
            )
        elif isinstance(error, formats.UnreadableFile):
            form.add_error("import_file", str(error))
        else:
            super().add_data_read_fail_error_to_form(form, error)

    def get_import_context_data(self, **kwargs):
        return {**super().get_import_context_data(**kwargs), "max_upload_mb": settings.IMPORT_MAX_UPLOAD_MB}

    def cancel_import(self, request):
        """Drop the uploaded file of an abandoned preview."""
        if request.method != "POST" or not self.has_import_permission(request):
            raise PermissionDenied
        name = os.path.basename(request.POST.get("import_file_name", ""))
        if name:
            self.get_tmp_storage_class()(name=name, **self.get_tmp_storage_class_kwargs()).remove()
        self.message_user(request, "Import cancelled; the uploaded file was removed.", messages.INFO)
        opts = self.model._meta
        return HttpResponseRedirect(reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"))

    def process_result(self, result, request):
        if result.has_errors() or result.has_validation_errors():
            self.message_user(
                request,
                "Nothing was imported: the file no longer validates against the data. Upload it again to see why.",
                messages.ERROR,
            )
            opts = self.model._meta
            return HttpResponseRedirect(reverse(f"admin:{opts.app_label}_{opts.model_name}_import"))
        return super().process_result(result, request)


class CuratedAdmin(RecordAdmin):
    """Company, Deal and Source: editorial state on every list, workflow actions, and a change
    form that refuses a state change the user may not make."""

    readonly_fields = ("created_at", "updated_at")
    prepopulated_fields = {"slug": ("name",)}
    actions = ["send_for_review", "publish", "retract", "back_to_draft"]

    @admin.display(description="state", ordering="editorial_state")
    def state(self, obj) -> str:
        return EditorialState(obj.editorial_state).label

    def has_publish_permission(self, request) -> bool:
        return can_publish(request.user, self.model)

    def has_change_permission(self, request, obj=None) -> bool:
        # Once published (or retracted), a record is the reviewers' to change.
        if obj is not None and obj.stored_editorial_state in REVIEWED_STATES:
            return super().has_change_permission(request, obj) and self.has_publish_permission(request)
        return super().has_change_permission(request, obj)

    def get_form(self, request, obj=None, **kwargs):
        form_class = super().get_form(request, obj, **kwargs)
        user = request.user

        class WorkflowForm(form_class):
            def clean(self):
                cleaned = super().clean()
                to_state = cleaned.get("editorial_state")
                if to_state:
                    for problem in transition_problems(self.instance, to_state, user):
                        self.add_error("editorial_state", ValidationError(problem))
                return cleaned

        return WorkflowForm

    def _move(self, request, queryset, action: str) -> None:
        transition = TRANSITIONS[action]
        moved, refused = [], []
        for record in queryset:
            try:
                editorial_transition(record=record, to_state=transition.to_state, user=request.user)
            except EditorialRefusal as refusal:
                refused += refusal.problems
            else:
                moved.append(record)
        if moved:
            names = ", ".join(str(record) for record in moved)
            self.message_user(request, f"{transition.label}: {names}.", messages.SUCCESS)
        for problem in refused:
            self.message_user(request, problem, messages.ERROR)
        if action == "retract":
            self._warn_about_unsupported_facts(request, moved)

    def _warn_about_unsupported_facts(self, request, retracted) -> None:
        for record in retracted:
            if not hasattr(record, "published_facts_resting_only_on_this"):
                continue
            facts = record.published_facts_resting_only_on_this()
            if facts:
                names = "; ".join(f"{fact._meta.verbose_name} “{fact}”" for fact in facts)
                self.message_user(
                    request,
                    f"Retracting “{record}” leaves these published records with no published support: {names}. "
                    "Retract them or add excerpts from another source.",
                    messages.WARNING,
                )

    @admin.action(description="Send for review", permissions=["change"])
    def send_for_review(self, request, queryset):
        self._move(request, queryset, "send_for_review")

    @admin.action(description="Publish", permissions=["publish"])
    def publish(self, request, queryset):
        self._move(request, queryset, "publish")

    @admin.action(description="Retract", permissions=["publish"])
    def retract(self, request, queryset):
        self._move(request, queryset, "retract")

    @admin.action(description="Back to draft", permissions=["change"])
    def back_to_draft(self, request, queryset):
        self._move(request, queryset, "back_to_draft")

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        was_published = form.initial.get("editorial_state") == EditorialState.PUBLISHED
        if change and was_published and obj.editorial_state == EditorialState.RETRACTED:
            self._warn_about_unsupported_facts(request, [obj])
