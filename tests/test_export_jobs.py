"""Large admin exports as background jobs (issue 13, point 1): the export form queues a job, the
worker writes the file row by row into the private folder, the job's page links to it, and only
its owner (or a superuser) downloads it."""

import csv
import io
import json
import os
import time

import openpyxl
import pytest
from django.contrib.auth.models import Permission
from django.core.management import call_command
from django.urls import reverse

from companies.models import Company
from dataio import jobs
from dataio.models import DataJob
from tests.conftest import DRAFT, logged_in, make_company, make_staff
from tests.import_helpers import CSV, JSON, XLSX, admin_url, export, export_form, run_jobs, visible_text

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("import_folder")]

SUMMARIES = ['=HYPERLINK("http://127.0.0.1/","x")', "+1+2", "-2+3", "@SUM(A1:A2)", "'quoted", "plain, with “quotes”"]


@pytest.fixture
def companies():
    made = [
        make_company(name=f"Export Co {i}", slug=f"export-co-{i}", summary=summary, state=DRAFT)
        for i, summary in enumerate(SUMMARIES)
    ]
    made.append(make_company(name="SAIC Motor", slug="saic-motor", kind=Company.Kind.AUTOMAKER))
    return made


@pytest.fixture
def as_jobs(settings):
    """Every export of more than one row runs as a job."""
    settings.EXPORT_JOB_ROWS = 1
    return settings


def queue_export(client, url: str, *, file_format: int = CSV) -> DataJob:
    page = client.get(url)
    response = client.post(url, export_form(page.text, file_format=file_format))
    job = DataJob.objects.latest("pk")
    assert response.status_code == 302 and response["Location"] == admin_url(DataJob, "change", job.pk)
    return job


def download(client, job: DataJob):
    response = client.get(reverse("admin:dataio_datajob_download", args=[job.pk]))
    if response.status_code == 200:
        # Reading it through closes it the way the test client expects; calling close() again
        # would send request_finished, which closes the test's PostgreSQL connection mid-test.
        response.body = b"".join(response.streaming_content)
    return response


def test_a_large_export_is_queued_runs_and_links_to_its_file(editor_client, as_jobs, companies, import_folder):
    job = queue_export(editor_client, admin_url(Company, "export"))
    assert (job.phase, job.state, job.file_format) == ("export", "queued", "csv")
    queued = editor_client.get(admin_url(DataJob, "change", job.pk))
    assert "State: Queued" in visible_text(queued) and "Cancel export" in queued.text
    run_jobs()
    job.refresh_from_db()
    assert (job.state, job.rows_written, job.rows_total) == ("done", 7, 7)
    assert job.export_file == f"export-{job.pk}.csv" and (import_folder / job.export_file).is_file()
    assert sorted(p.name for p in import_folder.iterdir()) == [job.export_file]  # no progress or partial file
    page = editor_client.get(admin_url(DataJob, "change", job.pk))
    assert "Export finished: 7 companies, ready to download." in visible_text(page)
    assert reverse("admin:dataio_datajob_download", args=[job.pk]) in page.text
    status = editor_client.get(reverse("admin:dataio_datajob_status", args=[job.pk])).json()
    assert (status["state"], status["written"], status["done"], status["total"]) == ("done", 7, 7, 7)


def test_the_file_holds_the_database_rows_as_the_request_export_writes_them(editor_client, settings, companies):
    in_request = export(editor_client, admin_url(Company, "export")).content  # under the job threshold
    settings.EXPORT_JOB_ROWS = 1
    job = queue_export(editor_client, admin_url(Company, "export"))
    run_jobs()
    response = download(editor_client, DataJob.objects.get(pk=job.pk))
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"] == f'attachment; filename="{job.file_name}"'
    assert response.body == in_request  # same bytes, formulas neutralised as before
    rows = list(csv.DictReader(io.StringIO(response.body.decode(), newline="")))
    assert [row["slug"] for row in rows] == sorted(Company.objects.values_list("slug", flat=True))
    by_slug = {row["slug"]: row for row in rows}
    assert by_slug["export-co-0"]["summary"] == "'" + SUMMARIES[0]
    assert by_slug["export-co-5"]["summary"] == SUMMARIES[5]
    assert by_slug["saic-motor"]["kind"] == "automaker"


def test_json_and_xlsx_exports_as_jobs_hold_the_same_cells(editor_client, settings, companies):
    url = admin_url(Company, "export")
    in_request_json = export(editor_client, url, file_format=JSON).content
    in_request_xlsx = export(editor_client, url, file_format=XLSX).content
    settings.EXPORT_JOB_ROWS = 1
    json_job, xlsx_job = (
        queue_export(editor_client, url, file_format=JSON),
        queue_export(editor_client, url, file_format=XLSX),
    )
    run_jobs()
    assert download(editor_client, json_job).body == in_request_json
    assert json.loads(in_request_json)[0]["slug"] == "export-co-0"
    xlsx = download(editor_client, xlsx_job)
    assert xlsx["Content-Disposition"].endswith('.xlsx"')

    def cells(content: bytes) -> list[tuple]:
        return list(openpyxl.load_workbook(io.BytesIO(content)).active.iter_rows(values_only=True))

    assert cells(xlsx.body) == cells(in_request_xlsx)
    assert cells(xlsx.body)[1][cells(xlsx.body)[0].index("summary")] == "'" + SUMMARIES[0]


def test_the_lists_filter_and_the_picked_rows_are_what_the_job_exports(editor_client, as_jobs, companies):
    filtered = queue_export(editor_client, admin_url(Company, "export") + "?kind__exact=tech")
    assert filtered.export_options["query"] == "kind__exact=tech"
    picked = [companies[1].pk, companies[2].pk]
    page = editor_client.post(
        admin_url(Company, "changelist"), {"action": "export_admin_action", "_selected_action": picked}
    )
    editor_client.post(admin_url(Company, "export"), export_form(page.content.decode(), file_format=CSV))
    chosen = DataJob.objects.latest("pk")
    run_jobs()

    def slugs(job):
        body = download(editor_client, DataJob.objects.get(pk=job.pk)).body.decode()
        return [row["slug"] for row in csv.DictReader(io.StringIO(body, newline=""))]

    assert slugs(filtered) == [f"export-co-{i}" for i in range(len(SUMMARIES))]
    assert slugs(chosen) == ["export-co-1", "export-co-2"]


def test_another_user_gets_404_the_owner_and_a_superuser_the_file(editor_client, as_jobs, companies, superuser_client):
    job = queue_export(editor_client, admin_url(Company, "export"))
    run_jobs()
    other = logged_in(make_staff(username="other-editor", group="Editors"))
    assert download(other, job).status_code == 404
    assert other.get(admin_url(DataJob, "change", job.pk)).status_code == 404
    assert download(superuser_client, job).status_code == 200
    assert download(editor_client, job).status_code == 200
    editor_client.logout()
    assert download(editor_client, job).status_code == 302  # to the login page: staff only


def test_exporting_needs_the_export_permission_as_before(as_jobs, companies):
    viewer = make_staff(username="viewer")
    viewer.user_permissions.add(Permission.objects.get(codename="view_company"))
    client = logged_in(viewer)
    assert client.get(admin_url(Company, "export")).status_code == 403
    assert client.post(admin_url(Company, "export"), {"format": "0", "resource": "0"}).status_code == 403
    assert not DataJob.objects.exists()


def test_a_permission_taken_away_before_the_job_runs_fails_it(editor, editor_client, as_jobs, companies):
    job = queue_export(editor_client, admin_url(Company, "export"))
    editor.groups.clear()
    editor.user_permissions.add(Permission.objects.get(codename="view_company"))
    run_jobs()
    job.refresh_from_db()
    assert (job.state, job.export_file) == ("failed", "")
    assert "may no longer export companies; no file was written." in job.message


def test_a_queued_export_cancelled_never_runs_and_a_running_one_keeps_no_file(
    editor_client, as_jobs, companies, import_folder, monkeypatch
):
    queued = queue_export(editor_client, admin_url(Company, "export"))
    editor_client.post(reverse("admin:dataio_datajob_cancel", args=[queued.pk]))
    running = queue_export(editor_client, admin_url(Company, "export"))
    monkeypatch.setattr(jobs, "PROGRESS_INTERVAL", 0)
    original = jobs.ProgressFile.__call__

    def cancel_at_row_3(self, done, total):
        if done == 3 and DataJob.objects.get(pk=running.pk).state == "running":
            assert jobs.job_cancel(DataJob.objects.get(pk=running.pk)).startswith("Cancelling: the export")
        original(self, done, total)

    monkeypatch.setattr(jobs.ProgressFile, "__call__", cancel_at_row_3)
    run_jobs()
    queued.refresh_from_db(), running.refresh_from_db()
    assert (queued.state, queued.started_at) == ("cancelled", None)
    assert (running.state, running.export_file) == ("cancelled", "")
    assert "no file was kept" in running.message
    assert list(import_folder.iterdir()) == []


def test_the_purge_removes_old_export_files_and_those_of_deleted_jobs(editor_client, as_jobs, companies, import_folder):
    old, recent, deleted = (queue_export(editor_client, admin_url(Company, "export")) for _ in range(3))
    run_jobs()
    DataJob.objects.filter(pk=old.pk).update(finished_at=old.created_at.replace(year=2020))
    deleted_file = import_folder / f"export-{deleted.pk}.csv"
    DataJob.objects.filter(pk=deleted.pk).delete()
    assert deleted_file.is_file()
    out = io.StringIO()
    call_command("purge_import_files", "--older-than-hours", "24", stdout=out)
    assert "Removed 2 export file(s)." in out.getvalue()
    assert sorted(p.name for p in import_folder.iterdir()) == [f"export-{recent.pk}.csv"]
    old.refresh_from_db()
    assert old.export_file == "" and download(editor_client, old).status_code == 404
    page = editor_client.get(admin_url(DataJob, "change", old.pk))
    assert "The exported file is no longer kept; export again from the list." in visible_text(page)
    assert download(editor_client, recent).status_code == 200


def test_a_small_export_stays_a_download_in_the_request(editor_client, companies):
    response = export(editor_client, admin_url(Company, "export"))
    assert response["Content-Disposition"].startswith("attachment")
    assert not DataJob.objects.exists()


def test_an_export_whose_worker_died_is_failed(editor_client, as_jobs, companies, settings):
    job = queue_export(editor_client, admin_url(Company, "export"))
    DataJob.objects.filter(pk=job.pk).update(state=DataJob.State.RUNNING)
    job.refresh_from_db()
    jobs.ProgressFile(job, read=0, total=7, counting=("read", "written"))
    stale = time.time() - settings.JOBS_STALE_SECONDS - 5
    os.utime(jobs.job_file(job, "progress"), (stale, stale))
    page = editor_client.get(admin_url(DataJob, "change", job.pk))
    assert "The worker stopped while running this job" in visible_text(page) and "Export again." in page.text
