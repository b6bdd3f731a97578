"""The admin's import pages on a shared server: each waiting file belongs to its uploader, a
refused preview leaves nothing behind, a tampered confirm is a 400, and a preview of a big file
stays small.

django-import-export keeps the uploaded file between the preview and "Confirm import" under a
name that travels through the browser in a hidden field. Here the name starts with the
uploader's user id (`<user id>-<random hex>`), so a confirm or cancel naming someone else's file
is refused (403) and a name that is not one of ours is refused (400) before any storage is
touched. The limits on what a file may hold are the readers' (dataio/limits.py).
"""

import logging

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ImproperlyConfigured, PermissionDenied, ValidationError
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.decorators import method_decorator
from django.views.decorators.http import require_POST
from import_export.admin import ExportActionMixin, ImportExportMixin
from import_export.forms import ImportForm
from import_export.results import Result, RowResult

from core.admin import BaseCuratedAdmin, BasePartAdmin, BaseRecordAdmin
from dataio import formats
from dataio.storage import waiting_file_name, waiting_file_owner

logger = logging.getLogger(__name__)


def counted(number: int, thing: str) -> str:
    return f"{number:,} {thing}{'' if number == 1 else 's'}"


def preview_context(result: Result, *, rows_listed: int, errors_listed: int) -> dict:
    """What the preview page lists, and what it only counts: never a skipped (unchanged or empty)
    row one by one, at most `rows_listed` changed rows and about `errors_listed` errors."""
    changed = [row for row in result.valid_rows() if row.import_type != RowResult.IMPORT_TYPE_SKIP]
    invalid, listed_errors = [], 0
    for row in result.invalid_rows:
        if listed_errors >= errors_listed:
            break
        invalid.append(row)
        listed_errors += row.error_count
    row_errors = [(line, error) for line, errors in result.row_errors() for error in errors]
    base_lines = [
        line for error in result.base_errors for line in getattr(error.error, "lines", str(error.error).splitlines())
    ]
    all_errors = sum(row.error_count for row in result.invalid_rows) + len(row_errors) + len(base_lines)
    listed_errors += min(len(row_errors), errors_listed) + min(len(base_lines), errors_listed)
    skipped = result.totals[RowResult.IMPORT_TYPE_SKIP]
    return {
        "changed_rows": changed[:rows_listed],
        "more_changed_rows": counted(len(changed) - rows_listed, "more new or updated row")
        if len(changed) > rows_listed
        else "",
        "skipped_rows": counted(skipped, "row") + " unchanged or empty, not listed" if skipped else "",
        "listed_invalid_rows": invalid,
        "listed_row_errors": row_errors[:errors_listed],
        "listed_base_errors": base_lines[:errors_listed],
        "more_errors": counted(all_errors - listed_errors, "more error") if all_errors > listed_errors else "",
    }


class GuardedImportMixin:
    """Mixed into the base admin before django-import-export's ImportExportModelAdmin."""

    # A preview lists this many new or updated rows and about this many errors; it counts the rest.
    preview_rows_listed = 1000
    preview_errors_listed = 100

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
        upload = request.FILES.get("import_file")
        if upload is not None:
            upload.uploaded_by = request.user.pk  # write_to_tmp_storage names the waiting file after them
        try:
            response = super().import_action(request, **kwargs)
        except ImproperlyConfigured as error:
            # The folder the file would wait in is unsafe (import_storage.py): say so, keep nothing.
            logger.error("Import upload refused: %s", error)
            self.message_user(request, f"The upload cannot be kept for its preview: {error}", messages.ERROR)
            return HttpResponseRedirect(self.import_url())
        except BaseException:
            self.discard_waiting_file(upload)
            raise
        context = getattr(response, "context_data", None) or {}
        if "confirm_form" not in context:  # refused (unreadable file, errors): nothing to confirm
            self.discard_waiting_file(upload)
        if context.get("result") is not None:
            context.update(
                preview_context(
                    context["result"], rows_listed=self.preview_rows_listed, errors_listed=self.preview_errors_listed
                )
            )
        return response

    def write_to_tmp_storage(self, import_file, input_format):
        storage = self.get_tmp_storage_class()(
            name=waiting_file_name(user_id=import_file.uploaded_by),
            encoding=None if input_format.is_binary() else self.from_encoding,
            read_mode=input_format.get_read_mode(),
            **self.get_tmp_storage_class_kwargs(),
        )
        storage.save(b"".join(import_file.chunks()))
        import_file.waiting_storage = storage
        return storage

    @staticmethod
    def discard_waiting_file(upload) -> None:
        storage = getattr(upload, "waiting_storage", None)
        if storage is not None:
            storage.remove()

    @method_decorator(require_POST)
    def process_import(self, request, **kwargs):
        """The "Confirm import" step: import the waiting file its preview showed, if it is the user's."""
        if not self.has_import_permission(request):
            raise PermissionDenied
        form = self.create_confirm_form(request)
        refusal = self.confirm_refusal(request, form)
        if refusal:
            return self.refuse_import_request(request, *refusal)
        input_format = self.get_import_formats()[int(form.cleaned_data["format"])](encoding=self.from_encoding)
        storage = self.get_tmp_storage_class()(
            name=form.cleaned_data["import_file_name"],
            encoding=None if input_format.is_binary() else self.from_encoding,
            read_mode=input_format.get_read_mode(),
            **self.get_tmp_storage_class_kwargs(),
        )
        try:
            data = storage.read()
        except FileNotFoundError:
            data = None
        except ImproperlyConfigured as error:  # the folder was made unsafe since the preview
            logger.error("Import confirm refused: %s", error)
            self.message_user(request, f"The uploaded file cannot be read safely: {error}", messages.ERROR)
            return HttpResponseRedirect(self.import_url())
        if data is None:
            self.message_user(
                request,
                "The uploaded file is no longer waiting (it was imported, cancelled or removed as abandoned); "
                "upload it again.",
                messages.ERROR,
            )
            return HttpResponseRedirect(self.import_url())
        try:
            dataset = input_format.create_dataset(data)
        except Exception as error:  # the file changed format since its preview: a tampered form
            storage.remove()
            return self.refuse_import_request(
                request, 400, f"The waiting file cannot be read in the format sent ({error})."
            )
        result = self.process_dataset(dataset, form, request, **kwargs)
        storage.remove()
        return self.process_result(result, request)

    def confirm_refusal(self, request, form) -> tuple[int, str] | None:
        """Why the confirm form may not be acted on, as (status, message); None if it may."""
        if not form.is_valid():
            fields = ", ".join(sorted(form.errors))
            return 400, f"The confirm form arrived incomplete or altered ({fields}); upload the file again."
        refusal = self.waiting_file_refusal(request, form.data.get("import_file_name", ""))
        if refusal:
            return refusal
        if not self.is_choice(form.cleaned_data["format"], self.get_import_formats()):
            return 400, f"Format {form.cleaned_data['format']!r} is not one of this page's import formats."
        resource = form.cleaned_data.get("resource") or "0"
        if not self.is_choice(resource, self.get_import_resource_classes(request)):
            return 400, f"Resource {resource!r} is not one of this page's import resources."
        return None

    @staticmethod
    def is_choice(value: str, choices: list) -> bool:
        return value.isdigit() and int(value) < len(choices)

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
        """Drop the uploaded file of an abandoned preview."""
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


class FilesAdminMixin(GuardedImportMixin, ExportActionMixin, ImportExportMixin):
    """Import and export on an admin, each behind its own permission, uploads guarded as
    GuardedImportMixin says."""

    import_form_class = SizeLimitedImportForm
    # CSV, XLSX and JSON, exported formula-safe (dataio/formats.py).
    import_formats = export_formats = formats.FORMATS
    import_template_name = "admin/dataio/import.html"

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


# The admins the apps register: core's base admins (history, workflow, parts) with files in and out.


class RecordAdmin(FilesAdminMixin, BaseRecordAdmin):
    pass


class CuratedAdmin(FilesAdminMixin, BaseCuratedAdmin):
    pass


class PartAdmin(FilesAdminMixin, BasePartAdmin):
    pass
