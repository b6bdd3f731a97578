"""A saved web page's raw HTML is archived with its source (issue #11): stored with its SHA-256 by
the article assistant, never editable, offered to staff only as a plain-text download, kept out of
the public downloads, and carried by the seed files as a file beside them."""

import io
import re
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.template.defaultfilters import filesizeformat
from django.urls import reverse

from dataio.resources import import_dataset
from sources.models import Source, text_sha256
from sources.resources import SourceResource
from tests.conftest import logged_in, make_source, make_staff
from tests.test_ingest_admin import checklist

pytestmark = pytest.mark.django_db

PAGE = Path(__file__).parent / "data" / "ingest" / "brightline.html"
HTML = (
    "<!doctype html>\r\n<html><body><nav>Markets</nav><script>alert('x')</script><p>Xiaomi said so.</p></body></html>\n"
)


def archived_source(*, slug: str = "a-page", html: str = HTML, **fields) -> Source:
    return make_source(slug=slug, text="Xiaomi said so.", raw_html=html, **fields)


def raw_url(source: Source) -> str:
    return reverse("admin:sources_source_raw_html", args=[source.pk])


# -- the article assistant stores it ------------------------------------------------------------


def test_a_web_page_through_the_assistant_leaves_its_raw_html_and_digest_on_the_source(editor_client, seeded):
    html = PAGE.read_text(encoding="utf-8")
    upload = SimpleUploadedFile("brightline.html", html.encode("utf-8"), content_type="text/html")
    review = editor_client.post(reverse("ingest_analyse"), {"article_file": upload}, follow=True)
    assert not Source.objects.filter(raw_html=html).exists()  # nothing written before "Create drafts"

    editor_client.post(
        review.redirect_chain[-1][0], checklist(review, source_date_basis="inferred", source_date_note="From the page.")
    )

    source = Source.objects.get(title__startswith="Brightline Motors raises")
    assert source.raw_html == html
    assert source.raw_html_sha256 == text_sha256(html) == text_sha256(PAGE.read_bytes().decode("utf-8"))
    assert source.text != html and "<nav>" not in source.text  # excerpts point into the extracted text


def test_pasted_text_archives_no_page(db):
    source = make_source()
    assert (source.raw_html, source.raw_html_sha256) == ("", "")


# -- never editable -----------------------------------------------------------------------------


def test_an_archived_page_is_never_replaced_or_removed_by_a_save(db):
    source = archived_source()
    for attempt in ("<p>another page</p>", ""):
        stored = Source.objects.get(pk=source.pk)
        stored.raw_html = attempt
        stored.save()
        assert Source.objects.get(pk=source.pk).raw_html == HTML
    assert Source.objects.get(pk=source.pk).raw_html_sha256 == text_sha256(HTML)


def test_a_revert_to_a_version_before_the_page_was_archived_keeps_it(db):
    source = make_source(slug="later-page")
    stored = Source.objects.get(pk=source.pk)
    stored.raw_html = HTML  # archived later, as load_seeds does for a source that had none
    stored.save()
    first = source.history.earliest().instance  # what a revert builds: no page in that version
    assert first.raw_html == ""
    first.title = "Reverted title"
    first.save()
    reverted = Source.objects.get(pk=source.pk)
    assert (reverted.title, reverted.raw_html, reverted.raw_html_sha256) == ("Reverted title", HTML, text_sha256(HTML))


def test_the_change_form_shows_the_digest_and_size_but_no_field_and_never_the_page(reviewer_client):
    source = archived_source()
    page = reviewer_client.get(reverse("admin:sources_source_change", args=[source.pk])).content.decode()
    assert text_sha256(HTML) in page and filesizeformat(len(HTML.encode())) in page  # "111 bytes"
    assert f'href="{raw_url(source)}"' in page
    assert 'name="raw_html"' not in page and "<nav>Markets</nav>" not in page and "alert(" not in page

    form = reviewer_client.get(reverse("admin:sources_source_change", args=[source.pk])).context["adminform"].form
    assert "raw_html" not in form.fields and "raw_html_sha256" not in form.fields


# -- the raw view: staff only, a plain-text attachment ------------------------------------------


def test_staff_who_may_view_the_source_download_the_page_as_plain_text(editor_client):
    source = archived_source(state="draft")
    response = editor_client.get(raw_url(source))
    assert response.status_code == 200
    assert response.content == HTML.encode("utf-8")  # byte for byte, CR LF included
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="a-page.html"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"].startswith("sandbox")


def test_the_raw_view_is_refused_to_anyone_else(client, db):
    source = archived_source()
    url = raw_url(source)
    assert client.get(url)["Location"].startswith(reverse("admin:login"))  # not logged in
    reader = get_user_model().objects.create_user("reader", password="pw-for-tests-only")
    assert logged_in(reader).get(url)["Location"].startswith(reverse("admin:login"))  # not staff
    assert logged_in(make_staff(username="no-permissions")).get(url).status_code == 403


def test_a_source_without_a_page_has_no_raw_view(editor_client):
    source = make_source()
    assert editor_client.get(raw_url(source)).status_code == 404


# -- files: not in public downloads; editors' CSV names a file; the seeds carry it ---------------


def test_public_downloads_never_carry_the_page(client):
    archived_source()
    for view in ("downloads:table_csv", "downloads:table_json"):
        body = client.get(reverse(view, kwargs={"name": "sources"})).content.decode()
        assert "Xiaomi said so." in body  # readers get the text
        assert "<nav>" not in body and "raw_html" not in body and "html_file" not in body


def test_the_export_names_the_file_and_its_digest_and_the_admin_import_keeps_the_page(db):
    source = archived_source()
    dataset = SourceResource().export()
    row = dataset.dict[0]
    assert (row["html_file"], row["raw_html_sha256"]) == ("a-page.html", text_sha256(HTML))
    assert HTML not in dataset.csv

    # An import without the seeds' folder (admin, manage.py import) cannot read the file: the
    # stored page stays, and the unchanged row is no change.
    report = import_dataset(SourceResource(), dataset, name="sources.csv")
    assert (report.errors, report.changed) == ([], 0)
    assert Source.objects.get(pk=source.pk).raw_html == HTML


def export_to(directory: Path) -> str:
    out = io.StringIO()
    call_command("export_seeds", "--directory", str(directory), stdout=out, stderr=out)
    return out.getvalue()


def test_export_seeds_writes_the_page_beside_the_files_byte_for_byte(db, tmp_path):
    archived_source()
    output = export_to(tmp_path)
    assert (tmp_path / "a-page.html").read_bytes() == HTML.encode("utf-8")
    assert "archived files named by their rows" in output and "Not written" not in output


def test_load_seeds_refuses_a_page_file_that_does_not_match_its_digest(db, tmp_path):
    archived_source()
    export_to(tmp_path)
    Source.objects.all().delete()
    Source.history.all().delete()
    (tmp_path / "a-page.html").write_text("<p>tampered</p>", encoding="utf-8")
    with pytest.raises(CommandError) as caught:
        call_command("load_seeds", "--directory", str(tmp_path), stdout=io.StringIO())
    assert 'sources.csv, row 1 (line 2), column "html_file": the file "a-page.html" does not match' in str(caught.value)
    assert not Source.objects.exists()


def test_load_seeds_never_replaces_an_archived_page(db, tmp_path):
    archived_source()
    export_to(tmp_path)
    (tmp_path / "a-page.html").write_text("<p>another page</p>", encoding="utf-8")
    (tmp_path / "sources.csv").write_text(
        (tmp_path / "sources.csv").read_text(encoding="utf-8").replace(text_sha256(HTML), ""), encoding="utf-8"
    )
    with pytest.raises(CommandError, match=re.escape('the file "a-page.html" differs from the archived page')):
        call_command("load_seeds", "--directory", str(tmp_path), "--overwrite", stdout=io.StringIO())
    assert Source.objects.get().raw_html == HTML


def test_export_seeds_refuses_to_write_outside_its_folder(db, tmp_path):
    make_source(seed_file="../escaped.txt")
    output = export_to(tmp_path / "snapshot")  # the command makes the folder
    assert 'Not written: "../escaped.txt" (named in sources.csv) is not a plain file name' in output
    assert not (tmp_path / "escaped.txt").exists()
