"""The admin an editor works in: every page renders, search finds aliases and quotes, import works."""

import pytest
from django.contrib import admin
from django.core.files.uploadedfile import SimpleUploadedFile

from companies.models import Company
from tests.import_helpers import admin_url, upload
from tests.import_helpers import confirm as confirm_job

# The editor (tests/conftest.py) works on the shipped dataset.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("seeded")]

MODELS = [model for model in admin.site._registry if model._meta.app_label in {"companies", "sources"}]


# The management forms of a source's two inlines (noise spans, excerpts), with no rows.
EMPTY_SOURCE_INLINES = {
    f"{prefix}-{key}": value
    for prefix in ("noise_spans", "excerpts")
    for key, value in {"TOTAL_FORMS": "0", "INITIAL_FORMS": "0", "MIN_NUM_FORMS": "0", "MAX_NUM_FORMS": "1000"}.items()
}


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m._meta.model_name)
def test_changelist_add_and_change_pages_render(editor_client, model):
    changelist = editor_client.get(admin_url(model, "changelist"))
    assert changelist.status_code == 200
    assert editor_client.get(admin_url(model, "add")).status_code == 200
    obj = model.objects.first()
    assert obj is not None, f"seeds hold no {model._meta.verbose_name}"
    change = editor_client.get(admin_url(model, "change", obj.pk))
    assert change.status_code == 200
    assert editor_client.get(admin_url(model, "import")).status_code == 200
    assert editor_client.get(admin_url(model, "export")).status_code == 200


def test_all_curated_models_are_registered():
    names = {model._meta.model_name for model in MODELS}
    assert names == {"company", "alias", "deal", "participation", "story", "source", "noisespan", "excerpt"}


def test_company_search_finds_an_alias(editor_client):
    response = editor_client.get(admin_url(Company, "changelist"), {"q": "First Auto Works"})
    assert "FAW Group" in response.text
    assert "Xiaomi</a>" not in response.text


def test_excerpt_search_finds_quote_text(editor_client):
    from sources.models import Excerpt

    response = editor_client.get(admin_url(Excerpt, "changelist"), {"q": "second largest shareholder"})
    assert "This move would make 360" in response.text


def test_deal_changelist_filters_by_year_and_shows_state(editor_client):
    from companies.models import Deal

    response = editor_client.get(admin_url(Deal, "changelist"), {"date_year": "2021"})
    assert "Xiaomi buys DeepMotion" in response.text
    assert "Published" in response.text


def test_source_text_is_read_only_on_change(editor_client):
    from sources.models import Source

    source = Source.objects.get(seed_file="001_e818340580871307.txt")
    response = editor_client.get(admin_url(Source, "change", source.pk))
    assert 'name="text"' not in response.text
    assert "alibaba vies for a piece" in response.text


def test_admin_csv_import_previews_then_creates(reviewer_client):
    """A reviewer: one row publishes a company, which an editor may not do."""
    csv_text = (
        "slug,name,kind,entry_mode,headquarters,website,parent,summary,editorial_state\n"
        "example-motors,Example Motors,ev_startup,,,,,An EV maker for tests.,draft\n"
        "xiaomi-ventures,Xiaomi Ventures,investor,,,,xiaomi,Xiaomi's investment arm.,published\n"
    )
    preview = upload(reviewer_client, Company, "companies.csv", content=csv_text.encode())
    assert preview.status_code == 200
    assert "Example Motors" in preview.text
    assert not Company.objects.filter(slug="example-motors").exists()  # a preview writes nothing
    confirm = confirm_job(reviewer_client, Company, preview)
    assert "Import finished: 1 new, 1 updated, 0 deleted and 0 skipped companies." in confirm.text
    assert Company.objects.get(slug="example-motors").kind == "ev_startup"
    assert Company.objects.get(slug="xiaomi-ventures").summary == "Xiaomi's investment arm."


def test_admin_import_with_a_bad_row_shows_it_and_writes_nothing(editor_client):
    csv_text = (
        "slug,name,kind,entry_mode,headquarters,website,parent,summary,editorial_state\n"
        "example-motors,Example Motors,ev_startup,,,,,An EV maker for tests.,draft\n"
        "example-arm,Example Arm,investor,,,,xiaomii,An arm for tests.,draft\n"
    )
    response = upload(editor_client, Company, "companies.csv", content=csv_text.encode())
    assert "Some rows failed to validate" in response.text
    assert "unknown company slug &quot;xiaomii&quot;" in response.text
    assert "Confirm import" not in response.text
    assert not Company.objects.filter(slug__in=["example-motors", "example-arm"]).exists()


def test_adding_a_source_by_upload_keeps_the_text_byte_for_byte(editor_client):
    from sources.models import Source, text_sha256

    text = "Line one.\nLine two with “quotes” and 小米.\n"
    upload = SimpleUploadedFile("article.txt", text.encode("utf-8"), content_type="text/plain")
    form = {
        "title": "Uploaded article",
        "slug": "uploaded-article",
        "editorial_state": "draft",
        "story_relation": "original",
        "text_file": upload,
        "text": "",
        **EMPTY_SOURCE_INLINES,
    }
    response = editor_client.post(admin_url(Source, "add"), form)
    assert response.status_code == 302, response.text[:3000]
    source = Source.objects.get(slug="uploaded-article")
    assert source.text == text
    assert source.sha256 == text_sha256(text)


def test_adding_a_source_without_text_names_the_field(editor_client):
    from sources.models import Source

    form = {
        "title": "Empty",
        "slug": "empty",
        "editorial_state": "draft",
        "story_relation": "original",
        "text": "",
        **EMPTY_SOURCE_INLINES,
    }
    response = editor_client.post(admin_url(Source, "add"), form)
    assert "Paste the article&#x27;s text or upload its file." in response.text
    assert not Source.objects.filter(slug="empty").exists()
