"""The admin's import pages on a shared server, and the pages of import jobs.

An upload waits in the private folder (dataio/storage.py) under a name that starts with its
uploader's id, and becomes a job (dataio/models.py) that the task worker runs (dataio/jobs.py):
the request never reads the file. The editor lands on the job's page, which shows its progress
while it runs, then its result: counts, and the first rows of the diff and the first errors,
paged. "Confirm" (only after a preview without errors) queues the write of the same file. Only a
job's owner (or a superuser) sees, confirms or cancels it. The limits on what a file may hold
are the readers' (dataio/limits.py).

An export of more than DJANGO_EXPORT_JOB_ROWS rows is a job too: the export form's choices are
queued, the worker writes the file, and the job's page links to it; a smaller export is the
library's download, written in the request.
"""

import logging

from django.apps import apps
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import ImproperlyConfigured, PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.decorators import method_decorator
from django.views.decorators.http import require_POST
from import_export.admin import ExportActionMixin, ImportExportMixin
from import_export.forms import ImportForm

from core.admin import BaseCuratedAdmin, BasePartAdmin, BaseRecordAdmin
from dataio import formats
from dataio.jobs import export_path, export_remove, job_cancel, job_check, job_enqueue, job_progress, save_upload
from dataio.models import DataJob
from dataio.storage import waiting_file_name, waiting_file_owner

logger = logging.getLogger(__name__)


def counted(number: int, thing: str) -> str:
    return f"{number:,} {thing}{'' if number == 1 else 's'}"


class GuardedImportMixin:
    """Mixed into the base admin before django-import-export's ImportExportModelAdmin: an upload
    becomes a background job (dataio/jobs.py) and the editor follows it on its job page."""

    def get_urls(self):
        opts = self.model._meta
        cancel = path(
            "import/cancel/",
            self.admin_site.admin_view(self.cancel_import),
            name=f"{opts.app_label}_{opts.model_name}_cancel_import",
        )
        return [cancel, *super().get_urls()]

    def get_import_context_data(self, **kwargs):
        return {
            **super().get_import_context_data(**kwargs),
            "max_rows": f"{settings.IMPORT_MAX_ROWS:,}",
            "max_cell_chars": f"{settings.IMPORT_MAX_CELL_CHARS:,}",
        }

    def import_action(self, request, **kwargs):
        """A valid upload waits in the private folder and its preview is queued; anything else
        is the library's page (the form, or the form with its errors)."""
        if request.method != "POST":
            return super().import_action(request, **kwargs)
        if not self.has_import_permission(request):
            raise PermissionDenied
        form = self.create_import_form(request)
        if not form.is_valid():
            return super().import_action(request, **kwargs)
        upload = form.cleaned_data["import_file"]
        resource = self.choose_import_resource_class(form, request)
        name = waiting_file_name(user_id=request.user.pk)
        file_format = self.get_import_formats()[int(form.cleaned_data["format"])].__name__.lower()
        try:
            save_upload(upload, name=name, file_format=file_format)
        except ImproperlyConfigured as error:
            # The folder the file would wait in is unsafe (dataio/storage.py): say so, keep nothing.
            logger.error("Import upload refused: %s", error)
            self.message_user(request, f"The upload cannot be kept for its preview: {error}", messages.ERROR)
            return HttpResponseRedirect(self.import_url())
        job = DataJob.objects.create(
            owner=request.user,
            model_label=self.model._meta.label_lower,
            resource_path=f"{resource.__module__}.{resource.__qualname__}",
            phase=DataJob.Phase.PREVIEW,
            file_name=upload.name,
            file_format=file_format,
            waiting_file=name,
        )
        job_enqueue(job)
        return HttpResponseRedirect(reverse("admin:dataio_datajob_change", args=[job.pk]))

    def process_import(self, request, **kwargs):
        """The library's confirm step, replaced by the job page's Confirm (DataJobAdmin.confirm)."""
        return self.refuse_import_request(
            request, 400, "Imports are confirmed on their job page (Import or export jobs); upload the file again."
        )

    def waiting_file_refusal(self, request, name: str) -> tuple[int, str] | None:
        owner = waiting_file_owner(name)
        if owner is None:
            return 400, f"{name!r} is not the name of an uploaded file; upload the file again."
        if owner != request.user.pk:
            return (
                403,
                "This upload belongs to another user: only the user who uploaded a file may confirm or cancel it.",
            )
        return None

    def cancel_import(self, request):
        """Drop a waiting upload by name (the job page's Cancel does this for a job)."""
        if request.method != "POST" or not self.has_import_permission(request):
            raise PermissionDenied
        name = request.POST.get("import_file_name", "")
        refusal = self.waiting_file_refusal(request, name)
        if refusal:
            return self.refuse_import_request(request, *refusal)
        self.get_tmp_storage_class()(name=name, **self.get_tmp_storage_class_kwargs()).remove()
        self.message_user(request, "Import cancelled; the uploaded file was removed.", messages.INFO)
        opts = self.model._meta
        return HttpResponseRedirect(reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"))

    def refuse_import_request(self, request, status: int, message: str) -> TemplateResponse:
        context = {
            **self.admin_site.each_context(request),
            "title": "Import refused",
            "opts": self.model._meta,
            "message": message,
            "import_url": self.import_url(),
        }
        return TemplateResponse(request, "admin/dataio/import_refused.html", context, status=status)

    def import_url(self) -> str:
        opts = self.model._meta
        return reverse(f"admin:{opts.app_label}_{opts.model_name}_import")


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


class ExportJobMixin:
    """Mixed in before django-import-export's export mixins: a large export becomes a job."""

    def _do_file_export(self, file_format, request, queryset, export_form=None):
        """Every export the library writes passes here (the list's Export button and its action)."""
        if not self.has_export_permission(request):
            raise PermissionDenied
        if queryset.count() <= settings.EXPORT_JOB_ROWS:
            return super()._do_file_export(file_format, request, queryset, export_form=export_form)
        resource = self.choose_export_resource_class(export_form, request)
        picked = export_form is not None and "export_items" in export_form.changed_data
        job = DataJob.objects.create(
            owner=request.user,
            model_label=self.model._meta.label_lower,
            resource_path=f"{resource.__module__}.{resource.__qualname__}",
            phase=DataJob.Phase.EXPORT,
            file_name=self.get_export_filename(request, queryset, file_format),
            file_format=type(file_format).__name__.lower(),
            export_options={
                "query": request.GET.urlencode(),  # the list's filters and search
                "items": export_form.cleaned_data["export_items"] if picked else None,
                "fields": self.get_export_resource_fields_from_form(export_form) or [],
            },
        )
        job_enqueue(job)
        return HttpResponseRedirect(reverse("admin:dataio_datajob_change", args=[job.pk]))


class FilesAdminMixin(GuardedImportMixin, ExportJobMixin, ExportActionMixin, ImportExportMixin):
    """Import and export on an admin, each behind its own permission, uploads guarded as
    GuardedImportMixin says, large exports run as jobs as ExportJobMixin says."""

    import_form_class = SizeLimitedImportForm
    # CSV, XLSX and JSON, exported formula-safe (dataio/formats.py).
    import_formats = export_formats = formats.FORMATS
    import_template_name = "admin/dataio/import.html"

    def get_import_context_data(self, **kwargs):
        return {**super().get_import_context_data(**kwargs), "max_upload_mb": settings.IMPORT_MAX_UPLOAD_MB}


# The admins the apps register: core's base admins (history, workflow, parts) with files in and out.


class RecordAdmin(FilesAdminMixin, BaseRecordAdmin):
    pass


class CuratedAdmin(FilesAdminMixin, BaseCuratedAdmin):
    pass


class PartAdmin(FilesAdminMixin, BasePartAdmin):
    pass


# -- the jobs' pages ---------------------------------------------------------------------------

PAGE_ROWS = 25  # diff rows or errors on one page of a job's result


@admin.register(DataJob)
class DataJobAdmin(admin.ModelAdmin):
    """ "Import or export jobs": each editor's own, newest first; a job's page instead of a form."""

    list_display = ["__str__", "model_label", "state", "created_at", "finished_at"]
    list_filter = ["state", "phase"]

    def get_queryset(self, request):
        jobs_shown = super().get_queryset(request)
        return jobs_shown if request.user.is_superuser else jobs_shown.filter(owner=request.user)

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_staff

    def has_view_permission(self, request, obj=None):
        return self.has_module_permission(request) and (obj is None or self.is_theirs(request, obj))

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @staticmethod
    def is_theirs(request, job: DataJob) -> bool:
        return request.user.is_superuser or job.owner_id == request.user.pk

    def get_urls(self):
        def named(route, view, name):
            return path(route, self.admin_site.admin_view(view), name=f"dataio_datajob_{name}")

        return [
            named("<int:job_id>/status/", self.status_view, "status"),
            named("<int:job_id>/cancel/", self.cancel_view, "cancel"),
            named("<int:job_id>/confirm/", self.confirm_view, "confirm"),
            named("<int:job_id>/download/", self.download_view, "download"),
            *super().get_urls(),
        ]

    def own_job(self, request, job_id) -> DataJob:
        """The job, checked for a dead worker; someone else's job is not found (404)."""
        job = get_object_or_404(DataJob, pk=job_id)
        if not self.is_theirs(request, job):
            raise Http404("No such job.")
        return job_check(job)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        job = self.own_job(request, object_id)
        context = {
            **self.admin_site.each_context(request),
            "title": str(job),
            "opts": self.model._meta,
            "job": job,
            "progress": self.progress_of(job),
            "status_url": reverse("admin:dataio_datajob_status", args=[job.pk]),
            **self.result_pages(request, job),
        }
        return TemplateResponse(request, "admin/dataio/job.html", context)

    @staticmethod
    def progress_of(job: DataJob) -> dict:
        counters = job_progress(job)
        writing = job.phase == DataJob.Phase.EXPORT or (job.phase == DataJob.Phase.WRITE and job.finished)
        done = counters["written"] if writing else counters["checked"]
        return {**counters, "done": done, "max": max(counters["total"], 1)}

    @staticmethod
    def result_pages(request, job: DataJob) -> dict:
        rows = Paginator(job.first_rows, PAGE_ROWS).get_page(request.GET.get("rows"))
        # A preview's warnings are kept with its errors (dataio/jobs.py, kept_warnings), listed apart.
        warnings = [error for error in job.first_errors if error["kind"] == "warning"]
        first_errors = [error for error in job.first_errors if error["kind"] != "warning"]
        errors = Paginator(first_errors, PAGE_ROWS).get_page(request.GET.get("errors"))
        listed = len(job.first_rows)
        kept_errors = sum(error.get("count", 1) for error in first_errors)
        return {
            "warnings": warnings,
            "rows_page": rows,
            "errors_page": errors,
            "invalid_rows": [error for error in errors if error["kind"] == "invalid"],
            "error_lines": [error for error in errors if error["kind"] != "invalid"],
            "more_changed_rows": counted(job.new + job.changed - listed, "more new or updated row")
            if job.new + job.changed > listed
            else "",
            "skipped_rows": counted(job.unchanged, "row") + " unchanged or empty, not listed" if job.unchanged else "",
            "more_errors": counted(job.errors - kept_errors, "more error") if job.errors > kept_errors else "",
        }

    def status_view(self, request, job_id):
        """What the job page's script polls (static/dataio/job_progress.js)."""
        job = self.own_job(request, job_id)
        return JsonResponse({"state": job.state, "finished": job.finished, **self.progress_of(job)})

    def download_view(self, request, job_id):
        """A finished export's file, to its owner (or a superuser) who may still export such records."""
        job = self.own_job(request, job_id)
        if not job.downloadable:
            raise Http404("This job has no file to download.")
        model_admin = self.admin_site.get_model_admin(apps.get_model(job.model_label))
        if not model_admin.has_export_permission(request):
            raise PermissionDenied
        try:
            handle = export_path(job).open("rb")
        except FileNotFoundError:
            export_remove(job)  # removed from the folder by hand: the page stops offering it
            raise Http404("The exported file is no longer kept; export again.") from None
        content_type = formats.FORMAT_NAMES[job.file_format]().get_content_type()
        return FileResponse(handle, as_attachment=True, filename=job.file_name, content_type=content_type)

    @method_decorator(require_POST)
    def cancel_view(self, request, job_id):
        job = self.own_job(request, job_id)
        self.message_user(request, job_cancel(job), messages.INFO)
        if job.state == DataJob.State.CANCELLED:
            app_label, model_name = job.model_label.split(".")
            return HttpResponseRedirect(reverse(f"admin:{app_label}_{model_name}_changelist"))
        return HttpResponseRedirect(reverse("admin:dataio_datajob_change", args=[job.pk]))

    @method_decorator(require_POST)
    def confirm_view(self, request, job_id):
        """Queue the write of a previewed file: only a preview that completed without errors."""
        job = self.own_job(request, job_id)
        model_admin = self.admin_site.get_model_admin(apps.get_model(job.model_label))
        if not model_admin.has_import_permission(request):
            raise PermissionDenied
        if not job.confirmable:
            self.message_user(
                request,
                "The uploaded file is no longer waiting (it was imported, cancelled or removed as abandoned), "
                "or its preview found errors; upload it again.",
                messages.ERROR,
            )
            return HttpResponseRedirect(reverse("admin:dataio_datajob_change", args=[job.pk]))
        write = DataJob.objects.create(
            owner=job.owner,
            model_label=job.model_label,
            resource_path=job.resource_path,
            phase=DataJob.Phase.WRITE,
            file_name=job.file_name,
            file_format=job.file_format,
            waiting_file=job.waiting_file,
            previewed=job,
        )
        DataJob.objects.filter(pk=job.pk).update(waiting_file="")  # the file is the write's now
        job_enqueue(write)
        return HttpResponseRedirect(reverse("admin:dataio_datajob_change", args=[write.pk]))
