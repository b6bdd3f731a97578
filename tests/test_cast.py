"""The shared cast of tests/conftest.py is what its names say: an editor's tests exercise an
editor's permissions (not a superuser's), and the small world is published and fit to be."""

import pytest
from django.urls import reverse

from companies.models import Company, Deal
from tests.conftest import DRAFT, make_deal

pytestmark = pytest.mark.django_db


def test_the_editor_is_staff_in_the_editors_group_and_may_not_publish(editor):
    assert editor.is_staff and not editor.is_superuser
    assert list(editor.groups.values_list("name", flat=True)) == ["Editors"]
    assert editor.has_perm("companies.change_deal") and not editor.has_perm("companies.publish_deal")


def test_the_reviewer_may_publish_and_the_superuser_may_do_anything(reviewer, superuser):
    assert reviewer.is_staff and not reviewer.is_superuser
    assert list(reviewer.groups.values_list("name", flat=True)) == ["Reviewers"]
    assert reviewer.has_perm("companies.publish_deal")
    assert superuser.is_superuser and superuser.is_staff and not superuser.groups.exists()


def test_each_client_is_logged_in_as_its_user(editor_client, reviewer_client, superuser_client, client):
    make_deal(state=DRAFT)  # the changelist offers its actions only with a record to apply them to
    changelist = reverse("admin:companies_deal_changelist")
    editor_page, reviewer_page = editor_client.get(changelist).text, reviewer_client.get(changelist).text
    assert 'value="send_for_review"' in editor_page and 'value="publish"' not in editor_page
    assert 'value="publish"' in reviewer_page
    assert superuser_client.get(reverse("admin:auth_user_changelist")).status_code == 200
    assert editor_client.get(reverse("admin:auth_user_changelist")).status_code == 403
    assert client.get(changelist).status_code == 302  # the plain client stays a logged-out reader


def test_the_world_is_published_and_meets_the_publishing_rules(xiaomi_world, client):
    assert set(Company.objects.published().values_list("slug", flat=True)) == {"xiaomi", "360", "hozon-auto"}
    assert Deal.objects.published().count() == 2
    for record in (xiaomi_world.xiaomi, xiaomi_world.round_d, xiaomi_world.subsidiary, xiaomi_world.source):
        assert record.publication_problems() == [], record
    page = client.get(xiaomi_world.round_d.get_absolute_url()).text
    assert "360" in page and "Hozon Auto" in page and "360 led Hozon Auto" in page
