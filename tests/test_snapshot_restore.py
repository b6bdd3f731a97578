"""A restore that restores (issue #13, point 5): `export_seeds --directory=D` writes everything
`load_seeds --directory=D` needs, the archived texts and web pages included, and loading D into an
empty database gives back every curated record, row by row."""

import io
from pathlib import Path

import pytest
from django.core.management import call_command

from companies.models import Company, Deal
from dataio.seeds import database_is_empty
from sources.models import NoiseSpan, Source, Story
from tests.conftest import make_excerpt, make_source
from tests.import_helpers import NATURAL_KEYS, curated_rows

pytestmark = pytest.mark.django_db

# Every curated table, by natural key, in an order that deletes children before their parents.
PAGE = "<!doctype html>\r\n<html><body><nav>Home | Markets</nav><article><p>{text}</p></article></body></html>\n"
TEXT = "Most Read\nXiaomi said on Tuesday it would spend $10 billion on electric cars.\n"


def empty_the_database() -> None:
    """What a fresh database is to load_seeds: no curated row and no change history of one."""
    Company.objects.update(parent=None)
    for model in NATURAL_KEYS:
        model.objects.all().delete()
        model.history.all().delete()
    assert database_is_empty()


def add_records_after_loading() -> None:
    """What editors do after the seeds: a web page archived through the assistant (with its own
    text file name, a story, noise and an excerpt on a company and a deal), and edits."""
    xiaomi = Company.objects.get(slug="xiaomi")
    deal = Deal.objects.filter(participations__company=xiaomi).order_by("slug").first()
    story = Story.objects.create(slug="xiaomi-spends", title="Xiaomi spends on cars")
    source = make_source(
        slug="harbour-xiaomi-spend",
        title="Xiaomi to spend $10 billion",
        text=TEXT,
        raw_html=PAGE.format(text=TEXT),
        seed_file="harbour_xiaomi.txt",
        story=story,
    )
    noise = NoiseSpan(source=source, label="Other stories on the page", text="Most Read")
    noise.full_clean()  # anchors it in the text, as the admin does
    noise.save()
    make_excerpt(source=source, quote="it would spend $10 billion", companies=[xiaomi], deals=[deal], slug="spend")
    xiaomi.summary = "Edited after loading: builds its own cars."
    xiaomi.save()
    deal.amount_note = "Edited after loading."
    deal.save()


def test_a_snapshot_restores_every_curated_row_into_an_empty_database(tmp_path):
    call_command("load_seeds", stdout=io.StringIO())
    add_records_after_loading()
    expected = curated_rows()
    assert expected["source"][("harbour-xiaomi-spend",)]["raw_html"].startswith("<!doctype html>\r\n")

    snapshot = tmp_path / "snapshot"
    call_command("export_seeds", "--directory", str(snapshot), stdout=io.StringIO())
    for source in Source.objects.all():  # the texts the rows name are there, byte for byte
        assert (snapshot / source.seed_file).read_bytes() == source.text.encode("utf-8")
    assert (snapshot / "harbour-xiaomi-spend.html").read_bytes() == PAGE.format(text=TEXT).encode("utf-8")

    empty_the_database()
    output = io.StringIO()
    call_command("load_seeds", "--directory", str(snapshot), stdout=output)
    assert "The database was empty: it now holds the seed dataset." in output.getvalue()

    restored = curated_rows()
    for table, rows in expected.items():
        assert restored[table].keys() == rows.keys(), table
        for key, row in rows.items():
            assert restored[table][key] == row, (table, key)
    assert restored == expected


def test_the_restored_snapshot_loads_again_as_no_change(tmp_path):
    call_command("load_seeds", stdout=io.StringIO())
    add_records_after_loading()
    call_command("export_seeds", "--directory", str(tmp_path), stdout=io.StringIO())
    empty_the_database()
    call_command("load_seeds", "--directory", str(tmp_path), stdout=io.StringIO())

    again = io.StringIO()
    call_command("load_seeds", "--directory", str(tmp_path), stdout=again)
    assert "Seeds already loaded: nothing changed." in again.getvalue()


def test_the_shipped_seeds_export_to_their_own_text_files(tmp_path):
    """export_seeds into seeds/ rewrites the seed articles unchanged: the same names, the same bytes."""
    call_command("load_seeds", stdout=io.StringIO())
    call_command("export_seeds", "--directory", str(tmp_path), stdout=io.StringIO())
    for text_file in Path("seeds").glob("*.txt"):
        assert (tmp_path / text_file.name).read_bytes() == text_file.read_bytes()
