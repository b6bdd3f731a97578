"""Driving the admin's import and export pages as an editor does, and reading what they show.

Shared by the admin, import, export and limits tests; the users and clients that drive them are
the fixtures of tests/conftest.py.
"""

import html
import io
import os
import re
import subprocess
import sys
from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import models
from django.urls import reverse

from companies.models import Alias, Company, Deal, Participation
from sources.models import Excerpt, NoiseSpan, Source, Story

DATA = Path(__file__).parent / "data"

# The admin's format menu, in the order of dataio.formats.FORMATS.
CSV, XLSX, JSON = 0, 1, 2


def admin_url(model: type[models.Model], page: str, *args) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{page}", args=args)


def run_jobs() -> None:
    """Run every queued background task now, in this process, as `manage.py db_worker` does."""
    from django_tasks_db.management.commands.db_worker import Worker
    from django_tasks_db.models import DBTaskResult

    worker = Worker(
        queue_names=["*"], interval=0, batch=True, backend_name="default", startup_delay=False,
        max_tasks=None, worker_id="tests", excluded_queue_names=[],
    )  # fmt: skip
    while (task_result := DBTaskResult.objects.ready().first()) is not None:
        task_result.claim(worker.worker_id)
        worker.run_task(task_result)


def follow_job(client, response, *, run: bool = True):
    """A response that sends the editor to a job's page: run the queued jobs, open that page."""
    if response.status_code != 302 or "/dataio/datajob/" not in response["Location"]:
        return response
    if run:
        run_jobs()
    return client.get(response["Location"])


def upload(client, model: type[models.Model], name: str, *, content: bytes | None = None, file_format: int = CSV):
    """Step 1: choose a file (from tests/data unless `content` is given) and submit it; the
    preview job runs and its page is returned."""
    data = (DATA / name).read_bytes() if content is None else content
    form = {"resource": 0, "format": file_format, "import_file": SimpleUploadedFile(name, data)}
    return follow_job(client, client.post(admin_url(model, "import"), form))


def job_form(page, kind: str):
    found = re.search(rf'<form action="([^"]*)" method="POST" class="{kind}-import">', page.text)
    assert found, f"the job page has no {kind} form"
    return html.unescape(found.group(1))


def confirm(client, model: type[models.Model], preview):
    """Step 2: press "Confirm import" on the preview's job page; the write job runs."""
    return follow_job(client, client.post(job_form(preview, "confirm")))


def cancel(client, preview):
    """Or press "Cancel import" instead."""
    return client.post(job_form(preview, "cancel"), follow=True)


def export_form(page: str, *, file_format: int) -> dict:
    """What pressing "Submit" on the export page sends, with every column left ticked."""
    assert 'name="format"' in page, "not an export page"
    data = {"format": str(file_format), "resource": "0"}
    data |= dict.fromkeys(re.findall(r'<input type="checkbox" name="(\w+resource_\w+)"[^>]*checked', page), "on")
    items = re.findall(r'<input type="hidden" name="export_items" value="([^"]*)"', page)
    if items:
        data["export_items"] = items
    return data


def export(client, url: str, *, file_format: int = CSV):
    """Open the export page at `url` (a list's Export link, with its filter) and submit it."""
    page = client.get(url)
    assert page.status_code == 200
    response = client.post(url, export_form(page.text, file_format=file_format))
    assert response.status_code == 200 and response.get("Content-Disposition", "").startswith("attachment")
    return response


def visible_text(response) -> str:
    """The page's messages and content as an editor reads them: tags dropped, entities decoded,
    spaces collapsed (the navigation around them left out)."""
    content = re.split(r'id="main"[^>]*>', response.text, maxsplit=1)[-1]
    content = re.sub(r"<nav\b[^>]*id=\"nav-sidebar\".*?</nav>", " ", content, flags=re.DOTALL)
    content = re.sub(r"<(script|style)\b.*?</\1>", " ", content, flags=re.DOTALL)
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", content))).strip()


def preview_rows(response) -> list[tuple[str, list[str]]]:
    """The preview table: each row's label ("New", "Update", "Skipped") and its cells' raw HTML."""
    rows = []
    for row in re.findall(r'<tr class="(?:new|update|skip|delete)">(.*?)</tr>', response.text, re.DOTALL):
        cells = re.findall(r"<td[^>]*>(.*?)</td>", row, re.DOTALL)
        rows.append((visible_cell(cells[0]), cells[1:]))
    return rows


def preview_labels(response) -> list[str]:
    return [label for label, _cells in preview_rows(response)]


def visible_cell(cell_html: str) -> str:
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", cell_html))).strip()


def diff_sides(cell_html: str) -> tuple[str, str]:
    """A diff cell read back as (before, after): deletions belong to before, insertions to after."""

    def text(fragment: str) -> str:
        fragment = fragment.replace("&para;<br>", "\n")
        return html.unescape(re.sub(r"<[^>]+>", "", fragment))

    before = re.sub(r"<ins\b[^>]*>.*?</ins>", "", cell_html, flags=re.DOTALL)
    after = re.sub(r"<del\b[^>]*>.*?</del>", "", cell_html, flags=re.DOTALL)
    return text(before), text(after)


def invalid_rows(response) -> dict[int, str]:
    """The "Some rows failed to validate" table: row number → the text of its errors cell."""
    found = re.findall(r'<tr>\s*<td>(\d+)\s*</td>\s*<td class="errors">(.*?)</td>', response.text, re.DOTALL)
    return {int(number): visible_cell(errors) for number, errors in found}


def snapshot() -> str:
    """Every row of the curated tables, to compare the database before and after."""
    out = io.StringIO()
    call_command("dumpdata", "companies", "sources", "--indent=0", stdout=out)
    return out.getvalue()


def settings_from_environment(names: tuple[str, ...], **env: str) -> subprocess.CompletedProcess:
    """Start the settings in a fresh process with only `env` set (no DJANGO_ variables of this
    shell, no env file) and print the named settings, space-separated."""
    clean = {key: value for key, value in os.environ.items() if not key.startswith(("DJANGO_", "DATABASE_URL"))}
    clean.update({"DJANGO_SETTINGS_MODULE": "evtracker.settings", "DJANGO_ENV_FILE": "", "DJANGO_DEBUG": "1", **env})
    shown = ", ".join(f"s.{name}" for name in names)
    code = f"import django; django.setup(); from django.conf import settings as s; print({shown})"
    root = Path(__file__).resolve().parent.parent
    return subprocess.run([sys.executable, "-c", code], cwd=root, env=clean, capture_output=True, text=True, timeout=60)


# Every curated table with its natural key, parts before what they belong to (the order a
# database is emptied in).
NATURAL_KEYS = {
    Excerpt: ("slug",),
    NoiseSpan: ("source", "start"),
    Participation: ("deal", "company", "role"),
    Alias: ("company", "name"),
    Source: ("slug",),
    Story: ("slug",),
    Deal: ("slug",),
    Company: ("slug",),
}


def curated_rows() -> dict[str, dict]:
    """Every row of every curated table, keyed by natural key, every field (archived text, digests
    and raw HTML included) and every link by slug: never a database id or the time rows were written."""
    tables = {}
    for model, key in NATURAL_KEYS.items():
        rows = {}
        for record in model.objects.all():
            values = {}
            for field in model._meta.concrete_fields:
                if field.primary_key or field.name in ("created_at", "updated_at"):
                    continue
                value = getattr(record, field.name)
                values[field.name] = getattr(value, "slug", None) if field.is_relation else value
            for field in model._meta.many_to_many:
                values[field.name] = sorted(related.slug for related in getattr(record, field.name).all())
            rows[tuple(values[name] for name in key)] = values
        tables[model._meta.model_name] = rows
    return tables
