"""Change history: every path that changes a curated record leaves who, when and what."""

import pytest
from django.urls import reverse

from companies.models import Company, Deal
from core.editorial import EditorialState
from tests.conftest import make_company, make_deal
from tests.import_helpers import confirm, upload

pytestmark = pytest.mark.django_db


def test_admin_form_change_is_recorded_with_its_user_and_shown_as_a_diff(superuser, superuser_client):
    company = make_company(name="Xiaomi", headquarters="Beijing")
    url = reverse("admin:companies_company_change", args=[company.pk])
    form = superuser_client.get(url).context["adminform"].form
    data = {**{k: v for k, v in form.initial.items() if v is not None}, "headquarters": "Beijing, China"}
    data.update({"aliases-TOTAL_FORMS": "0", "aliases-INITIAL_FORMS": "0", "parent": ""})
    assert superuser_client.post(url, data).status_code == 302
    latest = company.history.latest()
    assert (latest.history_user, latest.headquarters, latest.history_type) == (superuser, "Beijing, China", "~")
    page = superuser_client.get(reverse("admin:companies_company_history", args=[company.pk])).text
    assert "boss" in page
    assert "Beijing, China" in page and "headquarters" in page.lower()


def test_revert_restores_an_earlier_version(superuser_client):
    company = make_company(name="Xiaomi", summary="First text.")
    first = company.history.latest()
    company.summary = "Second text."
    company.save()
    url = reverse("admin:companies_company_simple_history", args=[company.pk, first.history_id])
    form = superuser_client.get(url).context["adminform"].form
    data = {**{k: v for k, v in form.initial.items() if v is not None}}
    data.update({"aliases-TOTAL_FORMS": "0", "aliases-INITIAL_FORMS": "0", "parent": ""})
    response = superuser_client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert Company.objects.get(pk=company.pk).summary == "First text."


def test_workflow_action_is_recorded(superuser, superuser_client):
    deal = make_deal(state=EditorialState.DRAFT)
    superuser_client.post(
        reverse("admin:companies_deal_changelist"), {"action": "send_for_review", "_selected_action": [deal.pk]}
    )
    latest = deal.history.latest()
    assert (latest.editorial_state, latest.history_user, latest.history_change_reason) == (
        "in_review",
        superuser,
        "draft → in review",
    )


def test_admin_import_is_attributed_to_the_user_who_confirmed_it(superuser, superuser_client):
    csv_text = "slug,name,kind,editorial_state\nexample-motors,Example Motors,ev_startup,draft\n"
    preview = upload(superuser_client, Company, "companies.csv", content=csv_text.encode())
    confirm(superuser_client, Company, preview)
    created = Company.objects.get(slug="example-motors")
    record = created.history.get()
    assert (record.history_type, record.history_user) == ("+", superuser)


def test_inline_participation_change_is_recorded():
    deal = make_deal()
    xiaomi = make_company()
    deal.participations.create(company=xiaomi, role="parent")
    assert Deal.participations.rel.related_model.history.filter(deal_id=deal.pk, history_type="+").count() == 1


def test_public_pages_show_the_publication_time_not_the_latest_history_row(client):
    # A history row is also written when rows are loaded (seeds on a fresh database); readers are
    # told when the record was published (tests/test_publication_times.py has the rest).
    import datetime

    deal = make_deal()
    published = datetime.datetime(2024, 3, 9, 12, 0, tzinfo=datetime.UTC)
    Deal.objects.filter(pk=deal.pk).update(first_published_at=published, last_published_at=published)
    page = client.get(deal.get_absolute_url()).text
    assert '<dt>First published</dt><dd><time datetime="2024-03-09T12:00:00+00:00">9 Mar 2024</time></dd>' in page
    assert "Last updated" not in page
