"""Duplicate warnings (issue 15, point 1): a company named like a stored company or alias, and a
source whose text is stored already or is a near-copy of a stored one, are shown before they are
created (companies/duplicates.py, sources/duplicates.py)."""

import io
from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse

from companies.duplicates import company_duplicates, name_fold
from companies.models import Alias, Company
from dataio.models import DataJob
from sources.models import Source, Story
from sources.similarity import SOURCE_INDEX
from tests.conftest import make_company, make_source
from tests.import_helpers import admin_url, confirm, upload, visible_text

pytestmark = pytest.mark.django_db

INGEST = Path(__file__).parent / "data" / "ingest"
DRAFT = "draft"


@pytest.fixture(autouse=True)
def fresh_index():
    SOURCE_INDEX.__init__()  # the index lives in the process; each test has its own database
    yield
    SOURCE_INDEX.__init__()


@pytest.fixture
def kestrel(db) -> Company:
    return make_company(name="Kestrel Dynamics", slug="kestrel-dynamics", kind="ev_startup", state=DRAFT)


@pytest.fixture
def geely(db) -> Company:
    company = make_company(name="Zhejiang Geely Holding Group", slug="geely", kind="automaker", state=DRAFT)
    Alias.objects.create(company=company, name="Geely", kind=Alias.Kind.SHORT)
    return company


def matched(name: str) -> list[tuple[str, str, int]]:
    return [(m.company_slug, m.matched, m.edits) for m in company_duplicates(name)]


# -- the matching --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("kestrel dynamics", "Kestrel Dynamics"),
        ("Škoda", "Skoda"),
        ("Pony.ai", "Pony AI"),
        ("Kestrel  Dynamics Ltd.", "kestrel-dynamics"),
        ("NIO Inc.", "N.I.O."),
    ],
)
def test_the_name_fold_sets_case_accents_spacing_punctuation_and_legal_form_aside(one, other):
    assert name_fold(one) == name_fold(other)


def test_a_name_the_same_once_folded_matches_a_stored_name(kestrel):
    assert matched("kestrel dynamics") == [("kestrel-dynamics", "Kestrel Dynamics", 0)]
    assert matched("KESTREL DYNAMICS, Inc.") == [("kestrel-dynamics", "Kestrel Dynamics", 0)]


def test_a_name_matches_an_alias_of_another_company(geely):
    (match,) = company_duplicates("Geely")
    assert (match.company_name, match.matched, match.alias, match.edits) == (
        "Zhejiang Geely Holding Group",
        "Geely",
        True,
        0,
    )
    assert match.how == "its alias “Geely” is the same name (case, accents, spacing and punctuation aside)"


@pytest.mark.parametrize("name", ["Kestrel Dynamcs", "Kestrel Dynammics", "Kestral Dynamics", "Ketsrel Dynamics"])
def test_a_dropped_doubled_wrong_or_swapped_letter_still_matches(kestrel, name):
    assert [(slug, edits) for slug, _matched, edits in matched(name)] == [("kestrel-dynamics", 1)]


def test_short_names_and_other_numbers_are_other_companies(db):
    make_company(name="BMW", slug="bmw", kind="automaker")
    make_company(name="NIO", slug="nio", kind="automaker")
    make_company(name="Fund 2", slug="fund-2", kind="investor")
    assert matched("BYD") == []  # two letters apart in three: another company
    assert matched("NIU") == []  # no letter may differ below four letters
    assert matched("Fund 3") == []  # a letter apart, but another number
    assert matched("Geely") == []
    assert matched("bmw") == [("bmw", "BMW", 0)]


def test_two_letters_may_differ_from_eight_letters_on_and_three_never(kestrel):
    assert matched("Kestral Dynamcs") == [("kestrel-dynamics", "Kestrel Dynamics", 2)]
    assert matched("Kastral Dynamcs") == []


# -- the company add form ------------------------------------------------------------------------


def company_form(**fields) -> dict:
    data = {"name": "kestrel dynamics", "slug": "kestrel-dynamics-2", "kind": "ev_startup", "editorial_state": DRAFT}
    data.update({"aliases-TOTAL_FORMS": "0", "aliases-INITIAL_FORMS": "0", "parent": "", **fields})
    return data


def test_adding_a_company_named_like_a_stored_one_warns_with_a_link_and_saves_only_when_ticked(editor_client, kestrel):
    response = editor_client.post(admin_url(Company, "add"), company_form())
    assert response.status_code == 200
    assert not Company.objects.filter(slug="kestrel-dynamics-2").exists()
    text = visible_text(response)
    assert "“kestrel dynamics” may already be in the tracker: Kestrel Dynamics (its name is the same name" in text
    assert f'<a href="{admin_url(Company, "change", kestrel.pk)}">Kestrel Dynamics</a>' in response.text
    assert 'type="checkbox" name="create_anyway"' in response.text

    response = editor_client.post(admin_url(Company, "add"), company_form(create_anyway="on"))
    assert response.status_code == 302, response.text[:2000]
    assert Company.objects.filter(name__iexact="kestrel dynamics").count() == 2


def test_the_add_form_hides_the_checkbox_until_there_is_something_to_confirm(editor_client, kestrel):
    page = editor_client.get(admin_url(Company, "add"))
    assert '<input type="hidden" name="create_anyway"' in page.text
    response = editor_client.post(admin_url(Company, "add"), company_form(name="Brightline Motors", slug="brightline"))
    assert response.status_code == 302
    assert Company.objects.filter(slug="brightline").exists()


def test_a_hasty_geely_next_to_the_alias_is_warned_about(editor_client, geely):
    response = editor_client.post(admin_url(Company, "add"), company_form(name="Geely", slug="geely-2"))
    assert "its alias “Geely”" in visible_text(response)
    assert not Company.objects.filter(slug="geely-2").exists()


def test_renaming_a_stored_company_is_not_asked_about(editor_client, kestrel):
    other = make_company(name="Kestrel Dynamix", slug="kestrel-dynamix", kind="ev_startup", state=DRAFT)
    data = company_form(name="Kestrel Dynamix", slug="kestrel-dynamix", summary="Changed.")
    response = editor_client.post(admin_url(Company, "change", other.pk), data)
    assert response.status_code == 302, response.text[:2000]


# -- imports -------------------------------------------------------------------------------------


CSV = (
    b"slug,name,kind\n"
    b"kestrel-dynamics,Kestrel Dynamics,ev_startup\n"  # the stored company itself: no warning
    b"kestrel-2,kestrel dynamics,ev_startup\n"
    b"brightline,Brightline Motors,automaker\n"
    b"geely-2,Geely,automaker\n"
)


def test_the_import_preview_lists_warnings_per_row_and_can_still_be_confirmed(
    editor_client, import_folder, kestrel, geely
):
    page = upload(editor_client, Company, "companies.csv", content=CSV)
    job = DataJob.objects.latest("pk")
    assert job.errors == 0 and job.confirmable
    text = visible_text(page)
    assert "The preview found 2 warnings" in text
    assert (
        "Row 2 (line 3): “kestrel dynamics” may already be in the tracker: Kestrel Dynamics (kestrel-dynamics" in text
    )
    assert (
        "Row 4 (line 5): “Geely” may already be in the tracker: Zhejiang Geely Holding Group (geely: its alias" in text
    )
    assert f'<a href="{admin_url(Company, "change", geely.pk)}">Zhejiang Geely Holding Group</a>' in page.text
    assert "Row 3" not in text and "Row 1 " not in text
    assert "Confirm import" in text
    confirm(editor_client, Company, page)
    assert set(Company.objects.values_list("slug", flat=True)) == {
        "kestrel-dynamics",
        "kestrel-2",
        "brightline",
        "geely",
        "geely-2",
    }


def test_manage_py_import_prints_the_warnings_and_imports(tmp_path, kestrel):
    path = tmp_path / "companies.csv"
    path.write_bytes(CSV)
    stderr = io.StringIO()
    call_command("import", "companies.Company", str(path), "--no-input", stderr=stderr)
    assert (
        "Warning: companies.csv, row 2 (line 3): “kestrel dynamics” may already be in the tracker: "
        "Kestrel Dynamics (kestrel-dynamics: its name is the same name"
    ) in stderr.getvalue()
    assert "Import finished: 3 new" in stderr.getvalue()
    assert Company.objects.filter(slug="kestrel-2").exists()


# -- sources -------------------------------------------------------------------------------------


EMPTY_SOURCE_INLINES = {
    f"{prefix}-{key}": value
    for prefix in ("noise_spans", "excerpts")
    for key, value in {"TOTAL_FORMS": "0", "INITIAL_FORMS": "0", "MIN_NUM_FORMS": "0", "MAX_NUM_FORMS": "1000"}.items()
}


def source_form(text: str, **fields) -> dict:
    data = {"title": "New article", "slug": "new-article", "editorial_state": DRAFT, "story_relation": "original"}
    return {**data, "text": text, "story": "", **EMPTY_SOURCE_INLINES, **fields}


def test_a_text_already_archived_is_refused_naming_the_source(editor_client):
    stored = make_source(
        text=(INGEST / "original.txt").read_text(), slug="hanwei-original", title="Hanwei original", state=DRAFT
    )
    response = editor_client.post(admin_url(Source, "add"), source_form(stored.text, add_anyway="on"))
    assert response.status_code == 200
    assert (
        f"This text is already archived as the source Hanwei original (SHA-256 {stored.sha256[:12]}…)"
        in visible_text(response)
    )
    assert f'<a href="{admin_url(Source, "change", stored.pk)}">Hanwei original</a>' in response.text
    assert Source.objects.count() == 1
    # Pasted in a browser, line ends arrive as CR LF: still the same text.
    response = editor_client.post(admin_url(Source, "add"), source_form(stored.text.replace("\n", "\r\n")))
    assert "already archived as the source Hanwei original" in visible_text(response)
    assert Source.objects.count() == 1


def test_a_near_copy_warns_with_the_relation_and_is_added_only_when_ticked(editor_client):
    story = Story.objects.create(slug="hanwei-kestrel-venture", title="Hanwei and Kestrel's venture")
    stored = make_source(
        text=(INGEST / "original.txt").read_text(),
        slug="hanwei-original",
        title="Hanwei original",
        state=DRAFT,
        story=story,
    )
    rewrite = (INGEST / "rewrite.txt").read_text()
    response = editor_client.post(admin_url(Source, "add"), source_form(rewrite))
    assert response.status_code == 200
    text = visible_text(response)
    assert (
        "This text reads as another version of a stored source: a rewrite by another publisher of Hanwei original"
        in text
    )
    assert "story “Hanwei and Kestrel's venture”" in text and "group them in a story" in text
    assert f'<a href="{admin_url(Source, "change", stored.pk)}">Hanwei original</a>' in response.text
    assert 'type="checkbox" name="add_anyway"' in response.text
    assert not Source.objects.filter(slug="new-article").exists()

    response = editor_client.post(admin_url(Source, "add"), source_form(rewrite, add_anyway="on"))
    assert response.status_code == 302, response.text[:2000]
    assert Source.objects.filter(slug="new-article").exists()


def test_a_near_copy_put_in_the_story_of_its_version_is_not_asked_about(editor_client):
    story = Story.objects.create(slug="hanwei-kestrel-venture", title="Hanwei and Kestrel's venture")
    make_source(text=(INGEST / "original.txt").read_text(), slug="hanwei-original", state=DRAFT, story=story)
    data = source_form((INGEST / "spun.txt").read_text(), story=str(story.pk), story_relation="machine_spun")
    response = editor_client.post(admin_url(Source, "add"), data)
    assert response.status_code == 302, response.text[:2000]


def test_another_article_on_the_same_event_is_no_near_copy(editor_client):
    make_source(text=(INGEST / "original.txt").read_text(), slug="hanwei-original", state=DRAFT)
    response = editor_client.post(admin_url(Source, "add"), source_form((INGEST / "same_event.txt").read_text()))
    assert response.status_code == 302, response.text[:2000]


def test_the_job_page_lists_warnings_apart_from_errors(editor_client, import_folder, kestrel):
    upload(editor_client, Company, "companies.csv", content=CSV)
    job = DataJob.objects.latest("pk")
    page = editor_client.get(reverse("admin:dataio_datajob_change", args=[job.pk]))
    assert "Some rows failed to validate" not in page.text and "<h2>Errors</h2>" not in page.text
    assert '<h2 id="import-warnings">Warnings</h2>' in page.text
