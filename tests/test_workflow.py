"""Editorial workflow: who may move a record between states, and what publishing requires."""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from companies.models import Company, Deal
from core.editorial import EditorialState
from sources.models import Source
from tests.conftest import (
    DRAFT,
    logged_in,
    make_backed_deal,
    make_company,
    make_deal,
    make_excerpt,
    make_source,
    make_staff,
)

pytestmark = pytest.mark.django_db

IN_REVIEW, PUBLISHED, RETRACTED = EditorialState.IN_REVIEW, EditorialState.PUBLISHED, EditorialState.RETRACTED


@pytest.fixture
def users(editor, reviewer, superuser):
    return {"anonymous": None, "editor": editor, "reviewer": reviewer, "superuser": superuser}


@pytest.fixture
def deal_ready_to_publish():
    """A deal in review with a party and a supporting excerpt from a published source."""
    return make_backed_deal(state=IN_REVIEW)


def as_user(client, user):
    """`client` (a reader, logged out) for "anonymous", else a browser logged in as `user`."""
    return client if user is None else logged_in(user)


def run_action(client, model, action: str, record) -> object:
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
    return client.post(url, {"action": action, "_selected_action": [record.pk]}, follow=True)


def state_of(record) -> str:
    return type(record).objects.get(pk=record.pk).editorial_state


def test_groups_are_created_by_migration():
    editors = set(Group.objects.get(name="Editors").permissions.values_list("codename", flat=True))
    reviewers = set(Group.objects.get(name="Reviewers").permissions.values_list("codename", flat=True))
    assert {"change_deal", "import_deal", "export_deal", "add_source"} <= editors
    assert not {codename for codename in editors if codename.startswith("publish_")}
    assert {"publish_deal", "publish_company", "publish_source"} <= reviewers
    assert editors < reviewers


# (who, action, starting state, expected state afterwards)
ACTION_MATRIX = [
    ("anonymous", "send_for_review", DRAFT, DRAFT),
    ("editor", "send_for_review", DRAFT, IN_REVIEW),
    ("reviewer", "send_for_review", DRAFT, IN_REVIEW),
    ("superuser", "send_for_review", DRAFT, IN_REVIEW),
    ("anonymous", "publish", IN_REVIEW, IN_REVIEW),
    ("editor", "publish", IN_REVIEW, IN_REVIEW),
    ("reviewer", "publish", IN_REVIEW, PUBLISHED),
    ("superuser", "publish", IN_REVIEW, PUBLISHED),
    ("anonymous", "retract", PUBLISHED, PUBLISHED),
    ("editor", "retract", PUBLISHED, PUBLISHED),
    ("reviewer", "retract", PUBLISHED, RETRACTED),
    ("superuser", "retract", PUBLISHED, RETRACTED),
    ("editor", "back_to_draft", RETRACTED, RETRACTED),  # a retracted record is the reviewers' to change
    ("reviewer", "back_to_draft", RETRACTED, DRAFT),
    ("editor", "back_to_draft", IN_REVIEW, DRAFT),
]


@pytest.mark.parametrize(("who", "action", "start", "expected"), ACTION_MATRIX)
def test_action_matrix(client, users, deal_ready_to_publish, who, action, start, expected):
    Deal.objects.filter(pk=deal_ready_to_publish.pk).update(editorial_state=start)
    response = run_action(as_user(client, users[who]), Deal, action, deal_ready_to_publish)
    if who == "anonymous":
        assert response.redirect_chain[0][0].startswith("/admin/login/")
    assert state_of(deal_ready_to_publish) == expected


def test_editor_does_not_see_publish_actions(client, users):
    make_deal(state=DRAFT)
    page = as_user(client, users["editor"]).get(reverse("admin:companies_deal_changelist")).text
    assert 'value="send_for_review"' in page
    assert 'value="publish"' not in page and 'value="retract"' not in page


@pytest.mark.parametrize(
    ("who", "view", "change", "import_", "export"),
    [
        ("anonymous", 302, 302, 302, 302),
        ("editor", 200, 200, 200, 200),
        ("reviewer", 200, 200, 200, 200),
        ("superuser", 200, 200, 200, 200),
    ],
)
def test_page_matrix(client, users, who, view, change, import_, export):
    deal = make_deal(state=DRAFT)
    client = as_user(client, users[who])
    assert client.get(reverse("admin:companies_deal_changelist")).status_code == view
    assert client.get(reverse("admin:companies_deal_change", args=[deal.pk])).status_code == change
    assert client.get(reverse("admin:companies_deal_import")).status_code == import_
    assert client.get(reverse("admin:companies_deal_export")).status_code == export


def test_staff_without_import_or_export_permission_gets_403_and_no_buttons(client):
    viewer = make_staff(username="viewer")
    viewer.user_permissions.add(
        *Group.objects.get(name="Editors")
        .permissions.exclude(codename__startswith="import_")
        .exclude(codename__startswith="export_")
    )
    client.force_login(viewer)
    changelist = client.get(reverse("admin:companies_deal_changelist")).text
    assert "/admin/companies/deal/import/" not in changelist
    assert "/admin/companies/deal/export/" not in changelist
    assert client.get(reverse("admin:companies_deal_import")).status_code == 403
    assert client.get(reverse("admin:companies_deal_export")).status_code == 403


def test_editor_cannot_publish_through_the_change_form(client, users, deal_ready_to_publish):
    client = as_user(client, users["editor"])
    url = reverse("admin:companies_deal_change", args=[deal_ready_to_publish.pk])
    form = client.get(url).context["adminform"].form
    data = {**{k: v for k, v in form.initial.items() if v is not None}, "editorial_state": PUBLISHED}
    data.update(
        {
            "participations-TOTAL_FORMS": "0",
            "participations-INITIAL_FORMS": "0",
            "participations-MIN_NUM_FORMS": "0",
            "participations-MAX_NUM_FORMS": "1000",
            "date": "",
            "amount": "",
            "venture": "",
        }
    )
    response = client.post(url, data)
    assert "Only reviewers can publish the deal" in response.text
    assert state_of(deal_ready_to_publish) == IN_REVIEW


def test_editor_may_only_view_a_published_record(client, users):
    deal = make_deal()
    page = as_user(client, users["editor"]).get(reverse("admin:companies_deal_change", args=[deal.pk])).text
    assert 'name="title"' not in page  # read-only
    assert deal.title in page


def test_publishing_refusal_says_what_is_missing(client, users):
    deal = make_deal(state=IN_REVIEW)
    response = run_action(as_user(client, users["reviewer"]), Deal, "publish", deal)
    assert (
        f"Cannot publish the deal “{deal.title}”: it has no parties; add at least one company and its role."
        in response.text
    )
    assert f"Cannot publish the deal “{deal.title}”: no excerpt from a published source supports it." in response.text
    assert state_of(deal) == IN_REVIEW


def test_company_needs_published_support(client, users):
    company = make_company(name="Lonely Motors", state=IN_REVIEW)
    draft_source = make_source(text="Lonely Motors makes cars.", slug="draft", state=DRAFT)
    make_excerpt(source=draft_source, quote="Lonely Motors makes cars.", companies=[company])
    response = run_action(as_user(client, users["reviewer"]), Company, "publish", company)
    assert (
        "Cannot publish the company “Lonely Motors”: no excerpt from a published source supports it: "
        "the source “A source” is a draft." in response.text
    )
    assert state_of(company) == IN_REVIEW


def test_wrong_order_is_refused(client, users):
    deal = make_deal(state=DRAFT)
    response = run_action(as_user(client, users["reviewer"]), Deal, "retract", deal)
    assert "cannot go from draft to retracted" in response.text
    assert state_of(deal) == DRAFT


def test_retracting_a_source_warns_about_facts_resting_only_on_it(client, users, deal_ready_to_publish):
    Deal.objects.filter(pk=deal_ready_to_publish.pk).update(editorial_state=PUBLISHED)
    source = Source.objects.get()
    response = run_action(as_user(client, users["reviewer"]), Source, "retract", source)
    assert state_of(source) == RETRACTED
    assert "leaves these published records with no published support" in response.text
    assert f"deal “{deal_ready_to_publish.title}”" in response.text
    assert "company “Xiaomi”" in response.text
