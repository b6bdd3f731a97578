"""Imports and exports as background jobs: what the task worker runs (dataio/tasks.py) and what
the job pages ask of a job (dataio/admin.py).

An import runs inside one transaction (dataio.resources.import_dataset), so its progress cannot
be written to the job's row while it runs: nobody else would see the row change before the
end, and on SQLite the write would wait for the import's own lock. The worker writes its
progress to a small file next to the upload instead (`job-<id>.progress`, whose age is also the
worker's heartbeat) and looks for a `job-<id>.cancel` file between rows. The job's row changes
only outside the import's transaction: when it starts and when it ends.

An export reads the records the admin's export form asked for, with the owner's permissions,
and writes them to `export-<id>.<format>` in the private folder, row by row (dataio/exports.py);
the job's page then links to it. `purge_export_files` removes the files of exports older than
the purge's age, and those whose job is gone.
"""

import contextlib
import datetime
import json
import logging
import os
import re
import time
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest, QueryDict
from django.utils import timezone
from django.utils.module_loading import import_string
from import_export.results import Result, RowResult

from dataio import formats
from dataio.exports import export_rows, write_export
from dataio.models import DataJob
from dataio.resources import ImportReport, import_dataset, row_label
from dataio.storage import PrivateFolderStorage, private_folder

logger = logging.getLogger(__name__)

# A job keeps at most this many diff rows and errors for its page; the rest are only counted.
ROWS_KEPT = 100
ERRORS_KEPT = 100
# Seconds between two progress writes (and cancel checks) of a running import.
PROGRESS_INTERVAL = 0.5


class JobCancelled(Exception):
    """Raised between rows when the owner cancelled: the import's transaction rolls back."""


def job_file(job: DataJob, suffix: str) -> Path:
    return private_folder() / f"job-{job.pk}.{suffix}"


def waiting_storage(job: DataJob):
    """Where the job's upload waits: DJANGO_IMPORT_TMP_STORAGE (the private folder by default;
    the cache or the media storage where workers run on other machines)."""
    return upload_storage(name=job.waiting_file, file_format=job.file_format)


def upload_storage(*, name: str, file_format: str):
    reader = formats.FORMAT_NAMES[file_format]()
    storage_class = import_string(settings.IMPORT_EXPORT_TMP_STORAGE_CLASS)
    return storage_class(name=name, read_mode=reader.get_read_mode(), encoding="utf-8-sig")


def save_upload(upload, *, name: str, file_format: str) -> None:
    storage = upload_storage(name=name, file_format=file_format)
    if isinstance(storage, PrivateFolderStorage):
        storage.save_upload(upload)  # chunk by chunk
    else:
        storage.save(b"".join(upload.chunks()))


class ProgressFile:
    """The `progress(rows done, rows in all)` callback of import_dataset for a job. `counting`
    names the counters that rows done moves: rows checked for an import, rows read and written
    for an export."""

    def __init__(self, job: DataJob, *, read: int, total: int | None = None, counting: tuple[str, ...] = ("checked",)):
        self.path, self.cancel_path = job_file(job, "progress"), job_file(job, "cancel")
        self.read, self.counting, self.last = read, counting, 0.0
        self.write(done=0, total=read if total is None else total)

    def __call__(self, done: int, total: int) -> None:
        now = time.monotonic()
        if now - self.last < PROGRESS_INTERVAL and done != total:
            return
        self.last = now
        self.write(done=done, total=total)
        if self.cancel_path.exists():
            raise JobCancelled

    def write(self, *, done: int, total: int) -> None:
        partial = self.path.with_suffix(".partial")
        counters = {"read": self.read, "total": total} | dict.fromkeys(self.counting, done)
        partial.write_text(json.dumps(counters))
        os.replace(partial, self.path)


def job_progress(job: DataJob) -> dict:
    """The counters of a job: from its row once finished, from the worker's file while it runs."""
    counters = {"read": job.rows_read, "checked": job.rows_checked, "written": job.rows_written}
    counters["total"] = job.rows_total
    if job.state == DataJob.State.RUNNING:
        with contextlib.suppress(OSError, ValueError):  # not written yet, or being replaced
            counters |= json.loads(job_file(job, "progress").read_text())
    return counters


def heartbeat_age(job: DataJob) -> float:
    """Seconds since the worker last showed life on this job."""
    try:
        last = job_file(job, "progress").stat().st_mtime
    except OSError:
        last = job.started_at.timestamp() if job.started_at else time.time()
    return time.time() - last


# -- the worker's side --------------------------------------------------------------------------


def job_run(*, job_id: int) -> str:
    """Run one queued job to its end; return its final state. A job cancelled while it waited
    is not run."""
    job = DataJob.objects.get(pk=job_id)
    if job.state != DataJob.State.QUEUED:
        return job.state
    job.state, job.started_at = DataJob.State.RUNNING, timezone.now()
    job.save(update_fields=["state", "started_at"])
    exporting = job.phase == DataJob.Phase.EXPORT
    nothing = "no file was kept" if exporting else "nothing was changed"
    try:
        job_export(job) if exporting else job_import(job)
    except JobCancelled:
        job.state, job.message = DataJob.State.CANCELLED, f"Cancelled while it ran; {nothing}."
    except Exception as error:
        logger.exception("Job %s failed", job.pk)
        job.state, job.message = DataJob.State.FAILED, f"The job failed ({error}); {nothing}."
    job_finish(job)
    return job.state


def job_import(job: DataJob) -> None:
    dataset = read_waiting_file(job)
    if dataset is None:
        return
    job.rows_read = job.rows_total = len(dataset)
    resource = import_string(job.resource_path)()
    report = import_dataset(
        resource,
        dataset,
        name=job.file_name,
        user=get_user_model().objects.get(pk=job.owner_id),
        dry_run=job.phase == DataJob.Phase.PREVIEW,
        lines=job.file_format != "json",
        progress=ProgressFile(job, read=job.rows_read),
        rows_kept=ROWS_KEPT,
    )
    job.rows_checked = report.result.total_rows
    job.new, job.changed, job.unchanged = report.new, report.updated, report.unchanged
    job.diff_headers = list(report.result.diff_headers)
    job.first_rows, job.first_errors, job.errors = kept_rows(report.result), *kept_errors(report.result)
    if job.phase == DataJob.Phase.PREVIEW:
        # Warnings ride with the errors (kind "warning") but are not counted as errors: the
        # preview may still be confirmed (the job page lists them apart, dataio/admin.py).
        job.first_errors += kept_warnings(report, lines=job.file_format != "json")
    job.state = DataJob.State.DONE
    plural = resource._meta.model._meta.verbose_name_plural
    if job.phase == DataJob.Phase.WRITE and job.errors:
        job.state = DataJob.State.FAILED
        job.message = "Nothing was imported: the file no longer validates against the data. Upload it again to see why."
    elif job.phase == DataJob.Phase.WRITE:
        job.rows_written = report.changed
        job.message = (
            f"Import finished: {report.new} new, {report.updated} updated, {report.deleted} deleted "
            f"and {report.unchanged} skipped {plural}."
        )
    elif job.errors:
        job.message = "The preview found errors: nothing can be imported until the file is corrected."
    elif report.warnings:
        job.message = (
            f"The preview found {len(report.warnings)} warning{'s' if len(report.warnings) != 1 else ''} "
            "(listed under “Warnings”): rows that may repeat a record the tracker holds. They do not stop "
            "the import: check each, then confirm the import or cancel it and correct the file."
        )


def read_waiting_file(job: DataJob):
    """The upload as a dataset, or None with the job failed and a message saying why."""
    file_format = formats.FORMAT_NAMES[job.file_format](encoding="utf-8-sig")
    problem = ""
    try:
        dataset = file_format.create_dataset(waiting_storage(job).read())
    except ImproperlyConfigured as error:  # the folder was made unsafe since the upload
        problem = f"The uploaded file cannot be read safely: {error}"
    except FileNotFoundError:
        problem = (
            "The uploaded file is no longer waiting (it was imported, cancelled or removed as abandoned); "
            "upload it again."
        )
    except UnicodeDecodeError:
        problem = "The file is not UTF-8 text. In Excel, save it as “CSV UTF-8”, or upload the .xlsx file itself."
    except formats.UnreadableFile as error:
        problem = str(error)
    except Exception as error:  # each reader fails in its own way on a broken file
        problem = f"The file cannot be read as {job.file_format.upper()} ({error})."
    else:
        if dataset:
            return dataset
        problem = "No valid data to import. Ensure your file has the correct headers or data for import."
    job.state, job.message = DataJob.State.FAILED, problem
    return None


def job_finish(job: DataJob) -> None:
    """Record the end; the upload goes unless it waits for its confirm."""
    job.finished_at = timezone.now()
    keep = job.phase == DataJob.Phase.PREVIEW and job.state == DataJob.State.DONE and not job.errors
    try:
        for suffix in ("progress", "cancel", "export.partial"):
            job_file(job, suffix).unlink(missing_ok=True)
        if not keep and job.waiting_file:
            waiting_storage(job).remove()
    except ImproperlyConfigured as error:  # an unsafe folder is not touched; the purge refuses it too
        logger.error("Job %s: its files were left in place: %s", job.pk, error)
    if not keep:
        job.waiting_file = ""
    job.save()


def kept_rows(result: Result) -> list[dict]:
    kept = []
    for row in result.valid_rows():
        if len(kept) >= ROWS_KEPT:
            break
        if row.import_type != RowResult.IMPORT_TYPE_SKIP:
            kept.append({"type": row.import_type, "diff": [str(cell) for cell in row.diff or []]})
    return kept


def kept_warnings(report: ImportReport, *, lines: bool) -> list[dict]:
    """The first warnings of an import, each with the records it names (name, admin page)."""
    return [
        {
            "kind": "warning",
            "where": row_label(warning.number, lines=lines) if warning.number else "the file",
            "text": warning.text,
            "links": [list(link) for link in warning.links],
        }
        for warning in report.warnings[:ERRORS_KEPT]
    ]


def kept_errors(result: Result) -> tuple[list[dict], int]:
    """The first errors of a result, each as the page shows it, and how many there are in all."""
    kept: list[dict] = []
    for error in result.base_errors:
        lines = getattr(error.error, "lines", str(error.error).splitlines())
        kept += [{"kind": "file", "text": line} for line in lines]
    for line, errors in result.row_errors():
        kept += [{"kind": "row", "line": line, "text": str(error.error)} for error in errors]
    # Problems past the first ERRORS_LISTED were counted, not kept (dataio/resources.py, record_row).
    count = len(kept) + sum(row.error_count for row in result.invalid_rows) + getattr(result, "errors_left_off", 0)
    for row in result.invalid_rows:
        if len(kept) >= ERRORS_KEPT:
            break
        kept.append(
            {
                "kind": "invalid",
                "number": row.number,
                "count": row.error_count,
                "fields": [[name, [str(e) for e in errors]] for name, errors in row.field_specific_errors.items()],
                "other": [str(e) for e in row.non_field_specific_errors],
                "values": [str(value) for value in row.values],
            }
        )
    return kept[:ERRORS_KEPT], count


# -- exports ------------------------------------------------------------------------------------

EXPORT_FILE_NAME = re.compile(r"export-(?P<job>[0-9]+)\.(csv|xlsx|json)")


def export_path(job: DataJob) -> Path:
    return private_folder() / f"export-{job.pk}.{job.file_format}"


def export_request(job: DataJob, *, user) -> HttpRequest:
    """The request the admin's export read its rows from, as far as the rows depend on it: the
    list's filters and search, and the user whose permissions apply."""
    request = HttpRequest()
    request.method = "GET"
    request.GET = QueryDict(job.export_options.get("query", ""))
    request.user = user
    return request


def job_export(job: DataJob) -> None:
    """Write the rows the export form asked for, with the owner's permissions as they are now."""
    model = apps.get_model(job.model_label)
    model_admin = admin.site.get_model_admin(model)
    request = export_request(job, user=get_user_model().objects.get(pk=job.owner_id))
    if not model_admin.has_export_permission(request):
        job.state = DataJob.State.FAILED
        job.message = f"{job.owner} may no longer export {model._meta.verbose_name_plural}; no file was written."
        return
    queryset = model_admin.get_export_queryset(request)
    if job.export_options.get("items") is not None:  # rows picked with the list's action
        queryset = queryset.filter(pk__in=job.export_options["items"])
    job.rows_total = queryset.count()
    resource = import_string(job.resource_path)(**model_admin.get_export_resource_kwargs(request))
    file_format = formats.FORMAT_NAMES[job.file_format]()
    fields = job.export_options.get("fields") or None
    progress = ProgressFile(job, read=0, total=job.rows_total, counting=("read", "written"))
    partial = job_file(job, "export.partial")
    job.rows_written = write_export(
        partial,
        file_format=file_format,
        headers=resource.get_export_headers(selected_fields=fields),
        rows=export_rows(resource, queryset, fields=fields, file_format=file_format),
        title=str(model._meta.verbose_name_plural),
        progress=lambda done: progress(done, job.rows_total),
    )
    os.replace(partial, export_path(job))
    job.rows_read = job.rows_total = job.rows_written
    job.export_file, job.state = export_path(job).name, DataJob.State.DONE
    job.message = f"Export finished: {job.rows_written:,} {model._meta.verbose_name_plural}, ready to download."


def export_remove(job: DataJob) -> None:
    """Remove an export's file (the purge, or a file found missing)."""
    if job.export_file:
        (private_folder() / os.path.basename(job.export_file)).unlink(missing_ok=True)
    job.export_file = ""
    job.save(update_fields=["export_file"])


def purge_export_files(*, older_than_hours: float) -> int:
    """Remove the files of exports finished longer ago than the given age, and any export file
    whose job was deleted; return how many were removed."""
    if not Path(settings.IMPORT_TMP_DIR).is_dir():
        return 0
    cutoff = timezone.now() - datetime.timedelta(hours=older_than_hours)
    expired = DataJob.objects.exclude(export_file="").filter(finished_at__lt=cutoff)
    removed = 0
    for job in expired:
        export_remove(job)
        removed += 1
    kept = set(DataJob.objects.exclude(export_file="").values_list("export_file", flat=True))
    for path in private_folder().iterdir():
        if EXPORT_FILE_NAME.fullmatch(path.name) and path.name not in kept:
            path.unlink(missing_ok=True)
            removed += 1
    return removed


# -- the pages' side ----------------------------------------------------------------------------


def job_enqueue(job: DataJob) -> DataJob:
    from dataio.tasks import run_data_job  # the task module imports this one

    job.task_result_id = str(run_data_job.enqueue(job_id=job.pk).id)
    job.save(update_fields=["task_result_id"])
    return job


def job_check(job: DataJob) -> DataJob:
    """Fail a job whose worker died: a running job with no sign of life for JOBS_STALE_SECONDS,
    or one whose task the worker recorded as failed. Its import never committed (one
    transaction), so nothing changed."""
    if job.finished:
        return job
    problem = ""
    if job.state == DataJob.State.RUNNING and heartbeat_age(job) > settings.JOBS_STALE_SECONDS:
        problem = f"no sign of life for over {settings.JOBS_STALE_SECONDS} seconds"
    elif task_failed(job):
        problem = "its task failed in the worker"
    if problem:
        job.state = DataJob.State.FAILED
        again = "Export again." if job.phase == DataJob.Phase.EXPORT else "Upload the file again."
        job.message = f"The worker stopped while running this job ({problem}); nothing was changed. {again}"
        job_finish(job)
    return job


def task_failed(job: DataJob) -> bool:
    from django_tasks import TaskResultStatus, default_task_backend
    from django_tasks.exceptions import TaskResultDoesNotExist

    if not job.task_result_id:
        return False
    try:
        return default_task_backend.get_result(job.task_result_id).status == TaskResultStatus.FAILED
    except TaskResultDoesNotExist:
        return False


def job_cancel(job: DataJob) -> str:
    """Cancel a job as far as its state allows; return what happened, for the owner."""
    exporting = job.phase == DataJob.Phase.EXPORT
    if job.state == DataJob.State.RUNNING:
        job_file(job, "cancel").touch()
        if exporting:
            return "Cancelling: the export stops at its next row and keeps no file."
        return "Cancelling: the import stops at its next row and changes nothing."
    if job.finished and not job.confirmable:
        return "This job has finished; there is nothing to cancel."
    if exporting:
        job.state, job.message = DataJob.State.CANCELLED, "Cancelled; no file was written."
        job_finish(job)
        return "Export cancelled."
    job.state, job.message = DataJob.State.CANCELLED, "Cancelled; nothing was imported."
    job_finish(job)
    return "Import cancelled; the uploaded file was removed."
