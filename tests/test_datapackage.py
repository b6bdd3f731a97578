"""The citable dataset: /data/datapackage.json (public/downloads/datapackage.py), checked by
`frictionless validate` together with the CSV files it describes; the byte order mark of the CSV
downloads (public/downloads/bom.py); the licence, version and citation on /data/."""

import csv
import io
import json
import shutil
import subprocess
from pathlib import Path

import pytest
from django.urls import reverse

from core.changes import version_bump
from public.downloads.bom import BYTE_ORDER_MARK
from public.downloads.tables import TABLES
from tests.page_text import text_of

pytestmark = pytest.mark.django_db
SITE = "http://testserver"
FRICTIONLESS = shutil.which("frictionless") or str(Path(__file__).resolve().parent.parent / ".venv/bin/frictionless")


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def descriptor(client) -> dict:
    response = client.get(reverse("downloads:datapackage"))
    assert response.status_code == 200 and response["Content-Type"] == "application/json"
    return response.json()


def downloaded_package(client, folder: Path) -> Path:
    """The descriptor as served and every file it names, fetched through the site into `folder`;
    only each resource's address is turned into the file's name, so frictionless reads no network."""
    package = descriptor(client)
    for resource in package["resources"]:
        assert resource["path"].startswith(SITE + "/data/plain/")
        file_name = f"{resource['name']}.csv"
        (folder / file_name).write_bytes(body(client.get(resource["path"].removeprefix(SITE))))
        resource["path"] = file_name
    path = folder / "datapackage.json"
    path.write_text(json.dumps(package, ensure_ascii=False), encoding="utf-8")
    return path


def frictionless_validate(path: Path) -> dict:
    run = subprocess.run(
        [FRICTIONLESS, "validate", "--json", path.name], cwd=path.parent, capture_output=True, text=True, timeout=300
    )
    return json.loads(run.stdout)


def problems(report: dict) -> list[str]:
    found = [f"package: {error['message']}" for error in report.get("errors", [])]
    for task in report.get("tasks", []):
        found += [f"{task['name']}: {error['message']}" for error in task.get("errors", [])[:5]]
    return found


@pytest.fixture
def page_cache(settings):
    settings.PAGE_CACHE = True


@pytest.fixture
def changed_seeds(seeded):
    version_bump(reason="seeds loaded")  # the test's transaction never commits, so move it by hand


def test_the_data_package_and_its_csv_files_pass_frictionless_validate(client, changed_seeds, tmp_path):
    report = frictionless_validate(downloaded_package(client, tmp_path))
    assert report["valid"], problems(report)
    checked = {task["name"]: task["stats"]["rows"] for task in report["tasks"]}
    assert set(checked) == {table.name for table in TABLES} and checked["deals"] >= 5


def test_frictionless_validate_does_find_a_file_that_breaks_the_schema(client, changed_seeds, tmp_path):
    """The check above passes because the files fit, not because nothing was compared."""
    path = downloaded_package(client, tmp_path)
    deals = (tmp_path / "deals.csv").read_text(encoding="utf-8")
    (tmp_path / "deals.csv").write_text(deals.replace(",completed,", ",finished,", 1), encoding="utf-8")
    report = frictionless_validate(path)
    assert not report["valid"]
    assert any("finished" in problem and "enum" in problem.lower() for problem in problems(report)), problems(report)


def test_the_descriptor_names_version_date_licence_sources_and_every_column_with_a_type(client, changed_seeds):
    package = descriptor(client)
    assert package["name"] == "ev-entry-tracker" and package["title"]
    assert package["version"] == str(client.get("/data/").context["version"].number)
    assert package["created"].endswith("Z") and "." not in package["created"]  # to the second, in UTC
    assert package["licenses"][0]["name"] == "CC-BY-4.0"
    assert [source["path"] for source in package["sources"]] == [f"{SITE}/", f"{SITE}/sources/"]
    for table, resource in zip(TABLES, package["resources"], strict=True):
        fields = resource["schema"]["fields"]
        assert [field["name"] for field in fields] == table.column_names
        assert [field["description"] for field in fields] == [column.meaning for column in table.columns]
    deals = {field["name"]: field for field in package["resources"][1]["schema"]["fields"]}
    assert (deals["amount"]["type"], deals["excerpts"]["type"]) == ("number", "integer")
    assert "completed" in deals["status"]["constraints"]["enum"]


def test_the_descriptor_follows_the_dataset_version(client, changed_seeds):
    before = descriptor(client)["version"]
    version_bump(reason="test")
    assert descriptor(client)["version"] == str(int(before) + 1)


def test_the_descriptor_is_kept_by_the_page_cache(client, changed_seeds, page_cache):
    first = client.get(reverse("downloads:datapackage"))
    again = client.get(reverse("downloads:datapackage"))
    assert (first["X-Page-Cache"], again["X-Page-Cache"]) == ("miss", "hit")
    assert again["ETag"] == first["ETag"] and again.content == first.content


# -- the byte order mark --


@pytest.mark.parametrize("table", [table.name for table in TABLES])
def test_csv_downloads_start_with_a_utf8_byte_order_mark_and_the_plain_files_do_not(client, xiaomi_world, table):
    marked = body(client.get(reverse("downloads:table_csv", args=[table])))
    plain = client.get(reverse("downloads:table_csv_plain", args=[table]))
    assert marked[:3] == b"\xef\xbb\xbf" == BYTE_ORDER_MARK
    assert marked[3:] == body(plain) and not body(plain).startswith(BYTE_ORDER_MARK)
    assert plain["Content-Disposition"] == f'attachment; filename="{table}.csv"'
    assert (
        next(csv.reader(io.StringIO(marked.decode("utf-8-sig"))))
        == next(t for t in TABLES if t.name == table).column_names
    )


def test_the_byte_order_mark_is_also_in_front_of_a_download_streamed_from_its_kept_file(
    client, xiaomi_world, settings, tmp_path
):
    settings.DOWNLOAD_CACHE_DIR = str(tmp_path)
    marked = client.get(reverse("downloads:table_csv", args=["deals"]))
    plain = client.get(reverse("downloads:table_csv_plain", args=["deals"]))
    assert marked.streaming and body(marked) == BYTE_ORDER_MARK + body(plain)
    assert int(marked["Content-Length"]) == int(plain["Content-Length"]) + 3
    assert len(list(tmp_path.glob("deals.csv.v*"))) == 1  # both served from one kept file


def test_json_downloads_carry_no_byte_order_mark(client, xiaomi_world):
    assert body(client.get(reverse("downloads:table_json", args=["deals"]))).startswith(b"[")


# -- /data/ --


def test_data_page_shows_licence_version_date_and_a_citation(client, changed_seeds):
    response = client.get(reverse("downloads:data"))
    page = text_of(response.text)
    version = response.context["version"]
    assert "Creative Commons Attribution 4.0" in page
    assert "quoted excerpts" in page.lower() and "remain their publishers'" in page
    assert f"dataset version {version.number}, {version.changed_at.date().isoformat()}" in page
    assert 'href="/data/datapackage.json"' in response.text and 'href="/data/plain/deals.csv"' in response.text
    assert "byte order mark" in page
    assert "on every request" not in page


@pytest.mark.parametrize("url", ["/data/deals.csv", "/data/plain/deals.csv", "/data/datapackage.json"])
def test_head_answers_the_new_addresses_as_their_get(client, xiaomi_world, page_cache, url):
    get, head = client.get(url), client.head(url)
    assert (get.status_code, head.status_code, head.content) == (200, 200, b"")
    assert head["ETag"] == get["ETag"] and head["Content-Type"] == get["Content-Type"]
