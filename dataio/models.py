"""A background job: one import preview, one import write or one export, run by the task worker
(dataio/jobs.py) and followed by its owner on the job page (dataio/admin.py)."""

from django.conf import settings
from django.db import models


class DataJob(models.Model):
    class State(models.TextChoices):
        QUEUED = "queued"
        RUNNING = "running"
        DONE = "done"
        FAILED = "failed"
        CANCELLED = "cancelled"

    class Phase(models.TextChoices):
        PREVIEW = "preview", "import preview"
        WRITE = "write", "import"
        EXPORT = "export"

    FINISHED = (State.DONE, State.FAILED, State.CANCELLED)

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="data_jobs")
    model_label = models.CharField(
        max_length=100, help_text="The records imported or exported, e.g. companies.company."
    )
    resource_path = models.CharField(max_length=200)
    phase = models.CharField(max_length=10, choices=Phase.choices)
    state = models.CharField(max_length=10, choices=State.choices, default=State.QUEUED)
    file_name = models.CharField(
        max_length=255, blank=True, help_text="The name of the file as uploaded, or as an export is downloaded."
    )
    file_format = models.CharField(max_length=10)
    waiting_file = models.CharField(max_length=100, blank=True, help_text="The upload in the private folder.")
    previewed = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="writes")
    rows_read = models.PositiveIntegerField(default=0)
    rows_checked = models.PositiveIntegerField(default=0)
    rows_written = models.PositiveIntegerField(default=0)
    rows_total = models.PositiveIntegerField(default=0)
    new = models.PositiveIntegerField(default=0)
    changed = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    errors = models.PositiveIntegerField(default=0)
    # At most JOB_ROWS_KEPT of each, so a job of 100,000 rows stays a small row.
    first_rows = models.JSONField(default=list, blank=True)
    first_errors = models.JSONField(default=list, blank=True)
    diff_headers = models.JSONField(default=list, blank=True)
    message = models.TextField(blank=True)
    # An export: what the admin's export form asked for (the list's filters as a query string,
    # the rows picked by the list's action, the columns ticked), and the file it wrote.
    export_options = models.JSONField(default=dict, blank=True)
    export_file = models.CharField(max_length=100, blank=True, help_text="The export's file in the private folder.")
    task_result_id = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = "import or export job"

    def __str__(self) -> str:
        return f"{self.get_phase_display().capitalize()} of {self.file_name or self.model_label} ({self.state})"

    @property
    def finished(self) -> bool:
        return self.state in self.FINISHED

    @property
    def downloadable(self) -> bool:
        """An export that finished and whose file has not been removed yet."""
        return self.phase == self.Phase.EXPORT and self.state == self.State.DONE and bool(self.export_file)

    @property
    def confirmable(self) -> bool:
        """A preview that completed without errors, whose file still waits: it may be written."""
        return (
            self.phase == self.Phase.PREVIEW
            and self.state == self.State.DONE
            and self.errors == 0
            and bool(self.waiting_file)
            and not self.writes.exists()
        )
