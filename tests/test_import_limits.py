"""Upload limits and the uploaded file's life: refused over the size limit, kept only between
preview and confirm (or cancel), in a folder or a storage several app servers can share."""

import io
import os
import time

import pytest
from django.core.cache import cache
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import RequestFactory
from import_export.tmp_storages import CacheStorage

from companies.models import Company
from dataio.uploads import RefusedUpload
from tests.conftest import logged_in, make_company, make_staff
from tests.import_helpers import (
    DATA,
    admin_url,
    cancel,
    confirm,
    preview_labels,
    settings_from_environment,
    snapshot,
    upload,
    visible_text,
)

STORAGE = ("IMPORT_EXPORT_TMP_STORAGE_CLASS", "IMPORT_MAX_UPLOAD_MB", "IMPORT_TMP_DIR")

pytestmark = pytest.mark.django_db

HEADER = b"slug,name,kind,entry_mode,headquarters,website,parent,summary,evidence_note,editorial_state\n"


@pytest.fixture(autouse=True)
def xiaomi():
    """The parent companies_messy.csv names."""
    return make_company(name="Xiaomi")


def waiting_files(folder) -> list[str]:
    return sorted(path.name for path in folder.iterdir()) if folder.exists() else []


def test_import_page_states_the_default_limit_of_twenty_five_megabytes(superuser_client):
    """Enough for 100,000 deals (about 20 MB of CSV), the default row limit."""
    assert "Upload at most 25 MB." in visible_text(superuser_client.get(admin_url(Company, "import")))


def multipart_request(*, size: int):
    """A POST whose body carries one file of `size` bytes, parsed by the configured upload handlers."""
    upload = SimpleUploadedFile("companies.csv", b"x" * size, content_type="text/csv")
    return RequestFactory().post("/admin/companies/company/import/", {"format": "0", "import_file": upload})


def test_upload_over_the_limit_is_cut_off_as_it_streams_in(settings, tmp_path):
    """Past the limit nothing is kept, in memory or on disk: the form gets an empty stand-in that
    still tells the size sent, and refuses it with its message."""
    settings.IMPORT_MAX_UPLOAD_MB = 1
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path)
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 100 * 1024  # beyond it Django spools to a temporary file
    request = multipart_request(size=3 * 1024 * 1024 + 5)
    received = request.FILES["import_file"]
    assert isinstance(received, RefusedUpload)
    assert received.size == 3 * 1024 * 1024 + 5
    assert received.read() == b""
    assert list(tmp_path.iterdir()) == []  # the partial temporary file was removed at the limit
    assert request.POST["format"] == "0"


def test_upload_at_the_limit_reaches_the_form_whole(settings):
    settings.IMPORT_MAX_UPLOAD_MB = 1
    received = multipart_request(size=1024 * 1024).FILES["import_file"]
    assert not isinstance(received, RefusedUpload)
    assert received.size == 1024 * 1024
    assert received.read() == b"x" * 1024 * 1024


def padded_file(size: int) -> bytes:
    """A companies file of exactly `size` bytes: one row, then blank lines (which import nothing)."""
    content = HEADER + b"big-motors,Big Motors,automaker,,,,,A company in a big file.,,draft\n"
    return content + b"\n" * (size - len(content))


def test_upload_over_the_limit_is_refused_with_a_message(superuser_client, settings, import_folder):
    settings.IMPORT_MAX_UPLOAD_MB = 1
    before = snapshot()
    response = upload(superuser_client, Company, "companies.csv", content=padded_file(1536 * 1024))
    page = visible_text(response)
    assert "The file is 1.5 MB; files over 1 MB are refused. Split it into smaller files." in page
    assert "Upload at most 1 MB." in page  # said before the upload, too
    assert "Confirm import" not in response.text
    assert waiting_files(import_folder) == []  # refused before it was stored
    assert snapshot() == before


def test_file_at_the_limit_is_accepted(superuser_client, settings, import_folder):
    settings.IMPORT_MAX_UPLOAD_MB = 1
    content = padded_file(1024 * 1024)
    assert len(content) == 1024 * 1024
    preview = upload(superuser_client, Company, "companies.csv", content=content)
    assert preview_labels(preview) == ["New"]


def test_confirm_removes_the_waiting_file(superuser_client, import_folder):
    preview = upload(superuser_client, Company, "companies_messy.csv")
    assert len(waiting_files(import_folder)) == 1
    done = confirm(superuser_client, Company, preview)
    assert "Import finished: 2 new" in visible_text(done)
    assert waiting_files(import_folder) == []


def test_cancel_removes_the_waiting_file_and_says_so(superuser_client, import_folder):
    before = snapshot()
    preview = upload(superuser_client, Company, "companies_messy.csv")
    assert len(waiting_files(import_folder)) == 1
    response = cancel(superuser_client, preview)
    assert response.redirect_chain[-1][0] == admin_url(Company, "changelist")
    assert "Import cancelled; the uploaded file was removed." in visible_text(response)
    assert waiting_files(import_folder) == []
    assert snapshot() == before


def test_cancel_removes_only_files_in_the_import_folder(superuser_client, import_folder, tmp_path):
    outside = tmp_path / "keep-me.txt"
    outside.write_text("not an upload")
    response = superuser_client.post(
        admin_url(Company, "cancel_import"), {"import_file_name": "../keep-me.txt"}, follow=True
    )
    assert response.status_code == 400  # not the name of an upload (tests/test_hostile_uploads.py)
    assert outside.exists()


def test_cancel_needs_the_import_permission(import_folder):
    viewer = logged_in(make_staff(username="viewer"))
    assert viewer.post(admin_url(Company, "cancel_import"), {"import_file_name": "x"}).status_code == 403


def test_purge_removes_abandoned_files_and_keeps_recent_ones(import_folder):
    import_folder.mkdir(mode=0o700, parents=True)
    # Uploads are named `<user id>-<hex>`; the purge removes nothing else (test_hostile_uploads.py).
    old, recent = import_folder / f"1-{'a' * 32}", import_folder / f"1-{'b' * 32}"
    old.write_bytes(b"old preview")
    recent.write_bytes(b"fresh preview")
    two_days_ago = time.time() - 48 * 3600
    os.utime(old, (two_days_ago, two_days_ago))
    out = io.StringIO()
    call_command("purge_import_files", "--older-than-hours", "24", stdout=out)
    assert "Removed 1 abandoned import file(s)." in out.getvalue()
    assert waiting_files(import_folder) == [recent.name]


def test_cache_storage_keeps_the_file_between_preview_and_confirm(superuser_client, settings, import_folder):
    """`DJANGO_IMPORT_TMP_STORAGE=cache`: the upload waits in Django's cache, which every app
    server shares when the cache is the database."""
    settings.IMPORT_EXPORT_TMP_STORAGE_CLASS = "import_export.tmp_storages.CacheStorage"
    preview = upload(superuser_client, Company, "companies_messy.csv")
    name = preview.context["job"].waiting_file
    assert cache.get(CacheStorage.CACHE_PREFIX + name) == (DATA / "companies_messy.csv").read_bytes()
    assert waiting_files(import_folder) == []
    done = confirm(superuser_client, Company, preview)
    assert "Import finished: 2 new" in visible_text(done)
    assert Company.objects.get(slug="messy-motors").name == "小米汽车测试"
    assert cache.get(CacheStorage.CACHE_PREFIX + name) is None


def test_cache_storage_is_emptied_on_cancel(superuser_client, settings):
    settings.IMPORT_EXPORT_TMP_STORAGE_CLASS = "import_export.tmp_storages.CacheStorage"
    preview = upload(superuser_client, Company, "companies_messy.csv")
    name = preview.context["job"].waiting_file
    cancel(superuser_client, preview)
    assert cache.get(CacheStorage.CACHE_PREFIX + name) is None


def test_media_storage_keeps_the_file_between_preview_and_confirm(superuser_client, settings, tmp_path):
    """`DJANGO_IMPORT_TMP_STORAGE=media`: the default file storage, shared when that is shared."""
    settings.IMPORT_EXPORT_TMP_STORAGE_CLASS = "import_export.tmp_storages.MediaStorage"
    settings.MEDIA_ROOT = tmp_path / "media"
    preview = upload(superuser_client, Company, "companies_messy.csv")
    name = preview.context["job"].waiting_file
    assert default_storage.exists(f"django-import-export/{name}")
    done = confirm(superuser_client, Company, preview)
    assert "Import finished: 2 new" in visible_text(done)
    assert not default_storage.exists(f"django-import-export/{name}")


def test_where_uploads_wait_and_how_big_they_may_be_come_from_the_environment():
    shared = settings_from_environment(
        STORAGE,
        DJANGO_IMPORT_TMP_STORAGE="cache",
        DJANGO_IMPORT_MAX_UPLOAD_MB="25",
        DJANGO_IMPORT_TMP_DIR="/srv/imports",
    )
    assert shared.stdout.split() == ["import_export.tmp_storages.CacheStorage", "25", "/srv/imports"], shared.stderr
    unknown = settings_from_environment(STORAGE, DJANGO_IMPORT_TMP_STORAGE="s3")
    assert unknown.returncode != 0
    assert "DJANGO_IMPORT_TMP_STORAGE='s3': use folder, cache or media." in unknown.stderr


def test_the_default_text_limit_is_what_the_memory_bound_allows(settings):
    """95 MB of CSV text peaked at 366 MB (the file, its text and its cells; measured
    2026-12-01 with `manage.py import --dry-run`), under the 500 MB bound; 190 MB at 652 MB."""
    from dataio.limits import ImportLimits

    assert settings.IMPORT_MAX_UNPACKED_MB == 100
    assert ImportLimits.from_settings().text_bytes == 100 * 1024 * 1024


def test_csv_lines_split_as_a_file_opened_with_newline_empty_and_copy_nothing():
    """The readers walk the text line by line instead of through io.StringIO (a copy at four
    bytes a character); the rows are those tablib made from it before."""
    import csv

    import tablib

    from dataio.formats import CSV
    from dataio.limits import csv_lines

    text = 'slug,summary\r\nsaic,"two\r\nlines"\rfaw,old Mac end\nnio,"a\rb"\n\nlast,no end'
    assert list(csv.reader(csv_lines(text))) == list(csv.reader(io.StringIO(text, newline="")))
    assert CSV().create_dataset(text).dict == tablib.import_set(text, format="csv").dict
    lines = csv_lines("a,b\n" * 3)
    assert not isinstance(lines, (list, str)) and list(lines) == ["a,b\n"] * 3
