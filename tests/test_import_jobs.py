"""Imports as background jobs (issue 13, point 1): the upload queues a job on the database task
backend, the worker runs it, and its page shows progress, then the paged result."""

import json
import os
import re
import threading
import time
import urllib.request

import pytest
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from companies.models import Company
from dataio import jobs
from dataio.models import DataJob
from tests.conftest import logged_in, make_staff
from tests.import_helpers import admin_url, cancel, confirm, follow_job, run_jobs, snapshot, upload, visible_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def other_editor(import_folder):
    return logged_in(make_staff(username="other-editor", group="Editors"))


def companies_csv(count: int, *, start: int = 0, kind: str = "automaker") -> bytes:
    rows = "".join(f"job-{i},Job Motors {i},{kind}\n" for i in range(start, start + count))
    return f"slug,name,kind\n{rows}".encode()


def queue_upload(client, content: bytes):
    """Submit a file without running the worker: the job waits in the queue."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    form = {"resource": 0, "format": 0, "import_file": SimpleUploadedFile("companies.csv", content)}
    response = client.post(admin_url(Company, "import"), form)
    assert response.status_code == 302
    return DataJob.objects.latest("pk"), response


def test_an_upload_is_queued_on_the_database_backend_and_its_page_says_so(editor_client, import_folder):
    job, response = queue_upload(editor_client, companies_csv(3))
    assert response["Location"] == admin_url(DataJob, "change", job.pk)
    assert (job.state, job.phase) == (DataJob.State.QUEUED, DataJob.Phase.PREVIEW)
    assert DBTaskResult.objects.get(id=job.task_result_id).status == "READY"
    page = editor_client.get(response["Location"])
    assert "State: Queued" in visible_text(page)
    assert '<progress id="job-progress"' in page.text
    assert not Company.objects.filter(slug__startswith="job-").exists()


def test_a_job_runs_queued_then_running_with_progress_then_done(editor_client, import_folder, monkeypatch):
    job, _response = queue_upload(editor_client, companies_csv(40))
    seen = []
    monkeypatch.setattr(jobs, "PROGRESS_INTERVAL", 0)
    original = jobs.ProgressFile.__call__

    def watch(self, done, total):
        original(self, done, total)
        if done in (10, 40):
            job.refresh_from_db()
            status = editor_client.get(reverse("admin:dataio_datajob_status", args=[job.pk])).json()
            seen.append((job.state, status["checked"], status["total"]))

    monkeypatch.setattr(jobs.ProgressFile, "__call__", watch)
    run_jobs()
    assert seen == [("running", 10, 40), ("running", 40, 40)]
    job.refresh_from_db()
    assert (job.state, job.new, job.changed, job.unchanged, job.errors) == ("done", 40, 0, 0, 0)
    assert DBTaskResult.objects.get(id=job.task_result_id).status == "SUCCESSFUL"
    assert not Company.objects.filter(slug__startswith="job-").exists()  # a preview writes nothing
    assert not list(import_folder.glob("job-*"))  # its progress file is gone


def test_the_preview_is_paged_and_lists_no_more_than_it_keeps(editor_client, import_folder):
    preview = upload(editor_client, Company, "companies.csv", content=companies_csv(300))
    assert len(re.findall(r'<tr class="new">', preview.text)) == 25
    assert "300 new, 0 changed, 0 unchanged, 0 errors." in visible_text(preview)
    assert "… and 200 more new or updated rows, not listed." in visible_text(preview)
    assert "Rows, page 1 of 4" in visible_text(preview)
    fourth = editor_client.get(preview.wsgi_request.path, {"rows": 4})
    assert len(re.findall(r'<tr class="new">', fourth.text)) == 25
    assert "job-99," not in fourth.text and "Job Motors 99<" in fourth.text.replace("</ins>", "<")
    assert len(DataJob.objects.get().first_rows) == jobs.ROWS_KEPT


def test_confirm_is_offered_only_after_a_preview_without_errors(editor_client, import_folder):
    bad = upload(editor_client, Company, "companies.csv", content=companies_csv(3, kind="spaceship"))
    assert "Confirm import" not in bad.text
    assert "3 errors" in visible_text(bad)
    bad_job = DataJob.objects.get()
    refused = editor_client.post(reverse("admin:dataio_datajob_confirm", args=[bad_job.pk]), follow=True)
    assert "The uploaded file is no longer waiting" in visible_text(refused)
    assert DataJob.objects.count() == 1 and not Company.objects.filter(slug__startswith="job-").exists()
    assert list(import_folder.iterdir()) == []  # a preview with errors keeps no file
    good = upload(editor_client, Company, "companies.csv", content=companies_csv(3))
    assert "Confirm import" in good.text
    assert 'table class="import-preview"' in good.text and "Job Motors 1" in visible_text(good)  # the rows to come
    done = confirm(editor_client, Company, good)
    assert "Import finished: 3 new, 0 updated, 0 deleted and 0 skipped companies." in visible_text(done)
    assert "import-preview" not in done.text  # the write lists no rows (it keeps no diff to show)
    write = DataJob.objects.get(phase=DataJob.Phase.WRITE)
    assert (write.state, write.rows_written, write.previewed.phase) == ("done", 3, "preview")
    assert list(import_folder.iterdir()) == []  # the file went with the finished write
    assert Company.objects.filter(slug__startswith="job-").count() == 3


def test_a_queued_job_cancelled_never_runs(editor_client, import_folder):
    job, response = queue_upload(editor_client, companies_csv(3))
    page = editor_client.get(response["Location"])
    cancelled = cancel(editor_client, page)
    assert "Import cancelled; the uploaded file was removed." in visible_text(cancelled)
    run_jobs()
    job.refresh_from_db()
    assert (job.state, job.started_at, job.waiting_file) == ("cancelled", None, "")
    assert list(import_folder.iterdir()) == []


def test_a_running_job_cancelled_stops_between_rows_and_changes_nothing(editor_client, import_folder, monkeypatch):
    job, _response = queue_upload(editor_client, companies_csv(50))
    confirm_write = DataJob.objects.create(**{**preview_fields(job), "phase": DataJob.Phase.WRITE})
    DataJob.objects.filter(pk=job.pk).update(state=DataJob.State.CANCELLED)  # only the write runs
    jobs.job_enqueue(confirm_write)
    monkeypatch.setattr(jobs, "PROGRESS_INTERVAL", 0)
    original = jobs.ProgressFile.__call__

    def cancel_at_row_20(self, done, total):
        if done == 20:
            message = jobs.job_cancel(DataJob.objects.get(pk=confirm_write.pk))
            assert message.startswith("Cancelling")
        original(self, done, total)

    monkeypatch.setattr(jobs.ProgressFile, "__call__", cancel_at_row_20)
    before = snapshot()
    run_jobs()
    confirm_write.refresh_from_db()
    assert (confirm_write.state, confirm_write.waiting_file) == ("cancelled", "")
    assert "nothing was changed" in confirm_write.message
    assert snapshot() == before
    assert list(import_folder.iterdir()) == []


def preview_fields(job: DataJob) -> dict:
    names = ["owner", "model_label", "resource_path", "file_name", "file_format", "waiting_file"]
    return {name: getattr(job, name) for name in names}


def test_a_job_whose_worker_died_is_failed_and_the_database_unchanged(editor_client, import_folder, settings):
    """The worker was killed mid-import: its transaction never committed, its heartbeat stops."""
    job, response = queue_upload(editor_client, companies_csv(5))
    before = snapshot()
    task_result = DBTaskResult.objects.get(id=job.task_result_id)
    task_result.claim("killed-worker")
    DataJob.objects.filter(pk=job.pk).update(state=DataJob.State.RUNNING)
    job.refresh_from_db()
    jobs.ProgressFile(job, read=5)  # the heartbeat, then nothing more
    old = time.time() - settings.JOBS_STALE_SECONDS - 5
    os.utime(jobs.job_file(job, "progress"), (old, old))
    page = editor_client.get(response["Location"])
    assert "The worker stopped while running this job (no sign of life for over" in visible_text(page)
    job.refresh_from_db()
    assert (job.state, job.waiting_file) == ("failed", "")
    assert snapshot() == before
    assert list(import_folder.iterdir()) == []


def test_a_job_whose_task_failed_is_failed(editor_client, import_folder):
    job, response = queue_upload(editor_client, companies_csv(2))
    DBTaskResult.objects.get(id=job.task_result_id).set_failed(RuntimeError("out of memory"))
    assert "its task failed in the worker" in visible_text(editor_client.get(response["Location"]))
    assert DataJob.objects.get().state == "failed"


def test_an_editor_sees_only_their_own_jobs_and_a_superuser_all(editor_client, other_editor, superuser_client):
    upload(editor_client, Company, "companies.csv", content=companies_csv(1))
    job = DataJob.objects.get()
    assert str(job) in editor_client.get(admin_url(DataJob, "changelist")).text
    assert str(job) not in other_editor.get(admin_url(DataJob, "changelist")).text
    assert other_editor.get(admin_url(DataJob, "change", job.pk)).status_code == 404
    assert other_editor.post(reverse("admin:dataio_datajob_cancel", args=[job.pk])).status_code == 404
    assert superuser_client.get(admin_url(DataJob, "change", job.pk)).status_code == 200


def test_the_page_reloads_without_javascript_and_polls_with_it(editor_client, import_folder, client):
    job, response = queue_upload(editor_client, companies_csv(1))
    page = editor_client.get(response["Location"]).text
    assert '<noscript><meta http-equiv="refresh" content="3"></noscript>' in page
    assert re.search(r'<script src="[^"]*dataio/job_progress\.js" defer></script>', page)
    assert not re.search(r"<script>(?!</script>)", page)  # no inline script: the admin's CSP
    script = (settings_static_root() / "dataio" / "job_progress.js").read_text()
    assert "dataset.statusUrl" in script and "bar.value" in script
    status = editor_client.get(reverse("admin:dataio_datajob_status", args=[job.pk]))
    assert status.json() == {**status.json(), "state": "queued", "finished": False}
    run_jobs()
    assert "http-equiv" not in editor_client.get(response["Location"]).text  # finished: stays put


def settings_static_root():
    from pathlib import Path

    return Path(__file__).resolve().parent.parent / "static"


@pytest.mark.django_db(transaction=True)
def test_a_20000_row_import_through_the_live_server_shows_progress(live_server, editor, import_folder):
    """An HTTP client against the running site: upload, watch the job's status advance while a
    worker thread runs it, confirm, and find every row written."""
    from django.test import Client

    session = Client()
    session.force_login(editor)
    cookie = f"sessionid={session.cookies['sessionid'].value}"
    opener = urllib.request.build_opener()
    opener.addheaders = [("Cookie", cookie)]

    def get(path: str) -> str:
        return opener.open(live_server.url + path, timeout=60).read().decode()

    # The upload itself goes through the test client (same code path), the rest over HTTP.
    response = follow_job(session, upload_response(session, companies_csv(20_000)), run=False)
    job = DataJob.objects.get()
    status_path = reverse("admin:dataio_datajob_status", args=[job.pk])
    seen = []
    worker = threading.Thread(target=run_jobs)
    worker.start()
    while worker.is_alive():
        seen.append(json.loads(get(status_path))["checked"])
        time.sleep(0.2)
    worker.join()
    assert response.status_code == 200
    advancing = sorted(set(seen))
    assert len([n for n in advancing if 0 < n < 20_000]) >= 2, seen
    page = get(reverse("admin:dataio_datajob_change", args=[job.pk]))
    assert "20000 new, 0 changed, 0 unchanged, 0 errors." in page
    assert len(re.findall(r'<tr class="new">', page)) == 25  # a page, not 20,000 rows
    session.post(reverse("admin:dataio_datajob_confirm", args=[job.pk]))
    run_jobs()
    assert Company.objects.filter(slug__startswith="job-").count() == 20_000


def upload_response(client, content: bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    form = {"resource": 0, "format": 0, "import_file": SimpleUploadedFile("companies.csv", content)}
    return client.post(admin_url(Company, "import"), form)


def test_the_command_line_progress_prints_plain_lines_when_not_a_terminal():
    import io

    from dataio.progress import import_progress

    out = io.StringIO()
    with import_progress(name="deals.csv", stream=out) as progress:
        for done in range(1, 101):
            progress(done, 100)
    lines = out.getvalue().splitlines()
    assert lines[0] == "deals.csv: 1 of 100 rows checked"
    assert lines[-1] == "deals.csv: 100 of 100 rows checked"
    assert len(lines) == 11  # a line a tenth, never one a row


def test_manage_py_import_prints_plain_progress_lines_when_not_a_terminal(tmp_path):
    import io

    from django.core.management import call_command

    path = tmp_path / "companies.csv"
    path.write_bytes(companies_csv(40))
    err = io.StringIO()
    call_command("import", "companies.Company", str(path), "--no-input", stderr=err)
    lines = err.getvalue().splitlines()
    progress = [line for line in lines if line.endswith("rows checked")]
    assert progress[0] == "companies.csv: 1 of 40 rows checked"
    assert progress[-1] == "companies.csv: 40 of 40 rows checked"
    assert len(progress) == 11  # a line a tenth of the file, not one a row
    assert "\x1b" not in err.getvalue()  # no terminal drawing in a log
    assert lines[-1] == "Import finished: 40 new, 0 updated, 0 deleted and 0 skipped companies."
    assert Company.objects.filter(slug__startswith="job-").count() == 40


def test_a_preview_of_more_errors_than_it_keeps_counts_every_one(editor_client, import_folder):
    """150 invalid rows: the first 100 problems are kept, the other 50 only counted."""
    preview = upload(editor_client, Company, "companies.csv", content=companies_csv(150, kind="spaceship"))
    job = DataJob.objects.get()
    assert job.errors == 150
    assert sum(error.get("count", 1) for error in job.first_errors) == 100
    text = visible_text(preview)
    assert "0 new, 0 changed, 0 unchanged, 150 errors." in text
    assert "… and 50 more errors." in text
    assert "Confirm import" not in preview.text
