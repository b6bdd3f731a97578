"""Staff's preview of records not yet published (public/preview_views.py): the public page, a
banner, never cached, never indexed, 404 to everyone else."""

import pytest
from django.contrib import admin
from django.urls import reverse

from companies.models import Company, Deal
from core.changes import dataset_version
from core.editorial import EditorialState
from tests.conftest import make_company, make_source, make_staff
from tests.test_page_cache import page_cache  # noqa: F401  (the fixture that turns the cache on)
from tests.test_review_queue import new_fact

pytestmark = pytest.mark.django_db

BANNER = "Preview — not published."


def preview_url(record) -> str:
    return reverse(f"preview:{record._meta.model_name}", kwargs={"slug": record.slug})


def test_staff_see_a_draft_deal_as_readers_will_with_its_dependencies(editor_client):
    deal = new_fact()
    version = dataset_version()
    response = editor_client.get(preview_url(deal))
    assert response.status_code == 200
    assert BANNER in response.text and "Kestrel venture 0" in response.text
    assert "Kestrel Dynamics 0" in response.text  # the party in review, shown as it will be
    assert "the in review source “Kestrel story 0”" in response.text
    assert Deal.objects.get(pk=deal.pk).editorial_state == EditorialState.IN_REVIEW  # nothing written
    assert dataset_version() == version


def test_a_preview_is_private_and_not_indexed(editor_client):
    response = editor_client.get(preview_url(make_company(name="Draft Motors", state=EditorialState.DRAFT)))
    assert response["Cache-Control"] == "private, no-store"
    assert response["X-Robots-Tag"] == "noindex"
    assert '<meta name="robots" content="noindex">' in response.text
    assert BANNER in response.text


def test_public_pages_carry_no_banner_nor_noindex(client):
    company = make_company(name="Xiaomi")
    page = client.get(company.get_absolute_url()).text
    assert BANNER not in page and "noindex" not in page


@pytest.mark.parametrize("who", ["anonymous", "not staff", "staff without view permission"])
def test_a_preview_is_404_to_everyone_else(client, django_user_model, who):
    source = make_source(state=EditorialState.DRAFT)
    if who == "not staff":
        client.force_login(django_user_model.objects.create_user("reader"))
    elif who == "staff without view permission":
        client.force_login(make_staff(username="staff"))
    assert client.get(preview_url(source)).status_code == 404


def test_a_published_record_previews_as_its_public_page(editor_client):
    company = make_company(name="Xiaomi")
    response = editor_client.get(preview_url(company))
    assert response.status_code == 302 and response["Location"] == company.get_absolute_url()


def test_the_page_cache_neither_serves_nor_keeps_a_preview(client, editor_client, page_cache):  # noqa: F811
    company = make_company(name="Xiaomi")
    public = client.get(company.get_absolute_url())
    assert public["X-Page-Cache"] == "miss"
    Company.objects.filter(pk=company.pk).update(editorial_state=EditorialState.IN_REVIEW)  # no version move
    first = editor_client.get(preview_url(company))
    second = editor_client.get(preview_url(company))
    assert BANNER in first.text and BANNER in second.text
    assert not first.has_header("X-Page-Cache") and not second.has_header("X-Page-Cache")
    assert not first.has_header("ETag")
    # The reader's address still answers from what the cache kept before, with no banner in it.
    again = client.get(company.get_absolute_url())
    assert again["X-Page-Cache"] == "hit" and BANNER not in again.text


def test_view_on_site_points_drafts_at_the_preview_and_published_records_at_their_page():
    model_admin = admin.site._registry[Company]
    draft = make_company(name="Draft Motors", state=EditorialState.DRAFT)
    published = make_company(name="Xiaomi")
    assert model_admin.get_view_on_site_url(draft) == preview_url(draft)
    assert model_admin.get_view_on_site_url(published) == published.get_absolute_url()
