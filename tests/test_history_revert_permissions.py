"""History revert is a change like any other: the version page saves only for a user who may
change the record as stored, and only a state the workflow allows (issue #9, point 1)."""

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from companies.models import Company, Deal, Participation
from core.editorial import EditorialState, editorial_transition
from tests.conftest import DRAFT, PUBLISHED, make_company, make_deal, make_excerpt, make_source, make_staff

pytestmark = pytest.mark.django_db

IN_REVIEW = EditorialState.IN_REVIEW

# What the attacker sent: the published company rewritten through its history page.
REWRITE = {"name": "Xiaomi (rewritten)", "website": "https://rewritten.invalid/", "summary": "Rewritten by an editor."}


@pytest.fixture
def viewer(db):
    """Staff with nothing but the permission to view companies."""
    user = make_staff(username="viewer")
    user.user_permissions.add(Permission.objects.get(codename="view_company"))
    return user


@pytest.fixture
def xiaomi() -> Company:
    """Published, backed by a published source, with an older version in its history."""
    company = make_company(name="Xiaomi", summary="First text.", website="https://www.mi.com/")
    source = make_source(text="Xiaomi will build electric cars.")
    make_excerpt(source=source, quote="Xiaomi will build electric cars.", companies=[company])
    company.summary = "Second text."
    company.save()
    return company


def version_url(record, version) -> str:
    opts = record._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_simple_history", args=[record.pk, version.history_id])


def oldest(record):
    return record.history.earliest()


def version_form(client, url: str) -> dict:
    """What the version page's form sends back unchanged (its fields as the version has them)."""
    form = client.get(url).context["adminform"].form
    return {name: "" if value is None else value for name, value in form.initial.items()}


def stored(record):
    return type(record).objects.get(pk=record.pk)


def test_editor_cannot_rewrite_a_published_company_through_its_history(editor_client, xiaomi):
    url = version_url(xiaomi, oldest(xiaomi))
    page = editor_client.get(url)
    assert page.status_code == 200  # an editor may read the history
    assert 'name="_save"' not in page.text  # but is offered no Revert button
    response = editor_client.post(url, {**version_form(editor_client, url), **REWRITE})
    assert response.status_code == 403
    company = stored(xiaomi)
    assert (company.name, company.website, company.summary) == ("Xiaomi", "https://www.mi.com/", "Second text.")
    assert "Rewritten" not in editor_client.get(xiaomi.get_absolute_url()).text


def test_view_only_staff_cannot_save_through_the_history(client, viewer, xiaomi):
    client.force_login(viewer)
    url = version_url(xiaomi, oldest(xiaomi))
    assert client.get(url).status_code == 200
    response = client.post(url, {**version_form(client, url), **REWRITE})
    assert response.status_code == 403
    assert stored(xiaomi).name == "Xiaomi"
    assert stored(xiaomi).history.count() == 2  # no new version either


def test_reviewer_reverts_a_published_company_and_it_stays_publishable(reviewer_client, reviewer, xiaomi):
    url = version_url(xiaomi, oldest(xiaomi))
    assert 'name="_save"' in reviewer_client.get(url).text
    response = reviewer_client.post(url, version_form(reviewer_client, url))
    assert response.status_code == 302
    company = stored(xiaomi)
    assert (company.summary, company.editorial_state) == ("First text.", PUBLISHED)
    assert company.publication_problems() == []
    assert company.history.latest().history_user == reviewer
    assert "First text." in reviewer_client.get(xiaomi.get_absolute_url()).text


@pytest.fixture
def deal_with_history(reviewer) -> Deal:
    """A deal that went draft → in review → published: three versions."""
    xiaomi = make_company(name="Xiaomi")
    deal = make_deal(state=DRAFT, parties=[(xiaomi, Participation.Role.PARENT)])
    source = make_source(text="Xiaomi said it would set up an EV subsidiary.")
    make_excerpt(source=source, quote="Xiaomi said it would set up an EV subsidiary.", deals=[deal])
    editorial_transition(record=deal, to_state=IN_REVIEW, user=reviewer)
    editorial_transition(record=deal, to_state=PUBLISHED, user=reviewer)
    return stored(deal)


def test_reviewer_revert_still_follows_the_workflow(reviewer_client, deal_with_history):
    # The oldest version is a draft; a published deal cannot jump back to draft (it is retracted first).
    url = version_url(deal_with_history, oldest(deal_with_history))
    response = reviewer_client.post(url, version_form(reviewer_client, url))
    assert response.status_code == 200
    assert f"The deal “{deal_with_history.title}” cannot go from published to draft." in response.text
    assert stored(deal_with_history).editorial_state == PUBLISHED


def test_editor_cannot_publish_by_reverting_to_a_published_version(editor_client, reviewer, deal_with_history):
    for state in (EditorialState.RETRACTED, DRAFT, IN_REVIEW):
        editorial_transition(record=deal_with_history, to_state=state, user=reviewer)
    published_version = deal_with_history.history.filter(editorial_state=PUBLISHED).latest()
    # The deal is in review: the editor may change it, not publish it.
    url = version_url(deal_with_history, published_version)
    response = editor_client.post(url, version_form(editor_client, url))
    assert response.status_code == 200
    assert f"Only reviewers can publish the deal “{deal_with_history.title}”." in response.text
    assert stored(deal_with_history).editorial_state == IN_REVIEW


def test_editor_may_still_revert_a_draft(editor_client):
    company = make_company(name="Kestrel Motors", summary="First text.", state=DRAFT)
    company.summary = "Second text."
    company.save()
    url = version_url(company, oldest(company))
    assert editor_client.post(url, version_form(editor_client, url)).status_code == 302
    assert stored(company).summary == "First text."


def test_revert_disabled_setting_refuses_every_revert(reviewer_client, xiaomi, settings):
    settings.SIMPLE_HISTORY_REVERT_DISABLED = True
    url = version_url(xiaomi, oldest(xiaomi))
    assert reviewer_client.post(url, version_form(reviewer_client, url)).status_code == 403
    assert stored(xiaomi).summary == "Second text."
